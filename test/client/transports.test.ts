// The same failures get the same retries and the same errors whichever transport sends a request:
// node:http (a few requests) and undici's Pool (bulk work, after its first requests). The real server
// behind a fault-injecting proxy, the real client, a recording sleep.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/client/errors.js';
import { TixClient } from '../../src/client/index.js';
import { POOL_AFTER_REQUESTS } from '../../src/client/transport.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { failure } from '../helpers/failure.js';
import { burst, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

let server: RunningServer;
let proxy: FaultProxy;
let ticketId: number;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, db: ':memory:', sweepEveryMs: 0, rateLimit: { limit: 0, windowSeconds: 60 } });
  proxy = await startFaultProxy(server.url);
  const admin = (await server.store.getUserByLogin('admin'))!;
  ticketId = (await server.app.tix.service.create(admin, { subject: 'Both transports', description: 'Read and written through each.' })).id;
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

const TRANSPORTS = [
  { name: 'node:http', connections: undefined, warmUp: 0 },
  { name: "undici's Pool", connections: 4, warmUp: POOL_AFTER_REQUESTS },
];

describe.each(TRANSPORTS)('through $name', ({ connections, warmUp }) => {
  let client: TixClient;
  const waits: number[] = [];
  beforeAll(async () => {
    client = new TixClient({ baseUrl: proxy.url, token: server.bootstrapToken, connections, timeoutMs: 1000, sleep: async (ms) => void waits.push(ms) });
    // the requests a run sends before it moves to the Pool
    for (let i = 0; i < warmUp; i++) await client.health();
  });
  afterAll(async () => {
    await client.dispose();
  });
  beforeEach(() => {
    proxy.reset();
    waits.length = 0;
  });

  it('a read answered 503 twice is sent three times, after two waits', async () => {
    proxy.script(burst(2, 503));
    expect((await client.getTicket(ticketId)).id).toBe(ticketId);
    expect(proxy.count()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('a read whose connection is reset is sent again', async () => {
    proxy.script([{ kind: 'reset' }]);
    expect((await client.getTicket(ticketId)).id).toBe(ticketId);
    expect(proxy.count()).toBe(2);
  });

  it('a keyed write whose answer is lost after it was applied is sent again with its key, and applied once', async () => {
    const body = `lost answer ${connections ?? 'http'}`;
    proxy.script([{ kind: 'reset-after-response' }]);
    await client.comment(ticketId, { body });
    const posts = proxy.seen.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.headers['idempotency-key']).toBe(posts[0]!.headers['idempotency-key']);
    expect((await server.store.listComments(ticketId, true)).filter((c) => c.body === body)).toHaveLength(1);
  });

  it('a PATCH answered 503 is sent once', async () => {
    proxy.script(burst(1, 503));
    const err = await failure(client.request('PATCH', `/v1/tickets/${ticketId}`, { body: { subject: 'never sent twice' } }));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(proxy.count()).toBe(1);
  });

  it('Retry-After of a 429 is waited before the retry', async () => {
    proxy.script(burst(1, 429, '2'));
    await client.health();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
    expect(proxy.count()).toBe(2);
  });

  it('an answer cut mid-way is not sent again and says the connection broke, never handing back half an answer', async () => {
    proxy.script([{ kind: 'cut-mid-body' }]);
    const err = await failure(client.getTicket(ticketId));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/broke while its answer was arriving/);
    expect(proxy.count()).toBe(1);
  });

  it('a stalled attempt ends at the per-attempt timeout, without a retry', async () => {
    proxy.script([{ kind: 'stall' }]);
    const err = await failure(client.getTicket(ticketId));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/within 1000 ms/);
    expect(proxy.count()).toBe(1);
  });
});
