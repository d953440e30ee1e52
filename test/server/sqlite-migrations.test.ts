// A SQLite file made by an earlier tix opens with its data intact and takes the current shape, step by
// step: the files are built from the schemas those versions wrote (fixtures/sqlite-schema-N.sql).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/domain/query.js';
import { migrate, SCHEMA_VERSION, type SqliteMigration } from '../../src/server/store/sqlite-schema.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const admin = { login: 'admin', role: 'admin' as const, org: null, org_admin: false };
const schemaOf = (version: number) => readFileSync(join(import.meta.dirname, 'fixtures', `sqlite-schema-${version}.sql`), 'utf8');

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A database file made of `statements`, closed: as an earlier tix left it. */
function oldFile(...statements: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tix-migrate-'));
  dirs.push(dir);
  const path = join(dir, 'tix.db');
  const db = new Database(path);
  for (const s of statements) db.exec(s);
  db.close();
  return path;
}

function open(path: string): SqliteStore {
  const store = new SqliteStore(path, { readers: 0 });
  stores.push(store);
  return store;
}

const ticketIds = async (store: SqliteStore, q: string) =>
  (await store.listTickets({ query: parseQuery(q), viewer: admin, sort: 'created', limit: 100, now: NOW })).items.map((t) => t.id);

/** Tables, columns, indexes and triggers as SQLite records them, quotes and spacing aside. */
function shapeOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name`).all() as { type: string; name: string; sql: string }[];
    return rows.map((r) => `${r.type} ${r.name}: ${r.sql.replace(/"/g, '').replace(/\s+/g, ' ')}`);
  } finally {
    db.close();
  }
}

const V1_DATA = `
INSERT INTO users VALUES (1, 'admin', 'Admin', NULL, 'admin', NULL, 0, '2026-11-01T00:00:00.000Z'),
                         (2, 'carol', 'Carol', 'carol@acme.test', 'requester', 'acme', 1, '2026-11-01T00:00:00.000Z');
INSERT INTO tokens VALUES (1, 1, 'bootstrap', 'h1', '2026-11-01T00:00:00.000Z'), (2, 2, 'cli', 'h2', '2026-11-01T00:00:00.000Z');
INSERT INTO tickets (id, subject, description, status, priority, prank, channel, type, team, level, assignee, requester, org, tags,
  escalation, created_at, updated_at, first_response_at, response_due_at, resolution_due_at, version, escalations)
VALUES (1, 'VPN drops every hour', 'Since Monday the tunnel disconnects', 'escalated', 'high', 1, 'email', 'incident', 'engineering', 2,
  'alice', 'carol', 'acme', '["vpn","Billing"]', 'CP-1', '2026-11-19T08:00:00.000Z', '2026-11-19T09:00:00.000Z', '2026-11-19T08:30:00.000Z',
  '2026-11-19T12:00:00.000Z', '2026-11-22T08:00:00.000Z', 4, '["CP-1"]'),
       (2, 'Invoice typo', 'Wrong street name', 'new', 'low', 3, 'portal', NULL, NULL, NULL, NULL, 'carol', 'acme', '[]',
  NULL, '2026-11-19T10:00:00.000Z', '2026-11-19T10:00:00.000Z', NULL, '2026-11-20T10:00:00.000Z', '2026-11-26T10:00:00.000Z', 1, '[]');
INSERT INTO comments VALUES (1, 1, 'carol', 'Here is the log', 1, '[{"id":1,"name":"vpn.log","size":5,"content_type":"text/plain"}]', '2026-11-19T08:10:00.000Z');
INSERT INTO attachments VALUES (1, 1, 1, 'vpn.log', 'text/plain', 5, X'68656c6c6f');
INSERT INTO events VALUES (1, 1, '2026-11-19T08:00:00.000Z', 'carol', 'created', NULL, NULL, NULL, 0),
                          (2, 1, '2026-11-19T09:00:00.000Z', 'alice', 'escalated', NULL, 'CP-1', 'needs engineering', 1);
INSERT INTO escalations VALUES (1, 1, 'tunnel bug', 'engineering', 2, 'submitted', NULL, 'alice', '2026-11-19T09:00:00.000Z',
  '[{"state":"submitted","at":"2026-11-19T09:00:00.000Z","by":"alice","note":null}]');
INSERT INTO counters VALUES ('escalation', 1);
INSERT INTO idempotency VALUES (2, 'k-carol', 'fp', 'done', 201, '{"id":2}', '2026-11-20T11:00:00.000Z');
`;

