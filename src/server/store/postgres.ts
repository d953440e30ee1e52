// The PostgreSQL store (node-postgres, a pooled set of connections): several server instances can share
// one database. Times are kept as ISO-8601 text, as in SQLite, so every comparison means the same.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { PRIORITIES, type Comment, type Escalation, type Event, type User } from '../../domain/schemas.js';
import { LIVENESS_CLASS, PgCommitListener } from './postgres-listen.js';
import { compileQueryPg, CURSOR_CASTS, fold, numbered, POSTGRES, visibilityPg } from './postgres-sql.js';
import { decodeCursor, encodeCursor, escalationsPage, escalationsSql, orderFor } from './sql.js';
import { rowReaders } from './rows.js';
import { DomainError, type RateWindow, type BatchOptions, type FeedRead, type IdempotencyBegin, type ListEscalationsArgs, type ListFeedArgs, type ListTicketsArgs, type Mutation, type MutationGuard, type NewComment, type NewEvent, type NewTicket, type NewUser, type Store, type TicketRecord, type Viewer } from './types.js';

/** Schema changes in order; each runs once per database, under the migration lock. */
const MIGRATIONS: string[] = [
  `
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE TABLE users (
  id serial PRIMARY KEY, login text NOT NULL UNIQUE, name text NOT NULL, email text,
  role text NOT NULL, org text, org_admin boolean NOT NULL DEFAULT false, created_at text NOT NULL);
CREATE TABLE tokens (
  id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id), name text NOT NULL,
  hash text NOT NULL UNIQUE, created_at text NOT NULL);
CREATE TABLE tickets (
  id serial PRIMARY KEY, subject text NOT NULL, description text NOT NULL, status text NOT NULL,
  priority text NOT NULL, prank integer NOT NULL, channel text NOT NULL, type text, team text, level integer,
  assignee text, requester text NOT NULL, org text, tags jsonb NOT NULL DEFAULT '[]', blocked_by integer,
  root_cause integer, escalation text, created_at text NOT NULL, updated_at text NOT NULL,
  first_response_at text, done_at text, response_due_at text NOT NULL, resolution_due_at text NOT NULL,
  version integer NOT NULL DEFAULT 1, escalations jsonb NOT NULL DEFAULT '[]');
CREATE INDEX tickets_queue ON tickets (prank, created_at, id);
CREATE INDEX tickets_status ON tickets (status, prank, created_at, id);
CREATE INDEX tickets_requester ON tickets (requester);
CREATE INDEX tickets_org ON tickets (org);
CREATE INDEX tickets_subject_trgm ON tickets USING gin (${fold('subject')} public.gin_trgm_ops);
CREATE INDEX tickets_description_trgm ON tickets USING gin (${fold('description')} public.gin_trgm_ops);
CREATE TABLE comments (
  id serial PRIMARY KEY, ticket_id integer NOT NULL REFERENCES tickets(id), author text NOT NULL, body text NOT NULL,
  public boolean NOT NULL, attachments jsonb NOT NULL DEFAULT '[]', created_at text NOT NULL);
CREATE INDEX comments_ticket ON comments (ticket_id, id);
CREATE INDEX comments_author ON comments (author);
CREATE TABLE attachments (
  id serial PRIMARY KEY, comment_id integer NOT NULL REFERENCES comments(id), ticket_id integer NOT NULL,
  name text NOT NULL, content_type text NOT NULL, size integer NOT NULL, data bytea NOT NULL);
CREATE INDEX attachments_comment ON attachments (comment_id);
CREATE TABLE events (
  id bigserial PRIMARY KEY, ticket_id integer NOT NULL REFERENCES tickets(id), at text NOT NULL, actor text NOT NULL,
  kind text NOT NULL, from_value text, to_value text, note text, internal boolean NOT NULL);
CREATE INDEX events_ticket ON events (ticket_id, id);
CREATE TABLE escalations (
  id integer PRIMARY KEY, ticket_id integer NOT NULL REFERENCES tickets(id), reason text NOT NULL, team text, level integer,
  state text NOT NULL, estimated_resolution text, created_by text NOT NULL, created_at text NOT NULL,
  timeline jsonb NOT NULL);
CREATE INDEX escalations_ticket ON escalations (ticket_id);
CREATE SEQUENCE escalation_number;
CREATE TABLE idempotency (
  user_id integer NOT NULL, key text NOT NULL, fingerprint text NOT NULL, state text NOT NULL,
  status integer, body text, created_at text NOT NULL, PRIMARY KEY (user_id, key));
CREATE INDEX idempotency_created ON idempotency (created_at);
`,
  `
ALTER TABLE idempotency ADD COLUMN owner integer;
CREATE TABLE rate_windows (key text PRIMARY KEY, started_ms bigint NOT NULL, count integer NOT NULL);
CREATE INDEX rate_windows_started ON rate_windows (started_ms);
`,
];

