// The store interface: all persistence goes through it, so another database can slot in.
import type { Query } from '../../domain/query.js';
import type { Sort } from '../../domain/queue.js';
import type { Comment, Escalation, EscalationGroup, Event, EventKind, Role, Status, Ticket, TimelineStep, User } from '../../domain/schemas.js';
import type { CommitNotifier } from './notifier.js';

/** A ticket as stored: the API ticket without computed SLA state, plus when it was done. */
export type TicketRecord = Omit<Ticket, 'sla_breached'> & { done_at: string | null };

export type NewTicket = Omit<TicketRecord, 'id' | 'version'>;
export type NewEvent = { actor: string; kind: EventKind; from: string | null; to: string | null; note: string | null; internal: boolean };
export type NewAttachment = { name: string; content_type: string; data: Buffer };
export type NewComment = { author: string; body: string; public: boolean; attachments?: NewAttachment[] };
export type UserRecord = User;
export type NewUser = Omit<User, 'id' | 'created_at'>;

/** What a decision about one ticket changes; applied atomically with its events. */
export interface Mutation {
  patch: Partial<Omit<TicketRecord, 'id' | 'version' | 'updated_at'>>;
  events: NewEvent[];
  comments?: NewComment[];
  createEscalation?: Escalation;
  updateEscalation?: { id: string; state: Escalation['state']; timeline: TimelineStep[] };
  /** Nothing to change: the ticket is already as asked (no version bump, no event). */
  noop?: boolean;
  /** The attachments `author` has stored, these included, must stay within `bytes`; checked in the same transaction. */
  storageLimit?: { author: string; bytes: number };
}

/** What a write must pass before its decision runs, in this order. */
export interface MutationGuard {
  /** False when the ticket is outside the caller's reach: answered as not found. */
  reach?: (ticket: TicketRecord) => boolean;
  /** The version the caller read (If-Match); another one is a precondition failure. */
  version?: number;
}

/** Who is looking: decides which tickets, comments and events exist for them. */
export interface Viewer {
  login: string;
  role: Role;
  org: string | null;
  org_admin: boolean;
}

export interface ListTicketsArgs {
  query: Query;
  viewer: Viewer;
  sort: Sort;
  limit: number;
  cursor?: string;
  now: Date;
}

export interface BatchOptions {
  /** The tickets the batch will change: a store with row locks takes them all first, in one order, so batches never deadlock. */
  tickets?: number[];
}

/** One read of the change feed: events after `after`, oldest first, as far as `viewer` may see. */
export interface ListFeedArgs {
  viewer: Viewer;
  after: number;
  limit: number;
  /** Only events of tickets that match this query now. */
  query?: Query;
  /** Only events of this ticket. */
  ticketId?: number;
  now: Date;
}

export interface FeedRead {
  items: Event[];
  /**
   * Every event up to this id has committed and was looked at (it is in `items`, or the viewer may
   * not see it): a waiting reader reads on from here, never from before.
   */
  horizon: number;
}

export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'pending' }
  | { state: 'mismatch' }
  | { state: 'done'; status: number; body: string };

/** A fixed rate-limit window: when it started (ms since the epoch) and the hits counted in it. */
export interface RateWindow {
  startMs: number;
  count: number;
}

/** Rate-limit windows kept where every instance counts into them (a store shared by several instances). */
export interface RateCounters {
  /** Counts one hit in `key`'s window at `nowMs`, starting a new window when the last one is `windowMs` old. */
  hit(key: string, windowMs: number, nowMs: number): Promise<RateWindow>;
  /** `key`'s window still running at `nowMs`, if any. */
  peek(key: string, windowMs: number, nowMs: number): Promise<RateWindow | undefined>;
}

/** The escalations a viewer may see, running, resolved or all, a page at a time in id order. */
export interface ListEscalationsArgs {
  viewer: Viewer;
  state?: EscalationGroup;
  limit: number;
  cursor?: string;
}

export interface Store {
  /** Other server instances write to the same database: nothing read may be remembered across requests. */
  readonly shared?: boolean;
  /** Present when rate limits must be counted across instances; absent, each server counts in memory. */
  readonly rateCounters?: RateCounters;
  close(): Promise<void>;

