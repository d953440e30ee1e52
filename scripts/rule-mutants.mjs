#!/usr/bin/env node
// Breaks one rule at a time in a scratch copy of the project and runs the tests: every mutant
// below must make them fail. A mutant whose pattern no longer matches is reported, not skipped.
//
//   node scripts/rule-mutants.mjs                 every mutant, the whole suite each time (a test failing on an
//                                                 unmutated copy too is named first and counts for no mutant)
//   node scripts/rule-mutants.mjs --fast          every mutant, only the test files named beside it (which must
//                                                 pass on an unmutated copy first, so each kill is the mutant's)
//   node scripts/rule-mutants.mjs journal query   only the mutants whose name contains one of these words
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each one a one-line change that breaks a rule; `tests` are the files expected to catch it (for --fast). */
const MUTANTS = [
  {
    name: 'priority policy: a requester justification only needs to be non-blank',
    file: 'src/domain/policy.ts',
    from: "role === 'requester' && raisesAboveMedium && !isValidJustification(justification)",
    to: "role === 'requester' && raisesAboveMedium && !justification?.trim()",
    tests: ['test/domain/policy.test.ts', 'test/server/priority.test.ts'],
  },
  {
    name: 'triage justification: any non-empty text accepted',
    file: 'src/server/service.ts',
    from: 'if (!isValidJustification(body.justification)) {',
    to: 'if (!body.justification) {',
    tests: ['test/server/priority.test.ts'],
  },
  {
    name: 'transitions out of closed: in_progress allowed without reopen',
    file: 'src/domain/transitions.ts',
    from: "if (from === 'closed') return",
    to: "if (from === 'closed' && to !== 'in_progress') return",
    tests: ['test/domain/transitions.test.ts', 'test/server/transitions.test.ts'],
  },
  {
    name: 'requester visibility: a precondition failure describes internal events to a requester',
    file: 'src/server/service.ts',
    from: "const last = (await this.store.listEvents(id, actor.role !== 'requester')).at(-1);",
    to: 'const last = (await this.store.listEvents(id, true)).at(-1);',
    tests: ['test/server/authz-matrix.test.ts', 'test/server/http.test.ts'],
  },
  {
    name: 'idempotency replay: refusals re-run instead of replayed',
    file: 'src/server/app.ts',
    from: 'if (reply.statusCode >= 500)',
    to: 'if (reply.statusCode >= 400)',
    tests: ['test/server/http.test.ts'],
  },
  {
    name: 'If-Match: close ignores the version',
    file: 'src/server/service.ts',
    from: /(async close\(actor[\s\S]*?)\}, ifMatch\);/,
    to: '$1});',
    tests: ['test/server/http.test.ts'],
  },
  {
    name: 'journal resume: a journal of another body accepted',
    file: 'src/cli/bulk.ts',
    from: 'JSON.stringify([op.op, op.body])',
    to: 'JSON.stringify([op.op])',
    tests: ['test/e2e/cli-guards.test.ts', 'test/cli/bulk-runs.test.ts'],
  },
  {
    name: 'query negation: -state:open treated as no state term',
    file: 'src/domain/query.ts',
    from: "query.terms.some((t) => t.kind === 'state' ||",
    to: "query.terms.some((t) => (t.kind === 'state' && !t.negate) ||",
    tests: ['test/domain/query.test.ts', 'test/e2e/cli-guards.test.ts'],
  },
  {
    name: 'reach before version: a stale If-Match from out of reach is judged on its version first',
    file: 'src/server/store/sqlite.ts',
    from: 'if (guard.reach && !guard.reach(current)) throw',
    to: 'if (guard.version === undefined && guard.reach && !guard.reach(current)) throw',
    tests: ['test/server/authz-matrix.test.ts'],
  },
  {
    name: 'feed visibility: a requester sees internal events',
    file: 'src/server/store/sqlite.ts',
    from: "if (args.viewer.role === 'requester') where.push('e.internal = 0');",
    to: '',
    tests: ['test/server/feed.test.ts', 'test/server/authz-matrix.test.ts'],
  },
  {
    name: 'journal report: tickets done in an earlier run reported as changed now',
    file: 'src/cli/bulk.ts',
    from: "export const EARLIER_RUN = 'done in an earlier run';",
    to: "export const EARLIER_RUN = 'closed';",
    tests: ['test/e2e/bulk.test.ts', 'test/cli/bulk-runs.test.ts'],
  },
  {
    name: 'terminal safety: bidi overrides reach the terminal raw',
    file: 'src/cli/output/text.ts',
    from: 'const UNSAFE = /[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/g;',
    to: 'const UNSAFE = /[\\u0000-\\u001f\\u007f-\\u009f]/g;',
    tests: ['test/cli/output/text.test.ts', 'test/e2e/terminal-injection.test.ts'],
  },
  {
    name: 'MCP: a query-selected change applied without dry_run or confirm',
    file: 'src/mcp/change.ts',
    from: 'if (!sel.dry_run && !sel.confirm) {',
    to: 'if (false) {',
    tests: ['test/e2e/mcp.test.ts'],
  },
];

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const words = args.filter((a) => !a.startsWith('--'));
const chosen = MUTANTS.filter((m) => words.length === 0 || words.some((w) => m.name.includes(w)));

