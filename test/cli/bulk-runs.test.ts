// Bulk runs of the real CLI in this process, against a real server on a port: what each run prints,
// its exit code and its journal. In-process, so the bulk engine's every branch is seen by coverage.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ResultEnvelope } from '../../src/domain/envelope.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startServer, type TestServer } from '../server/helpers.js';

let s: TestServer;
let url: string;
let dir: string;

beforeAll(async () => {
  s = await startServer();
  url = await s.app.listen({ port: 0, host: '127.0.0.1' });
  dir = mkdtempSync(join(tmpdir(), 'tix-bulk-runs-'));
});
afterAll(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const sink = () => {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (c: string) => (text += c));
  return { stream, text: () => text };
};

interface TixOptions {
  as?: string;
  stdin?: string;
  token?: string;
  stderrTTY?: boolean;
  /** Run on a terminal (stdin and stdout TTYs, not CI): once stdout shows `when`, the keys are typed. */
  terminal?: { when: string; keys: string };
  /** Another server than the file's. */
  server?: { url: string; s: TestServer };
  /** Told each piece of stderr as it is written. */
  onStderr?: (text: string) => void;
}

/** One `tix …` as `as` (a login of the cast), stdin given, on no terminal unless asked. */
async function tix(argv: string[], opts: TixOptions = {}): Promise<Run> {
  const server = opts.server ?? { url, s };
  const out = sink();
  const err = sink();
  if (opts.onStderr) err.stream.on('data', opts.onStderr);
  const env: NodeJS.ProcessEnv = { TIX_URL: server.url, TIX_TOKEN: opts.token ?? server.s.tokens.get(opts.as ?? 'alice'), TIX_CONFIG_DIR: join(dir, 'config'), TIX_KEYRING: '0', NO_COLOR: '1' };
  let stdin: NodeJS.ReadableStream & { isTTY?: boolean } = Readable.from([opts.stdin ?? '']);
  if (opts.terminal) {
    const { when, keys } = opts.terminal;
    const keyboard = Object.assign(new PassThrough(), { isTTY: true });
    let typed = false;
    out.stream.on('data', () => {
      if (!typed && out.text().includes(when)) {
        typed = true;
        // once the question is drawn and listening, not while it is being drawn
        setImmediate(() => keyboard.write(keys));
      }
    });
    stdin = keyboard;
    Object.assign(out.stream, { isTTY: true });
  } else env.CI = 'true';
  const code = await main(argv, { stdout: out.stream, stderr: Object.assign(err.stream, opts.stderrTTY ? { isTTY: true } : {}), stdin }, env);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}

const envelopeOf = (r: Run) => ResultEnvelope.parse(JSON.parse(r.stdout));
/** Tickets opened for one test, with a word in the subject that only that test uses. */
const openTickets = async (n: number, word = `w${Math.random().toString(36).slice(2, 10)}`) => {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await s.open('carol', { subject: `Printer ${word} jams ${i}` })).id);
  return { ids, word };
};
const journalPath = (name: string) => join(dir, `${name}-${Math.random().toString(36).slice(2, 8)}.jsonl`);
const statusOf = async (id: number) => (await s.ticket(id)).status;

describe('a bulk run over several tickets', () => {
  it('answers one envelope with --json: each ticket changed, unchanged or failed, in the order given', async () => {
    const { ids } = await openTickets(3);
    await tix(['close', String(ids[1]), '--resolution', 'earlier']);
    const r = await tix(['close', String(ids[0]), String(ids[1]), '999999', String(ids[2]), '--resolution', 'fixed in 2.4', '--json']);
    expect(r.code).toBe(1);
    const e = envelopeOf(r);
    expect(e).toMatchObject({ ok: false, dry_run: false, summary: { changed: 2, unchanged: 1, failed: 1 } });
    expect(e.results.map((x) => [x.id, x.outcome])).toEqual([
      [ids[0], 'changed'],
      [ids[1], 'unchanged'],
      [999999, 'failed'],
      [ids[2], 'changed'],
    ]);
    expect(e.results[1]).toMatchObject({ reason: 'already closed', changes: [] });
    expect(e.results[2]!.error).toMatchObject({ code: 'not_found', status: 404, id: 999999 });
    expect(e.results[0]!.changes).toContainEqual({ field: 'status', from: 'new', to: 'closed' });
    // with JSON asked for, each result carries the ticket as it now is
    expect(e.results[0]!.ticket).toMatchObject({ id: ids[0], status: 'closed' });
    expect(r.stderr).toBe('');
  });

  it('for people: a failure line per failed ticket as it happens, then one summary line; exit 1', async () => {
    const { ids } = await openTickets(2);
    await tix(['close', String(ids[1]), '--resolution', 'earlier']);
    const r = await tix(['close', `${ids[0]},${ids[1]},999999`, '--resolution', 'fixed']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('tix: #999999: ticket 999999 not found\nclosed 1, skipped 1 (already so), failed 1\n');
  });

  it('all changed: exit 0 and the summary alone', async () => {
    const { ids } = await openTickets(2);
    const r = await tix(['close', ...ids.map(String), '--resolution', 'fixed']);
    expect([r.code, r.stderr]).toEqual([0, 'closed 2, skipped 0 (already so), failed 0\n']);
  });

  it('--format ndjson streams one result per line, the envelope not at all', async () => {
    const { ids } = await openTickets(2);
    const r = await tix(['close', ...ids.map(String), '--resolution', 'fixed', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; outcome: string });
    expect(lines.map((l) => l.id).sort()).toEqual([...ids].sort());
    expect(lines.every((l) => l.outcome === 'changed')).toBe(true);
    // the stream is the whole answer: no summary line for people beside it
    expect(r.stderr).toBe('');
  });

  it('--json with fields trims each result ticket to them', async () => {
    const { ids } = await openTickets(2);
    const r = await tix(['close', ...ids.map(String), '--resolution', 'fixed', '--json', 'id,status']);
    expect(envelopeOf(r).results.map((x) => x.ticket)).toEqual(ids.map((id) => ({ id, status: 'closed' })));
  });

  it('a ticket named twice is changed once', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['close', String(ids[0]), `${ids[0]},${ids[0]}`, '--resolution', 'fixed', '--json']);
    expect(envelopeOf(r).results.map((x) => x.id)).toEqual([ids[0]]);
  });
});

