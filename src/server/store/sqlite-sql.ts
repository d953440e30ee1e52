// SQLite's words for the query compiler (sql.ts): lower() folds A-Z only, as foldCase does; tags are read
// with json_each; text terms go through the ticket_text trigram index and its lower-cased copy.
import type { Sql, SqlDialect } from './sql.js';

/** How many trigrams of a needle the index is asked for: each costs a posting list, the exact test settles the rest. */
const TRIGRAMS_ASKED = 2;

/**
 * An FTS5 query for the ticket_text trigram index that every row containing `needle` matches:
 * up to TRIGRAMS_ASKED of its trigrams, spread over it. Null when the needle is shorter than a trigram.
 */
export function trigramQuery(needle: string): string | null {
  const chars = [...needle];
  const count = chars.length - 2;
  if (count < 1) return null;
  const asked = Math.min(TRIGRAMS_ASKED, count);
  const starts = new Set(Array.from({ length: asked }, (_, i) => (asked === 1 ? 0 : Math.round((i * (count - 1)) / (asked - 1)))));
  return [...starts].map((i) => `"${chars.slice(i, i + 3).join('').replace(/"/g, '""')}"`).join(' ');
}

function containsText(needle: string): Sql {
  // ticket_text keeps subject and description through lower(), which folds A-Z only, as foldCase does;
  // its plain copy (ticket_text_content: id, c0, c1) is the exact test, one row looked up per ticket
  const exact = { sql: 'EXISTS (SELECT 1 FROM ticket_text_content c WHERE c.id = tickets.id AND (instr(c.c0, ?) > 0 OR instr(c.c1, ?) > 0))', params: [needle, needle] };
  const grams = trigramQuery(needle);
  if (!grams) return exact;
  // the trigram index rules out most rows at the cost of a probe; `+` keeps the scan in queue order, so
  // a needle found everywhere costs no sort of the whole table
  return { sql: `(+tickets.id IN (SELECT rowid FROM ticket_text WHERE ticket_text MATCH ?) AND ${exact.sql})`, params: [grams, ...exact.params] };
}

export const SQLITE: SqlDialect = {
  always: '1=1',
  false: '0',
  fold: (expr) => `lower(${expr})`,
  textParam: '?',
  intParam: '?',
  jsonStrings: (column) => ({ from: `json_each(${column})`, value: 'json_each.value' }),
  containsText,
};
