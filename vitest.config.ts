import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e files start servers and child processes: two cores, so keep the file fan-out modest
    maxWorkers: 2,
  },
});
