// The SQLite store's tables: the current shape for a new file, and the numbered steps that bring a file
// made by an earlier tix to it. PRAGMA user_version records the last step a file has taken.
//
// Every store follows the same shape: an ordered list of migrations numbered from 1, each applied once,
// in a transaction of its own that also records its number, so a step either happens whole or not at all.
// PostgreSQL keeps the number in its tix_migrations table (postgres.ts), under an advisory lock.
import type Database from 'better-sqlite3';

/** The tables, indexes and triggers of a new database: what every migration below arrives at. */
export const SCHEMA = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL, email TEXT,
  role TEXT NOT NULL, org TEXT, org_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY, subject TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
  priority TEXT NOT NULL, prank INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, team TEXT, level INTEGER,
  assignee TEXT, requester TEXT NOT NULL, org TEXT, tags TEXT NOT NULL DEFAULT '[]', blocked_by INTEGER,
  root_cause INTEGER, escalation TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  first_response_at TEXT, done_at TEXT, response_due_at TEXT NOT NULL, resolution_due_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1, escalations TEXT NOT NULL DEFAULT '[]');
CREATE INDEX tickets_queue ON tickets (prank, created_at, id);
CREATE INDEX tickets_status ON tickets (status, prank, created_at, id);
CREATE INDEX tickets_requester ON tickets (requester);
CREATE INDEX tickets_org ON tickets (org);
CREATE TABLE comments (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL,
  public INTEGER NOT NULL, attachments TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL);
CREATE INDEX comments_ticket ON comments (ticket_id, id);
CREATE INDEX comments_author ON comments (author);
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY, comment_id INTEGER NOT NULL, ticket_id INTEGER NOT NULL, name TEXT NOT NULL,
  content_type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX attachments_comment ON attachments (comment_id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
  from_value TEXT, to_value TEXT, note TEXT, internal INTEGER NOT NULL);
CREATE INDEX events_ticket ON events (ticket_id, id);
CREATE TABLE escalations (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, reason TEXT NOT NULL, team TEXT, level INTEGER,
  state TEXT NOT NULL, estimated_resolution TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
  timeline TEXT NOT NULL);
CREATE INDEX escalations_ticket ON escalations (ticket_id);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE idempotency (
  user_id INTEGER NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,
  status INTEGER, body TEXT, created_at TEXT NOT NULL, PRIMARY KEY (user_id, key));
CREATE INDEX idempotency_created ON idempotency (created_at);
${textIndex()}
`;

// Subject and description, lower-cased as the query language compares them, kept with a trigram index
// for text terms (the copy spares lower() per row); triggers keep it in step with every write to tickets.
function textIndex(): string {
  return `
CREATE VIRTUAL TABLE ticket_text USING fts5(subject, description, tokenize='trigram case_sensitive 1');
CREATE TRIGGER ticket_text_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_text (rowid, subject, description) VALUES (new.id, lower(new.subject), lower(new.description));
END;
CREATE TRIGGER ticket_text_update AFTER UPDATE OF id, subject, description ON tickets BEGIN
  DELETE FROM ticket_text WHERE rowid = old.id;
  INSERT INTO ticket_text (rowid, subject, description) VALUES (new.id, lower(new.subject), lower(new.description));
END;
CREATE TRIGGER ticket_text_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM ticket_text WHERE rowid = old.id;
END;`;
}

export interface SqliteMigration {
  /** The user_version a file has once this step is taken: 1, 2, 3, … in order. */
  version: number;
  /** What the step changes, in a line. */
  does: string;
  up(db: Database.Database): void;
}

const columnsOf = (db: Database.Database, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

/** Files made before versions were kept (user_version 0) and at version 1 may hold any of these older shapes. */
export const MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    does: 'token ids are never given twice; Idempotency-Key records belong to users, not tokens (a record whose token is gone is dropped)',
    up(db) {
      db.exec(`
