// The query language (domain/query.ts) compiled to SQL once, for every store: each database supplies a
// small dialect (how it folds case, types a text parameter, reads a JSON array, writes true and false, and
// matches text), and the same parsed query becomes its SQL. Keyset cursors for queue order live here too.
// Conditions name the tickets table unaliased (`tickets`); placeholders are `?`, numbered by a store that needs it.
import { foldCase, type Query, type QueryTerm } from '../../domain/query.js';
import type { Sort } from '../../domain/queue.js';
import { DONE_STATUSES, OPEN_STATUSES, PRIORITIES } from '../../domain/schemas.js';
import { DomainError, type ListEscalationsArgs, type Viewer } from './types.js';

export interface Sql {
  sql: string;
  params: unknown[];
}

/** What one database writes its own way; everything else about a query is common SQL. */
export interface SqlDialect {
  /** A condition every row meets. */
  readonly always: string;
  /** The false value a NULL condition counts as, so that a negated term matches where a field is unset. */
  readonly false: string;
  /** `expr` with its case folded as foldCase does it (A-Z only). */
  fold(expr: string): string;
  /** A placeholder for a text value that is compared with a text column. */
  readonly textParam: string;
  /** A placeholder for an integer value that is compared with an integer column. */
  readonly intParam: string;
  /** The rows of a JSON array column of strings: what to select FROM, and the expression of one element. */
  jsonStrings(column: string): { from: string; value: string };
  /** Tickets whose subject or description contains `needle` (already folded), by whatever index the database has. */
  containsText(needle: string): Sql;
}

const list = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** SQL for "this ticket is past its SLA" at `now` (mirrors domain/sla.ts isBreached). */
function breachedSql(now: string, d: SqlDialect): Sql {
  return {
    sql: `(CASE WHEN coalesce(first_response_at, done_at) IS NULL THEN ${d.textParam} > response_due_at ELSE coalesce(first_response_at, done_at) > response_due_at END
      OR CASE WHEN done_at IS NULL THEN ${d.textParam} > resolution_due_at ELSE done_at > resolution_due_at END)`,
    params: [now, now],
  };
}

function termSql(term: QueryTerm, ctx: { now: Date; me: string }, d: SqlDialect): Sql {
  switch (term.kind) {
    case 'in': {
      if (term.field === 'tag') {
        const tags = d.jsonStrings('tickets.tags');
        return { sql: `EXISTS (SELECT 1 FROM ${tags.from} WHERE ${d.fold(tags.value)} IN (${list(term.values)}))`, params: term.values.map(foldCase) };
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
        // names are matched as the query language says: whole, but ignoring case
        return { sql: `${d.fold(term.field)} IN (${list(term.values)})`, params: term.values.map(foldCase) };
      }
      return { sql: `${term.field} IN (${list(term.values)})`, params: term.field === 'level' ? term.values.map(Number) : term.values };
    }
    case 'state': {
      if (term.value === 'all') return { sql: d.always, params: [] };
      const statuses = term.value === 'open' ? OPEN_STATUSES : DONE_STATUSES;
      return { sql: `status IN (${list(statuses)})`, params: [...statuses] };
    }
    case 'escalated':
      return { sql: term.value ? 'escalation IS NOT NULL' : 'escalation IS NULL', params: [] };
    case 'sla': {
      const b = breachedSql(ctx.now.toISOString(), d);
      return term.value === 'breached' ? b : { sql: `NOT ${b.sql}`, params: b.params };
    }
    case 'duration': {
      // age:>4h means created before now-4h: the comparison flips when turned into a timestamp
      const column = term.field === 'age' ? 'created_at' : 'updated_at';
      const at = new Date(ctx.now.getTime() - term.ms).toISOString();
      const flipped = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '=': '=' }[term.op];
      return { sql: `${column} ${flipped} ${d.textParam}`, params: [at] };
    }
    case 'date': {
      const column = term.field === 'created' ? 'created_at' : 'updated_at';
      if (term.op === '=') return { sql: `substr(${column}, 1, 10) = ${d.textParam}`, params: [term.at.slice(0, 10)] };
      return { sql: `${column} ${term.op} ${d.textParam}`, params: [term.at] };
    }
    case 'text':
      return d.containsText(foldCase(term.value));
  }
}

/** The WHERE condition of a parsed query, every term ANDed. */
export function compileQuery(query: Query, ctx: { now: Date; me: string }, d: SqlDialect): Sql {
  if (query.terms.length === 0) return { sql: d.always, params: [] };
  const parts = query.terms.map((t) => {
    const s = termSql(t, ctx, d);
    // NULL (an unset field) is "no match", so that a negated term matches the tickets where it is unset
    return { sql: t.negate ? `NOT coalesce((${s.sql}), ${d.false})` : `(${s.sql})`, params: s.params };
  });
  return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** Visibility as SQL: agents and admins see all; requesters their own, org admins their org's. */
export function visibility(viewer: Viewer, d: SqlDialect, alias = ''): Sql {
  if (viewer.role !== 'requester') return { sql: d.always, params: [] };
  if (viewer.org_admin && viewer.org) return { sql: `(${alias}requester = ? OR ${alias}org = ?)`, params: [viewer.login, viewer.org] };
  return { sql: `${alias}requester = ?`, params: [viewer.login] };
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

/** What each keyset column holds: a cursor's values must be of its column's kind, or no database can compare them. */
const KEY_KINDS: Record<string, 'integer' | 'text'> = { prank: 'integer', id: 'integer', created_at: 'text', updated_at: 'text' };
const INT_MAX = 2_147_483_647;

const fits = (column: string, v: unknown) =>
  KEY_KINDS[column] === 'integer' ? Number.isInteger(v) && Math.abs(v as number) <= INT_MAX : typeof v === 'string';

/** The values of a cursor for keyset `columns`, each of its column's kind; anything else is a validation error. */
export function decodeCursor(cursor: string, columns: readonly string[]): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === columns.length && v.every((x, i) => fits(columns[i]!, x))) return v;
  } catch {
    // fall through to the validation error
  }
  throw new DomainError('validation', 'invalid cursor; pass the next_cursor of a previous page');
}

/** The escalations of tickets the viewer may see, in id order from the cursor on, one row more than the page to tell if more follow. */
export function escalationsSql(args: ListEscalationsArgs, d: SqlDialect): Sql {
  const vis = visibility(args.viewer, d, 't.');
  const where = [vis.sql];
  const params: unknown[] = [...vis.params];
  if (args.state === 'running') where.push(`e.state != 'resolved'`);
  if (args.state === 'resolved') where.push(`e.state = 'resolved'`);
  if (args.cursor) {
    where.push(`e.id > ${d.intParam}`);
    params.push(decodeCursor(args.cursor, ['id'])[0]);
  }
  return { sql: `SELECT e.* FROM escalations e JOIN tickets t ON t.id = e.ticket_id WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ?`, params: [...params, args.limit + 1] };
}

/** A page of rows read with escalationsSql, and the cursor past its last row when more follow. */
export function escalationsPage<T>(rows: Array<Record<string, unknown>>, limit: number, read: (row: Record<string, unknown>) => T): { items: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { items: page.map(read), next_cursor: more ? encodeCursor([page[page.length - 1]!.id]) : null };
}
