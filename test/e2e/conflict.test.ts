// Conflicts: a write based on a stale read is refused (412 → exit 5) and says what changed and who changed it.
// Driven through the real CLI on a terminal: tix reads the ticket, asks for the reason, and meanwhile
// another agent changes the ticket.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxSession, requireTmux } from '../helpers/tmux.js';
import { ROOT, api, createTicket, eventsOf, getTicket, serverForFile } from '../helpers/tix.js';

const { server, users } = serverForFile();
let pane: TmuxSession | undefined;
afterEach(async () => {
  await pane?.close();
  pane = undefined;
});

async function reprioritizeInPane(id: number, to: string): Promise<TmuxSession> {
  requireTmux();
  return TmuxSession.start({
    cwd: ROOT,
    argv: [process.execPath, join(ROOT, 'bin', 'tix'), 'reprioritize', String(id), '--to', to],
    unset: ['CI', 'FORCE_COLOR', 'NO_COLOR', 'TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE'],
    env: { TIX_CONFIG_DIR: server.configDir, TIX_KEYRING: '0', LANG: 'C.UTF-8' },
    width: 160,
    height: 30,
  });
}

describe('If-Match', () => {
  it('a stale version is refused with 412, exit 5, the ticket unchanged and the change named with its author', async () => {
    const t = await createTicket(server, { subject: 'stale read' });
    pane = await reprioritizeInPane(t.id, 'low');
    // tix has read the ticket and waits for the reason
    await pane.waitFor('Why (at least 10 characters)', { what: 'the reason prompt' });
    await api(server, 'POST', `/v1/tickets/${t.id}/priority`, { token: users.agent.token, body: { priority: 'high', reason: 'customer called, many users affected' } });
    await pane.type('cosmetic only, per screenshot');
    await pane.keys('Enter');
    expect(await pane.waitForExit()).toBe(5);
    const screen = (await pane.screen()).replace(/\n/g, ' ');
    expect(screen).toMatch(new RegExp(`version ${t.version}, now ${t.version + 1}`));
    expect(screen).toMatch(/priority_changed medium → high by agent\.e2e/);
    const after = await getTicket(server, t.id);
    expect(after.priority).toBe('high');
    expect((await eventsOf(server, t.id)).filter((e) => e.kind === 'priority_changed')).toHaveLength(1);
  });

  it('with nothing changed meanwhile, the same write goes through (exit 0)', async () => {
    const t = await createTicket(server, { subject: 'fresh read' });
    pane = await reprioritizeInPane(t.id, 'low');
    await pane.waitFor('Why (at least 10 characters)', { what: 'the reason prompt' });
    await pane.type('cosmetic only, per screenshot');
    await pane.keys('Enter');
    expect(await pane.waitForExit()).toBe(0);
    expect((await getTicket(server, t.id)).priority).toBe('low');
  });
});