CREATE TABLE tokens_v1 (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
INSERT INTO tokens_v1 (id, user_id, name, hash, created_at) SELECT id, user_id, name, hash, created_at FROM tokens;
CREATE TABLE idempotency_v1 (
  user_id INTEGER NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,
  status INTEGER, body TEXT, created_at TEXT NOT NULL, PRIMARY KEY (user_id, key));
INSERT OR IGNORE INTO idempotency_v1 (user_id, key, fingerprint, state, status, body, created_at)
  SELECT t.user_id, i.key, i.fingerprint, i.state, i.status, i.body, i.created_at
  FROM idempotency i JOIN tokens t ON t.id = i.token_id ORDER BY i.created_at;
DELETE FROM sqlite_sequence WHERE name IN ('tokens', 'tokens_v1');
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'tokens_v1', max(coalesce((SELECT max(id) FROM tokens), 0), coalesce((SELECT max(token_id) FROM idempotency), 0));
DROP TABLE idempotency;
DROP TABLE tokens;
ALTER TABLE tokens_v1 RENAME TO tokens;
ALTER TABLE idempotency_v1 RENAME TO idempotency;
`);
    },
  },
  {
    version: 2,
    does: 'what older files gained without a version: attachments, the author and expiry indexes, and every ticket lists its escalations',
    up(db) {
      db.exec(`
CREATE TABLE IF NOT EXISTS attachments (
  id INTEGER PRIMARY KEY, comment_id INTEGER NOT NULL, ticket_id INTEGER NOT NULL, name TEXT NOT NULL,
  content_type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS attachments_comment ON attachments (comment_id);
CREATE INDEX IF NOT EXISTS comments_author ON comments (author);
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);
`);
      if (columnsOf(db, 'tickets').includes('escalations')) return;
      db.exec(`ALTER TABLE tickets ADD COLUMN escalations TEXT NOT NULL DEFAULT '[]'`);
      db.exec(`UPDATE tickets SET escalations = (SELECT json_group_array('CP-' || id) FROM (SELECT id FROM escalations e WHERE e.ticket_id = tickets.id ORDER BY id))
               WHERE id IN (SELECT ticket_id FROM escalations)`);
    },
  },
  {
    version: 3,
    does: 'text terms read a lower-cased copy of subject and description beside its trigram index, rebuilt from the tickets where a file has the index without the copy, or none',
    up(db) {
      const has = (name: string) => db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
      // a file that already has the copy and its triggers is in step: rebuilding would cost seconds per 100,000 tickets
      if (['ticket_text_content', 'ticket_text_insert', 'ticket_text_update', 'ticket_text_delete'].every(has)) return;
      db.exec(`
DROP TRIGGER IF EXISTS ticket_text_insert;
DROP TRIGGER IF EXISTS ticket_text_update;
DROP TRIGGER IF EXISTS ticket_text_delete;
DROP TABLE IF EXISTS ticket_text;
${textIndex()}
INSERT INTO ticket_text (rowid, subject, description) SELECT id, lower(subject), lower(description) FROM tickets;
`);
    },
  },
];

/** The version of a file this tix makes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the file to the last version of `migrations`: a new file gets SCHEMA at once, an older one takes
 * each step it lacks, in order, each in its own transaction with its user_version, so a failed step leaves
 * the file as the step before left it.
 */
export function migrate(db: Database.Database, migrations: readonly SqliteMigration[] = MIGRATIONS, schema = SCHEMA): void {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const versionNow = () => db.pragma('user_version', { simple: true }) as number;
  const found = versionNow();
  if (found > latest) throw new Error(`this database was written by a newer tix (schema ${found}); upgrade tix to open it`);
  // each step looks again inside its transaction: another process may have opened the file at the same time
  db.transaction(() => {
    const fresh = versionNow() === 0 && db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get() === undefined;
    if (!fresh) return;
    db.exec(schema);
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  for (const step of migrations) {
    if (step.version <= found) continue;
    db.transaction(() => {
      if (versionNow() >= step.version) return;
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
}
