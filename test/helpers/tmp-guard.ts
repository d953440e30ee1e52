// Each test file gets a temporary folder of its own as the OS temp dir; a file that leaves its files there fails.
// Enable with `setupFiles: ['test/helpers/tmp-guard.ts']`; it needs the run folder global-setup.ts makes.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { TMP_ROOT_VAR, leftovers, useTmpDir } from './tmp-root.js';

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
