// GET /v1/events: the change feed. Every event the caller may see, oldest first, after a cursor;
// `wait` holds the request until one arrives. Waiting requests are released when the server closes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseQuery } from '../../domain/query.js';
import { Event } from '../../domain/schemas.js';
import { DomainError } from '../errors.js';
import { failsWith } from './common.js';

export const FEED_LIMIT = 1000;
export const FEED_MAX_WAIT_SECONDS = 60;

/** A whole number written the one canonical way: `0x10`, `01`, `1e3` and `+1` are refused, never read as another number. */
const decimal = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, `${name} must be a whole number in decimal, such as 42`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SINCE = /^(\d{1,6})([mhdw])$|^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `since` as an instant: a duration back from the server's clock, or an ISO date or timestamp. */
function sinceInstant(since: string, now: Date): string {
  const m = SINCE.exec(since);
  const ms = m?.[1] ? now.getTime() - Number(m[1]) * UNIT_MS[m[2]!]! : m ? Date.parse(since) : NaN;
  if (Number.isNaN(ms)) throw new DomainError('validation', `since: "${since}" is neither a duration (30m, 4h, 2d, 1w) nor an ISO date or timestamp`);
  return new Date(ms).toISOString();
}

export const FeedQuery = z.object({
  after: decimal('after', 0, Number.MAX_SAFE_INTEGER).optional().describe('the cursor: the id of the last event already seen (0, or absent, for the start)'),
  since: z.string().max(40).optional().describe('start at a time instead: a duration back from now (30m, 4h, 2d, 1w) or an ISO date or timestamp; with after, the later of the two'),
  q: z.string().max(2000).optional().describe('only events of tickets that match this query now (query language), e.g. "team:engineering priority:critical"'),
  ticket: decimal('ticket', 1, Number.MAX_SAFE_INTEGER).optional().describe('only events of this ticket'),
  limit: decimal('limit', 1, FEED_LIMIT).optional().describe(`at most this many events (1 to ${FEED_LIMIT}, default 100)`),
  wait: decimal('wait', 0, FEED_MAX_WAIT_SECONDS).optional().describe(`seconds to hold the request until an event arrives (0 to ${FEED_MAX_WAIT_SECONDS}); when none does, an empty page at the same cursor`),
});

export const FeedPage = z.object({
  items: z.array(Event),
  next_cursor: z.string().describe('the id of the last event in items, or the position asked for when items is empty: pass it as after'),
});

const plugin: FastifyPluginAsyncZod = async (app) => {
  const { service, now } = app.tix;
  // fired before the server stops accepting and waits for requests in flight: held requests answer at once
  const release = new AbortController();
  app.addHook('preClose', async () => release.abort());

  app.get(
    '/v1/events',
    {
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary: 'The change feed: every event you may see, oldest first, after a cursor; wait holds the request until one arrives',
        description: 'Events of the tickets you can see (requesters: the public events of their own tickets), oldest first, after the event `after`; `q` keeps those of tickets matching a query now, `ticket` those of one ticket. With `wait`, the request is held until an event arrives or the time is up (then an empty page at the same cursor). Pass `next_cursor` back as `after`.',
        querystring: FeedQuery,
        response: { 200: FeedPage, ...failsWith(404) },
      },
    },
    async (req, reply) => {
      const { since, q, ticket, limit = 100, wait = 0 } = req.query;
      const query = q ? parseQuery(q) : undefined;
      const from = since === undefined ? undefined : sinceInstant(since, now());
      // a caller that hangs up stops waiting too, so nothing is held for a reader who is gone
      const gone = new AbortController();
      const hungUp = () => gone.abort();
      reply.raw.once('close', hungUp);
      try {
        return await service.feed(req.actor, { after: req.query.after ?? 0, since: from, limit, query, ticketId: ticket }, wait * 1000, AbortSignal.any([release.signal, gone.signal]));
      } finally {
        reply.raw.off('close', hungUp);
      }
    },
  );
};

// registered at the root (Fastify's skip-override, what fastify-plugin sets), so that its preClose hook
// runs before the ones that wait for requests in flight
export const eventRoutes: FastifyPluginAsyncZod = Object.assign(plugin, { [Symbol.for('skip-override')]: true });
