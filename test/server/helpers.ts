// An in-process tix server for route tests: a real app and store, an injectable clock, users with tokens.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach } from 'vitest';
import { buildApp, hashToken, type AppOptions } from '../../src/server/app.js';
import { openStore } from '../../src/server/store/index.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/types.js';
import type { Comment, Escalation, Event, Problem, Role, Ticket, User } from '../../src/domain/schemas.js';

export const T0 = new Date('2026-11-02T09:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A clock the test moves by hand: no sleeps. */
export class Clock {
  private ms: number;
  constructor(start: Date = T0) {
    this.ms = start.getTime();
  }
  readonly now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The cast every server test can use: two agents, an admin, requesters in two organizations. */
export const CAST: Array<{ login: string; role: Role; org?: string; org_admin?: boolean }> = [
  { login: 'root', role: 'admin' },
  { login: 'alice', role: 'agent' },
  { login: 'bob', role: 'agent' },
  { login: 'carol', role: 'requester', org: 'acme' },
  { login: 'dave', role: 'requester', org: 'acme' },
  { login: 'erin', role: 'requester', org: 'acme', org_admin: true },
  { login: 'zed', role: 'requester', org: 'globex' },
];

/** A store for one test, and how to be rid of it (and of all it holds). */
export interface TestStore {
  store: Store;
  close(): Promise<void>;
}

/**
 * The store a test runs on: SQLite in memory, or PostgreSQL when TIX_TEST_DATABASE_URL is set,
 * in a schema of its own that is dropped on close.
 */
export async function openTestStore(): Promise<TestStore> {
  const url = process.env.TIX_TEST_DATABASE_URL;
  if (!url) {
    const store = await openStore({ db: ':memory:' });
    return { store, close: () => store.close() };
  }
  const { PostgresStore } = await import('../../src/server/store/postgres.js');
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const store = await PostgresStore.open(url, { schema, max: 4 });
  return {
    store,
    async close() {
      // a test may have closed the store itself (a database gone under the app): the schema still goes
      await store.close().catch(() => {});
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Rows of one SELECT run straight on the store's database, whichever it is (for checks of what is stored). */
export async function rowsOf(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  if (store instanceof SqliteStore) return store.db.prepare(sql).all() as Record<string, unknown>[];
  const { PostgresStore } = await import('../../src/server/store/postgres.js');
  if (store instanceof PostgresStore) return (await store.pool.query(sql)).rows as Record<string, unknown>[];
  throw new Error('rowsOf: a store of an unknown kind');
}

/** Runs one statement that answers no rows straight on the store's database, whichever it is. */
export async function execOn(store: Store, sql: string): Promise<void> {
  if (store instanceof SqliteStore) {
    store.db.exec(sql);
    return;
  }
  await rowsOf(store, sql);
}

/** The plan the store's database makes for one SELECT, as text; PostgreSQL is barred from plain scans, so an index it can use shows. */
export async function planOf(store: Store, sql: string): Promise<string> {
  if (store instanceof SqliteStore) return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((p) => p.detail).join('\n');
  const { PostgresStore } = await import('../../src/server/store/postgres.js');
  if (!(store instanceof PostgresStore)) throw new Error('planOf: a store of an unknown kind');
  // one round trip of four statements, so the setting holds for this EXPLAIN alone
  const results = (await store.pool.query(`BEGIN; SET LOCAL enable_seqscan = off; EXPLAIN ${sql}; COMMIT`)) as unknown as Array<{ command: string; rows: Record<string, unknown>[] }>;
  return results.filter((r) => r.command === 'EXPLAIN').flatMap((r) => r.rows.map((row) => String(row['QUERY PLAN']))).join('\n');
}

export interface TestServer<S extends Store = Store> {
  app: FastifyInstance;
  store: S;
  clock: Clock;
  users: Map<string, User>;
  tokens: Map<string, string>;
  addUser(login: string, role: Role, extra?: { org?: string; org_admin?: boolean }): Promise<User>;
  /** One request as `as` (a login of the cast, or null for no Authorization header). */
  call(as: string | null, method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Open a ticket as `as` and return it; fails the test unless the answer is 201. */
  open(as: string, body?: Record<string, unknown>): Promise<Ticket>;
  ticket(id: number, as?: string): Promise<Ticket>;
  events(id: number, as?: string): Promise<Event[]>;
  comments(id: number, as?: string): Promise<Comment[]>;
  close(): Promise<void>;
}

/** A server on the store under test; on the SQLite file `dbPath` when the test is about that file. */
type StartOptions = { app?: Partial<Omit<AppOptions, 'store' | 'now'>> };
export async function startServer(opts: StartOptions & { dbPath: string }): Promise<TestServer<SqliteStore>>;
export async function startServer(opts?: StartOptions): Promise<TestServer>;
export async function startServer(opts: StartOptions & { dbPath?: string } = {}): Promise<TestServer<Store>> {
  let opened: TestStore;
  if (opts.dbPath) {
    const file = new SqliteStore(opts.dbPath);
    opened = { store: file, close: () => file.close() };
  } else {
    opened = await openTestStore();
  }
  const store = opened.store;
  const clock = new Clock();
  const app = await buildApp({ ...opts.app, store, now: clock.now });
  const users = new Map<string, User>();
  const tokens = new Map<string, string>();

  const addUser: TestServer['addUser'] = async (login, role, extra = {}) => {
    const user = await store.createUser(
      { login, name: login[0]!.toUpperCase() + login.slice(1), email: null, role, org: extra.org ?? null, org_admin: extra.org_admin ?? false },
      clock.now(),
    );
    const token = `tix_test_${login}_${randomBytes(12).toString('hex')}`;
    await store.createToken(user.id, 'test', hashToken(token), clock.now());
    users.set(login, user);
    tokens.set(login, token);
    return user;
  };
  for (const u of CAST) await addUser(u.login, u.role, u);

  const call: TestServer['call'] = (as, method, url, body, headers = {}) => {
    const auth: Record<string, string> = as === null ? {} : { authorization: `Bearer ${tokens.get(as) ?? `unknown-${as}`}` };
    const options: InjectOptions = { method, url, headers: { ...auth, ...headers } };
    if (body !== undefined) options.payload = body as InjectOptions['payload'];
    return app.inject(options);
  };

  const expectOk = (res: LightMyRequestResponse, status: number, what: string) => {
    if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.body}`);
    return res.json();
  };

  return {
    app,
    store,
    clock,
    users,
    tokens,
    addUser,
    call,
    async open(as, body = {}) {
      const res = await call(as, 'POST', '/v1/tickets', { subject: 'VPN drops every hour', description: 'Since Monday the VPN disconnects.', ...body });
      return expectOk(res, 201, 'open ticket') as Ticket;
    },
    async ticket(id, as = 'alice') {
      return expectOk(await call(as, 'GET', `/v1/tickets/${id}`), 200, 'get ticket') as Ticket;
    },
    async events(id, as = 'alice') {
      return (expectOk(await call(as, 'GET', `/v1/tickets/${id}/events`), 200, 'get events') as { items: Event[] }).items;
    },
    async comments(id, as = 'alice') {
      return (expectOk(await call(as, 'GET', `/v1/tickets/${id}/comments`), 200, 'get comments') as { items: Comment[] }).items;
    },
    async close() {
      await app.close();
      await opened.close();
    },
  };
}

export const problemOf = (res: LightMyRequestResponse) => res.json() as Problem;
export const escalationOf = (res: LightMyRequestResponse) => res.json() as Escalation;

/**
 * A fresh in-process server for each test of the file, closed after it. The returned object is
 * refilled in place before every test: `const s = serverPerTest();`.
 */
export function serverPerTest(): TestServer {
  const current = {} as TestServer;
  beforeEach(async () => {
    Object.assign(current, await startServer());
  });
  afterEach(async () => {
    await current.close();
  });
  return current;
}
