import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
