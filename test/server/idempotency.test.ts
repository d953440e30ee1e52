// Idempotency-Key records belong to users, never to a token id that could be given again, and expire by an index, off the request path.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/schemas.js';
import { buildApp } from '../../src/server/app.js';
import type { Store } from '../../src/server/store/types.js';
import { DAY, execOn, HOUR, MINUTE, openTestStore, planOf, rowsOf, serverPerTest, startServer, T0, type TestServer } from './helpers.js';

const s = serverPerTest();
const body = { subject: 'Invoices missing', description: 'No invoice since October.' };

async function issueToken(srv: TestServer, login: string): Promise<{ id: number; token: string }> {
  const res = await srv.call('root', 'POST', `/v1/users/${srv.users.get(login)!.id}/tokens`, { name: 'laptop' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; token: string };
}

async function newUser(srv: TestServer, login: string, extra: Record<string, unknown> = {}) {
  const res = await srv.call('root', 'POST', '/v1/users', { login, name: login, role: 'requester', ...extra });
  expect(res.statusCode, res.body).toBe(201);
  srv.users.set(login, res.json());
}

const post = (srv: TestServer, token: string, url: string, payload: unknown, key: string) =>
  srv.app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${token}`, 'idempotency-key': key } });

describe('Idempotency-Key records belong to the user', () => {
  it('after a revocation, a new user’s new token neither gets the old token id nor replays the old answer', async () => {
    await newUser(s, 'frank', { org: 'initech' });
    await newUser(s, 'gina', { org: 'umbrella' });
    const old = await issueToken(s, 'frank');
    const opened = await post(s, old.token, '/v1/tickets', body, 'open-1');
    const first = await post(s, old.token, '/v1/batch', { operations: [{ op: 'comment', id: (opened.json() as Ticket).id, body: { body: 'our VPN config is attached' } }] }, 'batch-1');
    expect(first.statusCode, first.body).toBe(200);
    expect((await s.call('root', 'DELETE', `/v1/tokens/${old.id}`)).statusCode).toBe(204);

    const fresh = await issueToken(s, 'gina');
    expect(fresh.id).toBeGreaterThan(old.id);
    const res = await post(s, fresh.token, '/v1/batch', { operations: [{ op: 'comment', id: (opened.json() as Ticket).id, body: { body: 'our VPN config is attached' } }] }, 'batch-1');
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body).not.toContain('frank');
    expect(res.json()).toMatchObject({ results: [{ status: 404 }] });
  });

  it('two tokens of one user share their keys: a retry through the other token is a replay', async () => {
    const a = await issueToken(s, 'carol');
    const b = await issueToken(s, 'carol');
    const first = await post(s, a.token, '/v1/tickets', body, 'shared-by-carol');
    const again = await post(s, b.token, '/v1/tickets', body, 'shared-by-carol');
    expect([first.statusCode, again.statusCode, again.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
    expect((again.json() as Ticket).id).toBe((first.json() as Ticket).id);
  });

  it('keys of different users stay apart', async () => {
    await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'same' });
    const res = await s.call('dave', 'POST', '/v1/tickets', body, { 'idempotency-key': 'same' });
    expect([res.statusCode, res.headers['idempotent-replayed'], (res.json() as Ticket).requester]).toEqual([201, undefined, 'dave']);
  });
});

describe('expiry', () => {
  const count = async (srv: TestServer) => (await rowsOf(srv.store, 'SELECT CAST(count(*) AS INTEGER) AS n FROM idempotency'))[0]!.n as number;

  it('a key is replayed until 24 h have passed, and not after', async () => {
    const first = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'day-edge' });
    expect(first.statusCode, first.body).toBe(201);
    s.clock.advance(DAY - MINUTE);
    const before = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'day-edge' });
    expect([before.statusCode, before.headers['idempotent-replayed'], (before.json() as Ticket).id]).toEqual([201, 'true', (first.json() as Ticket).id]);
    s.clock.advance(2 * MINUTE);
    const after = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'day-edge' });
    expect([after.statusCode, after.headers['idempotent-replayed']]).toEqual([201, undefined]);
    expect((after.json() as Ticket).id).not.toBe((first.json() as Ticket).id);
  });

  it('a key older than 24 h is not replayed, even before the sweep has removed it', async () => {
    const first = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'daily' });
    s.clock.advance(DAY + HOUR);
    const later = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'daily' });
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect((later.json() as Ticket).id).not.toBe((first.json() as Ticket).id);
  });

  it('a keyed POST does not delete expired records: that is the sweep’s work', async () => {
    await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'old' });
    s.clock.advance(DAY + HOUR);
    await s.call('dave', 'POST', '/v1/tickets', body, { 'idempotency-key': 'new' });
    expect(await count(s)).toBe(2);
    expect(await s.store.idempotencyExpire(s.clock.now())).toBe(1);
    expect(await count(s)).toBe(1);
  });

  it('the sweep finds expired records by an index on created_at, not by a scan', async () => {
    const plan = await planOf(s.store, `SELECT key FROM idempotency WHERE created_at < '2026-01-01' LIMIT 5000`);
    expect(plan).toMatch(/USING (COVERING )?INDEX idempotency_created|Index (Only )?Scan using idempotency_created|Bitmap Index Scan on idempotency_created/);
  });

  it('runs by itself on a timer, in slices, until nothing expired is left', async () => {
    const srv = await startServer({ app: { idempotencySweepMs: 20 } });
    try {
      const old = new Date(srv.clock.now().getTime() - 2 * DAY).toISOString();
      await execOn(
        srv.store,
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 11999)
         INSERT INTO idempotency (user_id, key, fingerprint, state, status, body, created_at) SELECT 1, 'k' || i, 'f', 'done', 201, '{}', '${old}' FROM n`,
      );
      await srv.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'live' });
      for (let waited = 0; (await count(srv)) > 1 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(await count(srv)).toBe(1);
    } finally {
      await srv.close();
    }
  });
});

