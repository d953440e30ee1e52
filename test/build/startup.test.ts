// The built bundle, built afresh into a folder of its own (others rebuild dist/ while tests run):
// start-up loads commander and nothing else, and what loads later still works once bundled.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { isBuiltin } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_AFTER_REQUESTS } from '../../src/client/transport.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The one module outside src/cli/ that start-up holds: choices and help come from it. */
const VOCABULARY = 'src/domain/enums.ts';
/** Loaded only inside the commands that use them, never at start-up. */
const LAZY_PACKAGES = ['undici', 'zod', 'conf', '@inquirer/prompts', 'cli-table3', 'chalk', 'fastify', 'better-sqlite3', '@modelcontextprotocol/sdk'];

let dir: string;
let home: string;

beforeAll(() => {
  // under node_modules, so the bundle's chunks resolve the project's dependencies
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'tix-build-test-'));
  // package scope lookup stops at node_modules: say again that the .js files here are ES modules
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), join(dir, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed:\n${built.stderr}`);
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'tix'), join(dir, 'bin', 'tix'));
  copyFileSync(join(ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
  // bin/tix alone in an ES module scope, as a copy without bin/package.json would be
  mkdirSync(join(dir, 'esm-bin'));
  copyFileSync(join(ROOT, 'bin', 'tix'), join(dir, 'esm-bin', 'tix'));
  home = mkdtempSync(join(tmpdir(), 'tix-build-test-home-'));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tix(args: string[], opts: { bin?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', HOME: home, TIX_CONFIG_DIR: join(home, 'config'), TIX_DATA_DIR: join(home, 'data'), TIX_KEYRING: '0', NO_COLOR: '1', ...opts.env };
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(dir, opts.bin ?? 'bin', 'tix'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const startupFile = () => readFileSync(join(dir, 'dist', 'main.cjs'), 'utf8');
const specifiers = (code: string, pattern: RegExp) => [...code.matchAll(pattern)].map((m) => m[1]!);

describe('the start-up chunk', () => {
  it('requires nothing but Node built-ins: commander is bundled in, every other dependency is left out', () => {
    const code = startupFile();
    const required = specifiers(code, /\brequire\(\s*["']([^"']+)["']\s*\)/g);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((s) => !isBuiltin(s))).toEqual([]);
    expect(specifiers(code, /^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm)).toEqual([]);
  });

  it('loads commands and the runtime only with import() of its own chunks or of Node built-ins, never a package', () => {
    const lazy = specifiers(startupFile(), /\bimport\(\s*["']([^"']+)["']\s*\)/g);
    expect(lazy).toContain('./runtime.js');
    expect(lazy).toContain('./commands/show.js');
    expect(lazy.filter((s) => !s.startsWith('./') && !isBuiltin(s))).toEqual([]);
  });

  it('shares no module with the command chunks: a class bundled twice would break instanceof', () => {
    const sources = (code: string) => new Set(specifiers(code, /^\/\/ (src\/\S+\.ts)$/gm));
    const startup = sources(startupFile());
    expect(startup).toContain('src/cli/program.ts');
    const chunks = readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    // the desk's vocabulary may be in both: plain constants, no class whose instanceof could break
    const twice = chunks.flatMap((f) => [...sources(readFileSync(join(dir, 'dist', f), 'utf8'))].filter((s) => startup.has(s) && s !== VOCABULARY).map((s) => `${s} in ${f}`));
    expect(twice).toEqual([]);
  });

  it('holds, outside src/cli/, only the vocabulary, which declares constants and nothing else', () => {
    const outside = [...new Set(specifiers(startupFile(), /^\/\/ (src\/\S+\.ts)$/gm))].filter((s) => !s.startsWith('src/cli/'));
    expect(outside).toEqual([VOCABULARY]);
    // every top-level line opens a constant or closes one (an array, a call, the table of operations)
    const declarations = readFileSync(join(ROOT, VOCABULARY), 'utf8').split('\n').filter((l) => /^\S/.test(l) && !l.startsWith('//') && !l.startsWith('/**') && !l.startsWith(' '));
    expect(declarations.filter((l) => !/^export const [A-Z_]+ =|^[\])}]/.test(l))).toEqual([]);
  });

  it.each(LAZY_PACKAGES)('holds no trace of %s', (name) => {
    const code = startupFile();
    expect(code).not.toContain(`node_modules/${name}/`);
    for (const quote of ['"', "'"]) {
      expect(code).not.toContain(`require(${quote}${name}`);
      expect(code).not.toContain(`import(${quote}${name}`);
    }
  });

  it.each(['--help', '--version', 'list --help'])('`tix %s` loads bin/tix and dist/main.cjs, no other file of ours', async (line) => {
    const args = line.split(' ');
    const log = join(dir, `loaded-${args.join('-')}.log`);
    const hooks = `import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) { const r = await next(specifier, context); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    const preload = join(dir, 'loaded.cjs');
    // records every CommonJS file loaded (at exit) and every ES module resolved (import() included)
    writeFileSync(
      preload,
      `require('node:module').register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
       process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n') + '\\n'));`,
    );
    const r = await tix(args, { nodeArgs: ['--require', preload] });
    expect(r.code, r.stderr).toBe(0);
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((f) => (f.startsWith('file://') ? fileURLToPath(f) : f));
    const ours = [...new Set(loaded.filter((f) => f.startsWith(dir) && f !== preload).map((f) => f.slice(dir.length + 1)))].sort();
    expect(ours).toEqual(['bin/tix', 'dist/main.cjs']);
  });
});

