// Three `tix serve` processes on one PostgreSQL database, behind a load balancer that spreads the desk's
// requests over them: what one instance does, the others see at once, and killing one loses nothing.
// Needs a PostgreSQL cluster: `npm run test:postgres -- test/e2e/multi-instance.test.ts` starts one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultEnvelope } from '../../src/domain/envelope.js';
import { seedTickets } from '../../src/server/seed.js';
import { PostgresStore } from '../../src/server/store/postgres.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { cleanEnv, freshPgDatabase, json, ROOT, tix, tixBin, type RunResult } from '../helpers/tix.js';

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  stderr(): string;
}

const base = process.env.TIX_TEST_DATABASE_URL;
let database: { url: string; drop(): Promise<void> } | undefined;
let dir: string;
let instances: Instance[] = [];
/** Every server process started, running or not: none outlives the file. */
const children: ChildProcess[] = [];
let adminToken: string;

/** Starts `tix serve` on the shared database; resolves once it listens. */
async function startInstance(name: string, databaseUrl: string): Promise<Instance> {
  const env = { ...cleanEnv(dir, join(dir, 'config')), TIX_DATABASE_URL: databaseUrl };
  const child = spawn(process.execPath, [await tixBin(), 'serve', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const started = Date.now();
  for (;;) {
    const url = /tix: listening on (\S+)/.exec(stderr)?.[1];
    // the one that bootstraps saves the admin's profile: wait for that too, so nothing is still writing
    const done = url && (!/created user admin/.test(stderr) || /saved as profile/.test(stderr));
    if (done) return { name, url, child, stderr: () => stderr };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`tix serve (${name}) did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

const isAlive = (i: Instance) => i.child.exitCode === null && i.child.signalCode === null;

/**
 * A load balancer's choice: round robin over the instances still running, and a retry (a request whose
 * Idempotency-Key was seen) to the instance after the one its last attempt went to.
 */
function roundRobin(): (req: { headers: Record<string, unknown> }) => string {
  let turn = 0;
  const lastTo = new Map<string, number>();
  return (req) => {
    const key = req.headers['idempotency-key'];
    const previous = typeof key === 'string' ? lastTo.get(key) : undefined;
    const start = previous === undefined ? turn++ : previous + 1;
    for (let k = 0; k < instances.length; k++) {
      const n = (start + k) % instances.length;
      if (!isAlive(instances[n]!)) continue;
      if (typeof key === 'string') lastTo.set(key, n);
      return instances[n]!.url;
    }
    throw new Error('no instance is running');
  };
}

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: database!.url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Fixture tickets written straight into the shared database, four writers at once. */
async function seed(count: number, status: 'new' | 'in_progress' = 'new'): Promise<number[]> {
  const store = await PostgresStore.open(database!.url, { max: 4 });
  try {
    const parts = await Promise.all([0, 1, 2, 3].map((i) => seedTickets(store, Math.floor(count / 4) + (i < count % 4 ? 1 : 0), { requester: 'admin', status })));
    return parts.flat().sort((a, b) => a - b);
  } finally {
    await store.close();
  }
}

async function call(instance: Instance, method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${instance.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.token ?? adminToken}`,
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** How many `closed` events each of `ids` has: exactly one each, when every ticket was closed exactly once. */
async function closeCounts(ids: number[]): Promise<Map<number, number>> {
  const rows = await sql<{ ticket_id: number; n: number }>(`SELECT ticket_id, count(*)::int AS n FROM events WHERE kind = 'closed' AND ticket_id = ANY($1::int[]) GROUP BY ticket_id`, [ids]);
  return new Map(rows.map((r) => [r.ticket_id, r.n]));
}

function outcomes(r: RunResult) {
  const e = ResultEnvelope.parse(json(r));
  const by = (outcome: string) => e.results.filter((x) => x.outcome === outcome).map((x) => x.id as number);
  return { changed: by('changed'), unchanged: by('unchanged'), failed: e.results.filter((x) => x.outcome === 'failed') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

beforeAll(async () => {
  if (!base) {
    throw new Error('this test needs PostgreSQL: run `npm run test:postgres -- test/e2e/multi-instance.test.ts` (it starts a throwaway cluster), or set TIX_TEST_DATABASE_URL=postgres://user@host:port/db to a cluster where that user may create databases');
  }
  database = await freshPgDatabase(base);
  dir = mkdtempSync(join(tmpdir(), 'tix-multi-'));
  // started together on an empty database: the migrations and the first admin must not race
  instances = await Promise.all(['A', 'B', 'C'].map((name) => startInstance(name, database!.url)));
  const tokens = instances.map((i) => /its token, shown once: (\S+)/.exec(i.stderr())?.[1]).filter((t) => t !== undefined);
  adminToken = tokens[0]!;
}, 120_000);

afterAll(async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exits = running.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of running) c.kill('SIGKILL');
  await Promise.all(exits);
  try {
    await database?.drop();
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

// one story in order, even in a shuffled run: the kill -9 comes last, since it takes an instance away from the rest
describe('three tix serve instances on one PostgreSQL database', { shuffle: false }, () => {
  it('started together on an empty database, they migrate it once and create one admin', async () => {
    expect(instances.filter((i) => /created user admin/.test(i.stderr()))).toHaveLength(1);
    expect(await sql('SELECT login FROM users')).toEqual([{ login: 'admin' }]);
    const versions = (await sql<{ version: number }>('SELECT version FROM tix_migrations ORDER BY version')).map((r) => r.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    for (const i of instances) expect((await call(i, 'GET', '/v1/me')).body.login).toBe('admin');
  });

  it('a bulk close of 5,000 tickets, each batch to another instance and some answers lost, closes every ticket exactly once', async () => {
    const ids = await seed(5_000);
    // round robin over the three; every third batch's first answer is lost after the server applied it, and its
    // retry (under the same Idempotency-Key, to the next instance) goes through: by batch, not by request, so no
    // batch can lose every attempt's answer however the concurrent requests interleave
    const batchOf = new Map<string, number>();
    const lose = (req: { url: string; headers: Record<string, unknown> }) => {
      const key = String(req.headers['idempotency-key']);
      if (!req.url.startsWith('/v1/batch') || batchOf.has(key)) return false;
      batchOf.set(key, batchOf.size);
      return batchOf.get(key)! % 3 === 1;
    };
    const proxy = await startFaultProxy(roundRobin(), (req) => (lose(req) ? { kind: 'reset-after-response' } : { kind: 'pass' }));
    try {
      const env = { ...cleanEnv(dir, join(dir, 'cli-a')), TIX_URL: proxy.url, TIX_TOKEN: adminToken };
      const started = performance.now();
      const r = await tix(['close', '-', '--resolution', 'closed across three instances', '--json'], { env, input: `${ids.join('\n')}\n`, timeoutMs: 400_000 });
      const seconds = (performance.now() - started) / 1000;
      expect(r.code, r.stderr).toBe(0);
      const o = outcomes(r);
      expect(o.failed).toEqual([]);
      expect(o.changed.sort((a, b) => a - b)).toEqual(ids);
      const counts = await closeCounts(ids);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(await sql(`SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1::int[]) AND status != 'closed'`, [ids])).toEqual([{ n: 0 }]);
      // the batches went to all three, and each lost answer's retry was answered by another instance from the shared record
      const posts = proxy.seen.filter((s) => s.url.startsWith('/v1/batch'));
      expect(new Set(posts.map((s) => s.target))).toEqual(new Set(instances.map((i) => new URL(i.url).origin)));
      const lost = posts.filter((s) => s.fault === 'reset-after-response');
      expect(lost.length).toBeGreaterThanOrEqual(5);
      console.log(`bulk close of 5,000 over three instances: ${seconds.toFixed(1)} s (${Math.round(5_000 / seconds)} tickets/s), ${posts.length} batch requests, ${lost.length} answers lost and replayed`);
      for (const l of lost) {
        const retry = posts.find((s) => s.index > l.index && s.headers['idempotency-key'] === l.headers['idempotency-key'] && s.upstream)!;
        expect(retry.target).not.toBe(l.target);
        expect(retry.upstream!.headers['idempotent-replayed']).toBe('true');
      }
    } finally {
      await proxy.close();
    }
  }, 480_000);

  it('50 escalations at once, spread over the three, get 50 distinct CP numbers', async () => {
    const ids = await seed(50);
    const answers = await Promise.all(ids.map((id, n) => call(instances[n % 3]!, 'POST', `/v1/tickets/${id}/escalate`, { body: { reason: `escalation ${n}` } })));
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
    const numbers = answers.map((a) => a.body.escalation as string);
    expect(numbers.every((n) => /^CP-\d+$/.test(n))).toBe(true);
    expect(new Set(numbers).size).toBe(50);
    const stored = await sql<{ id: number; ticket_id: number }>('SELECT id, ticket_id FROM escalations WHERE ticket_id = ANY($1::int[])', [ids]);
    expect(new Set(stored.map((s) => s.id)).size).toBe(50);
  });

  it('a token revoked through one instance is refused by the other two on their next request', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const user = (await call(a, 'POST', '/v1/users', { body: { login: 'olga', name: 'Olga', role: 'agent' } })).body;
    const issued = (await call(a, 'POST', `/v1/users/${user.id}/tokens`, { body: { name: 'laptop' } })).body;
    // B and C have both just accepted it, twice: they would remember it if they could
    for (const i of [b, c, b, c]) expect((await call(i, 'GET', '/v1/me', { token: issued.token })).status).toBe(200);
    expect((await call(a, 'DELETE', `/v1/tokens/${issued.id}`)).status).toBe(204);
    expect((await call(b, 'GET', '/v1/me', { token: issued.token })).status).toBe(401);
    expect((await call(c, 'GET', '/v1/me', { token: issued.token })).status).toBe(401);
    // the CLI too: not authenticated is exit 4
    const r = await tix(['whoami'], { env: { ...cleanEnv(dir, join(dir, 'cli-c')), TIX_URL: c.url, TIX_TOKEN: issued.token } });
    expect(r.code).toBe(4);
    expect(r.stderr).not.toContain(issued.token);
  });

  it('a long poll of the change feed on one instance answers a change made through another at once', async () => {
    const [a, b] = instances as [Instance, Instance];
    const [id] = await seed(1);
    const fromSend: number[] = [];
    const fromAck: number[] = [];
    for (let n = 0; n < 15; n++) {
      const after = (await sql<{ after: number }>('SELECT coalesce(max(id), 0)::int AS after FROM events'))[0]!.after;
      const poll = call(a, 'GET', `/v1/events?after=${after}&wait=10`).then((r) => ({ r, at: performance.now() }));
      // let the poll reach A and start waiting
      await new Promise((r) => setTimeout(r, 100));
      const sent = performance.now();
      const change = await call(b, 'POST', `/v1/tickets/${id}/comments`, { body: { body: `note ${n}` } });
      const acked = performance.now();
      expect(change.status).toBe(201);
      const { r, at } = await poll;
      expect(r.status).toBe(200);
      expect(r.body.items.map((e: { ticket_id: number }) => e.ticket_id)).toContain(id);
      fromSend.push(at - sent);
      fromAck.push(at - acked);
    }
    console.log(`feed wake-up across instances, ms from the change's request (median / max): ${median(fromSend).toFixed(1)} / ${Math.max(...fromSend).toFixed(1)}; from its answer: ${median(fromAck).toFixed(1)} / ${Math.max(...fromAck).toFixed(1)}`);
    // from the change's answer (when it is made): a poll nothing woke would answer empty after 10 s
    expect(median(fromAck)).toBeLessThan(200);
  }, 120_000);

  it('tix watch on one instance prints a change made through another', async () => {
    const [a, b] = instances as [Instance, Instance];
    const [id] = await seed(1);
    const after = (await sql<{ after: number }>('SELECT coalesce(max(id), 0)::int AS after FROM events'))[0]!.after;
    const env = { ...cleanEnv(dir, join(dir, 'cli-d')), TIX_URL: a.url, TIX_TOKEN: adminToken };
    const watcher = spawn(process.execPath, [await tixBin(), 'watch', '--since', String(after), '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(watcher);
    let out = '';
    watcher.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    try {
      // time for the watch to start and hold its first poll (a late start still finds the change: it reads from the id)
      await new Promise((r) => setTimeout(r, 2_000));
      const change = await call(b, 'POST', `/v1/tickets/${id}/comments`, { body: { body: 'seen from A?' } });
      expect(change.status).toBe(201);
      const acked = performance.now();
      const printed = () => out.split('\n').some((line) => line.includes('"commented"') && line.includes(`"ticket_id":${id}`));
      while (!printed() && performance.now() - acked < 15_000) await new Promise((r) => setTimeout(r, 5));
      expect(out).toContain(`"ticket_id":${id}`);
      console.log(`tix watch on A printed the change made through B ${(performance.now() - acked).toFixed(0)} ms after B answered (polled every 5 ms)`);
    } finally {
      watcher.kill('SIGTERM');
    }
  }, 60_000);

  it('kill -9 of one instance in the middle of a bulk run loses no acknowledged change, and the run finishes through the others', async () => {
    const ids = await seed(2_000, 'in_progress');
    const victim = instances[2]!;
    // the balancer stops sending to the victim once it is gone
    const proxy: FaultProxy = await startFaultProxy(roundRobin());
    try {
      const env = { ...cleanEnv(dir, join(dir, 'cli-e')), TIX_URL: proxy.url, TIX_TOKEN: adminToken };
      const run = tix(['close', '-', '--resolution', 'closed while an instance died', '--json'], { env, input: `${ids.join('\n')}\n`, timeoutMs: 300_000 });
      // kill the victim once it has claimed a batch and started on it
      const victimOrigin = new URL(victim.url).origin;
      let key: string | undefined;
      const deadline = Date.now() + 120_000;
      while (!key && Date.now() < deadline) {
        const inFlight = proxy.seen.find((s) => s.target === victimOrigin && !s.upstream && s.url.startsWith('/v1/batch'));
        const candidate = inFlight?.headers['idempotency-key'] as string | undefined;
        if (candidate && (await sql(`SELECT 1 FROM idempotency WHERE key = $1 AND state = 'pending'`, [candidate])).length) key = candidate;
        else await new Promise((r) => setTimeout(r, 5));
      }
      expect(key, 'no batch reached the victim').toBeDefined();
      await new Promise((r) => setTimeout(r, 30));
      victim.child.kill('SIGKILL');
      const r = await run;
      expect(r.code, r.stderr).toBe(0);
      const o = outcomes(r);
      expect(o.failed).toEqual([]);
      // every ticket acknowledged, as changed (or unchanged: closed by the dead instance's commit before its answer was lost)
      expect([...o.changed, ...o.unchanged].sort((a, b) => a - b)).toEqual(ids);
      const counts = await closeCounts(ids);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      // the batch the victim held was finished by another instance, under the same key
      expect(await sql(`SELECT state FROM idempotency WHERE key = $1`, [key])).toEqual([{ state: 'done' }]);
      const retried = proxy.seen.filter((s) => s.headers['idempotency-key'] === key);
      console.log(`kill -9 mid-run: the killed instance's batch was sent ${retried.length} times; results: ${o.changed.length} changed, ${o.unchanged.length} unchanged`);
      expect(retried.at(-1)!.target).not.toBe(victimOrigin);
    } finally {
      await proxy.close();
    }
  }, 360_000);
});
