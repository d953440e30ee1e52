// Exit codes, several tickets at once, ids from a pipe, --query guards and --dry-run, through the real CLI.
import { describe, expect, test } from 'vitest';
import { api, closedPortUrl, createTicket, eventsOf, getTicket, json, tix, type TixOptions, serverForFile } from '../helpers/tix.js';

const { server } = serverForFile();
const run = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts });
const MISSING = 999_999;


/** Opens `n` tickets tagged `tag`; their ids in creation order. */
async function openTagged(tag: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) ids.push((await createTicket(server, { subject: `${tag} ${i}`, tags: [tag] })).id);
  return ids;
}

describe('exit codes', () => {
  test('show of a ticket that does not exist exits 3', async () => {
    const r = await run(['show', String(MISSING)]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`ticket ${MISSING} not found`);
  });

  test('a token the server does not know exits 4 and says how to log in', async () => {
    const r = await run(['list'], { env: { TIX_TOKEN: 'nope' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('tix auth login');
  });

  test('a server that is not running exits 6', async () => {
    const url = await closedPortUrl();
    const r = await run(['list'], { env: { TIX_URL: url, TIX_TOKEN: server.token } });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`cannot reach ${url}`);
  });

  test('an unknown flag exits 2 and names it', async () => {
    const r = await run(['list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--bogus');
  });

  test('an unknown command exits 2 and names it', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('frobnicate');
  });
});

describe('several tickets at once', () => {
  test('close of several ids reports each as changed, unchanged (already closed) or failed (not found), and exits 1', async () => {
    const [open, alreadyClosed] = (await openTagged('several', 2)) as [number, number];
    await api(server, 'POST', `/v1/tickets/${alreadyClosed}/close`, { body: { resolution: 'earlier' } });
    const r = await run(['close', String(open), String(alreadyClosed), String(MISSING), '--resolution', 'fixed in bulk', '--json']);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({
      ok: false,
      dry_run: false,
      summary: { changed: 1, unchanged: 1, failed: 1 },
      results: [
        { id: open, outcome: 'changed', changes: [{ field: 'status', from: 'new', to: 'closed' }] },
        { id: alreadyClosed, outcome: 'unchanged', reason: 'already closed' },
        { id: MISSING, outcome: 'failed', error: { code: 'not_found', status: 404, id: MISSING } },
      ],
    });
    expect((await getTicket(server, open)).status).toBe('closed');
  });

  test('ids piped from `tix list --format ndjson` into `tix close -` are all closed', async () => {
    const ids = await openTagged('pipe-ndjson', 3);
    const listed = await run(['list', 'tag:pipe-ndjson', '--format', 'ndjson']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trimEnd().split('\n')).toHaveLength(3);

    const r = await run(['close', '-', '--resolution', 'closed from a pipe', '--json'], { input: listed.stdout });
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    expect(report.results.map((x: { id: number }) => x.id).sort((a: number, b: number) => a - b)).toEqual(ids);
    expect(report.summary).toEqual({ changed: ids.length, unchanged: 0, failed: 0 });
    for (const id of ids) expect((await getTicket(server, id)).status).toBe('closed');
  });

  test('plain ids piped from `tix list --format ids` into `tix reopen -` are all reopened', async () => {
    const ids = await openTagged('pipe-ids', 2);
    for (const id of ids) await api(server, 'POST', `/v1/tickets/${id}/close`, { body: { resolution: 'closed too early' } });
    const listed = await run(['list', 'tag:pipe-ids', '--state', 'done', '--format', 'ids']);
    expect(listed.stdout).toBe(ids.map((id) => `${id}\n`).join(''));

    const r = await run(['reopen', '-', '--comment', 'closed too early, customer still affected'], { input: listed.stdout });
    expect(r.code, r.stderr).toBe(0);
    for (const id of ids) expect((await getTicket(server, id)).status).toBe('in_progress');
  });
});

describe('--query and --dry-run', () => {
  test('--query without --yes or --dry-run, and no terminal to confirm on, exits 2 and changes nothing', async () => {
    const ids = await openTagged('query-guard', 2);
    const before = await Promise.all(ids.map((id) => eventsOf(server, id)));
    const r = await run(['close', '--query', 'tag:query-guard', '--resolution', 'spam']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(r.stderr).toMatch(/--dry-run/);
    for (const [i, id] of ids.entries()) {
      expect((await getTicket(server, id)).status).toBe('new');
      expect(await eventsOf(server, id)).toEqual(before[i]);
    }
  });

  test('--dry-run prints one before → after line per matching ticket and changes nothing', async () => {
    const ids = await openTagged('dry-run', 2);
    const before = await Promise.all(ids.map((id) => eventsOf(server, id)));
    const r = await run(['close', '--query', 'tag:dry-run', '--resolution', 'spam', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').sort()).toEqual(ids.map((id) => `#${id}\tstatus: new → closed`).sort());
    for (const [i, id] of ids.entries()) {
      expect((await getTicket(server, id)).status).toBe('new');
      expect(await eventsOf(server, id)).toEqual(before[i]);
    }
  });

  test('--query with --yes changes every matching ticket and no other', async () => {
    const ids = await openTagged('query-yes', 2);
    const [bystander] = await openTagged('query-bystander', 1);
    const r = await run(['close', '--query', 'tag:query-yes', '--resolution', 'spam', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).results.filter((x: { outcome: string }) => x.outcome === 'changed').map((x: { id: number }) => x.id).sort((a: number, b: number) => a - b)).toEqual(ids);
    for (const id of ids) expect((await getTicket(server, id)).status).toBe('closed');
    expect((await getTicket(server, bystander!)).status).toBe('new');
  });
});
