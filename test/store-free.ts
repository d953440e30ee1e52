// The test files that never start a server nor open a store: pure rules, output, the client against
// scripted HTTP servers, the build. They run once, on SQLite's run; every other file runs on both stores.
export const STORE_FREE = [
  'test/domain/**',
  'test/build/{import-graph,providers-lazy,startup,store-free}.test.ts',
  'test/cli/output/**',
  'test/cli/{argv,completion,config,confirm-question,feed-args,journal}.test.ts',
  'test/client/{hostile-answers,retries,retry-policy}.test.ts',
  'test/property/query.test.ts',
];
