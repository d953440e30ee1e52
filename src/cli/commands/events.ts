// tix events and tix watch: the change feed (GET /v1/events), printed as it is read; --follow and
// watch hold a long poll open and print each change as it commits. --cursor NAME resumes a run.
import type { Event } from '../../domain/schemas.js';
import { QueryError, parseQuery } from '../../domain/query.js';
import type { Context } from '../context.js';
import { CursorFile } from '../cursors.js';
import { UsageError } from '../errors.js';
import { genericListWriter, parseFields, relativeTime, type Column, type ListWriter, type OutputOptions } from '../output/index.js';
import { makeChalk } from '../output/color.js';
import { oneLine } from '../output/text.js';

export const EVENT_FIELDS = ['id', 'ticket_id', 'at', 'actor', 'kind', 'from', 'to', 'note', 'internal'] as const;
/** Seconds each long poll is held: under the client's retry budget, so a restart mid-poll is retried. */
export const POLL_WAIT_SECONDS = 25;
const PAGE = 1000;

const change = (e: Event) => (e.from !== null || e.to !== null ? `${e.from ?? '-'} → ${e.to ?? '-'}` : '');

const COLUMNS: Column<Event>[] = [
  { header: 'EVENT', get: (e) => String(e.id) },
  { header: 'TICKET', get: (e) => `#${e.ticket_id}` },
  { header: 'WHEN', get: (e) => e.at, time: true },
  { header: 'ACTOR', get: (e) => e.actor },
  { header: 'KIND', get: (e) => (e.internal ? `${e.kind} [internal]` : e.kind), paint: (v, c) => (v.endsWith('[internal]') ? c.yellow(v) : v) },
  { header: 'CHANGE', get: change },
  { header: 'NOTE', get: (e) => e.note ?? '' },
];

/** On a terminal, a followed feed prints one line per event as it comes: a table would wait for the end. */
function lineWriter(ctx: Context, opts: OutputOptions): ListWriter<Event> {
  const c = makeChalk(opts);
  return {
    write(e) {
      const parts = [c.dim(String(e.id).padStart(6)), c.bold(`#${e.ticket_id}`.padEnd(7)), c.dim(relativeTime(e.at, opts.now).padEnd(9)), e.actor.padEnd(12), e.internal ? c.yellow(`${e.kind} [internal]`) : e.kind];
      if (change(e)) parts.push(change(e));
      if (e.note) parts.push(c.dim(oneLine(e.note)));
      ctx.out(`${parts.join('  ')}\n`);
    },
    end() {},
  };
}

function writerFor(ctx: Context, following: boolean): { writer: ListWriter<Event>; table: boolean } {
  const output = ctx.outputOptions();
  const fields = parseFields(ctx.globals.json as string | true | undefined, EVENT_FIELDS);
  // a feed has no end to close a JSON array at: --json prints one event per line
  const format = output.format === 'json' ? 'ndjson' : output.format;
  if (format === 'table' && output.isTTY && following) return { writer: lineWriter(ctx, output), table: true };
  return { writer: genericListWriter(ctx.io.stdout, { ...output, format, fields }, COLUMNS), table: format === 'table' };
}

/** The query terms, checked by the parser the server uses, so a malformed term fails before any request. */
export function feedQuery(terms: string[]): string | undefined {
  const q = terms.join(' ').trim();
  if (!q) return undefined;
  try {
    parseQuery(q);
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(err.message);
    throw err;
  }
  return q;
}

/** --since: an event id (start after it), a duration back from now (30m, 4h, 2d, 1w), or an ISO date or timestamp. */
export function parseSince(raw: unknown): { after?: string; since?: string } {
  const s = String(raw).trim();
  if (/^(0|[1-9]\d{0,15})$/.test(s)) return { after: s };
  if (/^\d{1,6}[mhdw]$/.test(s)) return { since: s };
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s))) return { since: s };
  throw new UsageError(`invalid --since "${s}"; give an event id, a duration such as 30m, 4h, 2d or 1w, or a date such as 2026-11-01`);
}

interface FollowOptions {
  q?: string;
  start: { after?: string; since?: string };
  follow: boolean;
  cursor?: CursorFile;
}

/** Reads the feed from `start`, printing each page as it comes; without follow, stops once caught up. */
async function readFeed(ctx: Context, o: FollowOptions) {
  const client = await ctx.client();
  const { writer, table } = writerFor(ctx, o.follow);
  let { after, since } = o.start;
  let printed = 0;
  for (;;) {
    const page = await client.feed({ after, since, q: o.q, limit: PAGE, wait: o.follow ? POLL_WAIT_SECONDS : undefined });
    for (const e of page.items) writer.write(e);
    printed += page.items.length;
    after = page.next_cursor;
    since = undefined;
    // saved once the page is printed: a run stopped now resumes after what it showed
    o.cursor?.save(after, client.baseUrl, ctx.now());
    if (!o.follow && page.items.length < PAGE) break;
  }
  writer.end();
  if (printed === 0 && table) ctx.status(`no new events${o.cursor ? ` since cursor "${o.cursor.name}"` : ''}`);
}

/** The position to start from: the saved cursor first, then --since, then the fallback. */
function startOf(cursor: CursorFile | undefined, since: unknown, fallback: { after?: string; since?: string }) {
  const saved = cursor?.read();
  if (saved) return { after: saved.after };
  return since === undefined ? fallback : parseSince(since);
}

export async function events(ctx: Context, args: string[], opts: Record<string, unknown>) {
  const q = feedQuery(args);
  const cursor = typeof opts.cursor === 'string' ? new CursorFile(ctx.env, opts.cursor) : undefined;
  // with nothing said, the whole feed from its start
  const start = startOf(cursor, opts.since, { after: '0' });
  await readFeed(ctx, { q, start, follow: Boolean(opts.follow), cursor });
}

export async function watch(ctx: Context, args: string[], opts: Record<string, unknown>) {
  const q = feedQuery(args);
  const cursor = typeof opts.cursor === 'string' ? new CursorFile(ctx.env, opts.cursor) : undefined;
  // with nothing said, from now on (the server's now, so no clock skew drops or repeats a change)
  const start = startOf(cursor, opts.since, { since: '0m' });
  if (ctx.isStderrTTY) ctx.status(`watching ${q ? `"${q}"` : 'every change you may see'}; Ctrl+C to stop`);
  await readFeed(ctx, { q, start, follow: true, cursor });
}
