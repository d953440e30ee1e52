// Builds dist/ once per vitest run, so the e2e tests drive the CLI built from the current source, and
// gives the run a temporary folder of its own (each test file a folder inside it: see tmp-guard.ts).
// Enable with `globalSetup: ['test/helpers/global-setup.ts'],` in vitest.config.ts (test: {...}).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TMP_ROOT_VAR, leftovers, useTmpDir } from './tmp-root.js';

/** Set by the first project's setup of this run: each project of the config runs this file. */
const DONE = Symbol.for('tix.test.global-setup');

export default function setup() {
  const done = globalThis as { [DONE]?: true };
  if (done[DONE]) return;
  done[DONE] = true;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  // test workers inherit it, so other runs on this machine never mix their files in
  const runTmp = mkdtempSync(join(tmpdir(), 'vitest-tix-run-'));
  const restore = useTmpDir(runTmp);
  process.env[TMP_ROOT_VAR] = runTmp;
  return () => {
    delete done[DONE];
    restore();
    delete process.env[TMP_ROOT_VAR];
    const left = leftovers(runTmp);
    rmSync(runTmp, { recursive: true, force: true });
    if (left.length) {
      process.stderr.write(`temporary files left behind outside any test file (removed now): ${left.join(', ')}\n`);
      process.exitCode = 1;
    }
  };
}
