// End-to-end harness: the real `tix serve` on an ephemeral port with a temporary database,
// and the real built CLI (bin/tix → dist/) run as a child process. Nothing of ours is mocked.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tix');
const DIST_MAIN = join(ROOT, 'dist', 'main.js');

export type Env = Record<string, string | undefined>;

export interface TixServer {
  url: string;
  /** The admin token `tix serve` printed once on stderr. */
  token: string;
  /** TIX_CONFIG_DIR, where serve saved the profile "local". */
  configDir: string;
  dbPath: string;
  /** The PostgreSQL database the server runs on, when it runs on one (then dbPath holds nothing). */
  databaseUrl?: string;
  /** A clean environment for the CLI: only what tix reads, pointed at this server's config. */
  env: Env;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function assertBuilt() {
  if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run \`node scripts/build.mjs\` (npm test does it in pretest)`);
}

// Under node_modules so the copied chunks still resolve the project's dependencies.
const SNAPSHOTS = join(ROOT, 'node_modules', '.cache', 'tix-e2e');
let snapshot: Promise<string> | undefined;

/** Every relative import of every chunk points at a file that exists: not a half-written or half-deleted build. */
function isCompleteBuild(dist: string): boolean {
  if (!existsSync(join(dist, 'main.js')) || !existsSync(join(dist, 'main.cjs'))) return false;
  for (const sub of ['', 'chunks']) {
    const folder = join(dist, sub);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.js'))) {
      const code = readFileSync(join(folder, name), 'utf8');
      for (const m of code.matchAll(/(?:from\s*|import\(\s*)["'](\.\.?\/[^"']+)["']/g)) {
        if (!existsSync(resolve(folder, m[1]!))) return false;
      }
    }
  }
  return true;
}

/**
 * The built CLI (bin/tix and dist/) copied once per test file: a rebuild of dist/ while tests run
 * (a watch build, say) must not pull chunks from under a running CLI.
 */
