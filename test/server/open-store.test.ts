// The server's store is chosen by configuration: SQLite without a URL, the database a URL's scheme names otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/index.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const user = { login: 'alice', name: 'Alice', email: null, role: 'agent' as const, org: null, org_admin: false };

describe('openStore', () => {
  it('without a URL keeps the data in the SQLite file named, for the next opening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tix-open-store-'));
    try {
      const first = await openStore({ db: join(dir, 'tix.db') });
      await first.createUser(user, NOW);
      await first.close();
      const second = await openStore({ db: join(dir, 'tix.db') });
      expect((await second.getUserByLogin('alice'))?.name).toBe('Alice');
      expect(second.shared).toBeFalsy();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a URL or a file keeps the data in memory', async () => {
    const store = await openStore({});
    expect(await store.countUsers()).toBe(0);
    await store.close();
  });

  it('refuses a URL of a database it has no store for, naming the scheme and never the rest of the URL', async () => {
    const refused = openStore({ databaseUrl: 'mysql://tix:s3cret@db.example:3306/tix' });
    await expect(refused).rejects.toThrow('no store for database URLs of scheme "mysql"; tix runs on SQLite (a file) or postgres://, postgresql://');
    await expect(refused).rejects.not.toThrow(/s3cret|db\.example/);
    await expect(openStore({ databaseUrl: 'toString://x' })).rejects.toThrow('scheme "tostring"');
  });
});
