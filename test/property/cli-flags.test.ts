// Property test of the built CLI: arbitrary values for every flag of the mutating commands, against a real server,
// always end with a documented exit code (0-5) and a message, never a crash or a stack trace.
// Each run is a child process and the machine has two cores, so the run count stays around forty.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTicket, createUsers, startServer, tix, type TestUsers, type TixServer } from '../helpers/tix.js';

const RUNS = Number(process.env.TIX_PROPERTY_CLI_RUNS ?? 34);

let server: TixServer;
let users: TestUsers;
let scratch: string;
/** Tickets of acme's requester: new, closed, escalated. */
let ids: number[] = [];
/** Files for --attach: missing, accepted, refused type, too big, a directory with a file-like name. */
let files: string[] = [];

beforeAll(async () => {
  server = await startServer();
  users = await createUsers(server);
  for (const subject of ['Invoices show the wrong VAT', 'SSO login loops', 'Webhooks dropped under load']) {
    ids.push((await createTicket(server, { subject }, users.acmeRequester.token)).id);
  }
  await api(server, 'POST', `/v1/tickets/${ids[1]}/close`, { body: { resolution: 'fixed the redirect' } });
  await api(server, 'POST', `/v1/tickets/${ids[2]}/escalate`, { body: { reason: 'dispatcher drops events' } });
  scratch = mkdtempSync(join(tmpdir(), 'tix-cli-props-'));
  writeFileSync(join(scratch, 'log.txt'), 'timeout after 30 s\n');
  writeFileSync(join(scratch, 'setup.exe'), 'MZ');
  writeFileSync(join(scratch, 'big.csv'), 'x'.repeat(600 * 1024));
  mkdirSync(join(scratch, 'folder.txt'));
  files = ['log.txt', 'setup.exe', 'big.csv', 'folder.txt', 'missing.pdf'].map((f) => join(scratch, f));
});
afterAll(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---- arbitraries ----------------------------------------------------------------

/** argv cannot carry NUL; everything else goes. */
const text = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '-', '--', '-1', '0', '1e3', 'NaN', 'Infinity', '--yes', '"', "'", '$(id)', '%s%n', '\\', 'x'.repeat(5000)),
).map((s) => s.replaceAll('\0', ''));
const oneOf = (...valid: string[]) => fc.oneof(fc.constantFrom(...valid), text);

const PRIORITY = oneOf('high', 'critical', 'urgent', 'LOW', 'medium');
const JUSTIFY = oneOf('the whole office cannot print', 'short');
const TEAM = oneOf('engineering', 'support', 'configuration', 'implementation');
const TYPE = oneOf('incident', 'problem', 'question', 'configuration', 'task');
const LEVEL = oneOf('1', '2', '3', '4', '1.0', '0x3');
const USER = oneOf('me', 'none', 'agent.e2e', 'rita.acme', 'nobody.here', 'Agent.E2E');
const STATUS = oneOf('in_progress', 'pending_customer', 'blocked', 'closed', 'escalated', 'new', 'resolved');
const DATE = oneOf('2026-12-01', '2026-02-30', '2026-13-01', '01/12/2026', '2026-12-01T10:00:00Z');
const QUERY = oneOf('status:new', 'state:all', 'priority:hihg', 'age:>4h', 'org:acme tag:none', '"unterminated');

type Flags = Record<string, fc.Arbitrary<string | true>>;
const BULK: Flags = { '--query': QUERY, '--dry-run': fc.constant(true), '--concurrency': oneOf('1', '8', '0', '257', '2.5') };
const COMMANDS: Record<string, Flags> = {
  close: { '--resolution': oneOf('replaced the toner'), ...BULK },
  reprioritize: { '--to': PRIORITY, '--reason': JUSTIFY, ...BULK },
  assign: { '--to': USER, ...BULK },
  move: { '--to': STATUS, '--note': text, '--blocked-by': oneOf('1', '2', '0', '-3', '#1'), ...BULK },
  escalate: { '--reason': oneOf('needs a patch'), '--team': TEAM, '--level': LEVEL, '--eta': DATE, ...BULK },
  reopen: { '--comment': oneOf('it fails again'), ...BULK },
  triage: { '--priority': PRIORITY, '--justification': JUSTIFY, '--team': TEAM, '--type': TYPE, '--level': LEVEL, '--assignee': USER, ...BULK },
  edit: {
    '--subject': oneOf('Printer offline again'), '--type': TYPE, '--team': TEAM, '--level': LEVEL, '--tag': oneOf('+printing,-old', '-', '+', 'a,-a', 'x'.repeat(41)),
    '--root-cause': oneOf('1', 'none', '0', '#2'), '--priority': PRIORITY, '--justification': JUSTIFY, ...BULK,
  },
  comment: { '--body': oneOf('checked the logs'), '--public': fc.constant(true), '--attach': fc.constantFrom(0, 1, 2, 3, 4).map((i) => files[i]!) },
  create: {
    '--subject': oneOf('Printer offline'), '--description': oneOf('The office printer is offline.'), '--priority': PRIORITY, '--justification': JUSTIFY,
    '--channel': oneOf('email', 'portal', 'fax'), '--type': TYPE, '--requester': USER, '--tag': oneOf('printing', ''),
  },
};
const GLOBALS: Flags = { '--json': oneOf('id,status', 'nope'), '--yes': fc.constant(true), '--format': oneOf('json', 'ndjson', 'ids', 'csv', 'xml') };

