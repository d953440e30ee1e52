// Server limits: body size, per-token rate limit, 500s without internals, busy timeout, graceful shutdown.
import { spawn } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../src/domain/schemas.js';
import { buildApp, hashToken, type AppOptions } from '../../src/server/app.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { openStore } from '../../src/server/store/index.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/types.js';
import { serveDatabase } from '../helpers/tix.js';
import { execOn, openTestStore, rowsOf } from './helpers.js';

const T0 = new Date('2026-11-02T09:00:00.000Z');

/** A clock the test moves by hand. */
class Clock {
  private ms = T0.getTime();
  readonly now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

interface Harness {
  app: FastifyInstance;
  store: Store;
  clock: Clock;
  token(login: string): string;
  call(login: string | null, method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function harness(opts: Partial<AppOptions> = {}): Promise<Harness> {
  const opened = await openTestStore();
  const store = opened.store;
  const clock = new Clock();
  const app = await buildApp({ store, now: clock.now, ...opts });
  cleanups.push(async () => {
    await app.close();
    await opened.close();
  });
  const tokens = new Map<string, string>();
  const people: Array<[string, Role, string | null]> = [['alice', 'agent', null], ['bob', 'agent', null], ['carol', 'requester', 'acme']];
  for (const [login, role, org] of people) {
    const u = await store.createUser({ login, name: login, email: null, role, org, org_admin: false }, clock.now());
    const token = `tix_limits_${login}_${Math.random().toString(36).slice(2)}`;
    await store.createToken(u.id, 'test', hashToken(token), clock.now());
    tokens.set(login, token);
  }
  return {
    app,
    store,
    clock,
    token: (login) => tokens.get(login)!,
    call(login, method, url, body, headers = {}) {
      const auth: Record<string, string> = login ? { authorization: `Bearer ${tokens.get(login)}` } : {};
      const options: InjectOptions = { method, url, headers: { ...auth, ...headers } };
      if (body !== undefined) options.payload = body as InjectOptions['payload'];
      return app.inject(options);
    },
  };
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json() as { status: number; code: string; detail: string; title: string; type: string };
  expect(p).toMatchObject({ status, code });
  return p;
}

const ticketCount = async (store: Store) => Number((await rowsOf(store, 'SELECT count(*) AS n FROM tickets'))[0]!.n);

describe('request body size', () => {
  it('a body over the configured limit is refused with 413 payload_too_large, and nothing is created', async () => {
    const h = await harness({ bodyLimit: 4096 });
    const res = await h.call('alice', 'POST', '/v1/tickets', { subject: 'Huge paste', description: 'x'.repeat(8192) });
    const p = expectProblem(res, 413, 'payload_too_large');
    expect(p.detail).toContain('4096');
    expect(await ticketCount(h.store)).toBe(0);
  });

  it('a body just under the limit is accepted', async () => {
    const h = await harness({ bodyLimit: 4096 });
    const res = await h.call('alice', 'POST', '/v1/tickets', { subject: 'Long paste', description: 'x'.repeat(3900) });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('the default limit of 1 MiB refuses a bigger ticket body with 413', async () => {
    const h = await harness();
    const res = await h.call('alice', 'POST', '/v1/tickets', { subject: 'Huge paste', description: 'x'.repeat(1_100_000) });
    expectProblem(res, 413, 'payload_too_large');
  });

  it('a batch body over the limit is refused as a whole with 413', async () => {
    const h = await harness({ bodyLimit: 2048 });
    const operations = Array.from({ length: 100 }, (_, i) => ({ op: 'close', id: i + 1, body: { resolution: 'closed in bulk by the limits test' } }));
    expectProblem(await h.call('alice', 'POST', '/v1/batch', { operations }), 413, 'payload_too_large');
  });

  it('a body over the limit from a caller without a token is answered 401, before the body is read', async () => {
    const h = await harness({ bodyLimit: 1024 });
    expectProblem(await h.call(null, 'POST', '/v1/tickets', { subject: 's', description: 'x'.repeat(4096) }), 401, 'unauthenticated');
  });
});

describe('per-token rate limit', () => {
  const limited = () => harness({ rateLimit: { limit: 3, windowSeconds: 60 } });

  it('the request over the limit gets 429 rate_limited with Retry-After, RateLimit and RateLimit-Policy headers', async () => {
    const h = await limited();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await h.call('alice', 'GET', '/v1/me');
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
      remaining.push(String(ok.headers.ratelimit));
    }
    expect(remaining).toEqual(['"default";r=2;t=60', '"default";r=1;t=60', '"default";r=0;t=60']);

    h.clock.advance(15_000);
    const refused = await h.call('alice', 'GET', '/v1/me');
    const p = expectProblem(refused, 429, 'rate_limited');
    expect(refused.headers['retry-after']).toBe('45');
    expect(refused.headers.ratelimit).toBe('"default";r=0;t=45');
    expect(refused.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
    expect(p.detail).toMatch(/45/);
  });

  it('a write refused by the rate limit changes nothing', async () => {
    const h = await limited();
    for (let i = 0; i < 3; i++) await h.call('alice', 'GET', '/v1/me');
    expectProblem(await h.call('alice', 'POST', '/v1/tickets', { subject: 'Too fast', description: 'one request too many' }), 429, 'rate_limited');
    expect(await ticketCount(h.store)).toBe(0);
  });

  it('another token is not affected by one token hitting its limit', async () => {
    const h = await limited();
    for (let i = 0; i < 4; i++) await h.call('alice', 'GET', '/v1/me');
    expect((await h.call('alice', 'GET', '/v1/me')).statusCode).toBe(429);
    const other = await h.call('bob', 'GET', '/v1/me');
    expect(other.statusCode).toBe(200);
    expect(other.headers.ratelimit).toBe('"default";r=2;t=60');
    expect((await h.call('carol', 'GET', '/v1/tickets')).statusCode).toBe(200);
  });

  it('the window resets when the clock moves past it', async () => {
    const h = await limited();
    for (let i = 0; i < 3; i++) await h.call('alice', 'GET', '/v1/me');
    h.clock.advance(59_999);
    expect((await h.call('alice', 'GET', '/v1/me')).statusCode).toBe(429);
    h.clock.advance(1);
    const fresh = await h.call('alice', 'GET', '/v1/me');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.ratelimit).toBe('"default";r=2;t=60');
  });

  it('requests without a valid token are answered 401 and do not use up anybody’s budget', async () => {
    const h = await limited();
    for (let i = 0; i < 5; i++) expect((await h.call(null, 'GET', '/v1/me')).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await h.call(null, 'GET', '/v1/me', undefined, { authorization: 'Bearer tix_wrong' })).statusCode).toBe(401);
    expect((await h.call('alice', 'GET', '/v1/me')).statusCode).toBe(200);
  });

  it('a limit of 0 turns the limiter off: no 429 and no RateLimit headers', async () => {
    const h = await harness({ rateLimit: { limit: 0, windowSeconds: 60 } });
    for (let i = 0; i < 20; i++) {
      const res = await h.call('alice', 'GET', '/v1/me');
      expect(res.statusCode).toBe(200);
      expect(res.headers.ratelimit).toBeUndefined();
    }
  });
});

/** Text that only the server's insides would know. */
const INTERNALS = /SQLITE|sqlite|SELECT|INSERT|UPDATE |no such table|database|connection|TypeError|Error:|\bat \S+ \(|node_modules|\/src\/|\.ts:\d+/;

describe('a failure inside the server', () => {
  it('with the database closed under the app, the answer is a 500 problem with a generic detail and no internals', async () => {
    const h = await harness({ errorLog: () => {} });
    await h.store.close();
    for (const [method, url, body] of [
      ['GET', '/v1/tickets', undefined],
      ['GET', '/v1/me', undefined],
      ['POST', '/v1/tickets', { subject: 'Printer on fire', description: 'It is really on fire.' }],
    ] as const) {
      const res = await h.call('alice', method, url, body);
      const p = expectProblem(res, 500, 'internal');
      expect(p.detail).toMatch(/^the server failed to handle this request; it has been logged as request [0-9a-f]{8}-[0-9a-z]+$/);
      expect(res.body).not.toMatch(INTERNALS);
      expect(Object.keys(p).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
    }
  });

  it('every 500 is logged on stderr without --debug, under the request id its answer names', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      const h = await harness();
      await h.call('alice', 'GET', '/v1/me');
      await h.store.close();
      const ids = [];
      for (const url of ['/v1/tickets', '/v1/tickets/1']) {
        const p = expectProblem(await h.call('alice', 'GET', url), 500, 'internal');
        ids.push(/logged as request (\S+)$/.exec(p.detail)![1]!);
      }
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) {
        const lines = written.filter((l) => l.includes(`request ${id} `));
        expect(lines, written.join('')).toHaveLength(1);
        expect(lines[0]).toMatch(/^tix: request \S+ GET \/v1\/tickets/);
        // the store's own words for a closed database, which only the log may carry
        expect(lines[0]).toMatch(h.store instanceof SqliteStore ? /database connection is not open/ : /pool after calling end/);
        expect(lines[0]).not.toContain(h.token('alice'));
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('an SQL error in the middle of a write answers 500 without the SQL text, and the next write with the same Idempotency-Key is not replayed as a failure', async () => {
    const h = await harness({ errorLog: () => {} });
    const opened = await h.call('alice', 'POST', '/v1/tickets', { subject: 'VPN drops', description: 'Every hour on the hour.' });
    const id = (opened.json() as { id: number }).id;
    await execOn(h.store, 'ALTER TABLE events RENAME TO events_elsewhere');
    const headers = { 'idempotency-key': 'close-after-failure' };
    const res = await h.call('alice', 'POST', `/v1/tickets/${id}/close`, { resolution: 'restarted the VPN gateway' }, headers);
    expectProblem(res, 500, 'internal');
    expect(res.body).not.toMatch(INTERNALS);
    expect(res.body).not.toContain('events');

    // the failed write left the ticket as it was, and a retry once the database is back applies it
    await execOn(h.store, 'ALTER TABLE events_elsewhere RENAME TO events');
    const ticket = (await h.call('alice', 'GET', `/v1/tickets/${id}`)).json() as { status: string };
    expect(ticket.status).toBe('new');
    const retried = await h.call('alice', 'POST', `/v1/tickets/${id}/close`, { resolution: 'restarted the VPN gateway' }, headers);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect((retried.json() as { status: string }).status).toBe('closed');
  });

  it('malformed JSON is a 400 validation problem, not a 500', async () => {
    const h = await harness();
    const res = await h.call('alice', 'POST', '/v1/tickets', '{"subject": "half', { 'content-type': 'application/json' });
    expectProblem(res, 400, 'validation');
  });

  it('a body of an unsupported media type is a 4xx problem, not a 500', async () => {
    const h = await harness();
    const res = await h.call('alice', 'POST', '/v1/tickets', 'subject=hello', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the database', () => {
  it('a write waits for another process holding the write lock instead of failing at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tix-limits-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'busy.db');
    const store = new SqliteStore(path);
    cleanups.push(() => store.close());
    // another process takes the write lock and holds it for 400 ms
    const holder = spawn(process.execPath, ['-e', `
      const db = new (require('better-sqlite3'))(${JSON.stringify(path)});
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
      db.exec('COMMIT');
    `], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    });
    const user = await store.createUser({ login: 'waited', name: 'Waited', email: null, role: 'agent', org: null, org_admin: false }, new Date());
    expect(user.login).toBe('waited');
    expect(await store.getUserByLogin('waited')).toMatchObject({ login: 'waited' });
    await new Promise((r) => holder.once('exit', r));
  });
});

describe('graceful shutdown', () => {
  let server: RunningServer | undefined;
  let dir: string | undefined;
  let database: Awaited<ReturnType<typeof serveDatabase>> | undefined;
  afterEach(async () => {
    await server?.close().catch(() => {});
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    server = undefined;
    database = undefined;
  });

  const get = (url: string, token: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(url, { headers: { authorization: `Bearer ${token}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
  const readAll = (res: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => (text += s));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });

  it('close() lets a request in flight finish with 200 and its whole body, and refuses new ones', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-shutdown-'));
    database = await serveDatabase(join(dir, 'tix.db'));
    server = await startServer({ host: '127.0.0.1', port: 0, ...database, sweepEveryMs: 0, rateLimit: { limit: 0, windowSeconds: 60 } });
    const token = server.bootstrapToken!;
    const admin = (await server.store.getUserByLogin('admin'))!;
    // a list big enough that its answer is still being written when close() is called
    const description = 'A long log excerpt. '.repeat(1000);
    const template = await server.app.tix.service.create(admin, { subject: 'Slow list ticket', description });
    // 999 copies in one statement: a thousand creates one by one outlast the test on a busy machine
    const columnsSql = server.store instanceof SqliteStore
      ? `SELECT name FROM pragma_table_info('tickets')`
      : `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'tickets'`;
    const columns = (await rowsOf(server.store, columnsSql)).map((c) => String(c.name)).filter((c) => c !== 'id');
    await execOn(server.store, `INSERT INTO tickets (${columns.join(', ')}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
      SELECT ${columns.map((c) => `t.${c}`).join(', ')} FROM n, tickets t WHERE t.id = ${template.id}`);

    const res = await get(`${server.url}/v1/tickets?limit=1000`, token);
    res.pause();
    const closing = server.close();
    const closed = { done: false };
    void closing.then(() => (closed.done = true));
    await new Promise((r) => setTimeout(r, 50));

    const refused = await get(`${server.url}/v1/health`, token).then(
      (r) => r.statusCode,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET', 503]).toContain(refused);
    expect(closed.done, 'close() waited for the request in flight').toBe(false);

    res.resume();
    const body = await readAll(res);
    expect(res.statusCode).toBe(200);
    const page = JSON.parse(body) as { items: unknown[] };
    expect(page.items).toHaveLength(1000);
    await closing;
    server = undefined;
  });

  it('close() lets a write whose body is still arriving finish with 201, and the ticket is stored', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-shutdown-'));
    database = await serveDatabase(join(dir, 'tix.db'));
    server = await startServer({ host: '127.0.0.1', port: 0, ...database, sweepEveryMs: 0 });
    const token = server.bootstrapToken!;
    const body = JSON.stringify({ subject: 'Sent during shutdown', description: 'The body of this ticket arrives in two halves.' });
    let closing: Promise<void> | undefined;
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${server!.url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      }, (res) => void readAll(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject));
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        closing = server!.close();
        void closing.then(() => (closedAt = Date.now()));
        setTimeout(() => {
          bodyEndedAt = Date.now();
          req.end(body.slice(20));
        }, 100);
      }, 100);
    });
    let closedAt: number | undefined;
    let bodyEndedAt: number | undefined;
    const { status, text } = await answer;
    expect(status, text).toBe(201);
    expect(closing, 'close() was called while the body was still arriving').toBeDefined();
    await closing;
    // close() waited for the write: it ended only after the rest of the body was sent
    expect(closedAt! >= bodyEndedAt!).toBe(true);
    server = undefined;
    const reopened = await openStore(database);
    const stored = await ticketCount(reopened);
    await reopened.close();
    expect(stored).toBe(1);
  });
});
