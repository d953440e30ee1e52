// The progress bar of a bulk run: drawn on stderr when it is a terminal, absent when it is not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedTickets } from '../../src/server/seed.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { ROOT, openServerStore, startServer, tix, type TixServer } from '../helpers/tix.js';
import { TmuxSession, requireTmux, shq } from '../helpers/tmux.js';

const BIN = join(ROOT, 'bin', 'tix');
let server: TixServer;
let session: TmuxSession | undefined;
let proxy: FaultProxy | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'tix-progress-'));

beforeAll(async () => {
  requireTmux();
  server = await startServer();
}, 60_000);
afterEach(async () => {
  await session?.close();
  await proxy?.close();
  session = undefined;
  proxy = undefined;
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Tickets of this test's own, seeded straight into the server's database. */
async function seed(count: number, status: 'new' | 'in_progress'): Promise<number[]> {
  const store = await openServerStore(server);
  try {
    return await seedTickets(store, count, { requester: 'admin', status });
  } finally {
    await store.close();
  }
}

describe('progress bar', () => {
  it('is drawn on a terminal while a long run goes, failures printed above it, then cleared for the summary', async () => {
    const ids = await seed(600, 'in_progress');
    const idsFile = join(scratch, 'ids.txt');
    // two tickets that do not exist, in the first and the last batch: their lines are printed while the bar is drawn
    writeFileSync(idsFile, `${[990_001, ...ids, 990_002].join('\n')}\n`);
    // each batch reaches the server a second late, so the bar is on screen whatever the machine's speed
    proxy = await startFaultProxy(server.url, (req) => (req.url.startsWith('/v1/batch') ? { kind: 'delay', ms: 1000 } : { kind: 'pass' }));
    const tixCmd = `${shq(process.execPath)} ${shq(BIN)}`;
    session = await TmuxSession.start({
      cwd: ROOT,
      argv: ['sh', '-c', `${tixCmd} move - --to pending_customer --concurrency 1 < ${shq(idsFile)} > /dev/null`],
      unset: ['CI', 'FORCE_COLOR', 'NO_COLOR', 'TIX_PROFILE'],
      env: { TIX_CONFIG_DIR: server.configDir, TIX_URL: proxy.url, TIX_TOKEN: server.token, TIX_KEYRING: '0', LANG: 'C.UTF-8' },
      width: 120,
      height: 20,
    });
    const during = await session.waitFor(/tix: #990001: ticket 990001 not found\n[█░]+ \d+\/602 tickets · .* left/, { what: 'a failure above the progress bar', timeoutMs: 60_000 });
    expect(during).toMatch(/^tix: #990001: ticket 990001 not found$/m);
    expect(await session.waitForExit(60_000)).toBe(1);
    const after = await session.screen();
    // the screen ends with the pane's own note that the program ended; the run's last lines come before it
    const lines = after.split('\n');
    const summary = lines.indexOf('moved 600, skipped 0 (already so), failed 2');
    expect(lines.slice(summary - 2, summary + 1)).toEqual([
      'tix: #990001: ticket 990001 not found',
      'tix: #990002: ticket 990002 not found',
      'moved 600, skipped 0 (already so), failed 2',
    ]);
    expect(after).not.toMatch(/\d+\/602 tickets/);
  }, 120_000);

  it('is absent when stderr is not a terminal', async () => {
    const ids = await seed(300, 'new');
    const r = await tix(['move', '-', '--to', 'customer_testing'], { server, input: `${ids.join('\n')}\n`, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('moved 300, skipped 0 (already so), failed 0\n');
  }, 120_000);
});
