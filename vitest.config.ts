import { configDefaults, defineConfig } from 'vitest/config';

// Runs only when named (npm run test:postgres names it): it needs PostgreSQL, and fails without it rather than skip.
const MULTI_INSTANCE = 'test/e2e/multi-instance.test.ts';
const named = process.argv.some((arg) => arg.includes('multi-instance'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: named ? configDefaults.exclude : [...configDefaults.exclude, MULTI_INSTANCE],
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
