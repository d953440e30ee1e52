// The query language (domain/query.ts) compiled to SQLite's SQL, and keyset cursors for queue order.
// Conditions name the tickets table unaliased (`tickets`); text terms read the ticket_text index.
import { foldCase, type Query, type QueryTerm } from '../../domain/query.js';
import type { Sort } from '../../domain/queue.js';
import { DONE_STATUSES, OPEN_STATUSES, PRIORITIES } from '../../domain/schemas.js';
import { DomainError } from './types.js';

const list = (values: readonly string[]) => values.map(() => '?').join(', ');

/** SQL for "this ticket is past its SLA" at `now` (mirrors domain/sla.ts isBreached). */
export function breachedSql(now: string): { sql: string; params: unknown[] } {
  return {
    sql: `(CASE WHEN coalesce(first_response_at, done_at) IS NULL THEN ? > response_due_at ELSE coalesce(first_response_at, done_at) > response_due_at END
      OR CASE WHEN done_at IS NULL THEN ? > resolution_due_at ELSE done_at > resolution_due_at END)`,
    params: [now, now],
  };
}

function termSql(term: QueryTerm, ctx: { now: Date; me: string }): { sql: string; params: unknown[] } {
  switch (term.kind) {
    case 'in': {
      if (term.field === 'tag') {
        return { sql: `EXISTS (SELECT 1 FROM json_each(tickets.tags) WHERE lower(json_each.value) IN (${list(term.values)}))`, params: term.values.map(foldCase) };
      }
      if (term.field === 'assignee') {
        const parts: string[] = [];
        const params: unknown[] = [];
        const named = term.values.filter((v) => v !== 'none').map((v) => (v === 'me' ? ctx.me : v));
        if (named.length) {
          parts.push(`assignee IN (${list(named)})`);
          params.push(...named);
        }
        if (term.values.includes('none')) parts.push('assignee IS NULL');
        return { sql: `(${parts.join(' OR ')})`, params };
      }
      if (term.field === 'priority') {
        const ranks = term.values.map((v) => PRIORITIES.indexOf(v as (typeof PRIORITIES)[number]));
        return { sql: `prank IN (${list(term.values)})`, params: ranks };
      }
      if (term.field === 'requester' || term.field === 'org') {
        // names are matched as the query language says: whole, but ignoring case
        return { sql: `lower(${term.field}) IN (${list(term.values)})`, params: term.values.map(foldCase) };
      }
      return { sql: `${term.field} IN (${list(term.values)})`, params: term.field === 'level' ? term.values.map(Number) : term.values };
    }
    case 'state':
      if (term.value === 'all') return { sql: '1=1', params: [] };
      return { sql: `status IN (${list(term.value === 'open' ? OPEN_STATUSES : DONE_STATUSES)})`, params: [...(term.value === 'open' ? OPEN_STATUSES : DONE_STATUSES)] };
    case 'escalated':
      return { sql: term.value ? 'escalation IS NOT NULL' : 'escalation IS NULL', params: [] };
    case 'sla': {
      const b = breachedSql(ctx.now.toISOString());
      return term.value === 'breached' ? b : { sql: `NOT ${b.sql}`, params: b.params };
    }
    case 'duration': {
      // age:>4h means created before now-4h: the comparison flips when turned into a timestamp
      const column = term.field === 'age' ? 'created_at' : 'updated_at';
      const at = new Date(ctx.now.getTime() - term.ms).toISOString();
      const flipped = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '=': '=' }[term.op];
      return { sql: `${column} ${flipped} ?`, params: [at] };
    }
    case 'date': {
      const column = term.field === 'created' ? 'created_at' : 'updated_at';
      if (term.op === '=') {
        const day = term.at.slice(0, 10);
        return { sql: `substr(${column}, 1, 10) = ?`, params: [day] };
      }
      return { sql: `${column} ${term.op} ?`, params: [term.at] };
    }
    case 'text': {
      // ticket_text keeps subject and description through lower(), which folds A-Z only, as foldCase does;
      // its plain copy (ticket_text_content: id, c0, c1) is the exact test, one row looked up per ticket
      const needle = foldCase(term.value);
      const exact = { sql: 'EXISTS (SELECT 1 FROM ticket_text_content c WHERE c.id = tickets.id AND (instr(c.c0, ?) > 0 OR instr(c.c1, ?) > 0))', params: [needle, needle] };
      const grams = trigramQuery(needle);
      if (!grams) return exact;
      // the trigram index rules out most rows at the cost of a probe; `+` keeps the scan in queue order, so
      // a needle found everywhere costs no sort of the whole table
      return { sql: `(+tickets.id IN (SELECT rowid FROM ticket_text WHERE ticket_text MATCH ?) AND ${exact.sql})`, params: [grams, ...exact.params] };
    }
  }
}

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

export function compileQuery(query: Query, ctx: { now: Date; me: string }): { sql: string; params: unknown[] } {
  if (query.terms.length === 0) return { sql: '1=1', params: [] };
  const parts = query.terms.map((t) => {
    const s = termSql(t, ctx);
    // NULL (an unset field) is "no match", so that a negated term matches the tickets where it is unset
    return { sql: t.negate ? `NOT coalesce((${s.sql}), 0)` : `(${s.sql})`, params: s.params };
  });
  return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

export function orderFor(sort: Sort): { columns: string[]; orderBy: string; descending: boolean } {
  switch (sort) {
    case 'created':
      return { columns: ['created_at', 'id'], orderBy: 'created_at, id', descending: false };
    case 'updated':
      return { columns: ['updated_at', 'id'], orderBy: 'updated_at DESC, id DESC', descending: true };
    default:
      return { columns: ['prank', 'created_at', 'id'], orderBy: 'prank, created_at, id', descending: false };
  }
}

export const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    // fall through to the validation error
  }
  throw new DomainError('validation', 'invalid cursor; pass the next_cursor of a previous page');
}
