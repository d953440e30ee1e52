// The SQLite store (better-sqlite3, WAL). All SQL of the server lives in this folder.
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import Database from 'better-sqlite3';
import { LocalNotifier } from './notifier.js';
import type { FeedRead, ListFeedArgs } from './types.js';
import { PRIORITIES, type Comment, type Escalation, type Event, type User } from '../../domain/schemas.js';
import { SqliteReaders } from './sqlite-readers.js';
import { migrate } from './sqlite-schema.js';
import { compileQuery, decodeCursor, encodeCursor, escalationsPage, escalationsSql, orderFor, visibility } from './sql.js';
import { SQLITE } from './sqlite-sql.js';
import { WalIndexWatch } from './wal-index.js';
import { rowReaders } from './rows.js';
import { DomainError, type IdempotencyBegin, type ListEscalationsArgs, type ListTicketsArgs, type Mutation, type MutationGuard, type NewComment, type NewEvent, type NewTicket, type NewUser, type Store, type TicketRecord, type Viewer } from './types.js';

/** SQLite's refusals of a statement too big to run: the query's fault, not the server's. */
const TOO_COMPLEX = /too large|too many|too big|too complex|stack overflow|depth/i;

function readFailure(err: unknown): unknown {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_') && TOO_COMPLEX.test(message)) {
    return new DomainError('validation', `the query is too complex for the database (${message}); use fewer terms or values`);
  }
  return err;
}

export interface SqliteStoreOptions {
  /**
   * Worker threads reading ticket lists off the event loop, each with its own read-only connection
   * (default: from the cores, 1 to 4). 0 reads on the main connection; ':memory:' always does.
   */
  readers?: number;
}

/** The longest unfiltered queue page read on the main connection: about its rows' cost, well under a millisecond. */
export const CHEAP_PAGE = 100;

const prank = (p: string) => PRIORITIES.indexOf(p as (typeof PRIORITIES)[number]);
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

type Row = Record<string, unknown>;

// SQLite keeps booleans as 0/1 and JSON as text
const { ticketFrom, toTicket, toUser, toEscalation, toEvent, toComment } = rowReaders({ bool: (v) => v === 1, json: <T>(v: unknown) => JSON.parse(v as string) as T });

const RECORD_COLUMNS = ['id', 'subject', 'description', 'status', 'priority', 'channel', 'type', 'team', 'level', 'assignee', 'requester', 'org', 'tags', 'blocked_by', 'root_cause', 'escalation', 'escalations', 'created_at', 'updated_at', 'first_response_at', 'done_at', 'response_due_at', 'resolution_due_at', 'version'];
const RECORD_INDEX = new Map(RECORD_COLUMNS.map((c, i) => [c, i]));
const arrayToTicket = (a: unknown[]) => ticketFrom((c) => a[RECORD_INDEX.get(c)!]);

const FEED_COLUMNS = 'e.id, e.ticket_id, e.at, e.actor, e.kind, e.from_value, e.to_value, e.note, e.internal';
const arrayToEvent = (a: unknown[]): Event => ({
  id: a[0] as number,
  ticket_id: a[1] as number,
  at: a[2] as string,
  actor: a[3] as string,
  kind: a[4] as Event['kind'],
  from: (a[5] ?? null) as string | null,
  to: (a[6] ?? null) as string | null,
  note: (a[7] ?? null) as string | null,
  internal: a[8] === 1,
});

const TICKET_COLUMNS = [
  'subject', 'description', 'status', 'priority', 'channel', 'type', 'team', 'level', 'assignee', 'requester',
  'org', 'tags', 'blocked_by', 'root_cause', 'escalation', 'escalations', 'created_at', 'updated_at', 'first_response_at',
  'done_at', 'response_due_at', 'resolution_due_at',
] as const;

const columnValue = (col: string, v: unknown) => (col === 'tags' || col === 'escalations' ? JSON.stringify(v ?? []) : v ?? null);

/**
 * The database file is made (or kept) 0600 before SQLite opens it: SQLite gives the -wal and
 * -shm files it creates the database file's mode, so all three stay readable by the owner only.
 */