describe('one ticket named', () => {
  it('changed: a status line naming it', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['close', String(ids[0]), '--resolution', 'fixed']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', `✓ Closed #${ids[0]}\n`]);
  });

  it('already so: says so, exit 0', async () => {
    const { ids } = await openTickets(1);
    await tix(['close', String(ids[0]), '--resolution', 'fixed']);
    const r = await tix(['close', String(ids[0]), '--resolution', 'fixed']);
    expect([r.code, r.stderr]).toEqual([0, `#${ids[0]} already closed; nothing changed\n`]);
  });

  it('its error gives the exit code: 3 for a missing ticket, 4 for a forbidden change', async () => {
    const missing = await tix(['close', '999999', '--resolution', 'fixed']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^tix: .*999999.*not found/);
    const { ids } = await openTickets(1);
    const forbidden = await tix(['assign', String(ids[0]), '--to', 'bob'], { as: 'carol' });
    expect(forbidden.code).toBe(4);
    expect((await s.ticket(ids[0]!)).assignee).toBeNull();
  });

  it('with --json its error is in the envelope, and still gives the exit code', async () => {
    const r = await tix(['close', '999999', '--resolution', 'fixed', '--json']);
    expect(r.code).toBe(3);
    expect(envelopeOf(r).results[0]).toMatchObject({ id: 999999, outcome: 'failed', error: { code: 'not_found' } });
  });

  it('a conflict (reprioritizing a closed ticket) exits 5', async () => {
    const { ids } = await openTickets(1);
    await tix(['close', String(ids[0]), '--resolution', 'fixed']);
    const r = await tix(['assign', String(ids[0]), '--to', 'bob']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/closed/);
  });
});

