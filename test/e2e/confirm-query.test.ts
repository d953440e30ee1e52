// A change selected by --query asks first on a terminal (tmux), in the command's own words; no changes nothing.
// Needs tmux; without it this file FAILS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxSession, requireTmux } from '../helpers/tmux.js';
import { ROOT, createTicket, getTicket, serverForFile, tixBin } from '../helpers/tix.js';

const { server } = serverForFile();

describe('the confirmation of a --query run on a terminal (tmux)', () => {
  const sessions: TmuxSession[] = [];
  let bin: string;

  beforeAll(async () => {
    requireTmux();
    bin = await tixBin();
  });

  afterAll(async () => {
    for (const s of sessions) await s.close();
  });

  async function inPane(args: string[]): Promise<TmuxSession> {
    const env = Object.fromEntries(Object.entries(server.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const s = await TmuxSession.start({
      cwd: ROOT,
      argv: [process.execPath, bin, ...args],
      // CI=true would disable prompts; TIX_* from the runner must not point the pane elsewhere
      unset: ['CI', 'FORCE_COLOR', 'TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE'],
      env,
      width: 120,
      height: 30,
    });
    sessions.push(s);
    return s;
  }

  it.each([
    ['assign', ['--to', 'me'], 'Assign'],
    ['reopen', ['--comment', 'customer reports it again'], 'Reopen'],
  ])('%s asks with its own verb; answering no changes nothing and exits 130', async (command, flags, verb) => {
    const tag = `confirm-${command}`;
    const ids: number[] = [];
    for (const subject of ['first', 'second']) {
      const t = await createTicket(server, { subject, tags: [tag] });
      if (command === 'reopen') await closeTicket(t.id);
      ids.push(t.id);
    }
    const t = await inPane([command, '--query', `tag:${tag}`, ...flags]);
    const screen = await t.waitFor((s) => s.includes('tickets matching'), { what: 'the confirmation question' });
    expect(screen).toContain(`${verb} 2 tickets matching "tag:${tag}"?`);
    await t.keys('n', 'Enter');
    expect(await t.waitForExit()).toBe(130);
    expect(await t.screen()).toContain('cancelled; nothing was changed');
    for (const id of ids) expect((await getTicket(server, id)).version).toBe(command === 'reopen' ? 2 : 1);
  });

  /** Closes a ticket so it can be reopened. */
  async function closeTicket(id: number) {
    const res = await fetch(`${server.url}/v1/tickets/${id}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resolution: 'closed before the test' }),
    });
    if (!res.ok) throw new Error(`close #${id}: ${res.status}`);
  }
});