function ownerOnly(path: string) {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (err) {
      // missing, or someone else's file this user cannot change: SQLite then says what it can do
      if (!['ENOENT', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly commits = new LocalNotifier();

  /** Null when reads stay on the main connection (an in-memory database has nothing to share). */
  readonly readers: SqliteReaders | null;

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    if (path !== ':memory:' && path !== '' && !path.startsWith('file:')) ownerOnly(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    try {
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    // a request still "pending" when the process stopped will never finish: let its key be retried
    this.sql(`DELETE FROM idempotency WHERE state = 'pending'`).run();
    const size = opts.readers ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    const inMemory = path === ':memory:' || path === '' || path.startsWith('file::memory:');
    this.readers = size > 0 && !inMemory ? new SqliteReaders(path, size) : null;
    // a -shm file left from another time says nothing unless this connection runs in WAL mode
    const wal = this.db.pragma('journal_mode', { simple: true }) === 'wal';
    this.walIndex = wal && !inMemory && !path.startsWith('file:') ? WalIndexWatch.open(path) : null;
  }

  /** Whether anything committed since the last ticket read; null where only SQLite can say. */
  private readonly walIndex: WalIndexWatch | null;

  /**
   * Rows of a read that may be costly: on a reader thread when there is one, so the event loop stays
   * free. Inside a batch the read stays on the main connection, to see the batch's own writes.
   */
  private async readAll(text: string, params: unknown[]): Promise<Row[]> {
    const { columns, rows } = await this.readRaw(text, params);
    return rows.map((a) => Object.fromEntries(columns.map((c, i) => [c, a[i]])));
  }

  /** The same read as arrays of values with their column names: no object per row on either side. */
  private async readRaw(text: string, params: unknown[]): Promise<{ columns: string[]; rows: unknown[][] }> {
    const inOwnBatch = this.batchOwner !== undefined && this.batchScope.getStore() === this.batchOwner;
    try {
      if (!this.readers || inOwnBatch) {
        // a statement of its own (the comment keys it apart), always in raw mode
        const stmt = this.sql(`/* raw */ ${text}`).raw(true);
        return { columns: stmt.columns().map((c) => c.name), rows: stmt.all(...params) as unknown[][] };
      }
      return await this.readers.all(text, params);
    } catch (err) {
      throw readFailure(err);
    }
  }

  /** Prepared statements, kept: preparing costs more than running most of these queries. */
  private readonly statements = new Map<string, Database.Statement>();

  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      // list queries vary with their terms; a bound keeps odd shapes from piling up
      if (this.statements.size > 500) this.statements.clear();
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  async close() {
    await this.readers?.close();
    this.db.close();
  }

  // ---- batches: one transaction, a savepoint per operation -------------------------------
  private readonly batchScope = new AsyncLocalStorage<symbol>();
  private batchOwner: symbol | undefined;
  private batchDone: Promise<void> = Promise.resolve();

  /** Writes from outside the running batch wait for it, so they never join its transaction. */
  private async writeTurn(): Promise<void> {
    while (this.batchOwner && this.batchScope.getStore() !== this.batchOwner) await this.batchDone;
  }

  async batch<T>(fn: () => Promise<T>): Promise<T> {
    // a batch begun inside this one joins it: its changes commit, or are undone, with the outer one
    if (this.batchOwner !== undefined && this.batchScope.getStore() === this.batchOwner) return fn();
    await this.writeTurn();
    // BEGIN first: if the database is busy it throws before this batch claims the connection
    this.db.exec('BEGIN IMMEDIATE');
    const owner = Symbol('batch');
    let finish!: () => void;
    this.batchDone = new Promise((resolve) => (finish = resolve));
    this.batchOwner = owner;
    try {
      const result = await this.batchScope.run(owner, fn);
      this.db.exec('COMMIT');
      this.batchOwner = undefined;
      this.commits.notify();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      // what the batch changed was remembered before it was undone
      this.forget();
      throw err;
    } finally {
      this.batchOwner = undefined;
      finish();
    }
  }

  /** A write outside a batch has committed; inside one, the batch's COMMIT tells. */
  private committed() {
    if (this.batchOwner === undefined) this.commits.notify();
  }

  async countUsers() {
    return (this.sql('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async createUser(u: NewUser, now: Date) {
    await this.writeTurn();
    try {
      const info = this.sql('INSERT INTO users (login, name, email, role, org, org_admin, created_at) VALUES (?,?,?,?,?,?,?)')
        .run(u.login, u.name, u.email, u.role, u.org, u.org_admin ? 1 : 0, now.toISOString());
      return (await this.getUser(Number(info.lastInsertRowid)))!;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DomainError('conflict', `user ${u.login} already exists`);
      throw err;
    }
  }

  async getUser(id: number) {
    const r = this.sql('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async getUserByLogin(login: string) {
    const r = this.sql('SELECT * FROM users WHERE login = ?').get(login) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async listUsers() {
    return (this.sql('SELECT * FROM users ORDER BY id').all() as Row[]).map(toUser);
  }

  async createToken(userId: number, name: string, hash: string, now: Date) {
    await this.writeTurn();
    const created_at = now.toISOString();
    const info = this.sql('INSERT INTO tokens (user_id, name, hash, created_at) VALUES (?,?,?,?)').run(userId, name, hash, created_at);
    return { id: Number(info.lastInsertRowid), user_id: userId, name, created_at };
  }

  async findToken(hash: string) {
    const r = this.sql('SELECT t.id AS token_id, u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?')
      .get(hash) as Row | undefined;
    return r ? { token_id: r.token_id as number, user: toUser(r) } : null;
  }

  async deleteToken(id: number) {
    await this.writeTurn();
    return this.sql('DELETE FROM tokens WHERE id = ?').run(id).changes > 0;
  }

  private insertEvents(ticketId: number, at: string, events: NewEvent[]) {
    const stmt = this.sql(
      'INSERT INTO events (ticket_id, at, actor, kind, from_value, to_value, note, internal) VALUES (?,?,?,?,?,?,?,?)',
    );
    for (const e of events) stmt.run(ticketId, at, e.actor, e.kind, e.from, e.to, e.note, e.internal ? 1 : 0);
  }

  private insertComments(ticketId: number, at: string, comments: NewComment[]): Comment[] {
    const stmt = this.sql('INSERT INTO comments (ticket_id, author, body, public, attachments, created_at) VALUES (?,?,?,?,?,?)');
    const file = this.sql('INSERT INTO attachments (comment_id, ticket_id, name, content_type, size, data) VALUES (?,?,?,?,?,?)');
    return comments.map((c) => {
      const info = stmt.run(ticketId, c.author, c.body, c.public ? 1 : 0, '[]', at);
      const id = Number(info.lastInsertRowid);
      const attachments = (c.attachments ?? []).map((a) => ({
        id: Number(file.run(id, ticketId, a.name, a.content_type, a.data.length, a.data).lastInsertRowid),
        name: a.name,
        size: a.data.length,
        content_type: a.content_type,
      }));
      if (attachments.length) this.sql('UPDATE comments SET attachments = ? WHERE id = ?').run(JSON.stringify(attachments), id);
      return { id, ticket_id: ticketId, author: c.author, body: c.body, public: c.public, attachments, created_at: at };
    });
  }

  async createTicket(t: NewTicket, events: NewEvent[], comments: NewComment[]) {
    await this.writeTurn();
    const run = this.db.transaction(() => {
      const info = this.sql(`INSERT INTO tickets (${TICKET_COLUMNS.join(', ')}, prank) VALUES (${TICKET_COLUMNS.map(() => '?').join(',')}, ?)`)
        .run(...TICKET_COLUMNS.map((c) => columnValue(c, t[c])), prank(t.priority));
      const id = Number(info.lastInsertRowid);
      this.insertEvents(id, t.created_at, events);
      this.insertComments(id, t.created_at, comments);
      return id;
    });
    const id = run();
    this.forget(id);
    this.committed();
    return (await this.getTicket(id))!;
  }

  // ---- ticket reads: the hottest path, served from memory while nothing changed ----------
  private ticketById?: Database.Statement;
  private dataVersion?: Database.Statement;
  private readonly tickets = new Map<number, TicketRecord>();
  private seenVersion: unknown;

  /** Forget remembered tickets: one after its own change, all when another connection wrote. */
  private forget(id?: number) {
    if (id === undefined) this.tickets.clear();
    else this.tickets.delete(id);
  }

  async getTicket(id: number) {
    // the WAL-index header says, without a lock, whether anything committed since; only then is SQLite asked who did
    if (this.walIndex?.moved() !== false) this.forgetOthersWrites();
    return this.rememberedTicket(id);
  }

  /** data_version moves when any other connection commits; this connection's writes forget() themselves. */
  private forgetOthersWrites() {
    this.dataVersion ??= this.db.prepare('PRAGMA data_version').pluck();
    const version = this.dataVersion.get();
    if (version !== this.seenVersion) {
      this.forget();
      this.seenVersion = version;
    }
  }

  private rememberedTicket(id: number): TicketRecord | null {
    const known = this.tickets.get(id);
    if (known) return known;
    this.ticketById ??= this.db.prepare(`SELECT ${RECORD_COLUMNS.join(', ')} FROM tickets WHERE id = ?`).raw();
    const r = this.ticketById.get(id) as unknown[] | undefined;
    if (!r) return null;
    const ticket = arrayToTicket(r);
    // every reader gets this one object: frozen, so a caller's change can never become what others read
    Object.freeze(ticket.tags);
    Object.freeze(ticket.escalations);
    Object.freeze(ticket);
    if (this.tickets.size >= 10_000) this.forget();
    this.tickets.set(id, ticket);
    return ticket;
  }

  /**
   * A page's keys from the index alone, its tickets from memory where nothing changed them, in one read
   * transaction, so the keys and the check for other connections' writes see the same moment.
   */
  private readonly keyedPage = (keysSql: string, params: unknown[], idAt: number): { keys: unknown[][]; items: TicketRecord[] } => {
    this.pageRead ??= this.db.transaction((text: string, values: unknown[], at: number) => {
      this.forgetOthersWrites();
      const keys = this.sql(text).raw(true).all(...values) as unknown[][];
      return { keys, items: keys.map((k) => this.rememberedTicket(k[at] as number)!) };
    });
    return this.pageRead(keysSql, params, idAt);
  };
  private pageRead?: Database.Transaction<(text: string, values: unknown[], at: number) => { keys: unknown[][]; items: TicketRecord[] }>;

  async listTickets(args: ListTicketsArgs) {
    const where = compileQuery(args.query, { now: args.now, me: args.viewer.login }, SQLITE);
    const vis = visibility(args.viewer, SQLITE);
    const order = orderFor(args.sort);
    const params: unknown[] = [...where.params, ...vis.params];
    let cursorSql = '';
    if (args.cursor) {
      const values = decodeCursor(args.cursor, order.columns);
      cursorSql = ` AND (${order.columns.join(', ')}) ${order.descending ? '<' : '>'} (${values.map(() => '?').join(', ')})`;
      params.push(...values);
    }
    // nothing to filter, in queue order: SQLite walks the queue index and stops after the page, a cost
    // bounded by the page; a short one is read here, cheaper than its round trip to a reader thread
    // (not while a batch holds this connection: its writes are not committed)
    const cheap = args.query.terms.length === 0 && vis.params.length === 0 && args.sort === 'queue' && args.limit <= CHEAP_PAGE && !this.db.inTransaction;
    if (cheap) {
      // the sort keys (id among them) are all in the queue index: no table row is read for a remembered ticket
      const { keys, items } = this.keyedPage(`SELECT ${order.columns.join(', ')} FROM tickets WHERE (${where.sql}) AND ${vis.sql}${cursorSql} ORDER BY ${order.orderBy} LIMIT ?`, [...params, args.limit + 1], order.columns.indexOf('id'));
      const more = items.length > args.limit;
      return { items: more ? items.slice(0, args.limit) : items, next_cursor: more ? encodeCursor(keys[args.limit - 1]!) : null };
    }
    const { columns, rows } = await this.readRaw(`SELECT * FROM tickets WHERE (${where.sql}) AND ${vis.sql}${cursorSql} ORDER BY ${order.orderBy} LIMIT ?`, [...params, args.limit + 1]);
    const more = rows.length > args.limit;
    const page = more ? rows.slice(0, args.limit) : rows;
    const last = page[page.length - 1];
    const index = new Map(columns.map((c, i) => [c, i]));
    const value = (row: unknown[], c: string) => row[index.get(c)!];
    return {
      items: page.map((row) => ticketFrom((c) => value(row, c))),
      next_cursor: more && last ? encodeCursor(order.columns.map((c) => value(last, c))) : null,
    };
  }

  async mutateTicket(
    id: number,
    at: Date,
    decide: (ticket: TicketRecord, running: Escalation | null) => Mutation,
    guard: MutationGuard = {},
  ) {
    const when = at.toISOString();
    await this.writeTurn();
    const run = this.db.transaction(() => {
      const row = this.sql('SELECT * FROM tickets WHERE id = ?').get(id) as Row | undefined;
      if (!row) throw new DomainError('not_found', `ticket ${id} not found`);
      const current = toTicket(row);
      // out of reach is the same answer as missing: nothing about the ticket, not even its version
      if (guard.reach && !guard.reach(current)) throw new DomainError('not_found', `ticket ${id} not found`);
      if (guard.version !== undefined && current.version !== guard.version) {
        throw new DomainError('precondition_failed', `ticket ${id} changed since you read it (version ${guard.version}, now ${current.version})`);
      }
      const escRow = current.escalation
        ? (this.sql('SELECT * FROM escalations WHERE id = ?').get(Number(current.escalation.slice(3))) as Row | undefined)
        : undefined;
      const m = decide(current, escRow ? toEscalation(escRow) : null);
      if (m.noop) return { changed: false, comments: [] as Comment[] };
      if (m.storageLimit) this.checkStorage(m.storageLimit, m.comments ?? []);
      if (m.createEscalation) {
        const e = m.createEscalation;
        this.sql('INSERT INTO escalations (id, ticket_id, reason, team, level, state, estimated_resolution, created_by, created_at, timeline) VALUES (?,?,?,?,?,?,?,?,?,?)')
          .run(Number(e.id.slice(3)), id, e.reason, e.team, e.level, e.state, e.estimated_resolution, e.created_by, e.created_at, JSON.stringify(e.timeline));
      }
      if (m.updateEscalation) {
        const u = m.updateEscalation;
        this.sql('UPDATE escalations SET state = ?, timeline = ? WHERE id = ?').run(u.state, JSON.stringify(u.timeline), Number(u.id.slice(3)));
      }
      const cols = Object.keys(m.patch).filter((c) => (TICKET_COLUMNS as readonly string[]).includes(c));
      const sets = [...cols.map((c) => `${c} = ?`), 'updated_at = ?', 'version = version + 1'];
      const values = [...cols.map((c) => columnValue(c, (m.patch as Row)[c])), when];
      if (m.patch.priority) {
        sets.push('prank = ?');
        values.push(prank(m.patch.priority));
      }
      this.sql(`UPDATE tickets SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      this.insertEvents(id, when, m.events);
      const comments = this.insertComments(id, when, m.comments ?? []);
      return { changed: true, comments };
    });
    const { changed, comments } = run.immediate();
    if (changed) {
      this.forget(id);
      this.committed();
    }
    return { ticket: (await this.getTicket(id))!, changed, comments };
  }

  async ticketsInStatusSince(status: string, before: string, limit: number) {
    const rows = this.sql('SELECT id FROM tickets WHERE status = ? AND done_at IS NOT NULL AND done_at <= ? ORDER BY done_at, id LIMIT ?')
      .all(status, before, limit) as { id: number }[];
    return rows.map((r) => r.id);
  }

  async nextEscalationNumber() {
    await this.writeTurn();
    const r = this.sql(
        `INSERT INTO counters (name, value) VALUES ('escalation', coalesce((SELECT max(id) FROM escalations), 0) + 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
      )
      .get() as { value: number };
    return r.value;
  }

  async getEscalation(id: string) {
    const r = this.sql('SELECT * FROM escalations WHERE id = ?').get(Number(id.slice(3))) as Row | undefined;
    return r ? toEscalation(r) : null;
  }

  async listEscalations(args: ListEscalationsArgs) {
    const { sql, params } = escalationsSql(args, SQLITE);
    return escalationsPage(await this.readAll(sql, params), args.limit, toEscalation);
  }

  async listComments(ticketId: number, includeInternal: boolean) {
    const rows = this.sql(`SELECT * FROM comments WHERE ticket_id = ?${includeInternal ? '' : ' AND public = 1'} ORDER BY id`)
      .all(ticketId) as Row[];
    return rows.map(toComment);
  }

  // ---- the change feed ---------------------------------------------------------------------

  /** Reads wait for a running batch: its events are not committed yet, and a rollback would hand their ids out again. */
  private async committedTurn(): Promise<void> {
    while (this.batchOwner) await this.batchDone;
  }

  async listFeed(args: ListFeedArgs): Promise<FeedRead> {
    await this.committedTurn();
    const where = ['e.id > ?'];
    const params: unknown[] = [args.after];
    if (args.ticketId !== undefined) {
      where.push('e.ticket_id = ?');
      params.push(args.ticketId);
    }
    if (args.viewer.role === 'requester') where.push('e.internal = 0');
    const vis = visibility(args.viewer, SQLITE);
    const query = args.query && args.query.terms.length > 0 ? compileQuery(args.query, { now: args.now, me: args.viewer.login }, SQLITE) : undefined;
    if (query || vis.params.length > 0) {
      // the ticket's columns in a subquery of their own, so the query's SQL never meets an events column
      const conditions = [vis.sql, ...(query ? [`(${query.sql})`] : [])];
      where.push(`EXISTS (SELECT 1 FROM tickets WHERE tickets.id = e.ticket_id AND ${conditions.join(' AND ')})`);
      params.push(...vis.params, ...(query?.params ?? []));
    }
    // array rows, read by position: the feed pages out thousands of events at a time
    const rows = this.sql(`SELECT ${FEED_COLUMNS} FROM events e WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ?`).raw(true).all(...params, args.limit) as unknown[][];
    const items = rows.map(arrayToEvent);
    // a full page was read up to its last event; a short one up to the newest committed event
    const horizon = items.length === args.limit
      ? items[items.length - 1]!.id
      : Math.max(args.after, (this.sql('SELECT coalesce(max(id), 0) AS n FROM events').get() as { n: number }).n);
    return { items, horizon };
  }

  async feedPositionAt(at: string): Promise<number> {
    await this.committedTurn();
    // events are recorded in time order: walk back from the newest, which is quick for a recent time
    const r = this.sql('SELECT id FROM events WHERE at < ? ORDER BY id DESC LIMIT 1').get(at) as { id: number } | undefined;
    return r?.id ?? 0;
  }

  async getAttachment(id: number) {
    const r = this.sql('SELECT a.ticket_id, a.name, a.content_type, a.data, c.public FROM attachments a JOIN comments c ON c.id = a.comment_id WHERE a.id = ?')
      .get(id) as Row | undefined;
    return r ? { ticket_id: r.ticket_id as number, public: r.public === 1, name: r.name as string, content_type: r.content_type as string, data: r.data as Buffer } : null;
  }

  async attachmentBytesBy(author: string) {
    return this.storedBy(author);
  }

  private storedBy(author: string): number {
    return (this.sql('SELECT coalesce(sum(a.size), 0) AS n FROM comments c JOIN attachments a ON a.comment_id = c.id WHERE c.author = ?').get(author) as { n: number }).n;
  }

  /** Inside the write's transaction, so two uploads at once cannot both squeeze under the quota. */
  private checkStorage(limit: { author: string; bytes: number }, comments: NewComment[]) {
    const adding = comments.flatMap((c) => c.attachments ?? []).reduce((n, a) => n + a.data.length, 0);
    const used = this.storedBy(limit.author);
    if (used + adding <= limit.bytes) return;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new DomainError('quota_exceeded', `these files (${mb(adding)} MB) would take your attachments past your quota of ${mb(limit.bytes)} MB (${mb(used)} MB used); ask a support agent to attach larger files`);
  }

  async listEvents(ticketId: number, includeInternal: boolean) {
    const rows = this.sql(`SELECT * FROM events WHERE ticket_id = ?${includeInternal ? '' : ' AND internal = 0'} ORDER BY id`)
      .all(ticketId) as Row[];
    return rows.map(toEvent);
  }

  async idempotencyBegin(userId: number, key: string, fingerprint: string, now: Date): Promise<IdempotencyBegin> {
    await this.writeTurn();
    const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
    const run = this.db.transaction((): IdempotencyBegin => {
      const r = this.sql('SELECT * FROM idempotency WHERE user_id = ? AND key = ?').get(userId, key) as Row | undefined;
      // an expired record the sweep has not reached yet counts as gone
      if (!r || (r.created_at as string) < expired) {
        this.sql(`INSERT OR REPLACE INTO idempotency (user_id, key, fingerprint, state, created_at) VALUES (?,?,?,'pending',?)`)
          .run(userId, key, fingerprint, now.toISOString());
        return { state: 'new' };
      }
      if (r.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (r.state === 'pending') return { state: 'pending' };
      return { state: 'done', status: r.status as number, body: r.body as string };
    });
    return run.immediate();
  }

  async idempotencyFinish(userId: number, key: string, status: number, body: string) {
    await this.writeTurn();
    this.sql(`UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE user_id = ? AND key = ?`).run(status, body, userId, key);
  }

  async idempotencyAbandon(userId: number, key: string) {
    await this.writeTurn();
    this.sql('DELETE FROM idempotency WHERE user_id = ? AND key = ?').run(userId, key);
  }

  async idempotencyExpire(now: Date, limit = 5_000) {
    await this.writeTurn();
    const before = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
    // by the created_at index, a bounded slice at a time: never a scan, never a long lock
    return this.sql('DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_at < ? LIMIT ?)').run(before, limit).changes;
  }
}

