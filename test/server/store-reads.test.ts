// Ticket reads are served from memory only while nothing else changed the database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTicketRecord } from '../../src/server/service.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';

let path: string;
let store: SqliteStore;
const now = new Date('2026-11-02T09:00:00Z');
const record = (subject: string) =>
  newTicketRecord({ subject, description: 'd', priority: 'medium', channel: 'portal', type: null, requester: 'admin', org: null, tags: [], created_at: now.toISOString() });

beforeEach(() => {
  path = join(mkdtempSync(join(tmpdir(), 'tix-store-')), 'tix.db');
  store = new SqliteStore(path);
});
afterEach(async () => {
  await store.close();
  rmSync(dirname(path), { recursive: true, force: true });
});

describe('ticket reads', () => {
  it('see a change committed by another connection at once', async () => {
    const t = await store.createTicket(record('before'), [], []);
    expect((await store.getTicket(t.id))!.subject).toBe('before');
    const other = new Database(path);
    other.prepare('UPDATE tickets SET subject = ? WHERE id = ?').run('changed elsewhere', t.id);
    other.close();
    expect((await store.getTicket(t.id))!.subject).toBe('changed elsewhere');
  });

  it('see every change another connection commits, through checkpoints that restart the WAL', async () => {
    const t = await store.createTicket(record('v0'), [], []);
    const other = new Database(path);
    try {
      for (let i = 1; i <= 12; i++) {
        expect((await store.getTicket(t.id))!.subject).toBe(`v${i - 1}`);
        // a read that changes nothing leaves the remembered ticket as it was
        expect((await store.getTicket(t.id))!.subject).toBe(`v${i - 1}`);
        if (i % 3 === 0) other.pragma('wal_checkpoint(TRUNCATE)');
        if (i % 4 === 0) other.pragma('wal_checkpoint(RESTART)');
        other.prepare('UPDATE tickets SET subject = ? WHERE id = ?').run(`v${i}`, t.id);
      }
      expect((await store.getTicket(t.id))!.subject).toBe('v12');
    } finally {
      other.close();
    }
  });

  it('see a change another process commits at once', async () => {
    const t = await store.createTicket(record('before'), [], []);
    expect((await store.getTicket(t.id))!.subject).toBe('before');
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.prepare('UPDATE tickets SET subject = ? WHERE id = ?').run('from another process', Number(process.argv[2])); db.close();`;
    const r = spawnSync(process.execPath, ['-e', script, path, String(t.id)], { cwd: process.cwd(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((await store.getTicket(t.id))!.subject).toBe('from another process');
  });

  it('see this store\'s own change at once', async () => {
    const t = await store.createTicket(record('before'), [], []);
    await store.getTicket(t.id);
    await store.mutateTicket(t.id, now, () => ({ patch: { subject: 'after' }, events: [] }));
    expect((await store.getTicket(t.id))!).toMatchObject({ subject: 'after', version: 2 });
  });
});
