// A token never appears in argv, output, logs or error messages: a whole e2e session, plain and with --debug,
// is captured and searched for every token in play; only `tix auth token` prints one, on purpose.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPortUrl, createTicket, getTicket, readDb, serverForFile, tix, type Env, type RunResult } from '../helpers/tix.js';

const { server, users } = serverForFile();
let scratch: string;
/** A token-shaped secret the server never issued: refused, and never echoed either. */
const WRONG_TOKEN = `tix_${'W'.repeat(8)}rongTokenNeverIssued${'x'.repeat(12)}`;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tix-leak-'));
});
afterAll(async () => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const allTokens = () => ({
  admin: server.token,
  agent: users.agent.token,
  'acme requester': users.acmeRequester.token,
  'globex requester': users.globexRequester.token,
  'acme org admin': users.acmeOrgAdmin.token,
  'a wrong token': WRONG_TOKEN,
});

/** Which tokens (by owner) occur in the text. */
const leaksIn = (text: string) => Object.entries(allTokens()).filter(([, token]) => text.includes(token)).map(([who]) => who);

/** Every file under a directory, as text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(dir, rel))
    .filter((p) => statSync(p).isFile())
    .map((path) => ({ path, text: readFileSync(path).toString('latin1') }));
}

type Who = 'admin' | 'agent' | 'requester' | 'globex' | 'org admin' | 'wrong token';
interface Step {
  who: Who;
  args: () => string[] | Promise<string[]>;
  code: number;
  input?: () => string;
}

const envOf = (who: Who): Env => {
  switch (who) {
    case 'admin':
      return {}; // the profile "local" that `tix serve` saved: token from the credentials file
    case 'agent':
      return { TIX_TOKEN: users.agent.token };
    case 'requester':
      return { TIX_TOKEN: users.acmeRequester.token };
    case 'globex':
      return { TIX_TOKEN: users.globexRequester.token };
    case 'org admin':
      return { TIX_TOKEN: users.acmeOrgAdmin.token };
    case 'wrong token':
      return { TIX_TOKEN: WRONG_TOKEN };
  }
};

/** A working session: reads, every kind of write, bulk runs, and each kind of failure. */
async function session(round: string): Promise<Step[]> {
  const open = async (subject: string) => (await createTicket(server, { subject: `${subject} (${round})` }, users.acmeRequester.token)).id;
  const a = await open('Checkout fails for EU cards');
  const b = await open('Invoice PDF is blank');
  const c = await open('Password reset mail is late');
  const d = await open('Typo on the pricing page');
  const e = await open('Export to CSV times out');
  const f = await open('Dark mode contrast');
  const escalation = async () => String((await getTicket(server, a)).escalation);
  const journal = join(scratch, `journal-${round}.jsonl`);
  const nowhere = await closedPortUrl();
  return [
    { who: 'admin', args: () => ['list'], code: 0 },
    { who: 'admin', args: () => ['list', '--json'], code: 0 },
    { who: 'admin', args: () => ['list', '--all', '--state', 'all', '--format', 'ndjson'], code: 0 },
    { who: 'admin', args: () => ['show', String(a), '--comments', '--events'], code: 0 },
    { who: 'admin', args: () => ['create', '--subject', `Printer offline (${round})`, '--description', 'The office printer is offline.'], code: 0 },
    { who: 'agent', args: () => ['triage', String(a), '--team', 'engineering', '--priority', 'high', '--justification', 'many users affected, workaround exists'], code: 0 },
    { who: 'agent', args: () => ['reprioritize', String(a), '--to', 'critical', '--reason', 'checkout down for all EU customers'], code: 0 },
    { who: 'agent', args: () => ['escalate', String(a), '--reason', 'the payment webhook drops events', '--eta', '2026-12-01'], code: 0 },
    { who: 'agent', args: () => ['escalation', 'list'], code: 0 },
    { who: 'agent', args: async () => ['escalation', 'show', await escalation()], code: 0 },
    { who: 'agent', args: async () => ['escalation', 'advance', await escalation(), '--to', 'under_evaluation', '--note', 'engineering has it'], code: 0 },
    { who: 'agent', args: () => ['comment', String(b), '--body', 'checked the logs, see runbook 12'], code: 0 },
    { who: 'requester', args: () => ['comment', String(b), '--body', 'any news?', '--public'], code: 0 },
    { who: 'agent', args: () => ['close', String(b), '--resolution', 'Fixed in 2.4.1'], code: 0 },
    { who: 'admin', args: () => ['close', '-', '--resolution', 'closed in bulk', '--json'], input: () => `${c}\n${d}\n`, code: 0 },
    { who: 'admin', args: () => ['close', String(e), String(f), String(b), '--resolution', 'closed in bulk', '--format', 'ndjson', '--journal', journal], code: 0 },
    { who: 'admin', args: () => ['close', '--query', `"(${round})" state:open`, '--resolution', 'end of the session', '--dry-run'], code: 0 },
    { who: 'admin', args: () => ['check', 'priority:critical', '--max', '0', '--format', 'junit'], code: 1 },
    { who: 'admin', args: () => ['list', '--url', nowhere], code: 4 }, // the saved token never goes to another server
    { who: 'agent', args: () => ['list', '--url', nowhere], code: 6 },
    { who: 'admin', args: () => ['list', '--url', 'not a url'], code: 2 },
    { who: 'admin', args: () => ['show', '999999'], code: 3 },
    { who: 'admin', args: () => ['show', '999999', '--json'], code: 3 },
    { who: 'admin', args: () => ['create', '--subject', 'On behalf', '--description', 'Opened for a stranger.', '--requester', 'nobody.here'], code: 2 },
    { who: 'admin', args: () => ['api', 'POST', '/v1/tickets', '--data', '{"subject":""}'], code: 2 },
    { who: 'admin', args: () => ['api', 'GET', '/v1/me'], code: 0 },
    { who: 'admin', args: () => ['auth', 'status'], code: 0 },
    { who: 'admin', args: () => ['auth', 'status', '--json'], code: 0 },
    { who: 'agent', args: () => ['auth', 'status', '--json'], code: 0 },
    { who: 'agent', args: () => ['list', '--assignee', 'me', '--format', 'csv'], code: 0 },
    { who: 'requester', args: () => ['show', String(a)], code: 0 },
    { who: 'requester', args: () => ['triage', String(a), '--team', 'support'], code: 4 },
    { who: 'globex', args: () => ['show', String(a), '--json'], code: 3 },
    { who: 'org admin', args: () => ['list', '--json'], code: 0 },
    { who: 'wrong token', args: () => ['list'], code: 4 },
    { who: 'wrong token', args: () => ['auth', 'status', '--json'], code: 4 },
  ];
}

/** Runs the steps in order and returns everything they wrote, labelled. */
async function runSession(round: string, extra: string[]): Promise<{ transcript: string; results: Array<{ label: string; r: RunResult }> }> {
  const results: Array<{ label: string; r: RunResult }> = [];
  for (const step of await session(round)) {
    const args = [...extra, ...(await step.args())];
    const r = await tix(args, { server, env: envOf(step.who), input: step.input?.(), timeoutMs: 30_000 });
    const label = `[${step.who}] tix ${args.join(' ')}`;
    expect(r.code, `${label}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(step.code);
    results.push({ label, r });
  }
  const transcript = results.map(({ label, r }) => `${label}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n`).join('\n');
  return { transcript, results };
}

function expectNoTokenIn(results: Array<{ label: string; r: RunResult }>) {
  const leaks = results.flatMap(({ label, r }) => leaksIn(`${r.stdout}\n${r.stderr}`).map((who) => `${label}: the ${who} token`));
  expect(leaks).toEqual([]);
}

/** Both sessions run once, side by side, whichever test asks first: the checks of what was written hold in any order. */
const memo = <T>(make: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
};
const bothSessions = memo(() => Promise.all([runSession('plain', []), runSession('debug', ['--debug'])]));

describe('a whole e2e session never shows a token', () => {
  test('plain run: stdout and stderr of every command hold no token', async () => {
    const [{ results, transcript }] = await bothSessions();
    expectNoTokenIn(results);
    // the session did reach the server as every user, and did fail in every way it meant to
    expect(transcript).toMatch(/cannot reach/);
    expect(transcript).toMatch(/not found/);
  }, 120_000);

  test('--debug run: the HTTP trace on stderr shows the headers with the token redacted, and no token anywhere', async () => {
    const [, { results, transcript }] = await bothSessions();
    expectNoTokenIn(results);
    expect(transcript).toMatch(/> GET http/);
    expect(transcript).toMatch(/> POST http/);
    expect(transcript).toMatch(/authorization: Bearer \[redacted\]/);
    expect(transcript).toMatch(/< 40[134] /);
  }, 120_000);

  test('nothing the session wrote to disk holds a token in clear, except the credentials file of the profile', async () => {
    await bothSessions();
    const written = [...filesUnder(server.configDir), ...filesUnder(scratch)];
    expect(written.some((f) => f.path.endsWith('.jsonl'))).toBe(true);
    const leaks = written.filter((f) => !f.path.endsWith('credentials.json')).flatMap((f) => leaksIn(f.text).map((who) => `${f.path}: the ${who} token`));
    expect(leaks).toEqual([]);
    expect(leaksIn(readFileSync(join(server.configDir, 'credentials.json'), 'utf8'))).toEqual(['admin']);
  }, 120_000);

  test('the database holds no token in clear, only hashes', async () => {
    await bothSessions();
    if (server.databaseUrl) {
      // every row of every table, as PostgreSQL spells it
      const tables = await readDb<{ name: string }>(server, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.map((t) => t.name)).toContain('tokens');
      const rows = await Promise.all(tables.map((t) => readDb<{ row: string }>(server, `SELECT CAST(x AS text) AS row FROM "${t.name}" x`)));
      const text = rows.flat().map((r) => r.row).join('\n');
      expect(text).toMatch(/admin/);
      expect(leaksIn(text)).toEqual([]);
      return;
    }
    // the server wrote its pages through WAL: read the main file and the log
    const files = [server.dbPath, `${server.dbPath}-wal`].filter(existsSync);
    expect(files.length).toBeGreaterThan(0);
    const bytes = files.map((p) => readFileSync(p).toString('latin1')).join('');
    expect(leaksIn(bytes)).toEqual([]);
  }, 120_000);

  test('the server log shows the admin token once, at first start, and no other token ever', async () => {
    await bothSessions();
    const log = server.stderr();
    expect(log.split(server.token)).toHaveLength(2);
    const afterBootstrap = log.slice(log.indexOf(server.token) + server.token.length);
    expect(leaksIn(afterBootstrap)).toEqual([]);
    expect(leaksIn(log.replace(server.token, ''))).toEqual([]);
  }, 120_000);
});

describe('tix auth token prints the token, on purpose and only there', () => {
  test('it prints the stored token of the profile to stdout, nothing else, and stderr stays clean', async () => {
    const r = await tix(['auth', 'token'], { server });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${server.token}\n`);
    expect(leaksIn(r.stderr)).toEqual([]);
  });

  test('with TIX_TOKEN set it prints that token', async () => {
    const r = await tix(['auth', 'token'], { server, env: { TIX_TOKEN: users.agent.token } });
    expect([r.code, r.stdout]).toEqual([0, `${users.agent.token}\n`]);
  });

  test('with --debug it still prints the token once on stdout and no trace of it on stderr', async () => {
    const r = await tix(['--debug', 'auth', 'token'], { server });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${server.token}\n`);
    expect(leaksIn(r.stderr)).toEqual([]);
  });
});

describe('auth login takes the token from stdin only', () => {
  const freshConfig = () => mkdtempSync(join(scratch, 'config-'));

  test('login --with-token reads stdin, saves the token, and shows it nowhere, --debug included', async () => {
    for (const extra of [[], ['--debug']]) {
      const dir = freshConfig();
      const r = await tix([...extra, 'auth', 'login', '--url', server.url, '--with-token'], { server, env: { TIX_CONFIG_DIR: dir }, input: `${users.agent.token}\n` });
      expect(r.code, r.stderr).toBe(0);
      expect(leaksIn(`${r.stdout}\n${r.stderr}`)).toEqual([]);
      expect(r.stderr).toMatch(/Logged in/);
      const files = filesUnder(dir);
      expect(files.filter((f) => leaksIn(f.text).length > 0).map((f) => f.path.slice(dir.length))).toEqual(['/credentials.json']);
    }
  });

  test('a refused token given on stdin is not echoed in the error', async () => {
    const r = await tix(['auth', 'login', '--url', server.url, '--with-token'], { server, env: { TIX_CONFIG_DIR: freshConfig() }, input: `${WRONG_TOKEN}\n` });
    expect(r.code).toBe(4);
    expect(leaksIn(`${r.stdout}\n${r.stderr}`)).toEqual([]);
  });

  test.each([
    ['--token TOKEN', (t: string) => ['--token', t]],
    ['the token as an argument', (t: string) => [t]],
    ['--with-token TOKEN', (t: string) => ['--with-token', t]],
    ['--with-token=TOKEN', (t: string) => [`--with-token=${t}`]],
    ['--token=TOKEN', (t: string) => [`--token=${t}`]],
  ])('a token on the command line (%s) is refused as a usage error (exit 2), not saved and not echoed', async (_name, place) => {
    const dir = freshConfig();
    const r = await tix(['auth', 'login', '--url', server.url, ...place(users.agent.token)], { server, env: { TIX_CONFIG_DIR: dir }, input: '' });
    expect(r.code, r.stderr).toBe(2);
    expect(leaksIn(`${r.stdout}\n${r.stderr}`)).toEqual([]);
    expect(filesUnder(dir).filter((f) => leaksIn(f.text).length > 0)).toEqual([]);
  });

  test('the login command offers no option that takes a token value', async () => {
    const r = await tix(['auth', 'login', '--help'], { server });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--with-token\s/);
    expect(r.stdout).not.toMatch(/--token|--with-token[ =]<|--with-token \[/);
  });
});