describe('the lazy paths of the built bundle', () => {
  it('`tix completion bash` runs its command chunk', async () => {
    const r = await tix(['completion', 'bash']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('complete');
  });

  it('`tix serve --help` describes the server without loading it', async () => {
    const r = await tix(['serve', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: tix serve');
  });

  it('`tix list` against a closed port loads the client and the runtime, and exits 6', async () => {
    const r = await tix(['list', '--url', 'http://127.0.0.1:1'], { env: { TIX_TOKEN: 'tix_test' } });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/connection refused/);
  });

  it('a bulk `tix close` against a closed port exits 6', async () => {
    const r = await tix(['close', '1', '2', '--resolution', 'fixed', '--url', 'http://127.0.0.1:1'], { env: { TIX_TOKEN: 'tix_test' } });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/connection refused/);
  });

  it("a request-heavy run (a dry run reading 300 tickets) moves to undici's Pool from the split bundle, and every read is answered", async () => {
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url ?? '');
      const body = JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404, detail: `no ticket at ${req.url}`, code: 'not_found' });
      res.writeHead(404, { 'content-type': 'application/problem+json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const ids = Array.from({ length: POOL_AFTER_REQUESTS + 44 }, (_, i) => String(i + 1));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await tix(['close', ...ids, '--resolution', 'fixed', '--dry-run', '--url', url], { env: { TIX_TOKEN: 'tix_test' } });
      // every ticket would fail (none is there): a dry run exits as the run would, 1
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(ids.length);
      // a Pool that failed to load would turn the last 44 reads into other errors
      expect(lines.filter((l) => !/cannot: no ticket at \/v1\/tickets\/\d+$/.test(l))).toEqual([]);
      expect(served).toHaveLength(ids.length);
    } finally {
      server.close();
    }
  });

  it('an unknown command is a usage error, exit 2', async () => {
    const r = await tix(['bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });

  it('bin/tix also runs as an ES module, through dist/main.js', async () => {
    const version = await tix(['--version'], { bin: 'esm-bin' });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const completion = await tix(['completion', 'bash'], { bin: 'esm-bin' });
    expect(completion.code, completion.stderr).toBe(0);
    expect(completion.stdout).toContain('complete');
  });
});
