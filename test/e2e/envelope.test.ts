// Every command that changes something answers the one result envelope, for one ticket, several, or a dry run.
import { describe, expect, test } from 'vitest';
import { ResultEnvelope, ResultItem } from '../../src/domain/envelope.js';
import { api, commentsOf, createTicket, eventsOf, getTicket, json, serverForFile, tix, type RunResult } from '../helpers/tix.js';

const { server, users } = serverForFile();
const run = (args: string[]) => tix(args, { server });

async function open(n: number, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await createTicket(server, { subject: `${tag} ${i}`, tags: [tag] })).id);
  return ids;
}

/** Brings tickets to in_progress, the status most changes start from. */
async function inProgress(n: number, tag: string): Promise<number[]> {
  const ids = await open(n, tag);
  for (const id of ids) await api(server, 'POST', `/v1/tickets/${id}/triage`, { body: {} });
  return ids;
}

async function closed(n: number, tag: string): Promise<number[]> {
  const ids = await open(n, tag);
  for (const id of ids) await api(server, 'POST', `/v1/tickets/${id}/close`, { body: { resolution: 'done earlier' } });
  return ids;
}

/** stdout parsed by the envelope's own schema: a shape that drifts fails here. */
function envelope(r: RunResult): ResultEnvelope {
  const parsed = ResultEnvelope.safeParse(json(r));
  if (!parsed.success) throw new Error(`not an envelope: ${parsed.error.message}\n${r.stdout}`);
  return parsed.data;
}

interface Case {
  name: string;
  /** Fresh targets for each way of running, and the command for them. */
  targets(n: number): Promise<(number | string)[]>;
  args(ids: (number | string)[]): string[];
  /** Fields the change touches: each must be listed in `changes`, dry run included. */
  fields: string[];
  /** Takes one target only (create, comment, escalation advance). */
  one?: boolean;
}

const CASES: Case[] = [
  { name: 'triage', targets: (n) => open(n, 'env-triage'), args: (ids) => ['triage', ...ids.map(String), '--team', 'engineering', '--level', '3'], fields: ['status', 'team', 'level'] },
  { name: 'reprioritize', targets: (n) => inProgress(n, 'env-prio'), args: (ids) => ['reprioritize', ...ids.map(String), '--to', 'low', '--reason', 'cosmetic only, confirmed'], fields: ['priority'] },
  { name: 'priority (alias)', targets: (n) => inProgress(n, 'env-prio2'), args: (ids) => ['priority', ...ids.map(String), '--to', 'high', '--reason', 'many users affected now'], fields: ['priority'] },
  { name: 'assign', targets: (n) => inProgress(n, 'env-assign'), args: (ids) => ['assign', ...ids.map(String), '--to', users.agent.login], fields: ['assignee'] },
  { name: 'move', targets: (n) => inProgress(n, 'env-move'), args: (ids) => ['move', ...ids.map(String), '--to', 'pending_customer', '--note', 'asked for logs'], fields: ['status'] },
  { name: 'escalate', targets: (n) => inProgress(n, 'env-escalate'), args: (ids) => ['escalate', ...ids.map(String), '--reason', 'needs a code fix', '--level', '3'], fields: ['status', 'escalation'] },
  { name: 'close', targets: (n) => inProgress(n, 'env-close'), args: (ids) => ['close', ...ids.map(String), '--resolution', 'fixed in 2.4.1'], fields: ['status'] },
  { name: 'reopen', targets: (n) => closed(n, 'env-reopen'), args: (ids) => ['reopen', ...ids.map(String), '--comment', 'customer sees it again'], fields: ['status'] },
  { name: 'comment', one: true, targets: (n) => open(n, 'env-comment'), args: (ids) => ['comment', String(ids[0]), '--body', 'checked the logs'], fields: ['comments'] },
  { name: 'create', one: true, targets: async () => [0], args: () => ['create', '--subject', 'Export fails', '--description', 'CSV export answers 500'], fields: ['subject', 'status'] },
  {
    name: 'escalation advance',
    one: true,
    targets: async (n) => {
      const ids = await inProgress(n, 'env-advance');
      for (const id of ids) await api(server, 'POST', `/v1/tickets/${id}/escalate`, { body: { reason: 'engine bug' } });
      return Promise.all(ids.map(async (id) => (await getTicket(server, id)).escalation!));
    },
    args: (ids) => ['escalation', 'advance', String(ids[0]), '--to', 'under_evaluation'],
    fields: ['state'],
  },
];