describe('a file of schema version 1, the version before numbered migrations', () => {
  it('opens at the current version with every row as it was', async () => {
    const store = open(oldFile(schemaOf(1), V1_DATA));
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(await store.getTicket(1)).toEqual({
      id: 1, subject: 'VPN drops every hour', description: 'Since Monday the tunnel disconnects', status: 'escalated', priority: 'high',
      channel: 'email', type: 'incident', team: 'engineering', level: 2, assignee: 'alice', requester: 'carol', org: 'acme',
      tags: ['vpn', 'Billing'], blocked_by: null, root_cause: null, escalation: 'CP-1', escalations: ['CP-1'],
      created_at: '2026-11-19T08:00:00.000Z', updated_at: '2026-11-19T09:00:00.000Z', first_response_at: '2026-11-19T08:30:00.000Z',
      done_at: null, response_due_at: '2026-11-19T12:00:00.000Z', resolution_due_at: '2026-11-22T08:00:00.000Z', version: 4,
    });
    expect((await store.findToken('h2'))?.user).toMatchObject({ login: 'carol', org: 'acme', org_admin: true, email: 'carol@acme.test' });
    expect((await store.listEvents(1, true)).map((e) => [e.kind, e.to, e.internal])).toEqual([['created', null, false], ['escalated', 'CP-1', true]]);
    expect((await store.listComments(1, false))[0]).toMatchObject({ body: 'Here is the log', attachments: [{ id: 1, name: 'vpn.log', size: 5 }] });
    expect((await store.getAttachment(1))?.data.toString()).toBe('hello');
    expect(await store.attachmentBytesBy('carol')).toBe(5);
    expect((await store.getEscalation('CP-1'))?.timeline).toHaveLength(1);
    expect(await store.idempotencyBegin(2, 'k-carol', 'fp', NOW)).toEqual({ state: 'done', status: 201, body: '{"id":2}' });
  });

  it('keeps counting where it stopped: the next escalation, token and ticket follow the old ones', async () => {
    const store = open(oldFile(schemaOf(1), V1_DATA));
    expect(await store.nextEscalationNumber()).toBe(2);
    expect((await store.createToken(1, 'new', 'h3', NOW)).id).toBe(3);
    const t = await store.createTicket({ ...(await store.getTicket(2))!, subject: 'Printer jam on floor 3' }, [], []);
    expect(t.id).toBe(3);
  });

  it('answers text terms from the tickets it already held, and from the ones written after', async () => {
    const store = open(oldFile(schemaOf(1), V1_DATA));
    expect(await ticketIds(store, 'tunnel')).toEqual([1]);
    expect(await ticketIds(store, '"STREET NAME"')).toEqual([2]);
    await store.mutateTicket(2, NOW, () => ({ patch: { subject: 'Tunnel invoice' }, events: [] }));
    expect(await ticketIds(store, 'tunnel')).toEqual([1, 2]);
  });

  it('as written before the index kept its own copy of the text, answers text terms too', async () => {
    // tix wrote the trigram index without content at schema 1 for a while; text terms now read its copy
    const contentless = `
      DROP TRIGGER ticket_text_insert; DROP TRIGGER ticket_text_update; DROP TRIGGER ticket_text_delete; DROP TABLE ticket_text;
      CREATE VIRTUAL TABLE ticket_text USING fts5(subject, description, content='', contentless_delete=1, tokenize='trigram case_sensitive 1');
      INSERT INTO ticket_text (rowid, subject, description) SELECT id, lower(subject), lower(description) FROM tickets;`;
    const store = open(oldFile(schemaOf(1), V1_DATA, contentless));
    expect(await ticketIds(store, 'tunnel')).toEqual([1]);
    expect(await ticketIds(store, '-"every hour"')).toEqual([2]);
  });

  it('ends in the shape of a new file, and a second opening changes nothing', async () => {
    const path = oldFile(schemaOf(1), V1_DATA);
    await open(path).close();
    const migrated = shapeOf(path);
    const fresh = oldFile();
    await open(fresh).close();
    expect(migrated).toEqual(shapeOf(fresh));
    const again = open(path);
    expect(shapeOf(path)).toEqual(migrated);
    expect((await again.getTicket(1))?.version).toBe(4);
  });
});

