// The parts of the code under mutation testing, each with the tests that exercise it in-process (a mutant
// lives in the test process, so tests that drive the built CLI or a server in a child process cannot see it).
// Each part keeps its own incremental record, so a long run stopped half way loses one part at most.
export const AREAS = {
  bulk: {
    mutate: ['src/cli/bulk.ts', 'src/cli/journal.ts'],
    tests: ['test/cli/**/*.test.ts'],
  },
  // If-Match (parsed by the routes, checked in the store's one write path) and Idempotency-Key (the app's hooks, the store's records);
  // the line ranges are those pieces as the files stand: move them when the code around them moves
  preconditions: {
    mutate: ['src/server/routes/common.ts', 'src/server/app.ts:302-366', 'src/server/store/sqlite.ts:397-402', 'src/server/store/sqlite.ts:540-574', 'src/server/repeat.ts'],
    // the files about them, and the store's own contract for its records: every POST passes the hooks, so the whole
    // server suite would re-run for each surviving mutant
    tests: ['test/server/{authz-matrix,edit,http,idempotency,limits,repeat,store-conformance,sweep-timer}.test.ts'],
  },
  domain: {
    mutate: ['src/domain/**/*.ts'],
    // the rules on their own, and the query language against the SQL it becomes
    tests: ['test/domain/**/*.test.ts', 'test/property/query.test.ts', 'test/server/query-sql.test.ts'],
  },
  // the service in two parts, each with its own record: the rules of each change, then reads, comments, edits, batches and users;
  // each with every in-process server test but those about the published document, HTTP mechanics and the SQL of queries
  service: {
    mutate: ['src/server/service.ts:65-401'],
    tests: ['test/server/**/*.test.ts'],
    skip: ['test/server/openapi.test.ts', 'test/server/protocol.test.ts', 'test/server/query-sql.test.ts'],
  },
  'service-rest': {
    mutate: ['src/server/service.ts:1-64', 'src/server/service.ts:402-610'],
    tests: ['test/server/**/*.test.ts'],
    skip: ['test/server/openapi.test.ts', 'test/server/protocol.test.ts', 'test/server/query-sql.test.ts'],
  },
};

/** Slow and about other things (the OpenAPI toolchain, 20,000-ticket lists, PostgreSQL), or needing a whole process (umask, the time zone). */
export const NEVER = [
  'test/server/openapi-tools.test.ts', 'test/server/heavy-queries.test.ts', 'test/server/file-modes.test.ts', 'test/server/postgres-store.test.ts',
  'test/domain/time-zone.test.ts',
];

export const areaOf = (name = process.env.TIX_MUTATION_AREA) => {
  const area = name ? AREAS[name] : undefined;
  if (!area) throw new Error(`TIX_MUTATION_AREA must be one of ${Object.keys(AREAS).join(', ')}; run \`npm run test:mutation\``);
  return { name, ...area };
};
