// Every store tix can run on passes the same conformance suite (store-conformance.ts): SQLite in memory,
// SQLite in a file with its reader threads, and PostgreSQL when TIX_TEST_DATABASE_URL names one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/server/store/index.js';
import { openTestStore } from './helpers.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance('SQLite in memory', async () => {
  const store = await openStore({ db: ':memory:' });
  return { store, close: () => store.close() };
});

describeStoreConformance('SQLite in a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tix-conformance-'));
  const store = await openStore({ db: join(dir, 'tix.db') });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (process.env.TIX_TEST_DATABASE_URL) describeStoreConformance('PostgreSQL', openTestStore);
