// Exit codes on Request Tracker are tix's: a stale read is refused through RT's If-Match (5), a refused
// token is 4 and says how to log in, an RT that does not answer is 6; the token never shows.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxSession, requireTmux } from '../helpers/tmux.js';
import { ROOT, closedPortUrl } from '../helpers/tix.js';
import { historyOf, marker, openTickets, rt, rtCliForFile, rtTarget } from './helpers.js';

const cli = rtCliForFile();
let pane: TmuxSession | undefined;
afterEach(async () => {
  await pane?.close();
  pane = undefined;
});

describe('If-Match from RT\'s ETag', () => {
  async function reprioritizeInPane(id: number): Promise<TmuxSession> {
    requireTmux();
    const env = Object.fromEntries(Object.entries(cli.env).filter((e): e is [string, string] => e[1] !== undefined));
    return TmuxSession.start({
      cwd: ROOT,
      argv: [process.execPath, join(ROOT, 'bin', 'tix'), 'reprioritize', String(id), '--to', 'low'],
      unset: ['CI', 'FORCE_COLOR', 'NO_COLOR', 'TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE', 'TIX_PROVIDER'],
      env,
      width: 160,
      height: 30,
    });
  }

  it('a change made in RT after tix read the ticket is refused by RT (412): exit 5, the version named, nothing written', async () => {
    const [id] = await openTickets(1, () => ({ Subject: marker('stale'), Priority: 50 }));
    const before = Number((await historyOf(id!)).at(-1)!.id);
    pane = await reprioritizeInPane(id!);
    await pane.waitFor('Why (at least 10 characters)', { what: 'the reason prompt', timeoutMs: 60_000 });
    // someone works the ticket in RT meanwhile
    await rt('PUT', `/ticket/${id}`, { Priority: 100 });
    await pane.type('cosmetic only, per screenshot');
    await pane.keys('Enter');
    expect(await pane.waitForExit(60_000)).toBe(5);
    const screen = (await pane.screen()).replace(/\n/g, ' ');
    expect(screen).toMatch(new RegExp(`ticket ${id} changed since you read it \\(version ${before}, now \\d+\\)`));
    const t = await rt<{ Priority: string }>('GET', `/ticket/${id}`);
    expect(t.Priority).toBe('100');
    expect((await historyOf(id!)).filter((x) => x.Type === 'Comment')).toEqual([]);
  });

  it('with nothing changed meanwhile, the same write goes through (exit 0)', async () => {
    const [id] = await openTickets(1, () => ({ Subject: marker('fresh'), Priority: 50 }));
    pane = await reprioritizeInPane(id!);
    await pane.waitFor('Why (at least 10 characters)', { what: 'the reason prompt', timeoutMs: 60_000 });
    await pane.type('cosmetic only, per screenshot');
    await pane.keys('Enter');
    expect(await pane.waitForExit(60_000)).toBe(0);
    expect((await rt<{ Priority: string }>('GET', `/ticket/${id}`)).Priority).toBe('0');
  });
});

describe('exit codes', () => {
  it('a token RT refuses is exit 4, says how to log in, and never shows the token', async () => {
    const bad = '1-14-0123456789abcdef0123456789abcdef';
    const env = { TIX_PROVIDER: 'rt', TIX_URL: rtTarget().url, TIX_TOKEN: bad };
    const r = await cli.run(['list'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/refused the token \(401\).*tix auth login --provider rt/);
    const close = await cli.run(['close', '1', '2', '--resolution', 'fixed', '--json'], { env });
    expect(close.code).toBe(4);
    for (const out of [r.stdout, r.stderr, close.stdout, close.stderr]) expect(out).not.toContain(bad);
    // nor does login save it
    const login = await cli.run(['auth', 'login', '--provider', 'rt', '--url', rtTarget().url, '--with-token', '--profile', 'bad'], { input: bad });
    expect(login.code).toBe(4);
  });

  it('an RT that is not running is exit 6, for a read and for a bulk change', async () => {
    const env = { TIX_PROVIDER: 'rt', TIX_URL: await closedPortUrl(), TIX_TOKEN: rtTarget().token };
    const r = await cli.run(['list'], { env });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/cannot reach Request Tracker at .* \(connection refused after 3 attempts\); is it running\?/);
    const close = await cli.run(['close', '1', '2', '--resolution', 'fixed'], { env });
    expect(close.code).toBe(6);
    expect(close.stderr).not.toContain(rtTarget().token);
  });

  it('TIX_PROVIDER names a provider tix knows', async () => {
    const r = await cli.run(['list'], { env: { TIX_PROVIDER: 'zendesk' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid provider "zendesk".*choose tix or rt/);
  });
});