describe('ids from stdin', () => {
  it('plain lines and JSON lines with an id, blank lines skipped, the last line without a newline', async () => {
    const { ids } = await openTickets(3);
    const stdin = `${ids[0]}\n\n{"id":${ids[1]},"subject":"x"}\n  {"id":"${ids[2]}"}`;
    const r = await tix(['close', '-', '--resolution', 'fixed', '--json'], { stdin });
    expect(r.code, r.stderr).toBe(0);
    expect(envelopeOf(r).results.map((x) => x.id)).toEqual(ids);
  });

  it('one id on stdin is still a run over many: the summary line, not the single status', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['close', '-', '--resolution', 'fixed'], { stdin: `${ids[0]}\n` });
    expect([r.code, r.stderr]).toEqual([0, 'closed 1, skipped 0 (already so), failed 0\n']);
  });

  it.each([
    ['{"id":', 'stdin line 1: not valid JSON'],
    ['5\n{"subject":"no id"}\n', 'stdin line 2: JSON line has no "id"'],
    ['5\nabc\n', 'abc'],
  ])('a bad line (%j) is a usage error before anything changes', async (stdin, message) => {
    const r = await tix(['close', '-', '--resolution', 'fixed'], { stdin });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('- may appear once', async () => {
    const r = await tix(['close', '-', '-', '--resolution', 'fixed'], { stdin: '1\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/- may appear once/);
  });
});

describe('targets', () => {
  it('ids and --query together are refused; no target at all is refused', async () => {
    const both = await tix(['close', '1', '--query', 'status:new', '--resolution', 'x']);
    expect([both.code, both.stderr]).toEqual([2, 'tix: give ticket ids or --query, not both\n']);
    const none = await tix(['close', '--resolution', 'x']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no tickets given/);
  });

  it('a malformed id is refused before any flag is looked at', async () => {
    const r = await tix(['close', '12,x1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x1/);
  });
});

describe('--query', () => {
  it('without --yes and with no one to ask: a usage error naming how many, nothing changed', async () => {
    const { ids, word } = await openTickets(2);
    const r = await tix(['close', '--query', `"${word}"`, '--resolution', 'fixed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tix: --query changes 2 tickets: add --yes to apply or --dry-run to preview\n');
    expect(await statusOf(ids[0]!)).toBe('new');
  });

  it('with --yes it changes every match', async () => {
    const { ids, word } = await openTickets(3);
    const r = await tix(['--yes', 'close', '--query', `"${word}"`, '--resolution', 'fixed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(envelopeOf(r).results.map((x) => x.id)).toEqual(ids);
    for (const id of ids) expect(await statusOf(id)).toBe('closed');
  });

  it('nothing matching: says so, and the envelope is empty', async () => {
    const r = await tix(['--yes', 'close', '--query', '"no ticket has this phrase"', '--resolution', 'fixed', '--json']);
    expect(r.code).toBe(0);
    expect(envelopeOf(r)).toMatchObject({ ok: true, dry_run: false, summary: { changed: 0, unchanged: 0, failed: 0 }, results: [] });
    expect(r.stderr).toBe('no tickets match ""no ticket has this phrase""\n');
  });

  it('a dry run lists each ticket and what would change, reads nothing twice, changes nothing', async () => {
    const { ids, word } = await openTickets(2);
    await tix(['assign', String(ids[1]), '--to', 'bob']);
    const r = await tix(['assign', '--query', `"${word}"`, '--to', 'bob', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`#${ids[0]}\tassignee: none → bob\n#${ids[1]}\tno change\n`);
    expect(r.stderr).toBe('dry run: 1 of 2 tickets would change; nothing was changed\n');
    expect((await s.ticket(ids[0]!)).assignee).toBeNull();
  });
});

describe('a dry run over ids', () => {
  it('reads each ticket: what would change, what is refused (exit 1), what is missing', async () => {
    const { ids } = await openTickets(2);
    await tix(['close', String(ids[1]), '--resolution', 'fixed']);
    const r = await tix(['assign', String(ids[0]), String(ids[1]), '999999', '--to', 'bob', '--dry-run', '--json']);
    expect(r.code).toBe(1);
    const e = envelopeOf(r);
    expect(e).toMatchObject({ ok: false, dry_run: true, summary: { changed: 1, unchanged: 0, failed: 2 } });
    expect(e.results.map((x) => x.outcome)).toEqual(['would_change', 'would_fail', 'would_fail']);
    expect(e.results[1]!.error).toEqual({ code: 'conflict', message: 'ticket is closed; reopen it first', status: 409, id: ids[1] });
    expect(e.results[2]!.error).toMatchObject({ code: 'not_found', id: 999999 });
    expect((await s.ticket(ids[0]!)).assignee).toBeNull();
  });

  it('for people: every field that would change, on the ticket’s line', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['triage', String(ids[0]), '--team', 'support', '--level', '2', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`#${ids[0]}\tstatus: new → in_progress, team: none → support, level: none → 2\n`);
  });

  it('for people: the refusal on the ticket line', async () => {
    const { ids } = await openTickets(2);
    await tix(['close', String(ids[1]), '--resolution', 'fixed']);
    const r = await tix(['assign', String(ids[0]), String(ids[1]), '--to', 'bob', '--dry-run']);
    expect(r.stdout).toBe(`#${ids[0]}\tassignee: none → bob\n#${ids[1]}\tcannot: ticket is closed; reopen it first\n`);
  });

  it('one ticket refused in a dry run gives the conflict exit code', async () => {
    const { ids } = await openTickets(1);
    await tix(['close', String(ids[0]), '--resolution', 'fixed']);
    const r = await tix(['assign', String(ids[0]), '--to', 'bob', '--dry-run']);
    expect(r.code).toBe(5);
  });
});

describe('--journal', () => {
  it('a re-run skips what the journal saw finish, reported as done in an earlier run', async () => {
    const { ids } = await openTickets(3);
    const journal = journalPath('resume');
    const first = await tix(['close', String(ids[0]), String(ids[1]), '--resolution', 'fixed', '--journal', journal, '--json']);
    expect(first.code).toBe(0);
    const second = await tix(['close', ...ids.map(String), '--resolution', 'fixed', '--journal', journal, '--json']);
    expect(second.code).toBe(0);
    const e = envelopeOf(second);
    expect(e.results.map((x) => [x.id, x.outcome, x.reason])).toEqual([
      [ids[0], 'unchanged', 'done in an earlier run'],
      [ids[1], 'unchanged', 'done in an earlier run'],
      [ids[2], 'changed', undefined],
    ]);
    expect(JSON.parse(second.stderr.trim())).toEqual({ warning: { code: 'resumed', message: `resuming from ${journal}: 2 tickets already finished` } });
    // one journal line per finished ticket: none was sent twice
    const done = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; id?: number }).filter((l) => l.kind === 'done');
    expect(done.map((l) => l.id).sort()).toEqual([...ids].sort());
  });

  it('a ticket that failed in an earlier run is reported failed again, not re-sent', async () => {
    const { ids } = await openTickets(1);
    const journal = journalPath('failed');
    await tix(['close', String(ids[0]), '999999', '--resolution', 'fixed', '--journal', journal]);
    const r = await tix(['close', String(ids[0]), '999999', '--resolution', 'fixed', '--journal', journal, '--json']);
    expect(r.code).toBe(1);
    expect(envelopeOf(r).results[1]).toMatchObject({
      id: 999999,
      outcome: 'failed',
      reason: 'failed in an earlier run of this journal',
      error: { code: 'not_found', id: 999999 },
    });
  });

  it('for people, a ticket that failed in an earlier run is counted, not warned about again', async () => {
    const { ids } = await openTickets(1);
    const journal = journalPath('failed-text');
    await tix(['close', String(ids[0]), '999999', '--resolution', 'fixed', '--journal', journal]);
    const r = await tix(['close', String(ids[0]), '999999', '--resolution', 'fixed', '--journal', journal]);
    expect([r.code, r.stderr]).toEqual([1, `resuming from ${journal}: 2 tickets already finished\nclosed 0, skipped 1 (already so), failed 1\n`]);
  });

  it('a re-sent batch reports once the tickets of it the journal saw finish', async () => {
    const { ids } = await openTickets(2);
    const journal = journalPath('overlap');
    await tix(['close', String(ids[0]), '--resolution', 'fixed', '--journal', journal]);
    // a batch of both planned by a run killed before its answer came, ids[0] finished by the run before
    writeFileSync(journal, `${readFileSync(journal, 'utf8')}${JSON.stringify({ kind: 'batch', key: 'k-overlap', ids: [ids[0], ids[1]] })}\n`);
    const r = await tix(['close', ...ids.map(String), '--resolution', 'fixed', '--journal', journal, '--json']);
    expect(envelopeOf(r).results.map((x) => [x.id, x.outcome])).toEqual([
      [ids[0], 'unchanged'],
      [ids[1], 'changed'],
    ]);
    const done = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; id?: number }).filter((l) => l.kind === 'done');
    expect(done.map((l) => l.id)).toEqual([ids[0], ids[1]]);
  });

  it('a re-sent batch that fails as a whole reports only the tickets this run named', async () => {
    const { ids } = await openTickets(2);
    const journal = journalPath('failed-batch');
    const third = (await openTickets(1)).ids[0]!;
    await tix(['close', String(third), '--resolution', 'fixed', '--journal', journal]);
    writeFileSync(journal, `${readFileSync(journal, 'utf8')}${JSON.stringify({ kind: 'batch', key: 'k-refused', ids: [ids[0], ids[1]] })}\n`);
    const r = await tix(['close', String(ids[0]), '--resolution', 'fixed', '--journal', journal, '--json'], { token: 'tix_not_a_token_of_anyone_at_all' });
    expect(r.code).toBe(4);
    expect(envelopeOf(r).results.map((x) => [x.id, x.error?.code])).toEqual([[ids[0], 'unauthenticated']]);
  });

  it('for people, the resume is a status line', async () => {
    const { ids } = await openTickets(1);
    const journal = journalPath('text');
    await tix(['close', String(ids[0]), '--resolution', 'fixed', '--journal', journal]);
    const r = await tix(['close', String(ids[0]), '--resolution', 'fixed', '--journal', journal]);
    expect(r.stderr).toBe(`resuming from ${journal}: 1 tickets already finished\nclosed 0, skipped 1 (already so), failed 0\n`);
  });

  it('one id with a journal is a run, not a single change: a failure is exit 1, not its own code', async () => {
    const r = await tix(['close', '999999', '--resolution', 'fixed', '--journal', journalPath('single')]);
    expect(r.code).toBe(1);
  });

  it('a journal of another body, or of another command, is refused before anything is sent', async () => {
    const { ids } = await openTickets(2);
    const journal = journalPath('other');
    await tix(['close', String(ids[0]), '--resolution', 'fixed', '--journal', journal]);
    const other = await tix(['close', String(ids[1]), '--resolution', 'won’t fix', '--journal', journal]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/belongs to another run \(close \{"resolution":"fixed"\}\)/);
    const move = await tix(['move', String(ids[1]), '--to', 'pending_customer', '--journal', journal]);
    expect(move.code).toBe(2);
    expect(await statusOf(ids[1]!)).toBe('new');
  });

  it('a batch planned but never answered is re-sent under its key, and its tickets outside this run are not reported', async () => {
    const { ids } = await openTickets(3);
    const journal = journalPath('planned');
    const fingerprintRun = await tix(['close', String(ids[2]), '--resolution', 'fixed', '--journal', journal]);
    expect(fingerprintRun.code).toBe(0);
    // a run killed after planning a batch of two, before its answer came
    writeFileSync(journal, `${readFileSync(journal, 'utf8')}${JSON.stringify({ kind: 'batch', key: 'k-planned-1', ids: [ids[0], ids[1]] })}\n`);
    const r = await tix(['close', String(ids[0]), String(ids[2]), '--resolution', 'fixed', '--journal', journal, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(envelopeOf(r).results.map((x) => [x.id, x.outcome])).toEqual([
      [ids[0], 'changed'],
      [ids[2], 'unchanged'],
    ]);
    // the planned batch went whole, under its key: ids[1] too, and a replay of the key changes nothing more
    expect(await statusOf(ids[1]!)).toBe('closed');
    const replay = await s.call('alice', 'POST', '/v1/batch', { operations: [ids[0], ids[1]].map((id) => ({ op: 'close', id, body: { resolution: 'fixed' } })) }, {
      'idempotency-key': 'k-planned-1',
    });
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});

describe('a run stopped by an error', () => {
  it('a refused token stops it: the first batch failed, the rest not sent, the error’s exit code', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['close', String(ids[0]), '999998', '--resolution', 'fixed', '--json', '--concurrency', '1'], { token: 'tix_not_a_token_of_anyone_at_all' });
    expect(r.code).toBe(4);
    const e = envelopeOf(r);
    expect(e.results.map((x) => x.outcome)).toEqual(['failed', 'failed']);
    expect(e.results[0]!.error).toMatchObject({ code: 'unauthenticated', id: ids[0] });
    expect(await statusOf(ids[0]!)).toBe('new');
  });

  it('batches after the failed one are not sent: each of their tickets says so', async () => {
    const ids = Array.from({ length: 251 }, (_, i) => String(900_000 + i));
    const r = await tix(['close', ...ids, '--resolution', 'fixed', '--json', '--concurrency', '1'], { token: 'tix_not_a_token_of_anyone_at_all' });
    expect(r.code).toBe(4);
    const e = envelopeOf(r);
    expect(e.results).toHaveLength(251);
    expect(e.results.slice(0, 250).every((x) => x.error?.code === 'unauthenticated')).toBe(true);
    expect(e.results[250]).toEqual({
      id: 900_250,
      outcome: 'failed',
      changes: [],
      error: { code: 'not_sent', message: 'not sent: the run stopped after an error; re-run to finish', id: 900_250 },
    });
  });
});

describe('the progress bar on a terminal', () => {
  const missing = (n: number) => Array.from({ length: n }, (_, i) => String(800_000 + i));
  const bar = (n: number) => new RegExp(`\\d+/${n} tickets`);
  /** What a line shows once drawn: the text after the last clearing of the line (ESC[2K), without the escapes before it. */
  const shown = (line: string) => {
    const cleared = line.lastIndexOf('\x1b[2K');
    return line.slice(cleared === -1 ? 0 : cleared + 4).replace(/^(\x1b\[[0-9?;]*[A-Za-z])*/, '');
  };

  it('is drawn for a run of more than one batch, each failure on a line of its own above it, then the summary', async () => {
    const r = await tix(['close', ...missing(251), '--resolution', 'fixed', '--concurrency', '1'], { stderrTTY: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(bar(251));
    // the cursor is hidden while the bar is drawn, and shown again after its last frame, which counts every ticket
    expect(r.stderr.startsWith('\x1b[?25l')).toBe(true);
    const lastFrame = r.stderr.slice(0, r.stderr.indexOf('\x1b[?25h'));
    expect(lastFrame.slice(lastFrame.lastIndexOf('\x1b[1G'))).toMatch(/^\x1b\[1G█+ 251\/251 tickets/);
    // each failure is a whole line, written where the bar was once its line is cleared (ESC[2K), never beside the bar
    const lines = r.stderr.split('\n');
    const failures = lines.filter((l) => l.includes('not found'));
    expect(failures).toHaveLength(251);
    for (const [i, line] of failures.entries()) expect(shown(line)).toBe(`tix: #${800_000 + i}: ticket ${800_000 + i} not found`);
    // the bar's line is cleared for the summary
    expect(r.stderr.endsWith('\x1b[1G\x1b[0Jclosed 0, skipped 0 (already so), failed 251\n')).toBe(true);
  });

  it('with --debug, each trace line too is printed above the bar, never on its line', async () => {
    // the first batch is answered 600 ms late: frames of the bar are drawn before its answer is traced
    let batches = 0;
    const proxy = await startFaultProxy(url, (req) => (req.url.startsWith('/v1/batch') && ++batches === 1 ? { kind: 'delay', ms: 600 } : { kind: 'pass' }));
    try {
      const r = await tix(['--debug', 'close', ...missing(251), '--resolution', 'fixed', '--concurrency', '1'], { stderrTTY: true, server: { url: proxy.url, s } });
      expect(r.code).toBe(1);
      // the request and the answer of each batch: each a line of its own, though the first answer comes while the bar is drawn
      const trace = r.stderr.split('\n').filter((l) => l.includes('> POST ') || l.includes('< 200 POST '));
      expect(trace).toHaveLength(4);
      expect(r.stderr.indexOf('0/251 tickets')).toBeLessThan(r.stderr.indexOf('< 200 POST '));
      for (const line of trace) expect(shown(line)).toMatch(/^(> POST|< 200 POST) /);
    } finally {
      await proxy.close();
    }
  });

  it('is not drawn for one batch or less, with --quiet, in a dry run, with --json, or off a terminal', async () => {
    const oneBatch = await tix(['close', ...missing(250), '--resolution', 'fixed'], { stderrTTY: true });
    expect(oneBatch.stderr).not.toMatch(bar(250));
    // and the run goes on as without a bar, to its summary
    expect(oneBatch.code).toBe(1);
    expect(oneBatch.stderr.endsWith('tix: #800249: ticket 800249 not found\nclosed 0, skipped 0 (already so), failed 250\n')).toBe(true);
    expect((await tix(['--quiet', 'close', ...missing(251), '--resolution', 'fixed'], { stderrTTY: true })).stderr).not.toMatch(bar(251));
    expect((await tix(['close', ...missing(251), '--resolution', 'fixed', '--dry-run', '--json'], { stderrTTY: true })).stderr).not.toMatch(bar(251));
    // with JSON every line on stderr is a JSON object, so no bar either
    const asJson = await tix(['close', ...missing(251), '--resolution', 'fixed', '--json'], { stderrTTY: true });
    expect([asJson.code, asJson.stderr]).toEqual([1, '']);
    expect((await tix(['close', ...missing(251), '--resolution', 'fixed'])).stderr).not.toMatch(bar(251));
  });
});

describe('one-target changes that are not batch operations (comment, create, escalation advance)', () => {
  it('a comment: a status line saying which kind; a missing ticket exits 3, in the envelope too', async () => {
    const { ids } = await openTickets(1);
    expect(await tix(['comment', String(ids[0]), '--body', 'looking into it'])).toEqual({ code: 0, stdout: '', stderr: `✓ Internal comment added to #${ids[0]}\n` });
    expect((await tix(['comment', String(ids[0]), '--body', 'fixed soon', '--public'])).stderr).toBe(`✓ Public comment added to #${ids[0]}\n`);
    expect((await s.comments(ids[0]!)).map((c) => c.public)).toEqual([false, true]);
    const missing = await tix(['comment', '999999', '--body', 'x']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^tix: .*999999.*not found/);
    const asJson = await tix(['comment', '999999', '--body', 'x', '--json']);
    expect(asJson.code).toBe(3);
    expect(envelopeOf(asJson)).toMatchObject({ ok: false, results: [{ id: 999999, outcome: 'failed', error: { code: 'not_found', id: 999999 } }] });
  });

  it('a comment in a dry run adds nothing, and would fail on a missing ticket', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['comment', String(ids[0]), '--body', 'x', '--dry-run']);
    expect([r.code, r.stderr]).toEqual([0, `dry run: would add an internal comment to #${ids[0]}; nothing was added\n`]);
    expect(await s.comments(ids[0]!)).toEqual([]);
    const missing = await tix(['comment', '999999', '--body', 'x', '--dry-run', '--json']);
    expect(missing.code).toBe(3);
    expect(envelopeOf(missing)).toMatchObject({ dry_run: true, results: [{ outcome: 'would_fail', error: { code: 'not_found' } }] });
  });

  it('an escalation advance refused in a dry run exits 5 with the refusal in the envelope', async () => {
    const { ids } = await openTickets(1);
    await s.call('alice', 'POST', `/v1/tickets/${ids[0]}/triage`, { team: 'support' });
    const escalated = await s.call('alice', 'POST', `/v1/tickets/${ids[0]}/escalate`, { reason: 'replication lag corrupts invoices' });
    const cp = (escalated.json() as { escalation: string }).escalation;
    expect((await s.call('alice', 'POST', `/v1/escalations/${cp}/advance`, { to: 'under_evaluation' })).statusCode).toBe(200);
    const r = await tix(['escalation', 'advance', cp, '--to', 'under_evaluation', '--dry-run', '--json']);
    expect(r.code).toBe(5);
    expect(envelopeOf(r).results[0]).toMatchObject({ id: cp, outcome: 'would_fail', error: { code: 'conflict', status: 409, id: cp } });
    const text = await tix(['escalation', 'advance', cp, '--to', 'under_evaluation', '--dry-run']);
    expect(text.code).toBe(5);
    expect(text.stderr).toMatch(new RegExp(`^tix: ${cp}: an escalation moves forward only: it is under_evaluation, cannot go to under_evaluation`));
  });
});

describe('what a run sends, keeps and reports', () => {
  const journalLines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; id?: number; ids?: number[]; key?: string; result?: string });

  it('ids with empty places between commas are read as the ids there are', async () => {
    const { ids } = await openTickets(2);
    const r = await tix(['close', `${ids[0]},,${ids[1]},`, '--resolution', 'fixed', '--json']);
    expect(envelopeOf(r).results.map((x) => x.id)).toEqual(ids);
  });

  it('a --query run of one ticket is still a run over many: the summary line', async () => {
    const { word } = await openTickets(1);
    const r = await tix(['--yes', 'close', '--query', `"${word}"`, '--resolution', 'fixed']);
    expect([r.code, r.stderr]).toEqual([0, 'closed 1, skipped 0 (already so), failed 0\n']);
  });

  it('a failed create reports an error without a ticket id', async () => {
    const r = await tix(['create', '--subject', 'On behalf', '--description', 'd', '--requester', 'nobody.here', '--json']);
    expect(r.code).toBe(2);
    const [result] = envelopeOf(r).results;
    expect(result).toMatchObject({ id: null, outcome: 'failed', error: { code: 'validation' } });
    expect(result!.error).not.toHaveProperty('id');
  });

  it('a dry run with --json carries each ticket as it is now, and why one is left alone', async () => {
    const { ids } = await openTickets(2);
    await tix(['assign', String(ids[1]), '--to', 'bob']);
    const e = envelopeOf(await tix(['assign', ...ids.map(String), '--to', 'bob', '--dry-run', '--json']));
    expect(e.results.map((x) => x.ticket?.id)).toEqual(ids);
    expect(e.results[1]).toMatchObject({ outcome: 'unchanged', reason: 'already assigned to bob' });
  });

  it('failed results carry no ticket, even with --json fields', async () => {
    const { ids } = await openTickets(1);
    const e = envelopeOf(await tix(['close', String(ids[0]), '999999', '--resolution', 'fixed', '--json', 'id,status']));
    expect(e.results[0]!.ticket).toEqual({ id: ids[0], status: 'closed' });
    expect(e.results[1]).not.toHaveProperty('ticket');
  });

  it('the journal plans each batch before sending it, and records each ticket as succeeded, skipped or failed', async () => {
    const { ids } = await openTickets(2);
    await tix(['close', String(ids[1]), '--resolution', 'fixed']);
    const journal = journalPath('lines');
    const first = await tix(['close', String(ids[0]), String(ids[1]), '999999', '--resolution', 'fixed', '--journal', journal, '--json']);
    // a fresh journal resumes nothing, so says nothing
    expect(first.stderr).toBe('');
    const lines = journalLines(journal);
    expect(lines.filter((l) => l.kind === 'batch').map((l) => l.ids)).toEqual([[ids[0], ids[1], 999999]]);
    expect(lines.filter((l) => l.kind === 'done').map((l) => [l.id, l.result])).toEqual(
      expect.arrayContaining([
        [ids[0], 'succeeded'],
        [ids[1], 'skipped'],
        [999999, 'failed'],
      ]),
    );
  });

  it('a ticket the journal saw finish is not sent again, even if it changed since', async () => {
    const { ids } = await openTickets(2);
    const journal = journalPath('not-again');
    await tix(['close', String(ids[0]), '--resolution', 'fixed', '--journal', journal]);
    expect((await s.call('alice', 'POST', `/v1/tickets/${ids[0]}/reopen`, { comment: 'not fixed after all' })).statusCode).toBe(200);
    const r = await tix(['close', ...ids.map(String), '--resolution', 'fixed', '--journal', journal, '--json']);
    expect(envelopeOf(r).results.map((x) => [x.id, x.outcome])).toEqual([
      [ids[0], 'unchanged'],
      [ids[1], 'changed'],
    ]);
    expect(await statusOf(ids[0]!)).not.toBe('closed');
  });

  it('a batch planned by an earlier run is re-sent under its key and not planned twice', async () => {
    const { ids } = await openTickets(2);
    const journal = journalPath('planned-once');
    await tix(['close', String(ids[1]), '--resolution', 'fixed', '--journal', journal]);
    writeFileSync(journal, `${readFileSync(journal, 'utf8')}${JSON.stringify({ kind: 'batch', key: 'k-planned-2', ids: [ids[0]] })}\n`);
    await tix(['close', ...ids.map(String), '--resolution', 'fixed', '--journal', journal]);
    expect(journalLines(journal).filter((l) => l.kind === 'batch' && l.ids!.includes(ids[0]!)).map((l) => l.key)).toEqual(['k-planned-2']);
  });

  it('applyChange without onResult or progress (as MCP runs it) returns the envelope', async () => {
    const { applyChange } = await import('../../src/cli/bulk.js');
    const { operations } = await import('../../src/cli/commands/mutate.js');
    const { TixClient } = await import('../../src/client/index.js');
    const { ids } = await openTickets(1);
    const client = new TixClient({ baseUrl: url, token: s.tokens.get('alice')! });
    try {
      const { envelope } = await applyChange(operations.close('fixed'), { client, ids });
      expect(envelope.results).toEqual([{ id: ids[0], outcome: 'changed', changes: expect.any(Array) }]);
    } finally {
      await client.dispose();
    }
  });
});

describe('a --query run on a terminal asks before it changes anything', () => {
  it('answered yes: the question names the verb, the count and the query; every match is changed', async () => {
    const { ids, word } = await openTickets(2);
    const r = await tix(['close', '--query', word, '--resolution', 'fixed'], { terminal: { when: 'matching', keys: 'y\r' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')).toContain(`Close 2 tickets matching "${word}"? (y/N)`);
    expect(r.stderr).toBe('closed 2, skipped 0 (already so), failed 0\n');
    for (const id of ids) expect(await statusOf(id)).toBe('closed');
  });

  it('Enter alone is no: cancelled with exit 130, nothing changed', async () => {
    const { ids, word } = await openTickets(2);
    const r = await tix(['close', '--query', word, '--resolution', 'fixed'], { terminal: { when: 'matching', keys: '\r' } });
    expect([r.code, r.stderr]).toEqual([130, 'tix: cancelled; nothing was changed\n']);
    for (const id of ids) expect(await statusOf(id)).toBe('new');
  });

  it('--json on a terminal is the envelope indented for reading', async () => {
    const { ids, word } = await openTickets(1);
    const r = await tix(['--yes', 'close', '--query', word, '--resolution', 'fixed', '--json', 'id'], { terminal: { when: 'never asked', keys: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify(envelopeOf(r), null, 2)}\n`);
    expect(envelopeOf(r).results).toEqual([{ id: ids[0], outcome: 'changed', changes: expect.any(Array), ticket: { id: ids[0] } }]);
  });
});

describe('a value left out, on a terminal, is asked for on the terminal the command was given', () => {
  it('the resolution of a close: the question on its stdout, the answer from its stdin', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['close', String(ids[0])], { terminal: { when: 'What fixed it', keys: 'rebooted the router\r' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')).toContain('What fixed it');
    expect((await s.events(ids[0]!)).filter((e) => e.kind === 'closed')).toMatchObject([{ actor: 'alice', note: 'rebooted the router' }]);
  });

  it('the token of auth login: asked with the answer masked, checked with the server, never echoed', async () => {
    const token = s.tokens.get('bob')!;
    const r = await tix(['--profile', 'asked', 'auth', 'login', '--url', url], { terminal: { when: 'Token for', keys: `${token}\r` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')).toContain(`Token for ${url}`);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(r.stderr).toMatch(/bob/);
  });

  it('a justification too short is refused where it was typed; Ctrl+C then ends the question with 130, nothing changed', async () => {
    const { ids } = await openTickets(1);
    const r = await tix(['reprioritize', String(ids[0]), '--to', 'low'], { terminal: { when: 'Why (at least 10', keys: 'short\r\x03' } });
    expect(r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')).toMatch(/Why \(at least 10 characters\)[^\n]*short[\s\S]*at least 10/);
    expect(r.code, r.stderr).toBe(130);
    expect((await s.events(ids[0]!)).filter((e) => e.kind === 'priority_changed')).toEqual([]);
  });
});

describe('a run that meets the rate limit waits it out, saying so', () => {
  let limited: TestServer;
  let limitedUrl: string;
  beforeAll(async () => {
    // one request per token and window; the window ends when the test moves the server's clock
    limited = await startServer({ app: { rateLimit: { limit: 1, windowSeconds: 1 } } });
    limitedUrl = await limited.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await limited?.close();
  });
  // each test starts in a window of its own, whatever ran before it
  beforeEach(() => {
    limited.clock.advance(2_000);
  });
  // the wait is announced once; the window then ends on the server
  const endWindowOnNotice = (text: string) => {
    if (text.includes('rate limited by the server; waiting')) limited.clock.advance(2_000);
  };

  it('ids: the second batch is refused until the window ends, then sent', async () => {
    const ids = Array.from({ length: 251 }, (_, i) => String(700_000 + i));
    const r = await tix(['close', ...ids, '--resolution', 'fixed', '--concurrency', '1', '--json'], { server: { url: limitedUrl, s: limited }, onStderr: endWindowOnNotice });
    expect(r.code).toBe(1);
    expect(envelopeOf(r).results.every((x) => x.error?.code === 'not_found')).toBe(true);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ warning: { code: 'rate_limited', retry_after: expect.any(Number) } });
  });

  it('on a terminal, the wait is said above the progress bar, and the bar is drawn again below it while the run waits', async () => {
    // the refusal of the second batch comes 600 ms late: a frame of the bar of its own (one each 100 ms) has drawn the first batch's count
    let batches = 0;
    const proxy = await startFaultProxy(limitedUrl, (req) => (req.url.startsWith('/v1/batch') && ++batches === 2 ? { kind: 'delay', ms: 600 } : { kind: 'pass' }));
    try {
      const ids = Array.from({ length: 251 }, (_, i) => String(710_000 + i));
      const r = await tix(['close', ...ids, '--resolution', 'fixed', '--concurrency', '1'], { server: { url: proxy.url, s: limited }, stderrTTY: true, onStderr: endWindowOnNotice });
      expect(r.code).toBe(1);
      const notice = r.stderr.indexOf('tix: rate limited by the server; waiting');
      expect(notice).toBeGreaterThan(r.stderr.lastIndexOf('250/251 tickets', notice));
      // the notice alone in its frame: the line cleared, the notice, and the bar as it was, drawn again below it
      expect(r.stderr.slice(notice - 4)).toMatch(/^\x1b\[2Ktix: rate limited by the server; waiting \d+ s[^\n]*\n\x1b\[1G[█░]+ 250\/251 tickets/);
      expect(r.stderr.endsWith('closed 0, skipped 0 (already so), failed 251\n')).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('--query: the change after the listing waits out the window', async () => {
    const word = `w${Math.random().toString(36).slice(2, 10)}`;
    const { id } = await limited.open('carol', { subject: `Printer ${word} jams` });
    const r = await tix(['--yes', 'close', '--query', word, '--resolution', 'fixed'], { server: { url: limitedUrl, s: limited }, onStderr: endWindowOnNotice });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^tix: rate limited by the server; waiting \d s/);
    limited.clock.advance(2_000);
    expect((await limited.ticket(id)).status).toBe('closed');
  });
});

describe('applyChange with a journal, as a library runs it', () => {
  const withClient = async <T>(work: (client: InstanceType<typeof import('../../src/client/index.js').TixClient>) => Promise<T>) => {
    const { TixClient } = await import('../../src/client/index.js');
    const client = new TixClient({ baseUrl: url, token: s.tokens.get('alice')! });
    try {
      return await work(client);
    } finally {
      await client.dispose();
    }
  };
  const runLine = (path: string) => JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as { kind: string; at: string };

  it('the journal is started at the time of the clock given', async () => {
    const { applyChange } = await import('../../src/cli/bulk.js');
    const { operations } = await import('../../src/cli/commands/mutate.js');
    const { ids } = await openTickets(1);
    const journal = journalPath('clock');
    await withClient((client) => applyChange(operations.close('fixed'), { client, ids, journal, now: () => new Date('2031-05-06T07:08:09.000Z') }));
    expect(runLine(journal)).toMatchObject({ kind: 'run', at: '2031-05-06T07:08:09.000Z' });
  });

  it('without a clock, at the time it runs; a resume without onNote still resumes', async () => {
    const { applyChange } = await import('../../src/cli/bulk.js');
    const { operations } = await import('../../src/cli/commands/mutate.js');
    const { ids } = await openTickets(2);
    const journal = journalPath('no-clock');
    const before = Date.now();
    await withClient((client) => applyChange(operations.close('fixed'), { client, ids: [ids[0]!], journal }));
    const at = Date.parse(runLine(journal).at);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    const { envelope } = await withClient((client) => applyChange(operations.close('fixed'), { client, ids, journal }));
    expect(envelope.results.map((x) => [x.id, x.outcome, x.reason])).toEqual([
      [ids[0], 'unchanged', 'done in an earlier run'],
      [ids[1], 'changed', undefined],
    ]);
  });
});
