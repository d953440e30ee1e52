// Whenever JSON output was asked for, every error is one JSON object on stderr, parse errors included.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ErrorEnvelope } from '../../src/domain/envelope.js';
import { api, closedPortUrl, createTicket, serverForFile, tix, type Env } from '../helpers/tix.js';

const { server } = serverForFile();

interface ErrorPath {
  name: string;
  args: () => Promise<string[]>;
  env?: () => Promise<Env>;
  exit: number;
  code: string;
}

/** A checks file that does not parse, as a CI job might hand over. */
function badChecks(): string {
  const path = join(server.configDir, 'bad-checks.json');
  writeFileSync(path, '{"rules": [');
  return path;
}

const closedTicket = async () => {
  const { id } = await createTicket(server, { subject: 'closed one' });
  await api(server, 'POST', `/v1/tickets/${id}/close`, { body: { resolution: 'done' } });
  return id;
};

const PATHS: ErrorPath[] = [
  { name: 'unknown flag', args: async () => ['list', '--bogus-flag'], exit: 2, code: 'usage' },
  { name: 'unknown command', args: async () => ['frobnicate'], exit: 2, code: 'usage' },
  { name: 'missing argument', args: async () => ['show'], exit: 2, code: 'usage' },
  { name: 'missing flag, no prompt allowed', args: async () => ['close', '1'], exit: 2, code: 'usage' },
  { name: 'invalid value', args: async () => ['list', '--limit', 'lots'], exit: 2, code: 'usage' },
  { name: 'check with a file that is not JSON', args: async () => ['check', '--file', badChecks()], exit: 2, code: 'usage' },
  { name: 'not found', args: async () => ['show', '999999'], exit: 3, code: 'not_found' },
  { name: 'conflict', args: async () => ['triage', String(await closedTicket()), '--team', 'support'], exit: 5, code: 'conflict' },
  { name: 'auth', args: async () => ['list'], env: async () => ({ TIX_TOKEN: 'tix_not_a_real_token_at_all' }), exit: 4, code: 'unauthenticated' },
  { name: 'unavailable', args: async () => ['list'], env: async () => ({ TIX_URL: await closedPortUrl(), TIX_TOKEN: server.token }), exit: 6, code: 'unavailable' },
];

const MODES = [
  { mode: '--json', flags: ['--json'] },
  { mode: '--format json', flags: ['--format', 'json'] },
  { mode: '--format ndjson', flags: ['--format', 'ndjson'] },
];

describe.each(MODES)('with $mode', ({ flags }) => {
  test.each(PATHS)('$name: stderr is one error object, exit $exit', async (p) => {
    const r = await tix([...(await p.args()), ...flags], { server, env: await p.env?.() });
    expect(r.code, r.stderr).toBe(p.exit);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    const parsed = ErrorEnvelope.parse(JSON.parse(lines[0]!));
    expect(parsed.error.code).toBe(p.code);
    expect(parsed.error.message).not.toMatch(/^tix: |^error: /);
  });
});

describe('without JSON', () => {
  test.each(PATHS)('$name: stderr is a plain line', async (p) => {
    const r = await tix(await p.args(), { server, env: await p.env?.() });
    expect(r.code).toBe(p.exit);
    expect(r.stderr).toMatch(/^tix: /);
    expect(() => JSON.parse(r.stderr)).toThrow();
  });
});

test("a parse error gives commander's suggestion as the hint", async () => {
  const r = await tix(['lst', '--json'], { server });
  expect(JSON.parse(r.stderr).error).toEqual({ code: 'usage', message: "unknown command 'lst'", hint: 'Did you mean one of list, ls?' });
});

test('the token is never echoed in a JSON parse error', async () => {
  const r = await tix(['auth', 'login', `--with-token=${server.token}`, '--json'], { server });
  expect(r.code).toBe(2);
  expect(r.stderr).not.toContain(server.token);
  expect(JSON.parse(r.stderr).error.code).toBe('usage');
});

test('tix --help shows the result envelope and the error object', async () => {
  const r = await tix(['--help'], { server });
  expect(r.stdout).toContain('"ok","dry_run","summary"');
  expect(r.stdout).toContain('{"error":{"code","message"');
  expect(r.stdout).toContain('--max-wait');
});
