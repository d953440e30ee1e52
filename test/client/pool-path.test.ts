// Retries and timeouts on the undici Pool path that a run takes after its first requests:
// the real server behind a fault-injecting proxy, the real client, a recording sleep.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, UnavailableError } from '../../src/client/errors.js';
import { TixClient } from '../../src/client/index.js';
import { POOL_AFTER_REQUESTS } from '../../src/client/transport.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { failure } from '../helpers/failure.js';
import { burst, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { serveDatabase } from '../helpers/tix.js';

let server: RunningServer;
let proxy: FaultProxy;
let ticketId: number;
let database: Awaited<ReturnType<typeof serveDatabase>>;

beforeAll(async () => {
  database = await serveDatabase(':memory:');
  server = await startServer({ host: '127.0.0.1', port: 0, ...database, sweepEveryMs: 0, rateLimit: { limit: 0, windowSeconds: 60 } });
  proxy = await startFaultProxy(server.url);
  const admin = (await server.store.getUserByLogin('admin'))!;
  ticketId = (await server.app.tix.service.create(admin, { subject: 'Pool path', description: 'Read many times over.' })).id;
});
afterAll(async () => {
  await proxy.close();
  await server.close();
  await database.drop();
});

let waits: number[];
/** A bulk-work client that has already sent enough requests to be on the Pool path. */
async function pooledClient(timeoutMs = 2000): Promise<TixClient> {
  waits = [];
  const client = new TixClient({ baseUrl: proxy.url, token: server.bootstrapToken, connections: 4, timeoutMs, sleep: async (ms) => void waits.push(ms) });
  for (let i = 0; i < POOL_AFTER_REQUESTS; i++) await client.health();
  proxy.reset();
  return client;
}

describe('after the first requests, through undici', () => {
  beforeEach(() => proxy.reset());

  it('a read answered 503 twice is retried and succeeds on the third attempt', async () => {
    const client = await pooledClient();
    try {
      proxy.script(burst(2, 503));
      expect((await client.getTicket(ticketId)).id).toBe(ticketId);
      expect(proxy.count((r) => r.url === `/v1/tickets/${ticketId}`)).toBe(3);
      expect(waits).toHaveLength(2);
    } finally {
      await client.dispose();
    }
  });

  it('a keyed write answered 503 is retried with the same Idempotency-Key and applied once', async () => {
    const client = await pooledClient();
    try {
      proxy.script(burst(1, 503));
      await client.comment(ticketId, { body: 'sent through the pool' });
      const posts = proxy.seen.filter((r) => r.method === 'POST');
      expect(posts).toHaveLength(2);
      expect(posts[0]!.headers['idempotency-key']).toBeDefined();
      expect(posts[1]!.headers['idempotency-key']).toBe(posts[0]!.headers['idempotency-key']);
      const comments = await server.store.listComments(ticketId, true);
      expect(comments.filter((c) => c.body === 'sent through the pool')).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });

  it('Retry-After of a 429 is the wait before the retry', async () => {
    const client = await pooledClient();
    try {
      proxy.script(burst(1, 429, '2'));
      await client.health();
      // the server's wait, with the jitter on top of it
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(2000);
      expect(proxy.count()).toBe(2);
    } finally {
      await client.dispose();
    }
  });

  it('a stalled attempt is cut by the per-attempt timeout and the read fails as unavailable', async () => {
    // long enough that none of the run's first requests, on a loaded machine, is cut by it
    const client = await pooledClient(1000);
    try {
      proxy.script(() => ({ kind: 'stall' }));
      const err = await failure(client.getTicket(ticketId));
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.message).toMatch(/within 1000 ms/);
    } finally {
      proxy.script([]);
      await client.dispose();
    }
  });

  it('a refusal is not retried and keeps its problem code', async () => {
    const client = await pooledClient();
    try {
      const err = await failure(client.getTicket(987_654));
      expect([err instanceof ApiError, (err as ApiError).code]).toEqual([true, 'not_found']);
      expect(proxy.count()).toBe(1);
    } finally {
      await client.dispose();
    }
  });
});
