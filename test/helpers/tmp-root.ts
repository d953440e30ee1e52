// The run's temporary folder and how a folder is checked for what tests left in it: shared by the
// global setup (which makes the folder) and tmp-guard.ts (which gives each test file one inside it).
import { readdirSync } from 'node:fs';

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
