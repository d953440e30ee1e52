// StrykerJS over one part of the code at a time (see scripts/mutation-areas.mjs); `npm run test:mutation` runs every part.
import { areaOf } from './scripts/mutation-areas.mjs';

const area = areaOf();

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: area.mutate,
  checkers: [],
  coverageAnalysis: 'perTest',
  // a mutant of a module-level constant would need every test re-run with a fresh module graph: left out
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/stryker-${area.name}.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation-${area.name}.json` },
  clearTextReporter: { reportScoreTable: true, reportMutants: false },
  // the machine is shared: two test processes at most
  concurrency: Number(process.env.TIX_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  dryRunTimeoutMinutes: 30,
};