/** A scratch copy of every tracked file (so an unmutated copy passes as the repository does), node_modules linked. */
function scratchCopy() {
  const scratch = mkdtempSync(join(tmpdir(), 'tix-mutant-'));
  for (const entry of spawnSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
    mkdirSync(dirname(join(scratch, entry)), { recursive: true });
    cpSync(join(ROOT, entry), join(scratch, entry));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  return scratch;
}

/** Runs vitest in the copy; answers the exit status and the names of the failing tests. */
function runTests(scratch, files) {
  const report = join(scratch, 'vitest-report.json');
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`, ...files], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  let failing = [];
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    failing = json.testResults.flatMap((f) =>
      f.assertionResults.filter((t) => t.status === 'failed').map((t) => `${f.name.slice(scratch.length + 1)} › ${t.fullName}`),
    );
    // a file that failed as a whole (an error outside any test) names itself
    for (const f of json.testResults) if (f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed')) failing.push(`${f.name.slice(scratch.length + 1)} (the file)`);
  } catch {
    failing = ['(no report: the run did not finish)'];
  }
  return { status: run.status, failing, seconds };
}

// An unmutated copy runs first, so each kill is the mutant's doing: with --fast the files named beside
// the mutants must pass; in full, a test that fails in any scratch copy is named and left out of every verdict
const baseline = new Set();
{
  const files = fast ? [...new Set(chosen.flatMap((m) => m.tests))] : [];
  const scratch = scratchCopy();
  try {
    const base = runTests(scratch, files);
    const what = fast ? `${files.length} test files` : 'the whole suite';
    if (base.status === 0) console.log(`unmutated copy passes (${what}, ${base.seconds} s)`);
    else {
      console.log(`UNMUTATED COPY FAILS (${what}, ${base.seconds} s):`);
      for (const t of base.failing) console.log(`    ${t}`);
      if (fast || base.failing.some((t) => t.startsWith('('))) process.exit(1);
      console.log('    (left out of every verdict below)');
      for (const t of base.failing) baseline.add(t);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const results = [];
for (const m of chosen) {
  const scratch = scratchCopy();
  try {
    const path = join(scratch, m.file);
    const source = readFileSync(path, 'utf8');
    const mutated = source.replace(m.from, m.to);
    if (mutated === source) {
      results.push({ name: m.name, verdict: 'PATTERN NOT FOUND', failing: [] });
      continue;
    }
    writeFileSync(path, mutated);
    const run = runTests(scratch, fast ? m.tests : []);
    const failing = run.failing.filter((t) => !baseline.has(t));
    const verdict = run.status !== 0 && failing.length > 0 ? `killed (${failing.length} failing tests, ${run.seconds} s)` : `SURVIVED (${run.seconds} s)`;
    results.push({ name: m.name, verdict, failing });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`${results.at(-1).verdict.padEnd(36)} ${m.name}`);
  for (const t of results.at(-1).failing.slice(0, 4)) console.log(`    ${t}`);
  if (results.at(-1).failing.length > 4) console.log(`    … and ${results.at(-1).failing.length - 4} more`);
}
const bad = results.filter((r) => !r.verdict.startsWith('killed'));
console.log(bad.length === 0 ? `\nall ${results.length} mutants killed` : `\n${bad.length} of ${results.length} not killed`);
process.exit(bad.length === 0 ? 0 : 1);
