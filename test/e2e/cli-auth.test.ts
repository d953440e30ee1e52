// Credentials through the real CLI: where the token is stored, with which mode, and that it never leaks.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { closedPortUrl, serverForFile, tix, type RunResult, type TixOptions } from '../helpers/tix.js';

const { server, users } = serverForFile();
const scratch: string[] = [];
const run = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts });

afterAll(async () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A config directory nobody has logged in from yet. */
function freshConfigDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tix-e2e-config-'));
  scratch.push(dir);
  return dir;
}

const credentialsOf = (dir: string) => join(dir, 'credentials.json');
const modeOf = (path: string) => statSync(path).mode & 0o777;
const everything = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

describe('stored credentials', () => {
  test('tix serve saves the admin token for profile "local" in credentials.json readable by its owner only (0600)', () => {
    const path = credentialsOf(server.configDir);
    expect(modeOf(path)).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ local: server.token });
  });

  test('auth login --with-token reads the token from stdin, checks it with the server and saves it with mode 0600', async () => {
    const dir = freshConfigDir();
    const login = await run(['auth', 'login', '--url', server.url, '--with-token'], { env: { TIX_CONFIG_DIR: dir }, input: `${users.agent.token}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(everything(login)).not.toContain(users.agent.token);
    expect(modeOf(credentialsOf(dir))).toBe(0o600);
    expect(Object.values(JSON.parse(readFileSync(credentialsOf(dir), 'utf8')))).toEqual([users.agent.token]);

    const status = await run(['auth', 'status', '--json'], { env: { TIX_CONFIG_DIR: dir } });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ url: server.url, user: users.agent.login, role: 'agent' });
  });

  test('auth login with a token the server refuses exits 4 and saves nothing', async () => {
    const dir = freshConfigDir();
    const login = await run(['auth', 'login', '--url', server.url, '--with-token'], { env: { TIX_CONFIG_DIR: dir }, input: 'tix_not-a-real-token\n' });
    expect(login.code).toBe(4);
    expect(existsSync(credentialsOf(dir))).toBe(false);
    const config = join(dir, 'config.json');
    const saved = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as { profiles?: object }).profiles ?? {} : {};
    expect(saved).toEqual({});
  });

  test('auth logout removes the stored token, and the CLI is then not authenticated (exit 4)', async () => {
    const dir = freshConfigDir();
    const env = { TIX_CONFIG_DIR: dir };
    expect((await run(['auth', 'login', '--url', server.url, '--with-token'], { env, input: users.agent.token })).code).toBe(0);
    expect((await run(['list'], { env })).code).toBe(0);

    const logout = await run(['auth', 'logout'], { env });
    expect(logout.code, logout.stderr).toBe(0);
    expect(readFileSync(credentialsOf(dir), 'utf8')).not.toContain(users.agent.token);
    const after = await run(['list'], { env });
    expect(after.code).toBe(4);
  });
});

describe('the token never appears in output', () => {
  test('auth status names where the token comes from, not the token', async () => {
    const r = await run(['auth', 'status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/hidden/);
    expect(everything(r)).not.toContain(server.token);
  });

  test('--debug traces the Authorization header redacted, on success and on a not-found error', async () => {
    const list = await run(['list', '--debug']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toMatch(/authorization: Bearer \[redacted\]/i);
    expect(everything(list)).not.toContain(server.token);

    const missing = await run(['show', '999999', '--debug']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/authorization: Bearer \[redacted\]/i);
    expect(everything(missing)).not.toContain(server.token);
  });

  test('errors for a server that is down or a malformed URL, plain and with --json, do not contain the token', async () => {
    const down = await closedPortUrl();
    const runs = [
      await run(['list', '--debug'], { env: { TIX_URL: down } }),
      await run(['list', '--json'], { env: { TIX_URL: down, TIX_TOKEN: server.token } }),
      await run(['show', '1', '--debug'], { env: { TIX_URL: 'http://exa mple', TIX_TOKEN: server.token } }),
      await run(['show', '999999', '--json'], { env: { TIX_TOKEN: server.token } }),
    ];
    // the first names another server with no token for it: refused before any request (4)
    expect(runs.map((r) => r.code)).toEqual([4, 6, 2, 3]);
    for (const r of runs) expect(everything(r)).not.toContain(server.token);
    // --json errors are one JSON object on stderr
    expect(JSON.parse(runs[1]!.stderr).error.code).toBe('unavailable');
    expect(JSON.parse(runs[3]!.stderr).error.code).toBe('not_found');
  });
});
