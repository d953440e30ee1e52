// The PostgreSQL store as several instances see it: two stores (two pools) on one database stand for
// two servers. Runs on TIX_TEST_DATABASE_URL, or on a throwaway cluster started for this file.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/domain/query.js';
import { buildApp, hashToken } from '../../src/server/app.js';
import { newTicketRecord } from '../../src/server/service.js';
import { FEED_LOCK, PostgresStore } from '../../src/server/store/postgres.js';
import { LIVENESS_CLASS } from '../../src/server/store/postgres-listen.js';
import { DomainError } from '../../src/server/store/types.js';

const SCRIPT = join(import.meta.dirname, '../../scripts/postgres.sh');
const now = new Date('2026-11-02T09:00:00Z');
const record = (subject: string) =>
  newTicketRecord({ subject, description: 'd', priority: 'medium', channel: 'portal', type: null, requester: 'carol', org: null, tags: [], created_at: now.toISOString() });
const admin = { login: 'admin', role: 'admin' as const, org: null, org_admin: false };

let url: string;
let stateDir: string | undefined;
const open: PostgresStore[] = [];
let schema: string;

beforeAll(() => {
  if (process.env.TIX_TEST_DATABASE_URL) {
    url = process.env.TIX_TEST_DATABASE_URL;
    return;
  }
  stateDir = mkdtempSync(join(tmpdir(), 'tix-pg-test-'));
  url = execFileSync('bash', [SCRIPT, 'start'], { env: { ...process.env, TIX_PG_STATE: join(stateDir, 'state') }, encoding: 'utf8' }).trim();
}, 120_000);

