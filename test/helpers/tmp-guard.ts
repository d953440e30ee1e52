// Each test file gets a temporary folder of its own as the OS temp dir; a file that leaves its files there fails.
// Enable with `setupFiles: ['test/helpers/tmp-guard.ts']`; it needs the run folder global-setup.ts makes.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';

/** Where the run's temporary folder is named for the workers. */
export const TMP_ROOT_VAR = 'TIX_TEST_TMP_ROOT';

/** Names this project's tests give their temporary files and folders. */
const OURS = /^tix-/;

/** What tests made in `dir` and did not remove. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => OURS.test(name)).sort();
}

/** Points os.tmpdir() (and the CLIs started from here) at `dir`; returns how to undo it. */
export function useTmpDir(dir: string): () => void {
  const before = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = dir;
  return () => {
    for (const [k, v] of Object.entries(before)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
}

const root = process.env[TMP_ROOT_VAR];
if (root) {
  const dir = mkdtempSync(join(root, 'file-'));
  const restore = useTmpDir(dir);
  afterAll(() => {
    restore();
    const left = leftovers(dir);
    rmSync(dir, { recursive: true, force: true });
    expect(left, 'temporary files this test file left behind').toEqual([]);
  });
}