  countUsers(): Promise<number>;
  createUser(user: NewUser, now: Date): Promise<User>;
  getUser(id: number): Promise<User | null>;
  getUserByLogin(login: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  createToken(userId: number, name: string, hash: string, now: Date): Promise<{ id: number; user_id: number; name: string; created_at: string }>;
  findToken(hash: string): Promise<{ token_id: number; user: User } | null>;
  deleteToken(id: number): Promise<boolean>;

  createTicket(ticket: NewTicket, events: NewEvent[], comments: NewComment[]): Promise<TicketRecord>;
  getTicket(id: number): Promise<TicketRecord | null>;
  listTickets(args: ListTicketsArgs): Promise<{ items: TicketRecord[]; next_cursor: string | null }>;
  /**
   * Read the ticket, let `decide` say what changes (it throws to refuse), write the change
   * and its events in one transaction. `guard.reach` is asked first: a ticket it refuses is
   * not found, whatever else is wrong; then `guard.version` makes a stale write fail.
   */
  mutateTicket(
    id: number,
    at: Date,
    decide: (ticket: TicketRecord, running: Escalation | null) => Mutation,
    guard?: MutationGuard,
  ): Promise<{ ticket: TicketRecord; changed: boolean; comments: Comment[] }>;
  /** Ids of tickets in `status` since before `before` (done_at), oldest first. */
  ticketsInStatusSince(status: Status, before: string, limit: number): Promise<number[]>;
  nextEscalationNumber(): Promise<number>;
  /**
   * Runs `fn` with its writes in one transaction, each ticket change still atomic on its own
   * (a savepoint): many changes, one commit. A batch begun inside a batch joins it. A store may run
   * `fn` again from the start after a deadlock or serialization failure, so `fn` must begin from
   * nothing each time.
   */
  batch<T>(fn: () => Promise<T>, opts?: BatchOptions): Promise<T>;
  getEscalation(id: string): Promise<Escalation | null>;
  listEscalations(args: ListEscalationsArgs): Promise<{ items: Escalation[]; next_cursor: string | null }>;
  /**
   * The change feed. It must never hand out an event while an event of a smaller id can still
   * commit, or a reader's cursor would pass over it for good. SQLite writes through one connection,
   * one transaction at a time (a batch keeps the write turn until it commits), so ids commit in
   * order and reads wait for a running batch. A store whose transactions commit side by side
   * (PostgreSQL: ids come from a sequence at insert time) must stop below the oldest id still in
   * flight, e.g. record pg_current_xact_id() with each event and return only events written by
   * transactions older than pg_snapshot_xmin(pg_current_snapshot()).
   */
  listFeed(args: ListFeedArgs): Promise<FeedRead>;
  /** The last event id recorded before `at` (0 when none was): where a feed that starts at a time starts. */
  feedPositionAt(at: string): Promise<number>;
  /** Fires after every commit that recorded events; waiting feed readers subscribe. */
  readonly commits: CommitNotifier;

  listComments(ticketId: number, includeInternal: boolean): Promise<Comment[]>;
  /** One attachment with its content and where it hangs. */
  getAttachment(id: number): Promise<{ ticket_id: number; public: boolean; name: string; content_type: string; data: Buffer } | null>;
  listEvents(ticketId: number, includeInternal: boolean): Promise<Event[]>;
  /** Bytes of all attachments of comments written by `author`. */
  attachmentBytesBy(author: string): Promise<number>;

  /** Idempotency-Key records belong to a user (whichever of their tokens sent the request) and live 24 h. */
  idempotencyBegin(userId: number, key: string, fingerprint: string, now: Date): Promise<IdempotencyBegin>;
  idempotencyFinish(userId: number, key: string, status: number, body: string): Promise<void>;
  idempotencyAbandon(userId: number, key: string): Promise<void>;
  /** Deletes up to `limit` records older than 24 h at `now`; answers how many went. */
  idempotencyExpire(now: Date, limit?: number): Promise<number>;
}

export { DomainError } from '../errors.js';

export type { Status };
