// The query language translated to RT's TicketSQL, from the one parser's terms (domain/query.ts).
// A term RT cannot answer is refused by name rather than dropped, so a listing never says more than it knows.
import { CHANNELS, PRIORITIES, STATUSES, TEAMS, TICKET_TYPES } from '../../domain/enums.js';
import type { Query, QueryTerm } from '../../domain/query.js';
import type { Priority, Status } from '../../domain/schemas.js';
import { CF, PRIORITY_BANDS, RT_DEFAULT_STATUS, STATUS_TO_RT, type RtStatus } from './mapping.js';

export class UntranslatableTerm extends Error {
  constructor(
    readonly term: string,
    why: string,
  ) {
    super(`the query term "${term}" has no equivalent on Request Tracker: ${why}`);
  }
}

/** A value inside single quotes: TicketSQL escapes with a backslash. */
const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const any = (clauses: string[]) => (clauses.length === 0 ? "id < 0" : clauses.length === 1 ? clauses[0]! : `( ${clauses.join(' OR ')} )`);
const all = (clauses: string[]) => (clauses.length === 1 ? clauses[0]! : `( ${clauses.join(' AND ')} )`);

/** Where a tix status is: its RT status with the custom field saying so, or an RT status whose default it is, with the field silent. */
function statusClause(s: Status): string {
  const clauses = [all([`Status = ${quote(STATUS_TO_RT[s])}`, `CF.{${CF.status}} = ${quote(s)}`])];
  for (const [rt, fallback] of Object.entries(RT_DEFAULT_STATUS) as [RtStatus, Status][]) {
    if (fallback !== s) continue;
    // the field is silent when empty, or holds a status that does not live in this RT status
    const living = STATUSES.filter((x) => STATUS_TO_RT[x] === rt);
    const silent = any([`CF.{${CF.status}} IS NULL`, all(living.map((x) => `CF.{${CF.status}} != ${quote(x)}`))]);
    clauses.push(all([`Status = ${quote(rt)}`, silent]));
  }
  return any(clauses);
}

function priorityClause(p: Priority): string {
  const band = PRIORITY_BANDS.find((b) => b.priority === p)!;
  const parts: string[] = [];
  if (Number.isFinite(band.min)) parts.push(`Priority >= ${band.min}`);
  if (band.below !== null) parts.push(`Priority < ${band.below}`);
  return all(parts);
}

/** The values a negated term keeps: every allowed value but the named ones. */
const others = (allowed: readonly string[], named: string[]) => allowed.filter((v) => !named.includes(v));

/** `YYYY-MM-DD HH:MM:SS`, UTC: the form RT's date parser reads without guessing. */
const rtDate = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const FLIP: Record<string, string> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };

function customField(name: string, values: string[], negate: boolean, allowed: readonly string[], emptyMeans?: string): string {
  const wanted = negate ? others(allowed, values) : values;
  const clauses = wanted.map((v) => `CF.{${name}} = ${quote(v)}`);
  // an empty field reads as its default value (channel: portal), or matches only a negated term
  if ((emptyMeans !== undefined && wanted.includes(emptyMeans)) || (emptyMeans === undefined && negate)) clauses.push(`CF.{${name}} IS NULL`);
  return any(clauses);
}

const termText = (t: QueryTerm, body: string) => `${t.negate ? '-' : ''}${body}`;