/** The advisory lock that lets one starting instance migrate while the others wait. */
const MIGRATION_LOCK = 7_301_771;
/**
 * Held by a transaction from writing its events (or a quota check) to its commit: event ids then commit in
 * id order, so a feed reader that has seen id n never sees a smaller one commit later. Events are written
 * last, just before the commit, so the lock is held for that moment only, not for a whole batch.
 */
export const FEED_LOCK = 7_301_772;
/** Rows per INSERT of events (8 parameters each, well under PostgreSQL's 65,535). */
const EVENT_ROWS_PER_INSERT = 1_000;
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Rate-limit windows older than this are deleted by the sweep: no window lasts longer. */
const RATE_WINDOW_KEEP_MS = 24 * 3_600_000;
/** A deadlock or serialization failure undoes the whole transaction, which is then run again, up to this many times. */
const MAX_ATTEMPTS = 8;
const RETRYABLE = new Set(['40001', '40P01']);
const retryable = (err: unknown) => RETRYABLE.has((err as { code?: string }).code ?? '');
/** A short random pause before running a transaction again, longer with each attempt, so the two sides of a deadlock part. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
/** Ids outside PostgreSQL's integer never name a row (and must not make the statement fail). */
const inRange = (id: number) => Number.isSafeInteger(id) && id >= -2_147_483_648 && id <= 2_147_483_647;
const prank = (p: string) => PRIORITIES.indexOf(p as (typeof PRIORITIES)[number]);

type Row = Record<string, unknown>;

/** A transaction in progress: its connection, and the events it will write just before it commits. */
interface Tx {
  client: pg.PoolClient;
  events: unknown[][];
}

// node-postgres returns booleans and jsonb decoded
const { toTicket, toUser, toEscalation, toEvent, toComment } = rowReaders({ bool: (v) => v === true, json: <T>(v: unknown) => v as T });

const TICKET_COLUMNS = [
  'subject', 'description', 'status', 'priority', 'channel', 'type', 'team', 'level', 'assignee', 'requester',
  'org', 'tags', 'blocked_by', 'root_cause', 'escalation', 'escalations', 'created_at', 'updated_at', 'first_response_at',
  'done_at', 'response_due_at', 'resolution_due_at',
] as const;

const JSON_COLUMNS = new Set(['tags', 'escalations']);
const columnValue = (col: string, v: unknown) => (JSON_COLUMNS.has(col) ? JSON.stringify(v ?? []) : v ?? null);
const placeholder = (col: string) => (JSON_COLUMNS.has(col) ? '?::jsonb' : '?');

/** PostgreSQL's refusals of a statement too big or deep to run: the query's fault, not the server's. */
const TOO_COMPLEX = new Set(['54000', '54001', '54011', '54023']);

/** PostgreSQL's refusals of text it cannot hold (a NUL character, in text or in JSON): the input's fault. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

function failure(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TOO_COMPLEX.has(code)) {
    return new DomainError('validation', `the query is too complex for the database (${(err as Error).message}); use fewer terms or values`);
  }
  if (typeof code === 'string' && UNSTORABLE_TEXT.has(code)) {
    return new DomainError('validation', 'the text contains a character the database cannot store (NUL, \\u0000); remove it');
  }
  return err;
}

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** A schema to keep the tables in, created when missing (default: the connection's search_path). */
  schema?: string;
}

export class PostgresStore implements Store {
  readonly shared = true;
  /** Wakes feed readers of every instance after any instance's commit that recorded events (LISTEN/NOTIFY). */
  readonly commits: PgCommitListener;
  readonly pool: pg.Pool;
  readonly rateCounters = {
    hit: (key: string, windowMs: number, nowMs: number) => this.rateHit(key, windowMs, nowMs),
    peek: (key: string, windowMs: number, nowMs: number) => this.ratePeek(key, windowMs, nowMs),
  };
  private readonly scope = new AsyncLocalStorage<Tx>();

