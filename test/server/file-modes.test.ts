// The database holds tickets, internal notes and attachments: its folder is 0700 and its files 0600, whatever the umask.
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/main.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';

const mode = (path: string) => statSync(path).mode & 0o777;
let dir: string;
let umask: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tix-modes-'));
  // the usual umask, under which files are born world-readable
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

describe('database file modes', () => {
  it('tix serve creates the folder 0700 and tix.db, -wal and -shm 0600', async () => {
    const db = join(dir, 'data', 'tix', 'tix.db');
    const server = await startServer({ host: '127.0.0.1', port: 0, db, sweepEveryMs: 0 });
    try {
      const res = await fetch(`${server.url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.bootstrapToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'Internal only', description: 'Notes nobody else on this machine may read.' }),
      });
      expect(res.status).toBe(201);
      expect(mode(join(dir, 'data', 'tix'))).toBe(0o700);
      for (const file of ['tix.db', 'tix.db-wal', 'tix.db-shm']) {
        expect(existsSync(join(dir, 'data', 'tix', file)), file).toBe(true);
        expect(mode(join(dir, 'data', 'tix', file)).toString(8), file).toBe('600');
      }
    } finally {
      await server.close();
    }
  });

  it('an existing database readable by others is made 0600 when opened', async () => {
    const db = join(dir, 'old.db');
    writeFileSync(db, '');
    chmodSync(db, 0o644);
    writeFileSync(`${db}-wal`, '');
    chmodSync(`${db}-wal`, 0o644);
    const store = new SqliteStore(db);
    try {
      expect(mode(db).toString(8)).toBe('600');
      expect(mode(`${db}-wal`).toString(8)).toBe('600');
    } finally {
      await store.close();
    }
  });
});
