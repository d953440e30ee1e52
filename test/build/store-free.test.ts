// The files left out of the PostgreSQL run must be the ones that never run a store: a server test
// moved among them, or a server started in one of them, would otherwise go untested on PostgreSQL.
import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STORE_FREE } from '../store-free.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const testFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [relative(root, join(dir, e.name))] : []));
const self = relative(root, fileURLToPath(import.meta.url));
const files = testFiles(join(root, 'test'));
const storeFree = (file: string) => STORE_FREE.some((glob) => matchesGlob(file, glob));
/** What a test file that runs a server or a store says somewhere in its text. */
const RUNS_A_STORE = /\b(startServer|serverForFile|serverPerTest|openTestStore|openServerStore|openStore|buildApp|SqliteStore|PostgresStore)\b|'--db'|'--database-url'|'serve',\s*'--port'/;

describe('the files left out of the PostgreSQL run', () => {
  it('never start a server nor open a store', () => {
    // this file names the marks it looks for, so it is read by the others' rule only
    const leftOut = files.filter((f) => storeFree(f) && f !== self);
    expect(leftOut.length).toBeGreaterThan(0);
    expect(leftOut.filter((f) => RUNS_A_STORE.test(readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });

  it('are each named by a pattern that still matches a file', () => {
    expect(STORE_FREE.filter((glob) => !files.some((f) => matchesGlob(f, glob)))).toEqual([]);
  });

  it('leave every server, end-to-end and property file of the HTTP API in it', () => {
    const runOnBoth = files.filter((f) => !storeFree(f));
    for (const dir of ['test/server/', 'test/e2e/']) expect(files.filter((f) => f.startsWith(dir) && storeFree(f))).toEqual([]);
    expect(runOnBoth).toContain('test/property/api-bodies.test.ts');
  });
});