describe.each(CASES)('$name answers the result envelope', (c) => {
  test('for one target', async () => {
    const [id] = await c.targets(1);
    const r = await run([...c.args([id!]), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = envelope(r);
    expect(e).toMatchObject({ ok: true, dry_run: false, summary: { changed: 1, unchanged: 0, failed: 0 } });
    expect(e.results).toHaveLength(1);
    const [result] = e.results;
    expect(result!.outcome).toBe('changed');
    if (c.name !== 'create') expect(result!.id).toBe(id);
    else expect(result!.ticket?.id).toBe(result!.id);
    for (const field of c.fields) expect(result!.changes.map((x) => x.field)).toContain(field);
    if (c.name === 'comment') expect(result!.comment).toMatchObject({ body: 'checked the logs', public: false });
    if (c.name === 'escalation advance') expect(result!.escalation).toMatchObject({ id, state: 'under_evaluation' });
    // stderr holds no plain status line when JSON was asked for
    expect(r.stderr).toBe('');
  });

  test('for several targets, in the order named', async () => {
    if (c.one) {
      // one target only: the same envelope with one result is what several would repeat
      const r = await run([...c.args(await c.targets(1)), '--format', 'json']);
      expect(envelope(r).results).toHaveLength(1);
      return;
    }
    const ids = await c.targets(3);
    const r = await run([...c.args(ids), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = envelope(r);
    expect(e).toMatchObject({ ok: true, dry_run: false, summary: { changed: 3, unchanged: 0, failed: 0 } });
    expect(e.results.map((x) => x.id)).toEqual(ids);
    for (const result of e.results) {
      expect(result.outcome).toBe('changed');
      for (const field of c.fields) expect(result.changes.map((x) => x.field)).toContain(field);
    }
  });

  test('as a dry run, listing every field it would touch and changing nothing', async () => {
    const ids = await c.targets(c.one ? 1 : 2);
    const before = c.name === 'create' || c.name === 'escalation advance' ? [] : await Promise.all(ids.map((id) => eventsOf(server, Number(id))));
    const r = await run([...c.args(ids), '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = envelope(r);
    expect(e).toMatchObject({ ok: true, dry_run: true, summary: { changed: ids.length, unchanged: 0, failed: 0 } });
    for (const result of e.results) {
      expect(result.outcome).toBe('would_change');
      for (const field of c.fields) expect(result.changes.map((x) => x.field)).toContain(field);
    }
    for (const [i, id] of before.entries()) expect(await eventsOf(server, Number(ids[i]))).toEqual(id);
  });
});

describe('the envelope', () => {
  test('a dry run of triage --level 3 lists level, team and status with before and after', async () => {
    const [id] = await open(1, 'env-level');
    const r = await run(['triage', String(id), '--level', '3', '--team', 'support', '--dry-run', '--json']);
    expect(envelope(r).results[0]!.changes).toEqual([
      { field: 'status', from: 'new', to: 'in_progress' },
      { field: 'team', from: null, to: 'support' },
      { field: 'level', from: null, to: 3 },
    ]);
  });

  test('a change that changes nothing is unchanged, with a reason, and exits 0', async () => {
    const [a, b] = await closed(2, 'env-noop');
    for (const ids of [[a], [a, b]]) {
      const r = await run(['close', ...ids.map(String), '--resolution', 'again', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const e = envelope(r);
      expect(e.summary).toEqual({ changed: 0, unchanged: ids.length, failed: 0 });
      for (const result of e.results) expect(result).toMatchObject({ outcome: 'unchanged', changes: [], reason: 'already closed' });
    }
  });

  test('a failed ticket is in the envelope with its error; one named exits with its code, several exit 1', async () => {
    const [id] = await inProgress(1, 'env-fail');
    const one = await run(['close', '999999', '--resolution', 'x', '--json']);
    expect(one.code).toBe(3);
    expect(envelope(one).results[0]).toMatchObject({ id: 999999, outcome: 'failed', error: { code: 'not_found', status: 404, id: 999999 } });
    expect(JSON.parse(one.stderr)).toMatchObject({ error: { code: 'not_found', id: 999999 } });

    const several = await run(['close', String(id), '999999', '--resolution', 'x', '--json']);
    expect(several.code).toBe(1);
    const e = envelope(several);
    expect(e).toMatchObject({ ok: false, summary: { changed: 1, unchanged: 0, failed: 1 } });
    // no plain summary line mixed into stderr
    expect(several.stderr).toBe('');
  });

  test('--json FIELDS keeps only those fields of each ticket', async () => {
    const ids = await inProgress(2, 'env-fields');
    const r = await run(['assign', ...ids.map(String), '--to', 'none', '--json', 'id,assignee']);
    for (const result of envelope(r).results) expect(Object.keys(result.ticket!)).toEqual(['id', 'assignee']);
  });

  test('an unknown --json field is a usage error before anything changes, one target or many', async () => {
    const [a, b] = await inProgress(2, 'env-badfield');
    const comment = await run(['comment', String(a), '--body', 'never added', '--json', 'id,bogus']);
    expect(comment.code).toBe(2);
    expect(JSON.parse(comment.stderr).error.message).toContain('"bogus"');
    expect(await commentsOf(server, a!)).toEqual([]);
    const close = await run(['close', String(a), String(b), '--resolution', 'x', '--json', 'bogus']);
    expect(close.code).toBe(2);
    expect((await getTicket(server, b!)).status).toBe('in_progress');
  });

  test('--format ndjson streams one result per line, each a result of the envelope', async () => {
    const ids = await inProgress(3, 'env-ndjson');
    const r = await run(['move', ...ids.map(String), '--to', 'pending_engineering', '--format', 'ndjson', '--json', 'id,status']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => ResultItem.parse(JSON.parse(l)));
    expect(lines.map((l) => l.id).sort()).toEqual([...ids].sort());
    for (const l of lines) expect(l.ticket).toEqual({ id: l.id, status: 'pending_engineering' });
  });

  test('--json with a --format that is not JSON is a usage error, and nothing changes', async () => {
    const [id] = await inProgress(1, 'env-disagree');
    const r = await run(['close', String(id), '--resolution', 'x', '--json', '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'usage' } });
    expect((await getTicket(server, id!)).status).toBe('in_progress');
  });

  test('without --json a change speaks to people: a status line, and a dry run line per ticket', async () => {
    const ids = await inProgress(2, 'env-text');
    const one = await run(['close', String(ids[0]), '--resolution', 'x']);
    expect(one.stdout).toBe('');
    expect(one.stderr).toBe(`✓ Closed #${ids[0]}\n`);
    const dry = await run(['close', ...ids.map(String), '--resolution', 'x', '--dry-run']);
    expect(dry.stdout).toBe(`#${ids[0]}\tno change\n#${ids[1]}\tstatus: in_progress → closed\n`);
  });
});
