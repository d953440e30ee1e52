// Builds dist/ once per vitest run, so the e2e tests drive the CLI built from the current source.
// Enable with `globalSetup: ['test/helpers/global-setup.ts'],` in vitest.config.ts (test: {...}).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
