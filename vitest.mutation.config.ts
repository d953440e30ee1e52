import { defineConfig } from 'vitest/config';

// The in-process tests, for mutation testing: a mutant lives in the test process, so tests that
// drive the built CLI in a child process cannot see it and are left out here.
export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/server/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/property/query.test.ts'],
    // slow and about other things (the OpenAPI toolchain, 20,000-ticket lists), or needing a whole process (umask):
    // they would only lengthen every run, or cannot run in Stryker's worker threads
    exclude: ['test/server/openapi-tools.test.ts', 'test/server/heavy-queries.test.ts', 'test/server/file-modes.test.ts', 'test/server/postgres-store.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