/** What each command cannot do without; present in most runs, so most runs get past the first usage check. */
const REQUIRED: Record<string, string[]> = {
  close: ['--resolution'], reprioritize: ['--to', '--reason'], assign: ['--to'], move: ['--to'], escalate: ['--reason'],
  reopen: ['--comment'], triage: [], edit: [], comment: ['--body'], create: ['--subject', '--description'],
};

const flagsOf = (spec: Flags, required: string[] = []) =>
  fc
    .tuple(fc.subarray(Object.keys(spec).filter((n) => !required.includes(n))), fc.subarray(required, { minLength: Math.min(required.length, 1) }), fc.nat(9))
    // one run in ten leaves out a required flag, to check the usage error too
    .map(([optional, someRequired, dice]) => [...(dice === 0 ? someRequired : required), ...optional])
    .chain((names) => fc.tuple(...names.map((n) => spec[n]!.map((v) => (v === true ? [n] : [n, v])))).map((pairs) => pairs.flat()));

const idArg = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, 1, 2).map((i) => String(ids[i])) },
  { weight: 1, arbitrary: fc.constantFrom('-', '0', '#1', '1,2', '99999', '9999999999999999999', 'abc', ' 1') },
  { weight: 1, arbitrary: text },
);

const invocation = fc
  .constantFrom(...Object.keys(COMMANDS))
  .chain((cmd) =>
    fc.record({
      cmd: fc.constant(cmd),
      ids: cmd === 'create' ? fc.constant<string[]>([]) : fc.oneof({ weight: 9, arbitrary: fc.array(idArg, { minLength: 1, maxLength: 3 }) }, fc.constant<string[]>([])),
      flags: flagsOf(COMMANDS[cmd]!, REQUIRED[cmd]),
      globals: flagsOf(GLOBALS),
      as: fc.constantFrom('admin', 'agent', 'requester'),
      stdin: fc.constantFrom('', `${ids[0] ?? 1}\n`, '{"id": 1}\n', 'not an id\n'),
    }),
  );

/** A JS error, a raw Node error code or a stack frame on stderr means something was not turned into a message. */
const CRASH = /TypeError|ReferenceError|RangeError|SyntaxError|Unhandled|ERR_[A-Z_]+|\b(EISDIR|ENOENT|ENOTDIR|EACCES|EPERM|EMFILE): |\n\s+at \S.*:\d+:\d+/;

describe('mutating commands under arbitrary flag values', () => {
  it('always exit 0-5 with a message, never a crash or a stack trace', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(invocation, async ({ cmd, ids: targets, flags, globals, as, stdin }) => {
        const args = [cmd, ...targets, ...flags, ...globals, '--no-input'];
        const env = as === 'admin' ? {} : { TIX_TOKEN: as === 'agent' ? users.agent.token : users.acmeRequester.token };
        const r = await tix(args, { server, env, input: stdin, timeoutMs: 30_000 });
        const context = `tix ${JSON.stringify(args)} as ${as} → exit ${r.code}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 1500)}`;
        expect([0, 1, 2, 3, 4, 5], context).toContain(r.code);
        expect(r.stderr, context).not.toMatch(CRASH);
        if (r.code === 2 || r.code === 3 || r.code === 4) expect(r.stderr.trim().length, context).toBeGreaterThan(0);
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        examples: [
          [{ cmd: 'edit', ids: ['1', '2'], flags: ['--tag', '+printing,-old', '--root-cause', '1', '--priority', 'high'], globals: ['--json', 'id,tags'], as: 'agent', stdin: '' }],
          [{ cmd: 'comment', ids: [String(1)], flags: ['--body', 'see the attached log', '--attach', files[3]!], globals: [], as: 'agent', stdin: '' }],
          [{ cmd: 'move', ids: ['1'], flags: ['--to', 'blocked', '--blocked-by', '1'], globals: ['--json'], as: 'agent', stdin: '' }],
          [{ cmd: 'triage', ids: ['-'], flags: ['--level', '3', '--team', 'engineering'], globals: ['--yes'], as: 'admin', stdin: 'not an id\n' }],
          [{ cmd: 'escalate', ids: [], flags: ['--reason', 'needs engineering', '--query', 'state:all', '--dry-run'], globals: ['--format', 'ndjson'], as: 'requester', stdin: '' }],
          [{ cmd: 'create', ids: [], flags: ['--subject', ' ', '--description', 'x'.repeat(30_000)], globals: [], as: 'requester', stdin: '' }],
          [{ cmd: 'reprioritize', ids: ['1', '2'], flags: ['--to', 'urgent', '--reason', 'all checkouts fail'], globals: ['--json', 'id,nope'], as: 'agent', stdin: '' }],
        ],
      },
    );
  });
});
