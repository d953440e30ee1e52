import { defineConfig } from 'vitest/config';
import { NEVER, areaOf } from './scripts/mutation-areas.mjs';

// The tests of one part of the code under mutation (TIX_MUTATION_AREA): in-process only.
const area = areaOf();

export default defineConfig({
  test: {
    include: area.tests,
    exclude: [...NEVER, ...(area.skip ?? [])],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
