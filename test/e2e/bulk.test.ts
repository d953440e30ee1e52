// Bulk runs end to end: the real server, the real CLI, thousands of tickets, a run killed half way.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedTickets } from '../../src/server/seed.js';
import { ResultEnvelope } from '../../src/domain/envelope.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { ROOT, api, createTicket, json, openServerStore, readDb, tix, serverForFile, type RunResult } from '../helpers/tix.js';

const batchesSeen = (proxy: FaultProxy | undefined) => proxy?.seen.filter((r) => r.url.startsWith('/v1/batch')).length ?? 0;

const { server, users } = serverForFile();


/** Seeds tickets straight into the server's database (fixture data, as an import would). */
async function seed(count: number, status: 'new' | 'in_progress' = 'new'): Promise<number[]> {
  const store = await openServerStore(server);
  try {
    return await seedTickets(store, count, { requester: 'admin', status });
  } finally {
    await store.close();
  }
}

/** How many events of `kind` each ticket has, read from the server's audit trail. */
async function eventCounts(ids: number[], kind: string): Promise<Map<number, number>> {
  const rows = await readDb<{ ticket_id: number; n: number }>(server, 'SELECT ticket_id, CAST(count(*) AS INTEGER) AS n FROM events WHERE kind = ? GROUP BY ticket_id', [kind]);
  const wanted = new Set(ids);
  return new Map(rows.filter((r) => wanted.has(r.ticket_id)).map((r) => [r.ticket_id, r.n]));
}

