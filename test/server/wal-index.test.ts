// The WAL-index header tells whether anything committed since the last look, whoever committed it.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalIndexWatch } from '../../src/server/store/wal-index.js';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tix-wal-index-'));
  db = new Database(join(dir, 'tix.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v)');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a WAL-index watch', () => {
  it('moves on each commit, by this connection or another, and on nothing else', () => {
    const watch = WalIndexWatch.open(join(dir, 'tix.db'))!;
    expect(watch).not.toBeNull();
    expect(watch.moved()).toBe(false);
    db.prepare('SELECT count(*) FROM t').get();
    expect(watch.moved()).toBe(false);
    db.prepare('INSERT INTO t VALUES (1)').run();
    expect(watch.moved()).toBe(true);
    expect(watch.moved()).toBe(false);
    const other = new Database(join(dir, 'tix.db'));
    other.prepare('INSERT INTO t VALUES (2)').run();
    expect(watch.moved()).toBe(true);
    other.pragma('wal_checkpoint(TRUNCATE)');
    watch.moved();
    // after the WAL restarts from its start, a commit of the same size still moves the header
    other.prepare('INSERT INTO t VALUES (3)').run();
    expect(watch.moved()).toBe(true);
    other.close();
  });

  it('follows a symbolic link to the database, as SQLite names its -shm', () => {
    symlinkSync(join(dir, 'tix.db'), join(dir, 'link.db'));
    const watch = WalIndexWatch.open(join(dir, 'link.db'))!;
    expect(watch).not.toBeNull();
    db.prepare('INSERT INTO t VALUES (1)').run();
    expect(watch.moved()).toBe(true);
  });

  it('is not kept for a file that is not a WAL index', () => {
    expect(WalIndexWatch.open(join(dir, 'missing.db'))).toBeNull();
    writeFileSync(join(dir, 'other.db'), '');
    writeFileSync(join(dir, 'other.db-shm'), Buffer.alloc(32 * 1024));
    expect(WalIndexWatch.open(join(dir, 'other.db'))).toBeNull();
  });
});
