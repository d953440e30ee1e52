// Bundles the CLI with esbuild, in two parts that never hold the same module twice:
//   dist/main.cjs   the start-up path: src/cli/main.ts, version.ts, program.ts, domain/enums.ts and commander, bundled as
//                   CommonJS (on Node 20 a CommonJS start costs ~7 ms less than an ES module one, and
//                   loading commander from node_modules ~5 ms more than bundling it). `--help` and
//                   `--version` never leave this file.
//   dist/runtime.js, dist/commands/*.js, dist/chunks/*.js
//                   ES modules, split: every module the start-up path loads with import() is an entry,
//                   loaded only when a command runs. Dependencies load from node_modules.
//   dist/main.js    the ES module face of main.cjs, for importers.
// The new build is written beside dist/ and swapped in, so a running CLI never sees half a build.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entry = join(root, 'src/cli/main.ts');
const cliDir = join(root, 'src/cli');
/** Files of the start-up bundle that are themselves loaded with import(); everything else so loaded is an ES module entry. */
const startupLazy = new Set([join(cliDir, 'program.ts')]);
/** The only package start-up may load; it is bundled in. */
const startupPackages = new Set(['commander']);
/** Outside src/cli/, start-up holds only the desk's vocabulary (plain constants, no class), so help and choices come from the domain. */
const startupDomain = new Set([join(root, 'src/domain/enums.ts')]);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { __TIX_VERSION__: JSON.stringify(pkg.version) },
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

const tsFor = (path) => path.replace(/\.js$/, '.ts');
const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Builds dist/ (or `outdir`) and returns the list of files written, relative to it. */
export async function buildCli(outdir = join(root, 'dist')) {
  const tmp = `${outdir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const lazyEntries = new Set();

  const startup = await build({
    ...common,
    entryPoints: [entry],
    outfile: join(tmp, 'main.cjs'),
    format: 'cjs',
    metafile: true,
    plugins: [
      {
        name: 'startup-boundary',
        setup(b) {
          b.onResolve({ filter: /^\.\.?\// }, (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            const target = tsFor(resolve(args.resolveDir, args.path));
            if (startupLazy.has(target)) return undefined;
            if (!existsSync(target) || !target.startsWith(cliDir)) {
              return { errors: [{ text: `start-up may import() only modules under src/cli/, not ${args.path}` }] };
            }
            lazyEntries.add(target);
            // the path stays as written: main.cjs sits in dist/ as main.ts sits in src/cli/
            return { path: `./${relative(cliDir, target).replace(/\.ts$/, '.js')}`, external: true };
          });
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:')) return { external: true };
            if (startupPackages.has(packageName(args.path))) return undefined;
            return { errors: [{ text: `start-up must not load ${args.path}: import it inside a command instead` }] };
          });
        },
      },
    ],
  });
  for (const file of Object.keys(startup.metafile.inputs)) {
    const abs = resolve(root, file);
    if (abs.startsWith(cliDir) || startupDomain.has(abs) || file.includes('node_modules/commander/')) continue;
    throw new Error(`start-up bundle contains ${file}; it may hold only src/cli/, src/domain/enums.ts and commander`);
  }

  await build({
    ...common,
    entryPoints: [...lazyEntries],
    outbase: cliDir,
    outdir: tmp,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    format: 'esm',
    packages: 'external',
  });

  writeFileSync(join(tmp, 'main.js'), "// The ES module face of the CommonJS start-up bundle.\nexport * from './main.cjs';\n");

  swapIn(tmp, outdir);
  return [...lazyEntries].map((f) => relative(cliDir, f));
}

/** Replaces `outdir` by `tmp` with two renames; a concurrent build only makes it go round again. */
function swapIn(tmp, outdir) {
  const old = `${outdir}.old-${process.pid}`;
  for (let attempt = 1; ; attempt++) {
    try {
      renameSync(outdir, old);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    try {
      renameSync(tmp, outdir);
      break;
    } catch (err) {
      if (!['ENOTEMPTY', 'EEXIST'].includes(err.code) || attempt >= 50) throw err;
    }
  }
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
  await buildCli(out);
  if (!existsSync(join(out, 'main.cjs'))) throw new Error(`build did not write ${join(out, 'main.cjs')}`);
}