  private constructor(pool: pg.Pool, listener: PgCommitListener) {
    this.pool = pool;
    this.commits = listener;
  }

  /** Connects and brings the schema up to date (once, whichever instance gets the lock first). */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schema = opts.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const config = {
      connectionString: url,
      // a database that does not answer fails the start (or the request) instead of hanging it
      connectionTimeoutMillis: 10_000,
      ...(schema ? { options: `-c search_path=${schema},public` } : {}),
    };
    const pool = new pg.Pool({ ...config, max: opts.max ?? 10 });
    // an idle connection dropped by the server is replaced on next use, not a crash
    pool.on('error', () => {});
    const listener = new PgCommitListener(config, schema ? `tix_commits_${schema}` : 'tix_commits');
    const store = new PostgresStore(pool, listener);
    try {
      await store.migrate(schema);
      await listener.start();
    } catch (err) {
      await listener.close();
      await pool.end();
      throw err;
    }
    return store;
  }

  private async migrate(schema: string | undefined) {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query('CREATE TABLE IF NOT EXISTS tix_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        const done = (await client.query('SELECT coalesce(max(version), 0) AS v FROM tix_migrations')).rows[0].v as number;
        for (let v = done + 1; v <= MIGRATIONS.length; v++) {
          await client.query('BEGIN');
          try {
            await client.query(MIGRATIONS[v - 1]!);
            await client.query('INSERT INTO tix_migrations (version) VALUES ($1)', [v]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK');
            throw err;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** One statement, on the transaction in progress if there is one. */
  private async q(text: string, params: unknown[] = []): Promise<Row[]> {
    const client = this.scope.getStore()?.client;
    try {
      return (await (client ?? this.pool).query(numbered(text), params)).rows as Row[];
    } catch (err) {
      throw failure(err);
    }
  }

  /** Runs `fn` in a transaction of its own, or as a savepoint of the batch in progress: atomic on its own either way. */
  private async tx<T>(fn: () => Promise<T>): Promise<T> {
    const batch = this.scope.getStore();
    if (batch) {
      const queued = batch.events.length;
      await batch.client.query('SAVEPOINT op');
      try {
        const result = await fn();
        await batch.client.query('RELEASE SAVEPOINT op');
        return result;
      } catch (err) {
        await batch.client.query('ROLLBACK TO SAVEPOINT op');
        // the undone operation's events are undone with it
        batch.events.length = queued;
        throw err;
      }
    }
    return this.transaction(fn);
  }

  /** Runs `fn` in a transaction, again from the start after a deadlock or serialization failure (never a 500 for one). */
  private async transaction<T>(fn: () => Promise<T>, lockTickets: number[] = []): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        if (lockTickets.length) await client.query('SELECT id FROM tickets WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [lockTickets]);
        const tx: Tx = { client, events: [] };
        const result = await this.scope.run(tx, fn);
        await this.writeEvents(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (attempt >= MAX_ATTEMPTS || !retryable(err)) throw err;
      } finally {
        client.release(broken);
      }
      await backoff(attempt);
    }
  }

  async close() {
    await this.commits.close();
    await this.pool.end();
  }

  /**
   * One transaction, a savepoint per operation, one commit. The batch's tickets are locked first, in id
   * order: two instances running overlapping batches wait for each other instead of deadlocking.
   */
  async batch<T>(fn: () => Promise<T>, opts: BatchOptions = {}): Promise<T> {
    if (this.scope.getStore()) return fn();
    return this.transaction(fn, [...new Set((opts.tickets ?? []).filter(inRange))]);
  }

  async countUsers() {
    return (await this.q('SELECT count(*)::int AS n FROM users'))[0]!.n as number;
  }

  async createUser(u: NewUser, now: Date) {
    try {
      const rows = await this.q('INSERT INTO users (login, name, email, role, org, org_admin, created_at) VALUES (?,?,?,?,?,?,?) RETURNING *', [
        u.login, u.name, u.email, u.role, u.org, u.org_admin, now.toISOString(),
      ]);
      return toUser(rows[0]!);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DomainError('conflict', `user ${u.login} already exists`);
      throw err;
    }
  }

  async getUser(id: number) {
    if (!inRange(id)) return null;
    const r = (await this.q('SELECT * FROM users WHERE id = ?', [id]))[0];
    return r ? toUser(r) : null;
  }

  async getUserByLogin(login: string) {
    const r = (await this.q('SELECT * FROM users WHERE login = ?', [login]))[0];
    return r ? toUser(r) : null;
  }

  async listUsers() {
    return (await this.q('SELECT * FROM users ORDER BY id')).map(toUser);
  }

  async createToken(userId: number, name: string, hash: string, now: Date) {
    const created_at = now.toISOString();
    const r = (await this.q('INSERT INTO tokens (user_id, name, hash, created_at) VALUES (?,?,?,?) RETURNING id', [userId, name, hash, created_at]))[0]!;
    return { id: r.id as number, user_id: userId, name, created_at };
  }

  async findToken(hash: string) {
    const r = (await this.q('SELECT t.id AS token_id, u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?', [hash]))[0];
    return r ? { token_id: r.token_id as number, user: toUser(r) } : null;
  }

  async deleteToken(id: number) {
    if (!inRange(id)) return false;
    return (await this.q('DELETE FROM tokens WHERE id = ? RETURNING id', [id])).length > 0;
  }

  /** Queues a ticket's events: the transaction writes them all, in order, just before it commits. */
  private insertEvents(ticketId: number, at: string, events: NewEvent[]) {
    const tx = this.scope.getStore()!;
    for (const e of events) tx.events.push([ticketId, at, e.actor, e.kind, e.from, e.to, e.note, e.internal]);
  }

  private async writeEvents(tx: Tx) {
    if (tx.events.length === 0) return;
    // the notice goes out with the commit (once per transaction, however many events), and never for a rollback
    await tx.client.query(numbered(`SELECT pg_advisory_xact_lock(?), pg_notify(?, '')`), [FEED_LOCK, this.commits.channel]);
    for (let i = 0; i < tx.events.length; i += EVENT_ROWS_PER_INSERT) {
      const rows = tx.events.slice(i, i + EVENT_ROWS_PER_INSERT);
      await tx.client.query(
        numbered(`INSERT INTO events (ticket_id, at, actor, kind, from_value, to_value, note, internal) VALUES ${rows.map(() => '(?,?,?,?,?,?,?,?)').join(', ')}`),
        rows.flat(),
      );
    }
  }

  private async insertComments(ticketId: number, at: string, comments: NewComment[]): Promise<Comment[]> {
    const out: Comment[] = [];
    for (const c of comments) {
      const id = (await this.q('INSERT INTO comments (ticket_id, author, body, public, created_at) VALUES (?,?,?,?,?) RETURNING id', [ticketId, c.author, c.body, c.public, at]))[0]!.id as number;
      const attachments = [];
      for (const a of c.attachments ?? []) {
        const r = (await this.q('INSERT INTO attachments (comment_id, ticket_id, name, content_type, size, data) VALUES (?,?,?,?,?,?) RETURNING id', [id, ticketId, a.name, a.content_type, a.data.length, a.data]))[0]!;
        attachments.push({ id: r.id as number, name: a.name, size: a.data.length, content_type: a.content_type });
      }
      if (attachments.length) await this.q('UPDATE comments SET attachments = ?::jsonb WHERE id = ?', [JSON.stringify(attachments), id]);
      out.push({ id, ticket_id: ticketId, author: c.author, body: c.body, public: c.public, attachments, created_at: at });
    }
    return out;
  }

  async createTicket(t: NewTicket, events: NewEvent[], comments: NewComment[]) {
    return this.tx(async () => {
      const r = (await this.q(
        `INSERT INTO tickets (${TICKET_COLUMNS.join(', ')}, prank) VALUES (${TICKET_COLUMNS.map(placeholder).join(',')}, ?) RETURNING *`,
        [...TICKET_COLUMNS.map((c) => columnValue(c, t[c])), prank(t.priority)],
      ))[0]!;
      const ticket = toTicket(r);
      this.insertEvents(ticket.id, t.created_at, events);
      await this.insertComments(ticket.id, t.created_at, comments);
      return ticket;
    });
  }

  async getTicket(id: number) {
    if (!inRange(id)) return null;
    const r = (await this.q('SELECT * FROM tickets WHERE id = ?', [id]))[0];
    return r ? toTicket(r) : null;
  }

  async listTickets(args: ListTicketsArgs) {
    const where = compileQueryPg(args.query, { now: args.now, me: args.viewer.login });
    const vis = visibilityPg(args.viewer);
    const order = orderFor(args.sort);
    const params: unknown[] = [...where.params, ...vis.params];
    let cursorSql = '';
    if (args.cursor) {
      const values = decodeCursor(args.cursor, order.columns);
      cursorSql = ` AND (${order.columns.join(', ')}) ${order.descending ? '<' : '>'} (${order.columns.map((c) => `?::${CURSOR_CASTS[c] ?? 'text'}`).join(', ')})`;
      params.push(...values);
    }
    const rows = await this.q(`SELECT * FROM tickets WHERE (${where.sql}) AND ${vis.sql}${cursorSql} ORDER BY ${order.orderBy} LIMIT ?`, [...params, args.limit + 1]);
    const more = rows.length > args.limit;
    const page = more ? rows.slice(0, args.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toTicket),
      next_cursor: more && last ? encodeCursor(order.columns.map((c) => last[c])) : null,
    };
  }

  async mutateTicket(
    id: number,
    at: Date,
    decide: (ticket: TicketRecord, running: Escalation | null) => Mutation,
    guard: MutationGuard = {},
  ) {
    const when = at.toISOString();
    return this.tx(async () => {
      // the row lock makes a second writer of this ticket, on any instance, wait for this one to commit
      const row = inRange(id) ? (await this.q('SELECT * FROM tickets WHERE id = ? FOR UPDATE', [id]))[0] : undefined;
      if (!row) throw new DomainError('not_found', `ticket ${id} not found`);
      const current = toTicket(row);
      // out of reach is the same answer as missing: nothing about the ticket, not even its version
      if (guard.reach && !guard.reach(current)) throw new DomainError('not_found', `ticket ${id} not found`);
      if (guard.version !== undefined && current.version !== guard.version) {
        throw new DomainError('precondition_failed', `ticket ${id} changed since you read it (version ${guard.version}, now ${current.version})`);
      }
      const escRow = current.escalation ? (await this.q('SELECT * FROM escalations WHERE id = ?', [Number(current.escalation.slice(3))]))[0] : undefined;
      const m = decide(current, escRow ? toEscalation(escRow) : null);
      if (m.noop) return { ticket: current, changed: false, comments: [] as Comment[] };
      if (m.storageLimit) await this.checkStorage(m.storageLimit, m.comments ?? []);
      if (m.createEscalation) {
        const e = m.createEscalation;
        await this.q('INSERT INTO escalations (id, ticket_id, reason, team, level, state, estimated_resolution, created_by, created_at, timeline) VALUES (?,?,?,?,?,?,?,?,?,?::jsonb)', [
          Number(e.id.slice(3)), id, e.reason, e.team, e.level, e.state, e.estimated_resolution, e.created_by, e.created_at, JSON.stringify(e.timeline),
        ]);
      }
      if (m.updateEscalation) {
        const u = m.updateEscalation;
        await this.q('UPDATE escalations SET state = ?, timeline = ?::jsonb WHERE id = ?', [u.state, JSON.stringify(u.timeline), Number(u.id.slice(3))]);
      }
      const cols = Object.keys(m.patch).filter((c) => (TICKET_COLUMNS as readonly string[]).includes(c));
      const sets = [...cols.map((c) => `${c} = ${placeholder(c)}`), 'updated_at = ?', 'version = version + 1'];
      const values = [...cols.map((c) => columnValue(c, (m.patch as Row)[c])), when];
      if (m.patch.priority) {
        sets.push('prank = ?');
        values.push(prank(m.patch.priority));
      }
      const updated = (await this.q(`UPDATE tickets SET ${sets.join(', ')} WHERE id = ? RETURNING *`, [...values, id]))[0]!;
      this.insertEvents(id, when, m.events);
      const comments = await this.insertComments(id, when, m.comments ?? []);
      return { ticket: toTicket(updated), changed: true, comments };
    });
  }

  async ticketsInStatusSince(status: string, before: string, limit: number) {
    const rows = await this.q('SELECT id FROM tickets WHERE status = ? AND done_at IS NOT NULL AND done_at <= ? ORDER BY done_at, id LIMIT ?', [status, before, limit]);
    return rows.map((r) => r.id as number);
  }

  async nextEscalationNumber() {
    // a sequence never hands one number out twice, whichever instance asks
    return (await this.q(`SELECT nextval('escalation_number')::int AS n`))[0]!.n as number;
  }

  async getEscalation(id: string) {
    const n = Number(id.slice(3));
    if (!inRange(n)) return null;
    const r = (await this.q('SELECT * FROM escalations WHERE id = ?', [n]))[0];
    return r ? toEscalation(r) : null;
  }

  async listEscalations(args: ListEscalationsArgs) {
    const { sql, params } = escalationsSql(args, POSTGRES);
    return escalationsPage(await this.q(sql, params), args.limit, toEscalation);
  }

  async listFeed(args: ListFeedArgs): Promise<FeedRead> {
    const where = ['e.id > ?'];
    const params: unknown[] = [args.after];
    if (args.ticketId !== undefined) {
      if (!inRange(args.ticketId)) return { items: [], horizon: args.after };
      where.push('e.ticket_id = ?');
      params.push(args.ticketId);
    }
    if (args.viewer.role === 'requester') where.push('NOT e.internal');
    const vis = visibilityPg(args.viewer);
    const query = args.query && args.query.terms.length > 0 ? compileQueryPg(args.query, { now: args.now, me: args.viewer.login }) : undefined;
    if (query || vis.params.length > 0) {
      // the ticket's columns in a subquery of their own, so the query's SQL never meets an events column
      const conditions = [vis.sql, ...(query ? [`(${query.sql})`] : [])];
      where.push(`EXISTS (SELECT 1 FROM tickets WHERE tickets.id = e.ticket_id AND ${conditions.join(' AND ')})`);
      params.push(...vis.params, ...(query?.params ?? []));
    }
    // one snapshot for the page and the newest id, so the horizon never passes an event the page missed
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const items = (await client.query(numbered(`SELECT e.* FROM events e WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ?`), [...params, args.limit])).rows.map(toEvent);
      // a full page was read up to its last event; a short one up to the newest committed event
      const horizon = items.length === args.limit
        ? items[items.length - 1]!.id
        : Math.max(args.after, Number((await client.query('SELECT coalesce(max(id), 0) AS n FROM events')).rows[0].n));
      await client.query('COMMIT');
      return { items, horizon };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw failure(err);
    } finally {
      client.release(broken);
    }
  }

  async feedPositionAt(at: string): Promise<number> {
    const r = (await this.q('SELECT id FROM events WHERE at < ? ORDER BY id DESC LIMIT 1', [at]))[0];
    return r ? Number(r.id) : 0;
  }

  async listComments(ticketId: number, includeInternal: boolean) {
    if (!inRange(ticketId)) return [];
    return (await this.q(`SELECT * FROM comments WHERE ticket_id = ?${includeInternal ? '' : ' AND public'} ORDER BY id`, [ticketId])).map(toComment);
  }

  async getAttachment(id: number) {
    if (!inRange(id)) return null;
    const r = (await this.q('SELECT a.ticket_id, a.name, a.content_type, a.data, c.public FROM attachments a JOIN comments c ON c.id = a.comment_id WHERE a.id = ?', [id]))[0];
    return r ? { ticket_id: r.ticket_id as number, public: r.public === true, name: r.name as string, content_type: r.content_type as string, data: r.data as Buffer } : null;
  }

  async listEvents(ticketId: number, includeInternal: boolean) {
    if (!inRange(ticketId)) return [];
    return (await this.q(`SELECT * FROM events WHERE ticket_id = ?${includeInternal ? '' : ' AND NOT internal'} ORDER BY id`, [ticketId])).map(toEvent);
  }

  async attachmentBytesBy(author: string) {
    return Number((await this.q('SELECT coalesce(sum(a.size), 0)::bigint AS n FROM comments c JOIN attachments a ON a.comment_id = c.id WHERE c.author = ?', [author]))[0]!.n);
  }

  /** Inside the write's transaction, under a lock on the author, so two uploads at once (on any instance) cannot both squeeze under the quota. */
  private async checkStorage(limit: { author: string; bytes: number }, comments: NewComment[]) {
    // the feed's lock, not one per author: a transaction then waits on one advisory lock only, so none can deadlock
    await this.q('SELECT pg_advisory_xact_lock(?)', [FEED_LOCK]);
    const adding = comments.flatMap((c) => c.attachments ?? []).reduce((n, a) => n + a.data.length, 0);
    const used = await this.attachmentBytesBy(limit.author);
    if (used + adding <= limit.bytes) return;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new DomainError('quota_exceeded', `these files (${mb(adding)} MB) would take your attachments past your quota of ${mb(limit.bytes)} MB (${mb(used)} MB used); ask a support agent to attach larger files`);
  }

  async idempotencyBegin(userId: number, key: string, fingerprint: string, now: Date): Promise<IdempotencyBegin> {
    const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
    // one statement claims the key (an expired record the sweep has not reached counts as gone, and so does the
    // same request left in progress by an instance that died: its liveness lock is gone):
    // of two instances racing with one retry, exactly one sees it new
    const claimed = await this.q(
      `INSERT INTO idempotency (user_id, key, fingerprint, state, created_at, owner) VALUES (?,?,?,'pending',?,?)
       ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'pending', status = NULL, body = NULL,
         created_at = excluded.created_at, owner = excluded.owner
       WHERE idempotency.created_at < ?
         OR (idempotency.state = 'pending' AND idempotency.fingerprint = excluded.fingerprint AND idempotency.owner IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND classid = ?::oid AND objid = idempotency.owner::oid AND objsubid = 2))
       RETURNING key`,
      [userId, key, fingerprint, now.toISOString(), this.commits.instanceId, expired, LIVENESS_CLASS],
    );
    if (claimed.length) return { state: 'new' };
    const r = (await this.q('SELECT * FROM idempotency WHERE user_id = ? AND key = ?', [userId, key]))[0];
    // gone between the two statements (abandoned): ask again
    if (!r) return this.idempotencyBegin(userId, key, fingerprint, now);
    if (r.fingerprint !== fingerprint) return { state: 'mismatch' };
    if (r.state === 'pending') return { state: 'pending' };
    return { state: 'done', status: r.status as number, body: r.body as string };
  }

  async idempotencyFinish(userId: number, key: string, status: number, body: string) {
    await this.q(`UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE user_id = ? AND key = ?`, [status, body, userId, key]);
  }

  async idempotencyAbandon(userId: number, key: string) {
    await this.q('DELETE FROM idempotency WHERE user_id = ? AND key = ?', [userId, key]);
  }

  async idempotencyExpire(now: Date, limit = 5_000) {
    const before = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
    // by the created_at index, a bounded slice at a time: never a long lock
    const gone = await this.q('DELETE FROM idempotency WHERE ctid IN (SELECT ctid FROM idempotency WHERE created_at < ? LIMIT ?) RETURNING 1', [before, limit]);
    // rate-limit windows long over go with the same sweep (a count, not part of the answer)
    await this.q('DELETE FROM rate_windows WHERE ctid IN (SELECT ctid FROM rate_windows WHERE started_ms < ? LIMIT ?)', [now.getTime() - RATE_WINDOW_KEEP_MS, limit]);
    return gone.length;
  }

  /** Counts one hit in `key`'s fixed window (a new window once the last is over), in one statement whichever instance asks. */
  private async rateHit(key: string, windowMs: number, nowMs: number): Promise<RateWindow> {
    const r = (await this.q(
      `INSERT INTO rate_windows (key, started_ms, count) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         started_ms = CASE WHEN rate_windows.started_ms <= excluded.started_ms - ? THEN excluded.started_ms ELSE rate_windows.started_ms END,
         count = CASE WHEN rate_windows.started_ms <= excluded.started_ms - ? THEN 1 ELSE rate_windows.count + 1 END
       RETURNING started_ms, count`,
      [key, nowMs, windowMs, windowMs],
    ))[0]!;
    return { startMs: Number(r.started_ms), count: r.count as number };
  }

  private async ratePeek(key: string, windowMs: number, nowMs: number): Promise<RateWindow | undefined> {
    const r = (await this.q('SELECT started_ms, count FROM rate_windows WHERE key = ? AND started_ms > ?', [key, nowMs - windowMs]))[0];
    return r ? { startMs: Number(r.started_ms), count: r.count as number } : undefined;
  }
}
