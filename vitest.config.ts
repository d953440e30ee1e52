import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { STORE_FREE } from './test/store-free.js';

// Runs only when named (npm run test:postgres names it): it needs PostgreSQL, and fails without it rather than skip.
const MULTI_INSTANCE = 'test/e2e/multi-instance.test.ts';
const named = process.argv.some((arg) => arg.includes('multi-instance'));

// test/rt drives a real Request Tracker: it runs when one is named (`npm run test:rt` starts one), never by accident
const withRt = Boolean(process.env.TIX_TEST_RT_URL);

/**
 * Files that run everything inside the test process: they share their worker's module cache, one after
 * another, instead of a fresh process each that imports fastify, zod and the app again (about 1 s of CPU a file).
 * Each file still builds its own apps and stores; files that run the built CLI or `tix serve` keep a process of their own.
 */
const IN_PROCESS = [
  'test/{server,domain,providers,client}/**/*.test.ts',
  'test/cli/output/*.test.ts',
  'test/cli/{argv,bulk-runs,completion,config,confirm-question,feed-args,journal,program-options}.test.ts',
  'test/property/{query,api-bodies}.test.ts',
  'test/build/{import-graph,registry,store-free}.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'in-process', include: IN_PROCESS, isolate: false } },
      { extends: true, test: { name: 'processes', include: ['test/**/*.test.ts'], exclude: IN_PROCESS } },
    ],
    // on PostgreSQL (TIX_TEST_DATABASE_URL set) only the files that run a store: the others would run the same twice;
    // the multi-instance test needs PostgreSQL, so elsewhere it runs only when named (and then fails, saying how to give it one)
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.TIX_TEST_DATABASE_URL ? STORE_FREE : named ? [] : [MULTI_INSTANCE]),
      ...(withRt ? [] : ['test/rt/**']),
    ],
    // e2e tests drive the built CLI: build it once from the current source
    globalSetup: ['test/helpers/global-setup.ts'],
    // each file's temporary files go to a folder of its own, which must be empty when the file ends
    setupFiles: ['test/helpers/tmp-guard.ts'],
    // Request Tracker takes ~0.1 s a write when idle, several times that on a busy machine
    testTimeout: withRt ? 300_000 : 30_000,
    hookTimeout: withRt ? 600_000 : 60_000,
    // Two files per core: many files spend seconds waiting (a rate-limit window, a stalled body, a server's timer),
    // and a second file on the core uses that time. On two cores, 4 workers took 68 s where 2 took 87 s.
    maxWorkers: Math.min(8, 2 * availableParallelism()),
  },
});
