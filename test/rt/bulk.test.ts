// Many tickets at once on Request Tracker: PUT /tickets/bulk under tix's bulk engine, per-ticket results in
// the envelope, RT's refusals (200 with messages) named, and a journaled run killed and resumed exactly once.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tixBin } from '../helpers/tix.js';
import { historyOf, marker, messagesOf, openTickets, rt, rtCliForFile } from './helpers.js';

const cli = rtCliForFile();

const countWhere = async (sql: string) => (await rt<{ total: number }>('GET', `/tickets?query=${encodeURIComponent(sql)}&per_page=1`)).total;

describe('bulk close', () => {
  it('closes 500 tickets read from a pipe; the 3 RT refuses fail by name, exit 1, the rest are closed once', async () => {
    const m = marker('bulk');
    const ids = await openTickets(500, (i) => ({ Subject: `${m} ${i}` }));
    // RT refuses to resolve a ticket with unresolved dependencies, and says so in a 200 answer
    const [blocker] = await openTickets(1, () => ({ Subject: 'the blocker' }));
    const refused = [ids[7]!, ids[250]!, ids[499]!];
    await rt('PUT', '/tickets/bulk', refused.map((id) => ({ id, AddDependsOn: blocker })));

    const listed = await cli.run(['list', m, '--all', '--format', 'ids']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(500);
    const started = performance.now();
    const r = await cli.run(['close', '-', '--resolution', 'fixed by the 2.4.1 rollout', '--json'], { input: listed.stdout, timeoutMs: 900_000 });
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`[rt bulk] closed 497 of 500 in ${seconds.toFixed(1)} s\n`);
    expect(r.code, r.stderr).toBe(1);
    const envelope = JSON.parse(r.stdout);
    expect(envelope.summary).toEqual({ changed: 497, unchanged: 0, failed: 3 });
    const failed = envelope.results.filter((x: { outcome: string }) => x.outcome === 'failed');
    expect(failed.map((x: { id: number }) => x.id).sort((a: number, b: number) => a - b)).toEqual(refused);
    for (const f of failed) expect(f.error.message).toMatch(/did not apply the change to ticket \d+: .*unresolved dependencies/);
    expect(await countWhere(`Subject LIKE '${m}' AND Status = 'resolved'`)).toBe(497);
    // no resolution note on a ticket RT did not close
    expect((await messagesOf(refused[0]!)).filter((x) => x.type === 'Comment')).toEqual([]);

    // on a terminal the failures are named one per line, and a re-run changes nothing more
    const again = await cli.run(['close', '-', '--resolution', 'fixed by the 2.4.1 rollout'], { input: listed.stdout, timeoutMs: 900_000 });
    expect(again.code).toBe(1);
    for (const id of refused) expect(again.stderr).toContain(`#${id}: Request Tracker did not apply the change to ticket ${id}`);
    expect(again.stderr).toMatch(/closed 0, skipped 497 \(already so\), failed 3/);
    const one = await messagesOf(ids[0]!);
    expect(one.filter((x) => x.body === 'Closed. Resolution: fixed by the 2.4.1 rollout')).toHaveLength(1);
  }, 1_500_000);
});

describe('journal', () => {
  it('a journaled run killed half way resumes and applies nothing twice', async () => {
    const m = marker('journal');
    const ids = await openTickets(260, (i) => ({ Subject: `${m} ${i}` }));
    const journal = join(cli.env.HOME!, 'close.journal');
    const bin = await tixBin();
    const args = [bin, 'close', '-', '--resolution', 'bulk fix for the journal', '--journal', journal, '--concurrency', '1'];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: cli.env as NodeJS.ProcessEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    child.stdin!.end(`${ids.join('\n')}\n`);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // the first batch (250 tickets) finished and journaled, the second under way: killed there
    const deadline = Date.now() + 900_000;
    while (!(existsSync(journal) && readFileSync(journal, 'utf8').includes('"kind":"done"'))) {
      if (Date.now() > deadline || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(child.exitCode, `the run ended before it could be killed: ${stderr}`).toBeNull();
    child.kill('SIGKILL');
    await exited;
    const closedAtKill = await countWhere(`Subject LIKE '${m}' AND Status = 'resolved'`);
    expect(closedAtKill, 'the kill should land after the first batch and before the run ends').toBeGreaterThanOrEqual(250);
    expect(closedAtKill).toBeLessThan(260);

    const resumed = await cli.run(['close', '-', '--resolution', 'bulk fix for the journal', '--journal', journal, '--json'], { input: `${ids.join('\n')}\n`, timeoutMs: 900_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from .*close\.journal: 250 tickets already finished/);
    const envelope = JSON.parse(resumed.stdout);
    expect(envelope.summary.failed).toBe(0);
    expect(envelope.results.filter((x: { reason?: string }) => x.reason === 'done in an earlier run')).toHaveLength(250);
    expect(await countWhere(`Subject LIKE '${m}' AND Status = 'resolved'`)).toBe(260);
    // every ticket went to resolved once, and carries the resolution note at most once
    const sample = [ids[0]!, ids[249]!, ids[250]!, ids[255]!, ids[259]!];
    for (const id of sample) {
      const h = await historyOf(id);
      expect(h.filter((t) => t.Type === 'Status' && t.NewValue === 'resolved'), `ticket ${id}`).toHaveLength(1);
      expect((await messagesOf(id)).filter((x) => x.body === 'Closed. Resolution: bulk fix for the journal').length, `ticket ${id}`).toBeLessThanOrEqual(1);
    }
    const notes = await Promise.all(ids.map(async (id) => (await messagesOf(id)).filter((x) => x.type === 'Comment').length));
    expect(Math.max(...notes)).toBe(1);
  }, 1_500_000);
});
