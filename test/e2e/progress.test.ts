// The progress bar of a bulk run: drawn on stderr when it is a terminal, absent when it is not.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTickets } from '../../src/server/seed.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { ROOT, startServer, tix, type TixServer } from '../helpers/tix.js';
import { TmuxSession, requireTmux, shq } from '../helpers/tmux.js';

const BIN = join(ROOT, 'bin', 'tix');
const COUNT = 20_000;
let server: TixServer;
let session: TmuxSession | undefined;

beforeAll(async () => {
  requireTmux();
  server = await startServer();
  const store = new SqliteStore(server.dbPath);
  try {
    await seedTickets(store, COUNT, { requester: 'admin', status: 'in_progress' });
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(async () => {
  await session?.close();
  await server?.stop();
});

describe('progress bar', () => {
  it('is drawn on a terminal while a long run goes, then cleared for the summary', async () => {
    const tixCmd = `${shq(process.execPath)} ${shq(BIN)}`;
    session = await TmuxSession.start({
      cwd: ROOT,
      argv: ['sh', '-c', `${tixCmd} list --all --format ids status:in_progress | ${tixCmd} move - --to pending_customer --concurrency 1 > /dev/null`],
      unset: ['CI', 'FORCE_COLOR', 'NO_COLOR', 'TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE'],
      env: { TIX_CONFIG_DIR: server.configDir, TIX_KEYRING: '0', LANG: 'C.UTF-8' },
      width: 120,
      height: 20,
    });
    const during = await session.waitFor(new RegExp(`\\d+/${COUNT} tickets`), { what: 'the progress bar', timeoutMs: 60_000 });
    expect(during).toMatch(/[█░]+ \d+\/20000 tickets · .* left/);
    expect(await session.waitForExit(60_000)).toBe(0);
    const after = await session.screen();
    expect(after).toContain(`moved ${COUNT}, skipped 0 (already so), failed 0`);
    expect(after).not.toMatch(/\d+\/20000 tickets/);
  }, 120_000);

  it('is absent when stderr is not a terminal', async () => {
    const ids = await tix(['list', '--all', '--format', 'ids', 'state:open'], { server, timeoutMs: 60_000 });
    const r = await tix(['move', '-', '--to', 'customer_testing'], { server, input: ids.stdout, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`moved ${COUNT}, skipped 0 (already so), failed 0\n`);
  }, 120_000);
});
