// The query language (domain/query.ts) compiled to PostgreSQL's SQL: the same terms as sql.ts, in
// PostgreSQL's words. Placeholders are `?` here and numbered ($1, $2, …) by `numbered` when run.
import { foldCase, type Query, type QueryTerm } from '../../domain/query.js';
import { DONE_STATUSES, OPEN_STATUSES, PRIORITIES } from '../../domain/schemas.js';
import type { Viewer } from './types.js';

const list = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** Case folding as foldCase does it (A-Z only): lower() under the C collation leaves every other letter alone. */
export const fold = (expr: string) => `lower(${expr} COLLATE "C")`;

/** A LIKE pattern that matches `needle` anywhere, its wildcards taken literally (ESCAPE '\'). */
export const containsPattern = (needle: string) => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Numbers the `?` placeholders of a statement (the statements written here carry no other `?`). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** SQL for "this ticket is past its SLA" at `now` (mirrors domain/sla.ts isBreached). */
function breachedSql(now: string): { sql: string; params: unknown[] } {
  return {
    sql: `(CASE WHEN coalesce(first_response_at, done_at) IS NULL THEN ?::text > response_due_at ELSE coalesce(first_response_at, done_at) > response_due_at END
      OR CASE WHEN done_at IS NULL THEN ?::text > resolution_due_at ELSE done_at > resolution_due_at END)`,
    params: [now, now],
  };
}

function termSql(term: QueryTerm, ctx: { now: Date; me: string }): { sql: string; params: unknown[] } {
  switch (term.kind) {
    case 'in': {
      if (term.field === 'tag') {
        return { sql: `EXISTS (SELECT 1 FROM jsonb_array_elements_text(tickets.tags) AS tag(v) WHERE ${fold('tag.v')} IN (${list(term.values)}))`, params: term.values.map(foldCase) };
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
        return { sql: `prank IN (${list(ranks)})`, params: ranks };
      }
      if (term.field === 'requester' || term.field === 'org') {
        return { sql: `${fold(term.field)} IN (${list(term.values)})`, params: term.values.map(foldCase) };
      }
      if (term.field === 'level') return { sql: `level IN (${list(term.values)})`, params: term.values.map(Number) };
      return { sql: `${term.field} IN (${list(term.values)})`, params: term.values };
    }
    case 'state': {
      if (term.value === 'all') return { sql: 'true', params: [] };
      const statuses = term.value === 'open' ? OPEN_STATUSES : DONE_STATUSES;
      return { sql: `status IN (${list(statuses)})`, params: [...statuses] };
    }
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
      return { sql: `${column} ${flipped} ?::text`, params: [at] };
    }
    case 'date': {
      const column = term.field === 'created' ? 'created_at' : 'updated_at';
      if (term.op === '=') return { sql: `substr(${column}, 1, 10) = ?::text`, params: [term.at.slice(0, 10)] };
      return { sql: `${column} ${term.op} ?::text`, params: [term.at] };
    }
    case 'text': {
      // the same folded expressions carry the pg_trgm GIN indexes, so LIKE is answered from them
      const pattern = containsPattern(foldCase(term.value));
      return { sql: `(${fold('subject')} LIKE ? ESCAPE '\\' OR ${fold('description')} LIKE ? ESCAPE '\\')`, params: [pattern, pattern] };
    }
  }
}

export function compileQueryPg(query: Query, ctx: { now: Date; me: string }): { sql: string; params: unknown[] } {
  if (query.terms.length === 0) return { sql: 'true', params: [] };
  const parts = query.terms.map((t) => {
    const s = termSql(t, ctx);
    // NULL (an unset field) is "no match", so that a negated term matches the tickets where it is unset
    return { sql: t.negate ? `NOT coalesce((${s.sql}), false)` : `(${s.sql})`, params: s.params };
  });
  return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** Visibility as SQL: agents and admins see all; requesters their own, org admins their org's. */
export function visibilityPg(viewer: Viewer, alias = ''): { sql: string; params: unknown[] } {
  if (viewer.role !== 'requester') return { sql: 'true', params: [] };
  if (viewer.org_admin && viewer.org) return { sql: `(${alias}requester = ? OR ${alias}org = ?)`, params: [viewer.login, viewer.org] };
  return { sql: `${alias}requester = ?`, params: [viewer.login] };
}

/** The type of each keyset column, so a cursor's values compare as the columns do. */
export const CURSOR_CASTS: Record<string, string> = { prank: 'int', id: 'int', created_at: 'text', updated_at: 'text' };
