// What the commands ask of a desk: the tix client's public methods, as one interface every provider answers.
// Types only: importing this module loads nothing.
import type { ApiResponse, FeedPage, Page, RequestOptions, TixClient, WriteResult } from '../client/index.js';
import type { OperationEntry } from '../domain/registry.js';
import type {
  AdvanceBody, AssignBody, BatchOperation, BatchResult, CloseBody, Comment, CommentBody, CreateTicketBody, CreateUserBody, EscalateBody, Escalation, EscalationGroup, Event, Me, NewToken,
  PriorityBody, ReopenBody, StatusBody, Ticket, TriageBody, User,
} from '../domain/schemas.js';

/** The desks tix speaks to: its own server, and Request Tracker 5 through REST 2.0. */
export const PROVIDERS = ['tix', 'rt'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type WriteOptions = { ifMatch?: number; idempotencyKey?: string };

export interface Backend {
  readonly baseUrl: string;
  dispose(): Promise<void>;
  /** The raw escape hatch (`tix api`): a path of the desk's own API, credentials added. */
  request<T>(method: string, path: string, ro?: RequestOptions): Promise<ApiResponse<T>>;
  health(): Promise<{ status: string; version: string }>;
  me(): Promise<Me>;
  listTickets(params: { q?: string; sort?: string; limit?: number; cursor?: string }): Promise<Page<Ticket>>;
  allTickets(params: { q?: string; sort?: string; pageSize?: number; max?: number }): AsyncGenerator<Ticket>;
  getTicket(id: number): Promise<Ticket>;
  createTicket(body: CreateTicketBody): Promise<Ticket>;
  triage(id: number, body: TriageBody, o?: WriteOptions): Promise<WriteResult>;
  reprioritize(id: number, body: PriorityBody, o?: WriteOptions): Promise<WriteResult>;
  assign(id: number, body: AssignBody, o?: WriteOptions): Promise<WriteResult>;
  setStatus(id: number, body: StatusBody, o?: WriteOptions): Promise<WriteResult>;
  escalate(id: number, body: EscalateBody, o?: WriteOptions): Promise<WriteResult>;
  closeTicket(id: number, body: CloseBody, o?: WriteOptions): Promise<WriteResult>;
  reopen(id: number, body: ReopenBody, o?: WriteOptions): Promise<WriteResult>;
  comment(id: number, body: CommentBody, o?: { idempotencyKey?: string }): Promise<Comment>;
  comments(id: number): Promise<Comment[]>;
  events(id: number): Promise<Event[]>;
  feed(params: { after?: string; since?: string; q?: string; ticket?: number; limit?: number; wait?: number }): Promise<FeedPage>;
  escalations(state?: EscalationGroup, limit?: number): Promise<Escalation[]>;
  escalation(id: string): Promise<Escalation>;
  advance(id: string, body: AdvanceBody): Promise<Escalation>;
  users(): Promise<User[]>;
  createUser(body: CreateUserBody): Promise<User>;
  createToken(userId: number, name?: string): Promise<NewToken>;
  revokeToken(id: number): Promise<void>;
  /** An operation of the registry by its entry: path parameters first, then its body or query, then a change's options. */
  invoke(entry: OperationEntry, args: readonly unknown[]): Promise<unknown>;
  /** Many operations; each applies on its own and has its own result. */
  batch(operations: BatchOperation[], o?: { idempotencyKey?: string; minimal?: boolean }): Promise<BatchResult[]>;
}

/** What builds a backend: the desk's URL and token, and the client options the context sets. */
export interface BackendOptions {
  baseUrl: string;
  token?: string;
  /** The login the token belongs to, when the desk cannot say (Request Tracker's REST 2.0 cannot). */
  user?: string;
  timeoutMs?: number;
  connections?: number;
  debug?: (line: string) => void;
  userAgent?: string;
}

// the tix client is the reference backend, as it is: this line stops compiling if the two drift apart
type Holds<T extends true> = T;
export type TixClientIsABackend = Holds<TixClient extends Backend ? true : false>;
