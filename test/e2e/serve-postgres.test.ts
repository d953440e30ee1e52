// `tix serve --database-url`: the real server on PostgreSQL, driven by the real CLI. Runs on
// TIX_TEST_DATABASE_URL, or on a throwaway cluster started for this file; each test has a database of its own.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTicket, ROOT, startServer, tix, tixBin, type Ticket } from '../helpers/tix.js';

const SCRIPT = join(ROOT, 'scripts', 'postgres.sh');
let baseUrl: string;
let stateDir: string | undefined;
const databases: string[] = [];

beforeAll(() => {
  if (process.env.TIX_TEST_DATABASE_URL) {
    baseUrl = process.env.TIX_TEST_DATABASE_URL;
    return;
  }
  stateDir = mkdtempSync(join(tmpdir(), 'tix-pg-e2e-'));
  baseUrl = execFileSync('bash', [SCRIPT, 'start'], { env: { ...process.env, TIX_PG_STATE: join(stateDir, 'state') }, encoding: 'utf8' }).trim();
}, 120_000);

afterAll(async () => {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  if (stateDir) {
    execFileSync('bash', [SCRIPT, 'stop'], { env: { ...process.env, TIX_PG_STATE: join(stateDir, 'state') } });
    rmSync(stateDir, { recursive: true, force: true });
  }
}, 60_000);

/** A new, empty database on the cluster, and its URL. */
async function freshDatabase(): Promise<string> {
  const name = `tix_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  databases.push(name);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

describe('tix serve --database-url', () => {
  it('keeps tickets in PostgreSQL: a second server on the same database sees them and creates no second admin', async () => {
    const url = await freshDatabase();
    const first = await startServer({ databaseUrl: url });
    let id: number;
    try {
      expect(first.stderr()).toMatch(/created user admin/);
      id = (await createTicket(first, { subject: 'Stored in PostgreSQL' })).id;
      const listed = await tix(['list', '--format', 'ids'], { server: first });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout.trim().split('\n')).toContain(String(id));
    } finally {
      await first.stop();
    }
    // a second server, given the database by TIX_DATABASE_URL; the admin exists, so it prints no token
    const child = spawn(process.execPath, [await tixBin(), 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, TIX_CONFIG_DIR: first.configDir, TIX_DATABASE_URL: url, TIX_KEYRING: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    try {
      const started = Date.now();
      while (!/listening on \S+/.test(stderr) && child.exitCode === null && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 25));
      const base = /listening on (\S+)/.exec(stderr)?.[1];
      expect(base, stderr).toBeDefined();
      expect(stderr).not.toMatch(/created user admin/);
      const res = await fetch(`${base}/v1/tickets/${id}`, { headers: { authorization: `Bearer ${first.token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Ticket).subject).toBe('Stored in PostgreSQL');
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);

  it('never prints the password of the database URL', async () => {
    const url = new URL(await freshDatabase());
    url.password = 'sup3r-secret-pw';
    const server = await startServer({ databaseUrl: url.toString() });
    try {
      expect(server.stderr()).toMatch(/listening on/);
      expect(server.stderr()).not.toContain('sup3r-secret-pw');
      const t = await api<Ticket>(server, 'POST', '/v1/tickets', { body: { subject: 'pw', description: 'd' } });
      expect(t.subject).toBe('pw');
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('refuses a URL that is not postgres:// as a usage error, and --db beside it', async () => {
    const env = { TIX_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tix-pg-usage-')) };
    try {
      const bad = await tix(['serve', '--port', '0', '--database-url', 'mysql://x@localhost/db'], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--database-url/);
      const both = await tix(['serve', '--port', '0', '--db', '/tmp/x.db', '--database-url', baseUrl], { env });
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/exclude each other/);
    } finally {
      rmSync(env.TIX_CONFIG_DIR, { recursive: true, force: true });
    }
  });
});
