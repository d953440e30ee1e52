// Module structure: no import cycle under src/ (a cycle lets a module run against a half-loaded one), and routes never reach the store or the app.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

/**
 * The relative modules a file loads when it is evaluated: static imports and re-exports that survive compilation.
 * `import type`, `export type` and imports whose every name is `type` are erased; `import()` runs only when called,
 * after both modules have finished loading, so it cannot observe a half-loaded module and is not an edge.
 */
function runtimeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const allTypes = clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (allTypes) continue;
      spec = st.moduleSpecifier;
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (st.isTypeOnly) continue;
      const clause = st.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) continue;
      spec = st.moduleSpecifier;
    }
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Every cycle's path (first module repeated at the end), one per strongly connected group. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'active') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const files = tsFiles(src);
const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
const name = (f: string) => relative(root, f);

describe('import graph under src/', () => {
  it('reads static imports and re-exports, and leaves out type-only ones and import()', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C } from './c.js';",
      "import { type D, d } from './d.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "export * from './g.js';",
      "import './h.js';",
      "import { z } from 'zod';",
      "const later = () => import('./i.js');",
    ].join('\n');
    expect(runtimeImports('/x/m.ts', text)).toEqual(['/x/a.ts', '/x/d.ts', '/x/e.ts', '/x/g.ts', '/x/h.ts']);
  });

  it('finds a cycle when there is one', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('every import resolves to a file under src/', () => {
    const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${name(f)} -> ${name(d)}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycles(graph).map((c) => c.map(name).join(' -> '))).toEqual([]);
  });

  it('no route imports the store or the app', () => {
    const routes = join(src, 'server/routes');
    const forbidden = (d: string) => d.startsWith(join(src, 'server/store') + '/') || d === join(src, 'server/app.ts');
    // type-only imports count here too: routes speak to the service, not to the store's shapes
    const offending = files
      .filter((f) => f.startsWith(routes + '/'))
      .flatMap((f) => {
        const all = ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.'));
        return all.map((s) => resolve(dirname(f), s.replace(/\.js$/, '.ts'))).filter(forbidden).map((d) => `${name(f)} -> ${name(d)}`);
      });
    expect(offending).toEqual([]);
  });
});
