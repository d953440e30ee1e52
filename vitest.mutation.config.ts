import { defineConfig } from 'vitest/config';

// The in-process tests, for mutation testing: a mutant lives in the test process, so tests that
// drive the built CLI in a child process cannot see it and are left out here.
export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/server/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/property/query.test.ts', 'test/property/api-bodies.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
