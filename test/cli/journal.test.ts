// The journal survives a line torn by a crash: the torn tail is cut, later lines start clean.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/cli/journal.js';

const now = new Date('2026-11-23T10:00:00Z');
const dirs: string[] = [];
const journalPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tix-journal-'));
  dirs.push(dir);
  return join(dir, 'run.journal');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('journal', () => {
  it('a torn last line is cut, and what is appended after it is read back by the next run', () => {
    const path = journalPath();
    const first = Journal.open(path, 'fp', 'close', now);
    first.plan('k1', [1, 2, 3]);
    first.record([{ id: 1, result: 'succeeded' }]);
    first.close();
    appendFileSync(path, '{"kind":"done","id":2,"res'); // killed mid-write
    const second = Journal.open(path, 'fp', 'close', now);
    expect([...second.finished.keys()]).toEqual([1]);
    expect(second.unanswered).toEqual([{ key: 'k1', ids: [1, 2, 3] }]);
    second.record([{ id: 2, result: 'succeeded' }, { id: 3, result: 'skipped' }]);
    second.close();
    const third = Journal.open(path, 'fp', 'close', now);
    expect([...third.finished.keys()].sort()).toEqual([1, 2, 3]);
    expect(third.unanswered).toEqual([]);
    third.close();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).every((l) => JSON.parse(l))).toBe(true);
  });

  it('refuses a journal written by another command or body', () => {
    const path = journalPath();
    Journal.open(path, 'fp-close', 'close {"resolution":"x"}', now).close();
    expect(() => Journal.open(path, 'fp-move', 'status {"status":"resolved"}', now)).toThrow(/belongs to another run/);
    writeFileSync(path, '');
  });
});