describe('the sweep of expired records', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });
  const rows = async (store: Store) => (await rowsOf(store, 'SELECT CAST(count(*) AS INTEGER) AS n FROM idempotency'))[0]!.n as number;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const waitFor = async (done: () => Promise<boolean>, within = 10_000) => {
    for (const deadline = Date.now() + within; !(await done()) && Date.now() < deadline; ) await sleep(5);
    expect(await done()).toBe(true);
  };

  /**
   * An app on its own store holding `expired` records two days old and one of now, whose clock counts its reads
   * (the sweep reads it once per slice, and nothing else reads it here).
   */
  async function sweeping(sweepMs: number, expired: number, onRead: (reads: number, app: FastifyInstance) => void = () => {}) {
    const opened = await openTestStore();
    const old = new Date(T0.getTime() - 2 * DAY).toISOString();
    await execOn(
      opened.store,
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${expired - 1})
       INSERT INTO idempotency (user_id, key, fingerprint, state, status, body, created_at) SELECT 1, 'k' || i, 'f', 'done', 201, '{}', '${old}' FROM n`,
    );
    await execOn(opened.store, `INSERT INTO idempotency (user_id, key, fingerprint, state, status, body, created_at) VALUES (1, 'live', 'f', 'done', 201, '{}', '${T0.toISOString()}')`);
    const errors: string[] = [];
    let reads = 0;
    const now = () => {
      onRead(++reads, app);
      return new Date(T0);
    };
    const app: FastifyInstance = await buildApp({ store: opened.store, now, idempotencySweepMs: sweepMs, errorLog: (line) => errors.push(line) });
    let open = true;
    const close = async () => {
      if (!open) return;
      open = false;
      await app.close();
      await opened.close();
    };
    closers.push(close);
    return { store: opened.store, errors, reads: () => reads, close };
  }

  it('once started, goes on slice after slice without waiting for its next start, and stops when nothing expired is left', async () => {
    const sweep = await sweeping(2_000, 12_000);
    await waitFor(async () => (await rows(sweep.store)) < 12_001);
    // three slices of 5,000 and an empty one that ends it, all well before the next start
    await waitFor(async () => (await rows(sweep.store)) === 1, 1_000);
    await sleep(100);
    expect(sweep.reads()).toBe(4);
  });

  it('closing the server stops a sweep between two slices: the rest waits for the next start', async () => {
    let closed: Promise<void> | undefined;
    // the second slice's read of the clock is the moment the server is told to close
    const sweep = await sweeping(500, 12_000, (reads, app) => {
      if (reads === 2) closed = app.close();
    });
    await waitFor(async () => closed !== undefined);
    await closed;
    await waitFor(async () => (await rows(sweep.store)) === 2_001);
    await sleep(100);
    expect([await rows(sweep.store), sweep.reads(), sweep.errors]).toEqual([2_001, 2, []]);
  });

  it('an interval of 0 turns it off: expired records stay until a request meets them', async () => {
    const sweep = await sweeping(0, 1);
    await sleep(50);
    expect([await rows(sweep.store), sweep.reads()]).toEqual([2, 0]);
  });

  it('stops with the server: no sweep runs on a closed database', async () => {
    const sweep = await sweeping(10, 1);
    await waitFor(async () => (await rows(sweep.store)) === 1);
    await sweep.close();
    const reads = sweep.reads();
    await sleep(100);
    expect([sweep.reads() - reads, sweep.errors]).toEqual([0, []]);
  });

  it('a sweep that fails is logged with its stack, and the next one tries again', async () => {
    const sweep = await sweeping(10, 1);
    await waitFor(async () => (await rows(sweep.store)) === 1);
    await execOn(sweep.store, 'ALTER TABLE idempotency RENAME TO idempotency_elsewhere');
    await waitFor(async () => sweep.errors.length > 0);
    expect(sweep.errors[0]).toMatch(/^tix: expiring Idempotency-Key records failed: .*idempotency[^\n]*\n\s+at /);
    await execOn(sweep.store, 'ALTER TABLE idempotency_elsewhere RENAME TO idempotency');
    await execOn(sweep.store, `UPDATE idempotency SET created_at = '${new Date(T0.getTime() - 2 * DAY).toISOString()}'`);
    await waitFor(async () => (await rows(sweep.store)) === 0);
  });

  it('a start that comes while a sweep still goes is skipped: one sweep at a time, and closing waits for it', async () => {
    const opened = await openTestStore();
    // each slice takes 40 ms and finds something, five times: one sweep lasts ~200 ms, twenty starts of 10 ms
    let running = 0;
    let most = 0;
    let slices = 0;
    opened.store.idempotencyExpire = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(40);
      running--;
      return ++slices < 5 ? 1 : 0;
    };
    const errors: string[] = [];
    const app = await buildApp({ store: opened.store, now: () => new Date(T0), idempotencySweepMs: 10, errorLog: (line) => errors.push(line) });
    closers.push(async () => {
      await app.close();
      await opened.close();
    });
    await waitFor(async () => slices >= 3);
    await app.close();
    // the slice under way ended before close() returned; no other began
    expect([running, most, errors]).toEqual([0, 1, []]);
    const after = slices;
    await sleep(60);
    expect(slices).toBe(after);
  });
});
