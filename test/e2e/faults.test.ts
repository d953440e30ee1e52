// Faults between the client and the real server: the real tix server (in-process, on a temporary
// database) behind a fault-injecting proxy, driven by the real TixClient and by the built CLI.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, UnavailableError } from '../../src/client/errors.js';
import { TixClient, type ClientOptions } from '../../src/client/index.js';
import { hashToken } from '../../src/server/tokens.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { seedTickets } from '../../src/server/seed.js';
import { openStore } from '../../src/server/store/index.js';
import type { Store } from '../../src/server/store/types.js';
import { burst, startFaultProxy, type FaultProxy, type SeenRequest } from '../helpers/fault-proxy.js';
import { cleanEnv, serveDatabase, tix, type RunResult } from '../helpers/tix.js';
import { failure } from '../helpers/failure.js';

let dir: string;
let database: Awaited<ReturnType<typeof serveDatabase>> | undefined;
/** The store of a second server process on the same database, opened by the first test that needs it. */
let other: { store: Store; userId: number } | undefined;
let server: RunningServer;
let token: string;
let proxy: FaultProxy;
/** Straight to the server, no proxy, no retries: to set up and to check what really happened. */
let direct: TixClient;
/** Through the proxy, with retries; its waits are recorded and shortened. */
let client: TixClient;
let waits: number[];

const recordingSleep = async (ms: number) => {
  waits.push(ms);
  await new Promise((r) => setTimeout(r, Math.min(ms, 20)));
};
const throughProxy = (over: Partial<ClientOptions> = {}) => new TixClient({ baseUrl: proxy.url, token, timeoutMs: 5000, sleep: recordingSleep, ...over });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tix-faults-'));
  database = await serveDatabase(join(dir, 'tix.db'));
  server = await startServer({ host: '127.0.0.1', port: 0, ...database, sweepEveryMs: 0 });
  token = server.bootstrapToken!;
  proxy = await startFaultProxy(server.url);
  direct = new TixClient({ baseUrl: server.url, token, retry: false });
  client = throughProxy();
});

afterAll(async () => {
  await client?.dispose();
  await direct?.dispose();
  await proxy?.close();
  await other?.store.close();
  await server?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.reset();
  waits = [];
});

const openTicket = (subject = 'VPN drops every hour') => direct.createTicket({ subject, description: 'Since Monday the VPN disconnects.' });
const closedEvents = async (id: number) => (await direct.events(id)).filter((e) => e.kind === 'closed');
const posts = () => proxy.seen.filter((r) => r.method === 'POST');
const keyOf = (r: SeenRequest) => r.headers['idempotency-key'];

/** The built CLI, pointed at the proxy with the admin token. */
const cli = (args: string[], timeoutMs = 20_000) => {
  const env = { ...cleanEnv(dir, join(dir, 'config')), TIX_URL: proxy.url, TIX_TOKEN: token };
  return tix(args, { env, timeoutMs });
};
const timed = async (run: () => Promise<RunResult>) => {
  const started = performance.now();
  const r = await run();
  return { ...r, ms: performance.now() - started };
};