function clauseFor(t: QueryTerm, ctx: { now: number }): string | null {
  switch (t.kind) {
    case 'state': {
      if (t.value === 'all') return t.negate ? 'id < 0' : null;
      const active = (t.value === 'open') !== t.negate;
      return `Status = ${quote(active ? '__Active__' : '__Inactive__')}`;
    }
    case 'escalated':
      return t.value !== t.negate ? statusClause('escalated') : `NOT_ESCALATED`;
    case 'in':
      switch (t.field) {
        case 'status': {
          const wanted = t.negate ? others(STATUSES, t.values) : t.values;
          return any(wanted.map((s) => statusClause(s as Status)));
        }
        case 'priority': {
          const named = t.values.map((v) => (v === 'urgent' ? 'critical' : v));
          const wanted = t.negate ? others(PRIORITIES, named) : named;
          return any(wanted.map((p) => priorityClause(p as Priority)));
        }
        case 'team':
          return customField(CF.team, t.values, t.negate, TEAMS);
        case 'type':
          return customField(CF.type, t.values, t.negate, TICKET_TYPES);
        case 'level':
          return customField(CF.level, t.values, t.negate, ['1', '2', '3']);
        case 'channel':
          return customField(CF.channel, t.values, t.negate, CHANNELS, 'portal');
        case 'assignee': {
          const owners = t.values.map((v) => (v === 'me' ? '__CurrentUser__' : v === 'none' ? 'Nobody' : v));
          return t.negate ? all(owners.map((o) => `Owner != ${quote(o)}`)) : any(owners.map((o) => `Owner = ${quote(o)}`));
        }
        case 'requester':
          return t.negate
            ? all(t.values.map((v) => `Requestor.Name != ${quote(v)}`))
            : any(t.values.map((v) => `Requestor.Name = ${quote(v)}`));
        case 'tag':
          throw new UntranslatableTerm(termText(t, `tag:${t.values.join(',')}`), 'RT tickets carry no tix tags');
        case 'org':
          throw new UntranslatableTerm(termText(t, `org:${t.values.join(',')}`), 'RT users belong to no tix organization');
      }
      return null;
    case 'sla':
      throw new UntranslatableTerm(termText(t, `sla:${t.value}`), 'the SLA targets are computed by tix, and RT cannot search on them');
    case 'duration': {
      // age:>4h is "created before now - 4h": the comparison turns around on the instant
      const column = t.field === 'age' ? 'Created' : 'LastUpdated';
      const at = rtDate(ctx.now - t.ms);
      const op = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '=': '=' }[t.op];
      return `${column} ${t.negate ? FLIP[op] : op} ${quote(at)}`;
    }
    case 'date': {
      const column = t.field === 'created' ? 'Created' : 'LastUpdated';
      const at = Date.parse(t.at);
      if (t.op === '=') {
        const day = `${column} >= ${quote(rtDate(at))} AND ${column} < ${quote(rtDate(at + 86_400_000))}`;
        return t.negate ? `( ${column} < ${quote(rtDate(at))} OR ${column} >= ${quote(rtDate(at + 86_400_000))} )` : `( ${day} )`;
      }
      return `${column} ${t.negate ? FLIP[t.op] : t.op} ${quote(rtDate(at))}`;
    }
    case 'text':
      // RT searches subjects; its full-text index (descriptions, comments) is off unless an admin builds it
      return t.negate ? `Subject NOT LIKE ${quote(t.value)}` : `Subject LIKE ${quote(t.value)}`;
  }
}

/** The TicketSQL for a parsed query (every term must hold); `id > 0` for a query that asks nothing. */
export function toTicketSql(query: Query, ctx: { now: number }): string {
  const clauses: string[] = [];
  for (const t of query.terms) {
    const c = clauseFor(t, ctx);
    if (c === 'NOT_ESCALATED') {
      clauses.push(any(STATUSES.filter((s) => s !== 'escalated').map(statusClause)));
    } else if (c !== null) clauses.push(c);
  }
  return clauses.length ? clauses.join(' AND ') : 'id > 0';
}

/** RT's orderby/order pairs for a tix sort. */
export function orderFor(sort: string | undefined): { orderby: string[]; order: string[] } {
  switch (sort ?? 'queue') {
    case 'created':
      return { orderby: ['Created', 'id'], order: ['ASC', 'ASC'] };
    case 'updated':
      return { orderby: ['LastUpdated', 'id'], order: ['DESC', 'DESC'] };
    default:
      // queue order: priority highest first, then oldest first (first come, first served), then id
      return { orderby: ['Priority', 'Created', 'id'], order: ['DESC', 'ASC', 'ASC'] };
  }
}