async function statusesOf(ids: number[]): Promise<Map<number, string>> {
  const rows = await readDb<{ id: number; status: string }>(server, `SELECT id, status FROM tickets WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** The envelope on stdout, validated, grouped by outcome in the order named. */
function bulkReport(r: RunResult) {
  const e = ResultEnvelope.parse(json(r));
  return {
    succeeded: e.results.filter((x) => x.outcome === 'changed').map((x) => x.id as number),
    skipped: e.results.filter((x) => x.outcome === 'unchanged').map((x) => x.id as number),
    failed: e.results.filter((x) => x.outcome === 'failed').map((x) => ({ id: x.id as number, error: x.error! })),
  };
}

describe('bulk runs', () => {
  it('closes 800 tickets (four batches) piped from tix list --format ndjson, each exactly once', async () => {
    const ids = await seed(800);
    const listed = await tix(['list', '--all', '--format', 'ndjson', 'status:new'], { server, timeoutMs: 60_000 });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(800);
    const r = await tix(['close', '-', '--resolution', 'bulk close from the queue', '--json'], { server, input: listed.stdout, timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/failed [1-9]/);
    expect(r.code).toBe(0);
    const report = ResultEnvelope.parse(json(r));
    expect(report.results.filter((x) => x.outcome === 'failed')).toEqual([]);
    expect(new Set(report.results.filter((x) => x.outcome === 'changed').map((x) => x.id)).size).toBe(lines.length);
    const counts = await eventCounts(ids, 'closed');
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  }, 180_000);

  it('resumes a run killed with SIGKILL from its journal without changing any ticket twice', async () => {
    const ids = await seed(800, 'in_progress');
    const journal = join(server.configDir, 'close.journal');
    // the first batch reaches the server; the second never does: the run is killed with it in flight
    const proxy = await startFaultProxy(server.url, (req) => (req.url.startsWith('/v1/batch') && batchesSeen(proxy) >= 1 ? { kind: 'stall' } : { kind: 'pass' }));
    try {
      const env = { ...server.env, TIX_URL: proxy.url, TIX_TOKEN: server.token, PATH: process.env.PATH } as NodeJS.ProcessEnv;
      const args = [join(ROOT, 'bin', 'tix'), 'close', '-', '--resolution', 'resumable close', '--journal', journal, '--concurrency', '1'];
      const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.end(`${ids.join('\n')}\n`);
      const doneLines = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"kind":"done"')).length : 0);
      const deadline = Date.now() + 60_000;
      while ((batchesSeen(proxy) < 2 || doneLines() < 250) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(doneLines()).toBe(250);
      const stalledKey = proxy.seen.filter((r) => r.url.startsWith('/v1/batch'))[1]!.headers['idempotency-key'];
      expect(stalledKey).toBeDefined();

      proxy.script(() => ({ kind: 'pass' }));
      const before = proxy.seen.length;
      const rerun = await tix(['close', '-', '--resolution', 'resumable close', '--journal', journal, '--json'], {
        server,
        env: { TIX_URL: proxy.url, TIX_TOKEN: server.token },
        input: `${ids.join('\n')}\n`,
        timeoutMs: 120_000,
      });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(/resuming from/);
      // the batch that was in flight goes first, under the key it was sent with
      expect(proxy.seen.slice(before).find((r) => r.url.startsWith('/v1/batch'))!.headers['idempotency-key']).toBe(stalledKey);
      const report = ResultEnvelope.parse(json(rerun));
      expect(report.summary).toEqual({ changed: 550, unchanged: 250, failed: 0 });
      // what the killed run finished is reported as done then, not as changed now
      expect(report.results.filter((x) => x.reason === 'done in an earlier run')).toHaveLength(250);

      const statuses = await statusesOf(ids);
      expect(ids.filter((id) => statuses.get(id) !== 'closed')).toEqual([]);
      const counts = await eventCounts(ids, 'closed');
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      // every ticket was planned into exactly one batch over both runs: finished ones were skipped,
      // the batch in flight was re-sent under its original key, not re-planned
      const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; ids?: number[] });
      const planned = lines.filter((l) => l.kind === 'batch').flatMap((l) => l.ids!);
      expect(planned.length).toBe(ids.length);
      expect(new Set(planned).size).toBe(ids.length);
    } finally {
      await proxy.close();
    }
  }, 180_000);

  it('a journaled close run again reports every ticket unchanged, done in an earlier run, and changes nothing', async () => {
    const ids = await seed(30, 'in_progress');
    const journal = join(server.configDir, 'rerun.journal');
    const args = ['close', ...ids.map(String), '--resolution', 'closed once', '--journal', journal];
    const first = await tix([...args, '--json'], { server });
    expect(first.code, first.stderr).toBe(0);
    expect(ResultEnvelope.parse(json(first)).summary).toEqual({ changed: 30, unchanged: 0, failed: 0 });

    const again = await tix([...args, '--json'], { server });
    expect(again.code, again.stderr).toBe(0);
    const e = ResultEnvelope.parse(json(again));
    expect(e).toMatchObject({ ok: true, summary: { changed: 0, unchanged: 30, failed: 0 } });
    expect(e.results.map((x) => x.id)).toEqual(ids);
    for (const x of e.results) expect(x).toMatchObject({ outcome: 'unchanged', changes: [], reason: 'done in an earlier run' });
    // the people's summary says the same
    const text = await tix(args, { server });
    expect(text.stderr).toContain('closed 0, skipped 30 (already so), failed 0');
    const counts = await eventCounts(ids, 'closed');
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  });

  it('applies 47 of 50 and reports the missing and the invalid transitions with their reasons, exiting 1', async () => {
    const ids = await seed(47, 'in_progress');
    const closed = (await createTicket(server, { subject: 'already closed' })).id;
    await api(server, 'POST', `/v1/tickets/${closed}/close`, { body: { resolution: 'done before the run' } });
    const escalated = (await createTicket(server, { subject: 'with engineering' })).id;
    await api(server, 'POST', `/v1/tickets/${escalated}/escalate`, { body: { reason: 'needs a code change' } });
    const missing = 987654;
    const all = [...ids.slice(0, 20), missing, ...ids.slice(20, 40), closed, ...ids.slice(40), escalated];
    const r = await tix(['move', '-', '--to', 'pending_customer', '--json'], { server, env: users.agent.env, input: all.join('\n') });
    expect(r.code).toBe(1);
    const report = bulkReport(r);
    expect(report.succeeded.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(report.failed.map((f) => [f.id, f.error.code])).toEqual([
      [missing, 'not_found'],
      [closed, 'conflict'],
      [escalated, 'conflict'],
    ]);
    expect(report.failed[1]!.error.message).toMatch(/closed/);
    expect(report.failed[2]!.error.message).toMatch(/escalation/);
  });

  it('reports a ticket outside the requester\'s own as forbidden, among 47 applied, and exits 1', async () => {
    const own: number[] = [];
    for (let i = 0; i < 47; i++) own.push((await createTicket(server, { subject: `olga ${i}` }, users.acmeOrgAdmin.token)).id);
    const colleagues = (await createTicket(server, { subject: 'rita opened this' }, users.acmeRequester.token)).id;
    const otherOrg = (await createTicket(server, { subject: 'globex only' }, users.globexRequester.token)).id;
    const missing = 987655;
    const r = await tix(['close', ...[...own, colleagues, otherOrg, missing].map(String), '--resolution', 'sorted, thanks', '--json'], { server, env: users.acmeOrgAdmin.env });
    expect(r.code).toBe(1);
    const report = bulkReport(r);
    expect(report.succeeded).toEqual(own);
    expect(report.failed.map((f) => [f.id, f.error.code])).toEqual([
      [colleagues, 'forbidden'],
      [otherOrg, 'not_found'],
      [missing, 'not_found'],
    ]);
  });

  it('--dry-run prints before → after per ticket and changes nothing', async () => {
    const ids = await seed(5, 'in_progress');
    const before = await eventCounts(ids, 'status_changed');
    const r = await tix(['move', ...ids.map(String), '--to', 'pending_engineering', '--dry-run'], { server });
    expect(r.code).toBe(0);
    for (const id of ids) expect(r.stdout).toContain(`#${id}\tstatus: in_progress → pending_engineering`);
    expect(await eventCounts(ids, 'status_changed')).toEqual(before);
    expect([...(await statusesOf(ids)).values()]).toEqual(ids.map(() => 'in_progress'));
    // what the server would refuse, the dry run says it cannot do, by the same rule
    const refused = await tix(['triage', String(ids[0]), String(ids[1]), '--team', 'support', '--dry-run'], { server });
    expect(refused.stdout).toContain(`#${ids[0]}\tcannot: only new tickets are triaged; this one is in_progress`);
    expect(refused.stderr).toMatch(/0 of 2 tickets would change/);
  });
});
