// A provider's code loads only when a profile (or TIX_PROVIDER) names it: a command on tix's own
// server loads no chunk built from src/providers/rt/, and the same command on RT does.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPortUrl, tixBin } from '../helpers/tix.js';

const home = mkdtempSync(join(tmpdir(), 'tix-lazy-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The files of ours a run loaded (ES modules resolved, import() included). */
async function loadedBy(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; files: string[] }> {
  const bin = await tixBin();
  const log = join(home, `loaded-${Math.random().toString(36).slice(2)}.log`);
  const hooks = `import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) { const r = await next(specifier, context); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
  const preload = join(home, 'loaded.cjs');
  writeFileSync(preload, `require('node:module').register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));`);
  const child = spawn(process.execPath, ['--require', preload, bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, TIX_CONFIG_DIR: join(home, 'config'), TIX_KEYRING: '0', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const files = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((f) => f.startsWith('file://')).map((f) => fileURLToPath(f)) : [];
  return { code, stderr, files: files.filter((f) => f.startsWith(join(dirname(bin), '..', 'dist'))) };
}

/** Whether a built file holds code of src/providers/rt/, by its source map. */
const holdsRt = (file: string) => existsSync(`${file}.map`) && (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources.some((s) => s.includes('src/providers/rt/'));

describe('providers load lazily', () => {
  it('a command on tix loads nothing of Request Tracker; the same command on RT does', async () => {
    const url = await closedPortUrl();
    const onTix = await loadedBy(['list', '--url', url], { TIX_TOKEN: 'tix_test' });
    expect(onTix.code, onTix.stderr).toBe(6);
    expect(onTix.files.length).toBeGreaterThan(0);
    expect(onTix.files.filter(holdsRt)).toEqual([]);
    const onRt = await loadedBy(['list', '--url', url], { TIX_TOKEN: 'rt_test', TIX_PROVIDER: 'rt' });
    expect(onRt.code, onRt.stderr).toBe(6);
    expect(onRt.stderr).toMatch(/cannot reach Request Tracker/);
    expect(onRt.files.filter(holdsRt).length).toBeGreaterThan(0);
  });
});
