// tix wait ID --until QUERY: blocks until the ticket matches (exit 0) or the time runs out (exit 1).
// It sleeps on the change feed (a long poll on the ticket's events, up to 25 s) and checks the ticket
// again when it returns: at once for a change, and early when the clock alone could make a term hold.
import { QueryError, matchesQuery, parseQuery, type Query } from '../../domain/query.js';
import type { Ticket } from '../../domain/schemas.js';
import { parseId, required } from '../bulk.js';
import type { Context } from '../context.js';
import { SilentFailure, UsageError } from '../errors.js';
import { parseFields, pick } from '../output/index.js';
import { TICKET_FIELDS } from '../../domain/fields.js';
import { POLL_WAIT_SECONDS } from './events.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** --timeout of wait: a duration (90s, 10m, 2h, 1d); a bare number is milliseconds, as --timeout is everywhere. */
export function parseWaitTimeout(raw: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 'ms']! : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new UsageError(`invalid --timeout "${raw}"; give a duration such as 90s, 10m or 2h`);
  return ms;
}

/** The next instant after `now` at which the clock alone could change whether the ticket matches. */
export function nextClockChange(query: Query, t: Ticket, now: Date): number | undefined {
  const instants: number[] = [];
  for (const term of query.terms) {
    if (term.kind === 'duration') instants.push(Date.parse(term.field === 'age' ? t.created_at : t.updated_at) + term.ms);
    if (term.kind === 'date') instants.push(Date.parse(term.at), Date.parse(term.at) + 86_400_000);
    if (term.kind === 'sla') instants.push(Date.parse(t.response_due_at), Date.parse(t.resolution_due_at));
  }
  // one millisecond past the edge, where a strict comparison has turned
  const future = instants.map((at) => at + 1).filter((at) => at > now.getTime());
  return future.length ? Math.min(...future) : undefined;
}

export async function run(ctx: Context, [rawId]: string[], opts: Record<string, unknown>) {
  const id = parseId(rawId!);
  const until = await required(ctx, opts.until, '--until', 'the query the ticket must match, e.g. --until "status:in_progress"');
  let query: Query;
  try {
    query = parseQuery(String(until));
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(err.message);
    throw err;
  }
  const fields = parseFields(ctx.globals.json as string | true | undefined, TICKET_FIELDS);
  // the program reads --timeout wherever it stands; for wait it is how long to wait, and each request keeps its default limit
  const limitMs = parseWaitTimeout(ctx.globals.timeout ?? '10m');
  ctx.globals.timeout = undefined;
  const deadline = ctx.now().getTime() + limitMs;
  const client = await ctx.client();
  const me = query.terms.some((t) => t.kind === 'in' && t.field === 'assignee' && t.values.includes('me')) ? (await client.me()).login : '';

  // the position first, then the ticket: a change after the position is an event after it
  let after = String((await client.events(id)).at(-1)?.id ?? 0);
  let ticket = await client.getTicket(id);
  for (;;) {
    const now = ctx.now();
    if (matchesQuery(ticket, query, { now, me })) {
      if (ctx.format === 'table') ctx.status(`✓ #${id} matches "${until}"`);
      else ctx.out(`${JSON.stringify(pick(ticket, fields))}\n`);
      return;
    }
    const left = deadline - now.getTime();
    if (left <= 0) {
      const message = `#${id} did not match "${until}" within ${formatMs(limitMs)}; it is ${ticket.status}`;
      if (ctx.format === 'table') ctx.warn(message);
      else ctx.io.stderr.write(`${JSON.stringify({ error: { code: 'timeout', message, id } })}\n`);
      throw new SilentFailure(1);
    }
    const clock = nextClockChange(query, ticket, now);
    const waitMs = Math.min(left, POLL_WAIT_SECONDS * 1000, clock === undefined ? Infinity : clock - now.getTime());
    const page = await client.feed({ ticket: id, after, limit: 1000, wait: Math.max(0, Math.ceil(waitMs / 1000)) });
    after = page.next_cursor;
    // read again after every poll, events or not: a change whose event the caller may not see (a
    // requester and an internal priority change) still shows within one poll
    ticket = await client.getTicket(id);
  }
}

const formatMs = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`);
