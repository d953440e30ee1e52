// The journal survives a line torn by a crash: the torn tail is cut, later lines start clean.
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('refuses a file that does not start with a run line, and leaves it as it was', () => {
    const path = journalPath();
    writeFileSync(path, '{"kind":"done","id":1,"result":"succeeded"}\n');
    expect(() => Journal.open(path, 'fp', 'close', now)).toThrow('belongs to another run (unknown); use a new --journal file');
    expect(readFileSync(path, 'utf8')).toBe('{"kind":"done","id":1,"result":"succeeded"}\n');
  });

  it('starts a new journal with its run line, readable by its owner only, and keeps a failure’s error', () => {
    const path = journalPath();
    const first = Journal.open(path, 'fp', 'close {"resolution":"x"}', now);
    first.record([]);
    first.record([{ id: 4, result: 'failed', error: { code: 'not_found', message: 'ticket 4 not found', status: 404 } }, { id: 5, result: 'skipped' }]);
    first.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ kind: 'run', fingerprint: 'fp', command: 'close {"resolution":"x"}', at: now.toISOString() });
    expect(lines).toHaveLength(3);
    const again = Journal.open(path, 'fp', 'close {"resolution":"x"}', new Date('2030-01-01T00:00:00Z'));
    expect(again.finished.get(4)).toEqual({ id: 4, result: 'failed', error: { code: 'not_found', message: 'ticket 4 not found', status: 404 } });
    expect(again.finished.get(5)).toEqual({ id: 5, result: 'skipped' });
    again.close();
    // a resumed run adds no second run line
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(3);
  });

  it('a blank line is passed over, not taken for a torn tail: what follows it still counts', () => {
    const path = journalPath();
    const first = Journal.open(path, 'fp', 'close', now);
    first.record([{ id: 1, result: 'succeeded' }]);
    first.close();
    appendFileSync(path, '\n   \n{"kind":"done","id":2,"result":"skipped"}\n');
    const before = readFileSync(path, 'utf8');
    const again = Journal.open(path, 'fp', 'close', now);
    again.close();
    expect([...again.finished.keys()]).toEqual([1, 2]);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('closing it lets go of its file: a long-lived process running many journaled changes holds no descriptor for them', () => {
    const path = journalPath();
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 5; i++) Journal.open(path, 'fp', 'close', now).close();
    expect(open()).toBe(before);
  });
});