export function tixBin(): Promise<string> {
  snapshot ??= (async () => {
    mkdirSync(SNAPSHOTS, { recursive: true });
    for (const old of readdirSync(SNAPSHOTS)) {
      const path = join(SNAPSHOTS, old);
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
    for (let attempt = 1; ; attempt++) {
      assertBuilt();
      const dir = mkdtempSync(join(SNAPSHOTS, 'run-'));
      try {
        cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
        mkdirSync(join(dir, 'bin'));
        cpSync(BIN, join(dir, 'bin', 'tix'));
        // as installed: bin/tix runs as CommonJS through dist/main.cjs, the start-up path users get
        cpSync(join(ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
        // package scope lookup stops at node_modules: say again that these files are ES modules
        writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
        if (isCompleteBuild(join(dir, 'dist'))) return join(dir, 'bin', 'tix');
      } catch (err) {
        if (attempt >= 20) throw err;
      }
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 20) throw new Error(`dist/ stayed incomplete; run \`node scripts/build.mjs\``);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return snapshot;
}

// Registered when a test file imports this module, so it runs after that file's own afterAll (servers stopped).
afterAll(async () => {
  const bin = await snapshot?.catch(() => undefined);
  snapshot = undefined;
  if (bin) rmSync(join(bin, '..', '..'), { recursive: true, force: true });
});

/**
 * An environment built from nothing, so no TIX_TOKEN, TIX_URL, CI or FORCE_COLOR of the
 * developer's shell leaks in, and nothing is read from or written to the real home.
 */
export function cleanEnv(dir: string, configDir: string): Env {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    TMPDIR: tmpdir(),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    TIX_DATA_DIR: join(dir, 'data'),
    TIX_CONFIG_DIR: configDir,
    // tokens go to the 0600 file: the OS keyring is shared by every config dir, and the developer's own token lives there
    TIX_KEYRING: '0',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
}

function mergeEnv(base: Env, extra: Env | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries({ ...base, ...extra })) if (v !== undefined) env[k] = v;
  return env;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** A new, empty PostgreSQL database on the cluster at `baseUrl`: its URL, and how to drop it. */
export async function freshPgDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `tix_e2e_${Math.random().toString(36).slice(2, 10)}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Where a server started in the test's own process keeps its data: the SQLite file `dbPath`, or a new
 * PostgreSQL database when TIX_TEST_DATABASE_URL names a cluster. Spread it into the server's options.
 */
export async function serveDatabase(dbPath: string): Promise<{ db: string; databaseUrl?: string; drop(): Promise<void> }> {
  const base = process.env.TIX_TEST_DATABASE_URL;
  if (!base) return { db: dbPath, drop: async () => {} };
  const fresh = await freshPgDatabase(base);
  return { db: dbPath, databaseUrl: fresh.url, drop: fresh.drop };
}

/** The `tix serve` arguments that name that database. */
export const serveDatabaseArgs = (d: { db: string; databaseUrl?: string }) => (d.databaseUrl ? ['--database-url', d.databaseUrl] : ['--db', d.db]);

/**
 * Starts `tix serve --port 0` on a fresh database and a fresh TIX_CONFIG_DIR: an SQLite file, or a new
 * PostgreSQL database when TIX_TEST_DATABASE_URL names a cluster (or the one at `databaseUrl`).
 */
export async function startServer(opts: { demo?: boolean; timeoutMs?: number; serveArgs?: string[]; databaseUrl?: string } = {}): Promise<TixServer> {
  const bin = await tixBin();
  const pgBase = opts.databaseUrl ? undefined : process.env.TIX_TEST_DATABASE_URL;
  const pgDatabase = pgBase ? await freshPgDatabase(pgBase) : undefined;
  const databaseUrl = opts.databaseUrl ?? pgDatabase?.url;
  const dir = mkdtempSync(join(tmpdir(), 'tix-e2e-'));
  const configDir = join(dir, 'config');
  const dbPath = join(dir, 'tix.db');
  const env = cleanEnv(dir, configDir);
  const store = databaseUrl ? ['--database-url', databaseUrl] : ['--db', dbPath];
  const args = [bin, 'serve', '--port', '0', ...store, ...(opts.demo ? ['--demo'] : []), ...(opts.serveArgs ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: mergeEnv(env, undefined), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
    await pgDatabase?.drop();
  };

  // Polls the server's stderr until it has listened, printed the token and saved the profile.
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const started = Date.now();
  for (;;) {
    const url = /tix: listening on (\S+)/.exec(stderr)?.[1];
    const token = /its token, shown once: (\S+)/.exec(stderr)?.[1];
    if (url && token && /saved as profile "local"/.test(stderr)) {
      return { url, token, configDir, dbPath, databaseUrl, env, stderr: () => stderr, stop };
    }
    if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`tix serve did not start (exit ${child.exitCode ?? child.signalCode}):\n${stderr}${stdout}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface TixOptions {
  server?: TixServer;
  /** Added to the server's environment; undefined removes a variable. */
  env?: Env;
  /** Written to stdin, which is a pipe (never a TTY) and is closed after it. */
  input?: string;
  timeoutMs?: number;
}

/** Runs the built CLI as a child process: `node bin/tix ...args`. */
export async function tix(args: string[], opts: TixOptions = {}): Promise<RunResult> {
  const bin = await tixBin();
  const base = opts.server?.env ?? {};
  const env = mergeEnv(base, opts.env);
  if (!env.TIX_CONFIG_DIR) throw new Error('tix(): pass a server, or env.TIX_CONFIG_DIR, so the real config is never touched');
  const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin!.on('error', () => {}); // the CLI may exit before reading its stdin
  child.stdin!.end(opts.input ?? '');
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tix ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

/** A URL where nothing listens: a port the OS just handed out and that was closed again. */
export async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

// ---- the API, for setting up and checking state without going through the CLI under test ----

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export async function api<T = any>(server: TixServer, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.token ?? server.token}`,
      accept: 'application/json',
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiFailure(res.status, body, `${method} ${path}`);
  return body as T;
}

export interface Ticket {
  id: number;
  status: string;
  priority: string;
  escalation: string | null;
  org: string | null;
  requester: string;
  version: number;
  [k: string]: unknown;
}
export interface TicketEvent {
  id: number;
  kind: string;
  actor: string;
  from: string | null;
  to: string | null;
  note: string | null;
  internal: boolean;
  at: string;
}
export interface TicketComment {
  id: number;
  author: string;
  body: string;
  public: boolean;
}

export const createTicket = (server: TixServer, body: Record<string, unknown>, token?: string) =>
  api<Ticket>(server, 'POST', '/v1/tickets', { token, body: { description: 'opened by the e2e suite', ...body } });
export const getTicket = (server: TixServer, id: number, token?: string) => api<Ticket>(server, 'GET', `/v1/tickets/${id}`, { token });
export const eventsOf = async (server: TixServer, id: number, token?: string) =>
  (await api<{ items: TicketEvent[] }>(server, 'GET', `/v1/tickets/${id}/events`, { token })).items;
export const commentsOf = async (server: TixServer, id: number, token?: string) =>
  (await api<{ items: TicketComment[] }>(server, 'GET', `/v1/tickets/${id}/comments`, { token })).items;

export interface TestUser {
  id: number;
  login: string;
  role: string;
  org: string | null;
  token: string;
  /** Environment that makes the CLI act as this user. */
  env: Env;
}

export interface TestUsers {
  agent: TestUser;
  acmeRequester: TestUser;
  globexRequester: TestUser;
  acmeOrgAdmin: TestUser;
}

async function createUser(server: TixServer, body: { login: string; name: string; role: string; org?: string; org_admin?: boolean }): Promise<TestUser> {
  const user = await api<{ id: number; login: string; role: string; org: string | null }>(server, 'POST', '/v1/users', { body });
  const { token } = await api<{ token: string }>(server, 'POST', `/v1/users/${user.id}/tokens`, { body: { name: 'e2e' } });
  return { id: user.id, login: user.login, role: user.role, org: user.org, token, env: { TIX_TOKEN: token } };
}

/** An agent, a requester of acme, a requester of globex and an org_admin of acme, each with a token. */
export async function createUsers(server: TixServer): Promise<TestUsers> {
  return {
    agent: await createUser(server, { login: 'agent.e2e', name: 'Agent E2E', role: 'agent' }),
    acmeRequester: await createUser(server, { login: 'rita.acme', name: 'Rita Acme', role: 'requester', org: 'acme' }),
    globexRequester: await createUser(server, { login: 'gil.globex', name: 'Gil Globex', role: 'requester', org: 'globex' }),
    acmeOrgAdmin: await createUser(server, { login: 'olga.acme', name: 'Olga Acme', role: 'requester', org: 'acme', org_admin: true }),
  };
}

/**
 * Rewrites created_at in the server's database. The API stamps tickets with the server clock, so
 * "an older ticket with a higher id" only exists when a test writes it (fixture data, not a mock).
 */
/** The server's own store, opened beside it (for fixture data): on its SQLite file or its PostgreSQL database. */
export async function openServerStore(server: TixServer): Promise<import('../../src/server/store/types.js').Store> {
  if (server.databaseUrl) {
    const { PostgresStore } = await import('../../src/server/store/postgres.js');
    return PostgresStore.open(server.databaseUrl, { max: 2 });
  }
  const { SqliteStore } = await import('../../src/server/store/sqlite.js');
  return new SqliteStore(server.dbPath);
}

/** Rows of one SELECT (`?` placeholders) run straight on the server's database, whichever it is. */
export async function readDb<T = Record<string, unknown>>(server: TixServer, sql: string, params: unknown[] = []): Promise<T[]> {
  if (server.databaseUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(server.dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Runs one writing statement (`?` placeholders) straight on the server's database, whichever it is; answers the rows changed. */
export async function writeDb(server: TixServer, sql: string, params: unknown[]): Promise<number> {
  if (server.databaseUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rowCount ?? 0;
    } finally {
      await client.end();
    }
  }
  const db = new Database(server.dbPath);
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}

export async function setCreatedAt(server: TixServer, times: Record<number, string>) {
  if (server.databaseUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      for (const [id, at] of Object.entries(times)) {
        if ((await client.query('UPDATE tickets SET created_at = $1 WHERE id = $2', [at, Number(id)])).rowCount !== 1) throw new Error(`setCreatedAt: no ticket ${id}`);
      }
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(server.dbPath);
  try {
    db.pragma('busy_timeout = 5000');
    const update = db.prepare('UPDATE tickets SET created_at = ? WHERE id = ?');
    db.transaction(() => {
      for (const [id, at] of Object.entries(times)) {
        if (update.run(at, Number(id)).changes !== 1) throw new Error(`setCreatedAt: no ticket ${id}`);
      }
    })();
  } finally {
    db.close();
  }
}

/** Parses stdout as JSON, with the whole run in the message when it is not. */
export function json<T = any>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/**
 * One real server (and the standard users) shared by a whole test file: started before its first
 * test, stopped after its last. The returned objects are filled in place, so a file can destructure
 * them at load time: `const { server, users } = serverForFile();`.
 */
export function serverForFile(opts: { demo?: boolean; serveArgs?: string[] } = {}): { server: TixServer; users: TestUsers } {
  const shared = { server: {} as TixServer, users: {} as TestUsers };
  let started: TixServer | undefined;
  beforeAll(async () => {
    started = await startServer(opts);
    Object.assign(shared.server, started);
    Object.assign(shared.users, await createUsers(started));
  });
  afterAll(async () => {
    await started?.stop();
  });
  return shared;
}
