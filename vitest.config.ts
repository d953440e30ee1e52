import { configDefaults, defineConfig } from 'vitest/config';
import { STORE_FREE } from './test/store-free.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // on PostgreSQL (TIX_TEST_DATABASE_URL set) only the files that run a store: the others would run the same twice
    exclude: [...configDefaults.exclude, ...(process.env.TIX_TEST_DATABASE_URL ? STORE_FREE : [])],
    // e2e tests drive the built CLI: build it once from the current source
    globalSetup: ['test/helpers/global-setup.ts'],
    // each file's temporary files go to a folder of its own, which must be empty when the file ends
    setupFiles: ['test/helpers/tmp-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e files start servers and child processes: two cores, so keep the file fan-out modest
    maxWorkers: 2,
  },
});