describe('a connection lost after the server committed', () => {
  it('a reset after the server closed the ticket is retried with the same key, replayed, and leaves exactly one closed event', async () => {
    const t = await openTicket();
    proxy.script([{ kind: 'reset-after-response' }]);
    const r = await client.closeTicket(t.id, { resolution: 'restarted the VPN concentrator' });
    expect(r.ticket.status).toBe('closed');
    expect(r.changed).toBe(true);
    const [first, retry] = posts();
    expect(posts()).toHaveLength(2);
    expect(first!.upstream?.status).toBe(200); // the server had answered: the close was applied
    expect(keyOf(retry!)).toBe(keyOf(first!));
    expect(retry!.upstream?.headers['idempotent-replayed']).toBe('true');
    expect(await closedEvents(t.id)).toHaveLength(1);
  });

  it('a reset after the server stored a comment is retried and replayed: one comment, not two', async () => {
    const t = await openTicket();
    proxy.script([{ kind: 'reset-after-response' }]);
    const c = await client.comment(t.id, { body: 'rebooted the VPN concentrator' });
    expect(posts()).toHaveLength(2);
    expect(posts()[0]!.upstream?.status).toBe(201);
    expect(keyOf(posts()[1]!)).toBe(keyOf(posts()[0]!));
    expect((await direct.comments(t.id)).map((x) => x.id)).toEqual([c.id]);
  });

  it('the replay repeats what the first answer said: its ETag, and that nothing changed when nothing did', async () => {
    const t = await openTicket();
    await direct.closeTicket(t.id, { resolution: 'fixed' });
    proxy.script([{ kind: 'reset-after-response' }]);
    const r = await client.closeTicket(t.id, { resolution: 'fixed again' });
    const [first, retry] = posts();
    expect(retry!.upstream?.headers['idempotent-replayed']).toBe('true');
    expect(retry!.upstream?.headers.etag).toBe(first!.upstream?.headers.etag);
    expect(retry!.upstream?.headers['tix-changed']).toBe('false');
    expect(r.changed).toBe(false);
    expect(await closedEvents(t.id)).toHaveLength(1);
  });

  it('`tix close` through a connection reset after the commit exits 0 and the ticket has one closed event', async () => {
    const t = await openTicket();
    let resetDone = false;
    proxy.script((req) => {
      if (req.method !== 'POST' || resetDone) return { kind: 'pass' };
      resetDone = true;
      return { kind: 'reset-after-response' };
    });
    const r = await cli(['close', String(t.id), '--resolution', 'replaced the router']);
    expect(r.code, r.stderr).toBe(0);
    expect(posts().length).toBeGreaterThanOrEqual(2);
    expect(keyOf(posts()[1]!)).toBe(keyOf(posts()[0]!));
    expect((await direct.getTicket(t.id)).status).toBe('closed');
    expect(await closedEvents(t.id)).toHaveLength(1);
  });
});

describe('bursts of 503 and 429', () => {
  it('three 503s then success take four attempts, with waits within the full-jitter bounds', async () => {
    const t = await openTicket();
    proxy.script(burst(3, 503));
    expect((await client.getTicket(t.id)).id).toBe(t.id);
    expect(proxy.count()).toBe(4);
    expect(waits).toHaveLength(3);
    waits.forEach((w, n) => expect(w).toBeLessThanOrEqual(500 * 2 ** n));
    expect(waits.every((w) => w >= 0)).toBe(true);
  });

  it('three 503s on a keyed close then success: four attempts with one key, one closed event', async () => {
    const t = await openTicket();
    proxy.script(burst(3, 503));
    await client.closeTicket(t.id, { resolution: 'patched' });
    expect(posts()).toHaveLength(4);
    expect(new Set(posts().map(keyOf)).size).toBe(1);
    expect(await closedEvents(t.id)).toHaveLength(1);
  });

  it('Retry-After: 2 is waited before the retry', async () => {
    const t = await openTicket();
    proxy.script(burst(1, 429, '2'));
    await client.getTicket(t.id);
    expect(proxy.count()).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
  });

  it('`tix show` waits out Retry-After: 1 (the retry reaches the proxy at least ~1 s after the 429, past any backoff of its own)', async () => {
    const t = await openTicket();
    proxy.script(burst(1, 429, '1'));
    const r = await cli(['show', String(t.id), '--json', 'id']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: t.id });
    const [first, retry] = proxy.seen;
    // the first backoff alone is under 500 ms: only the server's wait reaches 900
    expect(retry!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('`tix show` with Retry-After: 3600 fails at once with exit 6 and says how long to wait', async () => {
    const t = await openTicket();
    proxy.script(() => ({ kind: 'status', status: 429, retryAfter: '3600' }));
    const r = await timed(() => cli(['show', String(t.id)]));
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/3600\s?s/);
    expect(proxy.count()).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a 503 with Retry-After: 3600 fails at once with exit 6 and names the wait', async () => {
    const t = await openTicket();
    proxy.script(() => ({ kind: 'status', status: 503, retryAfter: '3600' }));
    const r = await cli(['show', String(t.id)]);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/retry after 3600 s/);
    expect(proxy.count()).toBe(1);
  });

  it('a 429 still answered after every retry fails with rate_limited after five attempts, each wait at least its Retry-After', async () => {
    const t = await openTicket();
    proxy.script(() => ({ kind: 'status', status: 429, retryAfter: '1' }));
    const err = await failure(client.getTicket(t.id));
    expect(err).toBeInstanceOf(ApiError);
    expect([(err as ApiError).status, (err as ApiError).code]).toEqual([429, 'rate_limited']);
    expect(proxy.count()).toBe(5);
    expect(waits).toHaveLength(4);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(1000);
  });

  it('`tix show --json` given up on a 429 exits 6 with rate_limited', async () => {
    const t = await openTicket();
    proxy.script(() => ({ kind: 'status', status: 429, retryAfter: '3600' }));
    const r = await cli(['show', String(t.id), '--json']);
    expect(r.code, r.stderr).toBe(6);
    expect(JSON.parse(r.stderr).error.code).toBe('rate_limited');
  });
});