afterAll(() => {
  if (!stateDir) return;
  execFileSync('bash', [SCRIPT, 'stop'], { env: { ...process.env, TIX_PG_STATE: join(stateDir, 'state') } });
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

/** A store on this test's schema: another instance of the server, as far as the database can tell. */
async function instance(max = 4): Promise<PostgresStore> {
  const store = await PostgresStore.open(url, { schema, max });
  open.push(store);
  return store;
}

afterEach(async () => {
  const first = open[0];
  if (first) await first.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const freshSchema = () => (schema = `t_${randomBytes(8).toString('hex')}`);

describe('PostgreSQL store', () => {
  it('migrates once when several instances start together', async () => {
    freshSchema();
    await Promise.all([instance(1), instance(1), instance(1), instance(1)]);
    const rows = (await open[0]!.pool.query('SELECT version FROM tix_migrations ORDER BY version')).rows;
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  });

  it('two instances changing one ticket at once lose no change', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const t = await a.createTicket(record('contended'), [], []);
    // each change appends to what it read: a change made on a stale read would drop another's tag
    const tag = (store: PostgresStore, name: string) =>
      store.mutateTicket(t.id, now, (cur) => ({ patch: { tags: [...cur.tags, name] }, events: [{ actor: 'admin', kind: 'updated', from: null, to: name, note: null, internal: false }] }));
    const names = Array.from({ length: 40 }, (_, i) => `t${i}`);
    await Promise.all(names.map((n, i) => tag(i % 2 ? a : b, n)));
    const after = (await b.getTicket(t.id))!;
    expect([...after.tags].sort()).toEqual([...names].sort());
    expect(after.version).toBe(1 + names.length);
    expect(await a.listEvents(t.id, true)).toHaveLength(names.length);
  });

  it('a stale expected version is refused, and a refused change leaves nothing behind', async () => {
    freshSchema();
    const a = await instance();
    const t = await a.createTicket(record('versioned'), [], []);
    await a.mutateTicket(t.id, now, () => ({ patch: { status: 'in_progress' }, events: [] }), { version: 1 });
    await expect(a.mutateTicket(t.id, now, () => ({ patch: { status: 'blocked' }, events: [] }), { version: 1 })).rejects.toMatchObject({ code: 'precondition_failed' });
    await expect(
      a.mutateTicket(t.id, now, () => {
        throw new DomainError('conflict', 'refused');
      }),
    ).rejects.toBeInstanceOf(DomainError);
    const after = (await a.getTicket(t.id))!;
    expect(after).toMatchObject({ status: 'in_progress', version: 2 });
    await expect(a.mutateTicket(2 ** 40, now, () => ({ patch: {}, events: [] }))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('two instances running overlapping batches in opposite orders both commit, without a deadlock', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push((await a.createTicket(record(`batch ${i}`), [], [])).id);
    // each operation pauses, so the two batches are surely interleaved
    const run = (store: PostgresStore, order: number[], name: string) =>
      store.batch(async () => {
        for (const id of order) {
          await store.mutateTicket(id, now, (cur) => ({ patch: { tags: [...cur.tags, name] }, events: [] }));
          await new Promise((r) => setTimeout(r, 10));
        }
      }, { tickets: order });
    await Promise.all([run(a, ids, 'a'), run(b, [...ids].reverse(), 'b')]);
    for (const id of ids) expect([...(await a.getTicket(id))!.tags].sort()).toEqual(['a', 'b']);
  });

  it('a refused operation inside a batch is undone alone, on its savepoint', async () => {
    freshSchema();
    const a = await instance();
    const [t1, t2] = [await a.createTicket(record('one'), [], []), await a.createTicket(record('two'), [], [])];
    await a.batch(async () => {
      await a.mutateTicket(t1.id, now, () => ({ patch: { status: 'in_progress' }, events: [] }));
      // a statement the database refuses, not only a decision: the transaction must go on after it
      await expect(a.mutateTicket(t2.id, now, () => ({ patch: { level: 'x' as unknown as 1 }, events: [] }))).rejects.toThrow();
      await a.mutateTicket(t2.id, now, () => ({ patch: { status: 'blocked' }, events: [] }));
    }, { tickets: [t1.id, t2.id] });
    expect((await a.getTicket(t1.id))!.status).toBe('in_progress');
    expect((await a.getTicket(t2.id))!).toMatchObject({ status: 'blocked', version: 2 });
  });

  it('an operation undone inside a batch after its events were recorded leaves none of them behind', async () => {
    freshSchema();
    const a = await instance();
    const t = await a.createTicket(record('one'), [], []);
    const note = (text: string) => ({ actor: 'admin', kind: 'updated' as const, from: null, to: null, note: text, internal: false });
    await a.batch(async () => {
      // the comment is refused by the database (a NUL in text) after the change and its event were made
      await expect(a.mutateTicket(t.id, now, () => ({ patch: { tags: ['undone'] }, events: [note('undone')], comments: [{ author: 'admin', body: 'bad \u0000', public: false }] }))).rejects.toThrow();
      await a.mutateTicket(t.id, now, () => ({ patch: { tags: ['kept'] }, events: [note('kept')] }));
    }, { tickets: [t.id] });
    expect((await a.listEvents(t.id, true)).map((e) => e.note)).toEqual(['kept']);
    expect((await a.getTicket(t.id))!).toMatchObject({ tags: ['kept'], version: 2 });
  });

  it('the change feed never passes an event still in flight on another instance', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const created = { actor: 'admin', kind: 'created' as const, from: null, to: null, note: null, internal: false };
    const [t1, t2] = [await a.createTicket(record('one'), [created], []), await a.createTicket(record('two'), [created], [])];
    const change = (cur: { tags: string[] }) => ({ patch: { tags: [...cur.tags, 'x'] }, events: [{ ...created, kind: 'updated' as const }] });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstWritten!: () => void;
    const written = new Promise<void>((r) => (firstWritten = r));
    // A records an event and holds its transaction open; B records one on another ticket meanwhile
    const slow = a.batch(async () => {
      await a.mutateTicket(t1.id, now, change);
      firstWritten();
      await gate;
    }, { tickets: [t1.id] });
    await written;
    const fast = b.mutateTicket(t2.id, now, change);
    await new Promise((r) => setTimeout(r, 100));
    const during = await b.listFeed({ viewer: admin, after: 0, limit: 100, now });
    expect(during.items.filter((e) => e.ticket_id === t1.id).map((e) => e.kind)).toEqual(['created']);
    release();
    await Promise.all([slow, fast]);
    // read on from where the reader stood: every change is there, none twice, none passed over
    const after = await b.listFeed({ viewer: admin, after: during.horizon, limit: 100, now });
    const seen = [...during.items, ...after.items];
    expect(seen.filter((e) => e.kind === 'updated').map((e) => e.ticket_id).sort()).toEqual([t1.id, t2.id].sort());
    expect(seen.map((e) => e.id)).toEqual((await b.listFeed({ viewer: admin, after: 0, limit: 100, now })).items.map((e) => e.id));
  });

  it('the change feed never passes an event whose transaction is still committing on another instance', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const created = { actor: 'admin', kind: 'created' as const, from: null, to: null, note: null, internal: false };
    const [t1, t2] = [await a.createTicket(record('one'), [created], []), await a.createTicket(record('two'), [created], [])];
    // another instance has written its event and not yet committed, as every writer does it: under the feed's lock
    const other = await a.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1)', [FEED_LOCK]);
      await other.query(`INSERT INTO events (ticket_id, at, actor, kind, internal) VALUES ($1, $2, 'admin', 'updated', false)`, [t1.id, now.toISOString()]);
      const fast = b.mutateTicket(t2.id, now, (cur) => ({ patch: { tags: [...cur.tags, 'x'] }, events: [{ ...created, kind: 'updated' as const }] }));
      await new Promise((r) => setTimeout(r, 200));
      const during = await b.listFeed({ viewer: admin, after: 0, limit: 100, now });
      await other.query('COMMIT');
      await fast;
      const after = await b.listFeed({ viewer: admin, after: during.horizon, limit: 100, now });
      const all = await b.listFeed({ viewer: admin, after: 0, limit: 100, now });
      expect(all.items).toHaveLength(4);
      expect([...during.items, ...after.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    } finally {
      other.release();
    }
  });

  it('escalation numbers asked on two instances at once are all distinct', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const numbers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).nextEscalationNumber()));
    expect(new Set(numbers).size).toBe(50);
  });

  it('one idempotency key claimed on two instances at once is new to exactly one', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).idempotencyBegin(7, 'retry-1', 'fp', now)));
    expect(answers.filter((x) => x.state === 'new')).toHaveLength(1);
    expect(answers.filter((x) => x.state === 'pending')).toHaveLength(9);
    await a.idempotencyFinish(7, 'retry-1', 201, '{"id":1}');
    expect(await b.idempotencyBegin(7, 'retry-1', 'fp', now)).toEqual({ state: 'done', status: 201, body: '{"id":1}' });
    expect(await b.idempotencyBegin(7, 'retry-1', 'other', now)).toEqual({ state: 'mismatch' });
  });

  it('a key left in progress by an instance that died is taken over by the same request on another, never by a different one', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    expect(await a.idempotencyBegin(7, 'retry-2', 'fp', now)).toEqual({ state: 'new' });
    // A lives: its request may still be running
    expect(await b.idempotencyBegin(7, 'retry-2', 'fp', now)).toEqual({ state: 'pending' });
    // A dies with the request unfinished: its connections, and its liveness lock with them, are gone
    await a.close();
    open.splice(open.indexOf(a), 1);
    expect(await b.idempotencyBegin(7, 'retry-2', 'other', now)).toEqual({ state: 'mismatch' });
    expect(await b.idempotencyBegin(7, 'retry-2', 'fp', now)).toEqual({ state: 'new' });
    // now B holds it, and B lives
    expect(await b.idempotencyBegin(7, 'retry-2', 'fp', now)).toEqual({ state: 'pending' });
  });

  it('a commit that recorded events on one instance wakes the feed readers of another; a rollback or a change without events does not', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const t = await a.createTicket(record('watched'), [], []);
    const woken: number[] = [];
    let wake!: () => void;
    const unsubscribe = b.commits.subscribe(() => {
      woken.push(Date.now());
      wake?.();
    });
    try {
      const note = { actor: 'admin', kind: 'updated' as const, from: null, to: null, note: null, internal: false };
      await a.mutateTicket(t.id, now, () => ({ patch: { tags: ['quiet'] }, events: [] }));
      await expect(a.batch(async () => {
        await a.mutateTicket(t.id, now, () => ({ patch: {}, events: [note] }));
        throw new Error('undone');
      })).rejects.toThrow('undone');
      await new Promise((r) => setTimeout(r, 300));
      expect(woken).toEqual([]);
      const arrived = new Promise<void>((r) => (wake = r));
      await a.mutateTicket(t.id, now, () => ({ patch: {}, events: [note, note] }));
      await arrived;
      await new Promise((r) => setTimeout(r, 100));
      // one notice per commit, however many events it recorded
      expect(woken).toHaveLength(1);
    } finally {
      unsubscribe();
    }
  });

  it('an instance whose listening connection is cut connects again: its readers are woken, and its keys in progress stay its own', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const t = await a.createTicket(record('watched'), [], []);
    expect(await b.idempotencyBegin(7, 'retry-3', 'fp', now)).toEqual({ state: 'new' });
    let wakes = 0;
    const unsubscribe = b.commits.subscribe(() => wakes++);
    // B's listening connection is the one holding B's liveness lock
    const listening = async () =>
      (await a.pool.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 2`, [LIVENESS_CLASS, b.commits.instanceId])).rows.map((r) => r.pid as number);
    try {
      const [pid] = await listening();
      await a.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      const deadline = Date.now() + 10_000;
      while (wakes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // commits announced while it was away were missed: its readers are told to look
      expect(wakes).toBe(1);
      expect((await listening()).filter((p) => p !== pid)).toHaveLength(1);
      expect(await a.idempotencyBegin(7, 'retry-3', 'fp', now)).toEqual({ state: 'pending' });
      await a.mutateTicket(t.id, now, () => ({ patch: {}, events: [{ actor: 'admin', kind: 'updated', from: null, to: null, note: null, internal: false }] }));
      while (wakes === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(wakes).toBe(2);
    } finally {
      unsubscribe();
    }
  });

  it('two transactions that deadlock on two instances both commit: the one the database undoes runs again', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const [t1, t2] = [await a.createTicket(record('one'), [], []), await a.createTicket(record('two'), [], [])];
    let locked = 0;
    let bothLocked!: () => void;
    const gate = new Promise<void>((r) => (bothLocked = r));
    // no tickets named up front, so each batch takes its first row and then waits for the other's
    const run = (store: PostgresStore, order: number[], name: string) =>
      store.batch(async () => {
        for (const id of order) {
          await store.mutateTicket(id, now, (cur) => ({ patch: { tags: [...cur.tags, name] }, events: [] }));
          if (++locked === 2) bothLocked();
          await Promise.race([gate, new Promise((r) => setTimeout(r, 2_000))]);
        }
      });
    await Promise.all([run(a, [t1.id, t2.id], 'a'), run(b, [t2.id, t1.id], 'b')]);
    for (const id of [t1.id, t2.id]) {
      const t = (await a.getTicket(id))!;
      expect([...t.tags].sort()).toEqual(['a', 'b']);
      expect(t.version).toBe(3);
    }
  });

  it('rate-limit windows are shared: a token spread over two servers gets one allowance', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const alice = await a.createUser({ login: 'alice', name: 'Alice', email: null, role: 'agent', org: null, org_admin: false }, now);
    await a.createToken(alice.id, 'laptop', hashToken('tix_alice_secret'), now);
    const rateLimit = { limit: 4, windowSeconds: 60, authFailures: 3 };
    const [appA, appB] = [await buildApp({ store: a, now: () => now, rateLimit }), await buildApp({ store: b, now: () => now, rateLimit })];
    try {
      const me = (app: typeof appA, token = 'tix_alice_secret') => app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
      const codes = [];
      for (let i = 0; i < 6; i++) codes.push((await me(i % 2 ? appA : appB)).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
      // failed authentications from one address count across servers too
      const failures = [];
      for (let i = 0; i < 5; i++) failures.push((await me(i % 2 ? appA : appB, 'tix_wrong')).statusCode);
      expect(failures).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await appA.close();
      await appB.close();
    }
  });

  it('a token deleted on one instance is not found on the other', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const user = await a.createUser({ login: 'frank', name: 'Frank', email: null, role: 'agent', org: null, org_admin: false }, now);
    const token = await a.createToken(user.id, 'laptop', 'hash-1', now);
    expect((await b.findToken('hash-1'))?.user.login).toBe('frank');
    expect(await a.deleteToken(token.id)).toBe(true);
    expect(await b.findToken('hash-1')).toBeNull();
  });

  it('a token revoked through one server is refused by another on its very next request', async () => {
    freshSchema();
    const [a, b] = [await instance(), await instance()];
    const root = await a.createUser({ login: 'root', name: 'Root', email: null, role: 'admin', org: null, org_admin: false }, now);
    await a.createToken(root.id, 'admin', hashToken('tix_root_secret'), now);
    const alice = await a.createUser({ login: 'alice', name: 'Alice', email: null, role: 'agent', org: null, org_admin: false }, now);
    const token = await a.createToken(alice.id, 'laptop', hashToken('tix_alice_secret'), now);
    const [appA, appB] = [await buildApp({ store: a, now: () => now }), await buildApp({ store: b, now: () => now })];
    try {
      const me = () => appB.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Bearer tix_alice_secret' } });
      // B has just looked the token up, and would remember it if it could
      expect((await me()).statusCode).toBe(200);
      const revoked = await appA.inject({ method: 'DELETE', url: `/v1/tokens/${token.id}`, headers: { authorization: 'Bearer tix_root_secret' } });
      expect(revoked.statusCode).toBe(204);
      expect((await me()).statusCode).toBe(401);
    } finally {
      await appA.close();
      await appB.close();
    }
  });

  it('text terms are answered from the trigram indexes on the case-folded text', async () => {
    freshSchema();
    const a = await instance(1);
    for (let i = 0; i < 30; i++) await a.createTicket(record(i === 7 ? 'VPN Drops Every Hour' : `Printer ${i}`), [], []);
    const found = await a.listTickets({ query: parseQuery('state:all "drops every"'), viewer: admin, sort: 'queue', limit: 50, now });
    expect(found.items.map((t) => t.subject)).toEqual(['VPN Drops Every Hour']);
    // the planner may prefer a scan on so few rows; barred from it, it must still find an index to use
    const client = await a.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query(`EXPLAIN SELECT id FROM tickets WHERE lower(subject COLLATE "C") LIKE '%drops every%'`);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('tickets_subject_trgm');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('an id beyond the integer range is simply not found', async () => {
    freshSchema();
    const a = await instance(1);
    expect(await a.getTicket(2 ** 40)).toBeNull();
    expect(await a.getEscalation(`CP-${2 ** 40}`)).toBeNull();
    expect(await a.listEvents(2 ** 40, true)).toEqual([]);
  });
});

describe('PostgreSQL store, opened from a URL', () => {
  it('refuses an unreachable database with the driver error', async () => {
    await expect(PostgresStore.open('postgres://tix@127.0.0.1:1/postgres')).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
