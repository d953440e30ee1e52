// PostgreSQL's words for the query compiler (sql.ts): folding under the C collation, text parameters typed
// as text, tags read with jsonb_array_elements_text, text terms as LIKE on the folded columns the pg_trgm
// indexes carry. Placeholders are `?` here and numbered ($1, $2, …) by `numbered` when run.
import type { Query } from '../../domain/query.js';
import { compileQuery, visibility, type Sql, type SqlDialect } from './sql.js';
import type { Viewer } from './types.js';

/** Case folding as foldCase does it (A-Z only): lower() under the C collation leaves every other letter alone. */
export const fold = (expr: string) => `lower(${expr} COLLATE "C")`;

/** A LIKE pattern that matches `needle` anywhere, its wildcards taken literally (ESCAPE '\'). */
export const containsPattern = (needle: string) => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Numbers the `?` placeholders of a statement (the statements written here carry no other `?`). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export const POSTGRES: SqlDialect = {
  always: 'true',
  false: 'false',
  fold,
  textParam: '?::text',
  intParam: '?::int',
  jsonStrings: (column) => ({ from: `jsonb_array_elements_text(${column}) AS tag(v)`, value: 'tag.v' }),
  containsText(needle: string): Sql {
    // the same folded expressions carry the pg_trgm GIN indexes, so LIKE is answered from them
    const pattern = containsPattern(needle);
    return { sql: `(${fold('subject')} LIKE ? ESCAPE '\\' OR ${fold('description')} LIKE ? ESCAPE '\\')`, params: [pattern, pattern] };
  },
};

export const compileQueryPg = (query: Query, ctx: { now: Date; me: string }): Sql => compileQuery(query, ctx, POSTGRES);

export const visibilityPg = (viewer: Viewer, alias = ''): Sql => visibility(viewer, POSTGRES, alias);

/** The type of each keyset column, so a cursor's values compare as the columns do. */
export const CURSOR_CASTS: Record<string, string> = { prank: 'int', id: 'int', created_at: 'text', updated_at: 'text' };