describe('a stalled or broken server', () => {
  it('a server that stalls before its headers is a timeout: exit 6 with --timeout 500, and no hang', async () => {
    const t = await openTicket();
    proxy.script(() => ({ kind: 'stall' }));
    const r = await timed(() => cli(['--timeout', '500', 'show', String(t.id)]));
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/no answer from .* within 500 ms/);
    expect(proxy.count()).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('the client gives up on a stalled server after its timeout, close to it', async () => {
    const t = await openTicket();
    const quick = throughProxy({ timeoutMs: 300 });
    try {
      proxy.script(() => ({ kind: 'stall' }));
      const started = performance.now();
      const err = await failure(quick.getTicket(t.id));
      expect(err).toBeInstanceOf(UnavailableError);
      expect(performance.now() - started).toBeLessThan(900); // undici's own header timer would take ~1 s
    } finally {
      await quick.dispose();
    }
  });

  it('an HTML 502 that persists exits 6 with one line that names the gateway page and holds no HTML', async () => {
    const t = await openTicket();
    proxy.script(() => ({ kind: 'html-502' }));
    const r = await cli(['show', String(t.id)], 30_000);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/HTML error page/);
    expect(r.stderr).not.toMatch(/<|nginx|Bad Gateway<\/h1>/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(proxy.count()).toBe(5);
  });
});

describe('requests that are never retried', () => {
  it('a PATCH answered 503 is sent once, and the ticket is unchanged', async () => {
    const t = await openTicket('printer jams');
    proxy.script(burst(1, 503));
    const err = await failure(client.request('PATCH', `/v1/tickets/${t.id}`, { body: { subject: 'printer on fire' } }));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(proxy.count()).toBe(1);
    expect((await direct.getTicket(t.id)).subject).toBe('printer jams');
  });

  it('a PATCH whose answer is lost is not sent again: it was applied once', async () => {
    const t = await openTicket('printer jams');
    proxy.script([{ kind: 'reset-after-response' }]);
    await failure(client.request('PATCH', `/v1/tickets/${t.id}`, { body: { subject: 'printer on fire' } }));
    expect(proxy.count()).toBe(1);
    expect((await direct.events(t.id)).filter((e) => e.kind === 'updated')).toHaveLength(1);
  });

  it('a POST without an Idempotency-Key whose answer is lost is not sent again: one comment, not two', async () => {
    const t = await openTicket();
    proxy.script([{ kind: 'reset-after-response' }]);
    await failure(client.request('POST', `/v1/tickets/${t.id}/comments`, { body: { body: 'rebooted it' }, idempotencyKey: false }));
    expect(proxy.count()).toBe(1);
    expect(keyOf(proxy.seen[0]!)).toBeUndefined();
    expect(await direct.comments(t.id)).toHaveLength(1);
  });

  it('`tix api PATCH` answered 503 exits 6 after one attempt', async () => {
    const t = await openTicket();
    proxy.script(burst(1, 503));
    const r = await cli(['api', 'PATCH', `/v1/tickets/${t.id}`, '--data', '{"subject":"renamed"}']);
    expect(r.code, r.stderr).toBe(6);
    expect(proxy.count()).toBe(1);
  });
});

/**
 * A second server process on the same database, as its store sees it: a copy in flight there is what a 409 answers.
 * This server never yields between taking a key and finishing it, so only another process can hold one pending.
 */
async function withOtherProcess<T>(run: (other: Store, userId: number) => Promise<T>): Promise<T> {
  // open until the file ends, as a live process would be: a key whose holder is gone may be taken over
  if (!other) {
    const store = await openStore(database!);
    other = { store, userId: (await store.findToken(hashToken(token)))!.user.id };
  }
  return run(other.store, other.userId);
}
/** The request fingerprint a server keeps with its key: method, path and body. */
const fingerprintOf = (path: string, body: unknown) => createHash('sha256').update(`POST ${path}\n${JSON.stringify(body)}`).digest('hex');

describe('idempotency at the server', () => {
  it('the same key with a different body is 422, is not retried, and changes nothing', async () => {
    const t = await openTicket();
    await client.comment(t.id, { body: 'first answer' }, { idempotencyKey: 'comment-1' });
    const err = await failure(client.comment(t.id, { body: 'another answer' }, { idempotencyKey: 'comment-1' }));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect(proxy.count()).toBe(2);
    expect((await direct.comments(t.id)).map((c) => c.body)).toEqual(['first answer']);
  });

  it('the same key with the same body is replayed: one comment, the same answer twice', async () => {
    const t = await openTicket();
    const a = await client.comment(t.id, { body: 'restarted' }, { idempotencyKey: 'comment-2' });
    const b = await client.comment(t.id, { body: 'restarted' }, { idempotencyKey: 'comment-2' });
    expect(b).toEqual(a);
    expect(proxy.seen[1]!.upstream?.headers['idempotent-replayed']).toBe('true');
    expect(await direct.comments(t.id)).toHaveLength(1);
  });

  it('a duplicate while the first is still in flight gets 409 with Retry-After, and nothing is applied', async () => {
    const t = await openTicket();
    const path = `/v1/tickets/${t.id}/close`;
    const body = { resolution: 'fixed' };
    // the first copy has begun at another server process on this database and not finished: its key is pending there
    await withOtherProcess(async (other, userId) => expect(await other.idempotencyBegin(userId, 'in-flight-1', fingerprintOf(path, body), new Date())).toEqual({ state: 'new' }));
    const res = await request(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'in-flight-1' },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers['retry-after']).toBe('1');
    expect(((await res.body.json()) as { code: string }).code).toBe('conflict');
    expect((await direct.getTicket(t.id)).status).not.toBe('closed');
    expect(await closedEvents(t.id)).toHaveLength(0);
  });

  it('concurrent requests with one key apply once: the others get the replay or 409 with Retry-After', async () => {
    const t = await openTicket();
    const send = () =>
      request(`${server.url}/v1/tickets/${t.id}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'concurrent-1' },
        body: JSON.stringify({ body: 'said once' }),
      }).then(async (res) => ({ status: res.statusCode, replayed: res.headers['idempotent-replayed'] === 'true', retryAfter: res.headers['retry-after'], body: await res.body.text() }));
    const answers = await Promise.all(Array.from({ length: 12 }, send));
    const firsts = answers.filter((a) => a.status === 201 && !a.replayed);
    expect(firsts).toHaveLength(1);
    for (const a of answers) {
      if (a.status === 409) expect(a.retryAfter).toBeDefined();
      else expect([a.status, a.body]).toEqual([201, firsts[0]!.body]);
    }
    expect(await direct.comments(t.id)).toHaveLength(1);
  });

  it('a client whose key is still in flight waits Retry-After and retries, and the comment is stored once', async () => {
    const t = await openTicket();
    const body = { body: 'waited my turn', public: false };
    const path = `/v1/tickets/${t.id}/comments`;
    await withOtherProcess((other, userId) => other.idempotencyBegin(userId, 'in-flight-2', fingerprintOf(path, body), new Date()));
    // during the client's wait, the first copy fails at the other process and releases its key
    const waiting = throughProxy({ sleep: async (ms) => void (waits.push(ms), await withOtherProcess((other, userId) => other.idempotencyAbandon(userId, 'in-flight-2'))) });
    try {
      const c = await waiting.comment(t.id, body, { idempotencyKey: 'in-flight-2' });
      expect(posts().map((r) => r.upstream?.status)).toEqual([409, 201]);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(1000); // the server's Retry-After: 1
      expect((await direct.comments(t.id)).map((x) => x.id)).toEqual([c.id]);
    } finally {
      await waiting.dispose();
    }
  });

  it('two clients sending one key at once both get the same comment, stored once', async () => {
    const t = await openTicket();
    const other = throughProxy();
    try {
      const body = { body: 'sent twice at once' };
      const [a, b] = await Promise.all([client.comment(t.id, body, { idempotencyKey: 'together-1' }), other.comment(t.id, body, { idempotencyKey: 'together-1' })]);
      expect(b).toEqual(a);
      expect(await direct.comments(t.id)).toHaveLength(1);
    } finally {
      await other.dispose();
    }
  });
});

describe('a bulk run whose batch fails as a whole', () => {
  it('stops sending, reports the failed and the unsent tickets, journals neither as done, and a re-run finishes them', async () => {
    // fixture tickets straight into the store (as an import would): the run under test is the CLI's
    const ids = await seedTickets(server.store, 600, { requester: 'admin' });
    const journal = join(dir, 'stopped.journal');
    // batches of 250: the first passes, the second meets a server error, the third must never be sent
    let batches = 0;
    proxy.script((req) => (req.url.startsWith('/v1/batch') && ++batches === 2 ? { kind: 'status', status: 500 } : { kind: 'pass' }));
    const run = (args: string[]) =>
      tix(args, { env: { ...cleanEnv(dir, join(dir, 'config')), TIX_URL: proxy.url, TIX_TOKEN: token }, input: ids.join('\n'), timeoutMs: 60_000 });
    const r = await run(['close', '-', '--resolution', 'bulk after outage', '--concurrency', '1', '--journal', journal, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { summary: { changed: number }; results: { outcome: string; error?: { code: string } }[] };
    expect(report.summary.changed).toBe(250);
    expect(report.results.filter((f) => f.outcome === 'failed' && f.error!.code === 'internal')).toHaveLength(250);
    expect(report.results.filter((f) => f.outcome === 'failed' && f.error!.code === 'not_sent')).toHaveLength(100);
    expect(batches).toBe(2);
    const done = readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"kind":"done"'));
    expect(done).toHaveLength(250);
    proxy.reset();
    const again = await run(['close', '-', '--resolution', 'bulk after outage', '--journal', journal, '--json']);
    expect(again.code).toBe(0);
    // the 250 closed before are done in the earlier run; the rest close now
    expect(JSON.parse(again.stdout).summary).toEqual({ changed: 350, unchanged: 250, failed: 0 });
    for (const id of [ids[0]!, ids[300]!, ids[599]!]) expect(await closedEvents(id)).toHaveLength(1);
  }, 120_000);
});