const V0_DATA = `
INSERT INTO users VALUES (1, 'admin', 'Admin', NULL, 'admin', NULL, 0, '2026-01-01T00:00:00.000Z'),
                         (2, 'carol', 'Carol', NULL, 'requester', 'acme', 0, '2026-01-01T00:00:00.000Z');
INSERT INTO tokens VALUES (1, 1, 'bootstrap', 'h1', '2026-01-01T00:00:00.000Z'), (2, 2, 'cli', 'h2', '2026-01-01T00:00:00.000Z');
INSERT INTO tickets (id, subject, description, status, priority, prank, channel, requester, created_at, updated_at, response_due_at, resolution_due_at)
VALUES (1, 'Checkout fails', 'all users affected', 'in_progress', 'medium', 2, 'portal', 'carol', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-06T00:00:00Z'),
       (2, 'VPN drops', 'one user', 'new', 'medium', 2, 'portal', 'carol', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-06T00:00:00Z');
INSERT INTO escalations (id, ticket_id, reason, state, created_by, created_at, timeline)
VALUES (7, 1, 'r', 'resolved', 'alice', '2026-11-01T00:00:00Z', '[]'), (3, 1, 'r', 'resolved', 'alice', '2026-11-01T00:00:00Z', '[]');
INSERT INTO idempotency VALUES (2, 'k-carol', 'f', 'done', 201, '{}', '2026-11-20T00:00:00.000Z'),
                               (3, 'k-revoked', 'f', 'done', 200, '{"secret":1}', '2026-11-20T00:00:00.000Z');
`;

describe('a file from before schema versions were kept (version 0)', () => {
  it('takes every step: tokens never reuse an id, keys go to the user of their token, tickets list their escalations, text is indexed', async () => {
    const store = open(oldFile(schemaOf(0), V0_DATA));
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.prepare('SELECT user_id, key FROM idempotency ORDER BY key').all()).toEqual([{ user_id: 2, key: 'k-carol' }]);
    // token 3 was given once (its record says so) and revoked: the next token is 4
    expect((await store.createToken(2, 'new', 'h4', NOW)).id).toBe(4);
    expect((await store.findToken('h2'))?.user.login).toBe('carol');
    expect((await store.getTicket(1))!.escalations).toEqual(['CP-3', 'CP-7']);
    expect((await store.getTicket(2))!.escalations).toEqual([]);
    expect(await ticketIds(store, 'checkout')).toEqual([1]);
    // attachments, which the first shape had no table for, can be stored
    const { comments } = await store.mutateTicket(2, NOW, () => ({
      patch: {}, events: [], comments: [{ author: 'carol', body: 'log', public: true, attachments: [{ name: 'a.txt', content_type: 'text/plain', data: Buffer.from('abc') }] }],
    }));
    expect((await store.getAttachment(comments[0]!.attachments[0]!.id))?.data.toString()).toBe('abc');
  });

  it('ends in the shape of a new file', async () => {
    const path = oldFile(schemaOf(0), V0_DATA);
    await open(path).close();
    const fresh = oldFile();
    await open(fresh).close();
    expect(shapeOf(path)).toEqual(shapeOf(fresh));
  });
});

describe('migrating', () => {
  it('a step that fails leaves the file as the step before left it, and the next opening takes it again', () => {
    const path = oldFile('CREATE TABLE kept (id INTEGER)');
    const steps = (failing: boolean): SqliteMigration[] => [
      { version: 1, does: 'a first table', up: (db) => db.exec('CREATE TABLE first (id INTEGER)') },
      {
        version: 2,
        does: 'a second table',
        up: (db) => {
          db.exec('CREATE TABLE second (id INTEGER)');
          if (failing) throw new Error('disk on fire');
        },
      },
    ];
    const tables = (db: Database.Database) => (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    const db = new Database(path);
    try {
      expect(() => migrate(db, steps(true), '')).toThrow('disk on fire');
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(tables(db)).toEqual(['first', 'kept']);
      migrate(db, steps(false), '');
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(tables(db)).toEqual(['first', 'kept', 'second']);
    } finally {
      db.close();
    }
  });

  it('a new file is made in the current shape at once, at the current version', async () => {
    const path = oldFile();
    await open(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('a file written by a newer tix is refused, untouched', () => {
    const path = oldFile(schemaOf(1), `PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    const before = shapeOf(path);
    expect(() => open(path)).toThrow(`this database was written by a newer tix (schema ${SCHEMA_VERSION + 1}); upgrade tix to open it`);
    expect(shapeOf(path)).toEqual(before);
  });
});
