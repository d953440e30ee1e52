// The tix API client: one request sender over transport.ts (node:http, then undici's Pool), problem+json
// → typed errors, an Idempotency-Key on every POST, and every request's attempts run by retry.ts
// (sendWithRetries, deciding with a RetryTracker), whichever transport sends them. Knows nothing of the terminal.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  AdvanceBody, BatchOperation, BatchResponse, BatchResult, Comment, CommentBody, CreateTicketBody, CreateUserBody, Escalation, EscalationGroup, Event, Me, NewToken,
  Problem, Ticket, User,
} from '../domain/schemas.js';
import type { OPERATION_SCHEMAS } from '../domain/operations.js';
import { OPERATIONS, PROBLEM_CODES } from '../domain/enums.js';
import { clientMethod, fillPath, pathParams, REGISTRY, routeOf, type OperationEntry, type Registry } from '../domain/registry.js';
import { ApiError, ProtocolError, UnavailableError } from './errors.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, realSleep, RetryTracker, sendWithRetries, type RetryPolicy } from './retry.js';
import { ANSWER_CUT, createTransport, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  /** Per-request time limit in milliseconds. */
  timeoutMs?: number;
  /** Sockets kept open to the server, for bulk work; transport.ts says which requests go through undici's Pool. */
  connections?: number;
  /** Receives one line per request and response; never the token. */
  debug?: (line: string) => void;
  userAgent?: string;
  /** Retry limits (see retry.ts); false sends every request once. */
  retry?: Partial<RetryPolicy> | false;
  /** Waits before a retry; tests pass one that records instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
  /** Milliseconds, for the retry time budget. */
  now?: () => number;
  /** Told before each wait out of a 429, with its length. */
  onRateLimitWait?: (delayMs: number) => void;
  /** The operations whose methods are derived (tix's own unless a test adds one). */
  operations?: Registry;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Sent with every POST (a fresh one unless given); false sends none, and the POST is never retried. */
  idempotencyKey?: string | false;
  ifMatch?: number;
  /** The server may hold this request this long before it answers (a long poll): added to the time limit. */
  holdMs?: number;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface FeedPage {
  items: Event[];
  /** The last event id of the page, or the position asked for when it is empty. */
  next_cursor: string;
}

export interface WriteResult {
  ticket: Ticket;
  /** False when the ticket was already as asked (nothing applied, no event). */
  changed: boolean;
}

export interface WriteOptions {
  ifMatch?: number;
  idempotencyKey?: string;
}

type Ops = typeof OPERATIONS;
type Schemas = typeof OPERATION_SCHEMAS;
type ClientName<K extends keyof Ops> = Ops[K] extends { client: infer C } ? C : K;
type Schema<K, F extends string> = K extends keyof Schemas ? (Schemas[K] extends { [P in F]: infer T extends z.ZodType } ? T : never) : never;
/** The path parameter of a one-parameter route, as the server reads it: a ticket id a number, an escalation id a string. */
type IdOf<K> = z.output<Schema<K, 'params'>> extends { id: infer I } ? I : never;
type ItemsOf<K> = z.output<Schema<K, 'result'>> extends { items: infer I } ? I : never;
/** The methods derived from the registry: a change is `(id, body, options?)` and answers the ticket and whether it changed; a read answers its record, or a list's items. */
type DerivedMethods = {
  [K in keyof Ops as Ops[K] extends { shape: string } ? ClientName<K> & string : never]: Ops[K] extends { shape: 'change' }
    ? (id: number, body: z.input<Schema<K, 'body'>>, o?: WriteOptions) => Promise<WriteResult>
    : Ops[K] extends { shape: 'list' }
      ? (id: IdOf<K>) => Promise<ItemsOf<K>>
      : (id: IdOf<K>) => Promise<z.output<Schema<K, 'result'>>>;
};

const STATUS_CODES: Record<number, Problem['code']> = {
  400: 'validation', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 412: 'precondition_failed',
  413: 'payload_too_large', 422: 'validation', 429: 'rate_limited',
};

function toProblem(status: number, text: string, contentType: string): Problem {
  if (contentType.includes('json')) {
    try {
      const p = JSON.parse(text) as Partial<Problem>;
      // a code outside the contract would pick the wrong exit code: such an answer is read by its status instead
      if (p && isProblemCode(p.code) && typeof p.detail === 'string') return { type: p.type ?? 'about:blank', title: p.title ?? '', status, detail: p.detail, code: p.code, errors: p.errors };
    } catch {
      // not our problem document: fall through to a generic one
    }
  }
  const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'validation');
  const detail =
    status === 429
      ? 'rate limited by the server (429)'
      : status >= 500 || status === 408
        ? `the server answered ${status} ${contentType.includes('html') ? '(an HTML error page, likely from a proxy)' : ''}`.trim()
        : `the server answered ${status}`;
  return { type: 'about:blank', title: `HTTP ${status}`, status, detail, code };
}

const isProblemCode = (code: unknown): code is Problem['code'] => (PROBLEM_CODES as readonly unknown[]).includes(code);

/** `{items: [...], next_cursor: string | null}`, the shape of every list answer. */
function isPage(body: unknown): body is Page<unknown> {
  if (body === null || typeof body !== 'object') return false;
  const { items, next_cursor: next } = body as Partial<Page<unknown>>;
  return Array.isArray(items) && (next === null || next === undefined || typeof next === 'string');
}

const retryAfterSeconds = (h: string | string[] | undefined): number | undefined => {
  const ms = parseRetryAfter(h, Date.now());
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
};

/** Answers that mean the server (or a gateway before it) cannot serve now: exit 6, not a server bug. */
const UNAVAILABLE_STATUSES = new Set([408, 502, 503, 504]);

const attemptsNote = (t: RetryTracker) => (t.attempts > 1 ? ` after ${t.attempts} attempts in ${(t.elapsedMs / 1000).toFixed(1)} s` : '');

// the derived methods are set in the constructor, one per operation with a shape
export interface TixClient extends DerivedMethods {}

export class TixClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly pool: Transport;
  private readonly opts: ClientOptions;
  private readonly retryPolicy: RetryPolicy;

  constructor(opts: ClientOptions) {
    this.opts = opts;
    const url = new URL(opts.baseUrl);
    this.baseUrl = url.toString().replace(/\/$/, '');
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/$/, '');
    this.retryPolicy = opts.retry === false ? { ...DEFAULT_RETRY_POLICY, maxRetries: 0, maxRefusedRetries: 0 } : { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    // node:http for a few requests, undici's Pool once bulk work has sent many (transport.ts)
    this.pool = createTransport(this.origin, { connections: opts.connections });
    for (const [name, entry] of Object.entries(opts.operations ?? REGISTRY)) {
      const method = clientMethod(name, entry);
      if (entry.shape && method) (this as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => this.invoke(entry, args);
    }
  }

  /**
   * Calls an operation of the registry: its path parameters first, in order, then its body (a change) or query (a read),
   * then a change's options. A change answers the ticket and whether it changed, a list its items, a record its body.
   */
  async invoke(entry: OperationEntry, args: readonly unknown[]): Promise<unknown> {
    const route = routeOf(entry);
    if (!route) throw new Error('this operation has no route');
    const n = pathParams(route.path).length;
    const path = fillPath(route.path, args.slice(0, n));
    const input = args[n];
    const ro: RequestOptions = route.method === 'GET' || route.method === 'DELETE' ? { query: input as RequestOptions['query'] } : { body: input };
    switch (entry.shape) {
      case 'change':
        return this.write(path, input, args[n + 1] as WriteOptions | undefined);
      case 'list':
        return (await this.page(path, ro.query)).items;
      case 'record':
        return (await this.record(route.method, path, ro)).body;
      default:
        return (await this.request(route.method, path, ro)).body;
    }
  }

  /** Closes the connection pool. */
  async dispose(): Promise<void> {
    await this.pool.close();
  }

  async request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<ApiResponse<T>> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(ro.query ?? {})) if (v !== undefined && v !== '') search.set(k, String(v));
    const qs = search.toString();
    const fullPath = `${this.prefix}${path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.opts.userAgent ?? 'tix' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let payload: string | undefined;
    if (ro.body !== undefined) {
      payload = JSON.stringify(ro.body);
      headers['content-type'] = 'application/json';
    }
    if (method === 'POST' && ro.idempotencyKey !== false) headers['idempotency-key'] = ro.idempotencyKey ?? randomUUID();
    if (ro.ifMatch !== undefined) headers['if-match'] = `"${ro.ifMatch}"`;
    const debug = this.opts.debug;
    const started = performance.now();
    if (debug) {
      debug(`> ${method} ${this.origin}${fullPath}`);
      for (const [k, v] of Object.entries(headers)) debug(`> ${k}: ${k === 'authorization' ? 'Bearer [redacted]' : v}`);
      if (payload) debug(`> ${payload.length > 2000 ? `${payload.slice(0, 2000)}…` : payload}`);
    }
    const timeoutMs = (this.opts.timeoutMs ?? 30_000) + (ro.holdMs ?? 0);
    const tracker = new RetryTracker(method, headers['idempotency-key'] !== undefined, {
      policy: this.retryPolicy,
      sleep: this.opts.sleep ?? realSleep,
      random: this.opts.random ?? Math.random,
      now: this.opts.now ?? Date.now,
      debug,
      onRateLimitWait: this.opts.onRateLimitWait,
    });
    // headersTimeout and bodyTimeout apply to each attempt: --timeout is per attempt
    const attempt: TransportRequest = {
      method: method as TransportRequest['method'],
      path: fullPath,
      headers,
      body: payload,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
    let res: TransportResponse;
    try {
      res = await sendWithRetries(() => this.pool.send(attempt), tracker);
    } catch (err) {
      throw this.transportError(err, timeoutMs, tracker);
    }
    const text = res.text;
    const contentType = String(res.headers['content-type'] ?? '');
    if (debug) {
      debug(`< ${res.statusCode} ${method} ${fullPath} (${Math.round(performance.now() - started)} ms)`);
      for (const [k, v] of Object.entries(res.headers)) debug(`< ${k}: ${String(v)}`);
      if (text) debug(`< ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`);
    }
    // never followed: the request would carry the token to wherever the Location points
    if (res.statusCode >= 300 && res.statusCode < 400) throw this.redirectError(res, method, fullPath);
    if (res.statusCode >= 400) throw this.statusError(toProblem(res.statusCode, text, contentType), res.headers['retry-after'], tracker);
    let body: unknown = text;
    if (contentType.includes('json') && text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(toProblem(502, text, 'text/plain'));
      }
    }
    return { status: res.statusCode, body: body as T, headers: res.headers };
  }

  private redirectError(res: TransportResponse, method: string, fullPath: string): ProtocolError {
    const location = [res.headers.location].flat()[0];
    let target = '(no Location given)';
    if (location !== undefined) target = URL.canParse(location, `${this.origin}${fullPath}`) ? new URL(location, `${this.origin}${fullPath}`).href : location;
    return new ProtocolError(
      `${this.baseUrl} answered ${res.statusCode} to ${method} ${fullPath}, redirecting to ${target}; tix does not follow redirects (the token would go along): if that is the tix server, use its URL (--url, TIX_URL or \`tix auth login --url\`)`,
      this.baseUrl,
    );
  }

  /** A list answer's page, checked for its shape: a body of another shape is the server's fault, said as such. */
  private async page<T>(path: string, query?: RequestOptions['query']): Promise<Page<T>> {
    const { body } = await this.request<unknown>('GET', path, { query });
    if (!isPage(body)) throw new ProtocolError(`${this.baseUrl} answered GET ${path} with something other than a list ({items, next_cursor}); check that the URL points at a tix server`, this.baseUrl);
    return { items: body.items as T[], next_cursor: body.next_cursor ?? null };
  }

  /** A record answer (a ticket, a comment, an escalation, a user): an object with an id, or the server's fault, said as such. */
  private async record<T>(method: string, path: string, ro: RequestOptions = {}): Promise<ApiResponse<T>> {
    const r = await this.request<unknown>(method, path, ro);
    const body = r.body as { id?: unknown } | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || (typeof body.id !== 'number' && typeof body.id !== 'string')) {
      throw new ProtocolError(`${this.baseUrl} answered ${method} ${path} with something other than a record; check that the URL points at a tix server`, this.baseUrl);
    }
    return r as ApiResponse<T>;
  }

  /** An error answer, after any retries, as a typed error; a wait too long to make is named. */
  private statusError(problem: Problem, retryAfterHeader: string | string[] | undefined, tracker: RetryTracker): Error {
    const retryAfter = retryAfterSeconds(retryAfterHeader);
    const tooLong = tracker.gaveUp?.reason === 'retry_after_too_long' || tracker.gaveUp?.reason === 'budget' || tracker.gaveUp?.reason === 'max_wait';
    const tried = attemptsNote(tracker);
    if (UNAVAILABLE_STATUSES.has(problem.status)) {
      const next = retryAfter !== undefined && tooLong ? `; it asks to retry after ${retryAfter} s` : '; try again later';
      return new UnavailableError(`${this.baseUrl} is unavailable: ${problem.detail}${tried}${next}`, this.baseUrl, {
        cause: new ApiError(problem, retryAfter),
        status: problem.status,
        retryAfterSeconds: retryAfter,
      });
    }
    // 429 keeps code rate_limited (exit 6); the CLI names the wait from retryAfterSeconds
    return new ApiError(tried ? { ...problem, detail: `${problem.detail}${tried}` } : problem, retryAfter);
  }

  private transportError(err: unknown, timeoutMs: number, tracker: RetryTracker): Error {
    const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? e.name;
    const tried = attemptsNote(tracker);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'TimeoutError' || code === 'UND_ERR_ABORTED' || e.name === 'AbortError') {
      return new UnavailableError(`no answer from ${this.baseUrl} within ${timeoutMs} ms${tried}; check the server or raise --timeout`, this.baseUrl, { cause: err });
    }
    if (code === ANSWER_CUT) {
      // the request reached the server and may have been applied: only its answer was lost, so it is not sent again
      return new UnavailableError(`the connection to ${this.baseUrl} broke while its answer was arriving${tried}; try again`, this.baseUrl, { cause: err });
    }
    if (code === 'ECONNREFUSED') {
      return new UnavailableError(`cannot reach ${this.baseUrl} (connection refused${tried}); is the server running? Start one with \`tix serve\``, this.baseUrl, { cause: err });
    }
    return new UnavailableError(`cannot reach ${this.baseUrl} (${code ?? e.message ?? 'network error'}${tried}); check the URL and your network`, this.baseUrl, { cause: err });
  }

  private async write(path: string, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    const r = await this.record<Ticket>('POST', path, { body, ...opts });
    return { ticket: r.body, changed: r.headers['tix-changed'] !== 'false' };
  }

  health() {
    return this.request<{ status: string; version: string }>('GET', '/v1/health').then((r) => r.body);
  }
  me() {
    return this.record<Me>('GET', '/v1/me').then((r) => r.body);
  }

  listTickets(params: { q?: string; sort?: string; limit?: number; cursor?: string }) {
    return this.page<Ticket>('/v1/tickets', params);
  }

  /** Every ticket matching, page by page, without holding them all. */
  async *allTickets(params: { q?: string; sort?: string; pageSize?: number; max?: number }): AsyncGenerator<Ticket> {
    let cursor: string | undefined;
    let seen = 0;
    const max = params.max ?? Infinity;
    // a server that hands back a cursor it gave before would send the same pages for ever
    const cursors = new Set<string>();
    do {
      const page = await this.listTickets({ q: params.q, sort: params.sort, limit: Math.min(params.pageSize ?? 1000, max - seen), cursor });
      if (page.next_cursor !== null && cursors.has(page.next_cursor)) {
        throw new ProtocolError(`${this.baseUrl} repeated a page cursor after ${cursors.size + 1} pages of tickets, so the list would never end; stopped (a server fault: report it to its operators)`, this.baseUrl);
      }
      if (page.next_cursor !== null) cursors.add(page.next_cursor);
      for (const t of page.items) {
        yield t;
        if (++seen >= max) return;
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  async getTicket(id: number): Promise<Ticket> {
    return (await this.record<Ticket>('GET', `/v1/tickets/${id}`)).body;
  }
  async createTicket(body: CreateTicketBody): Promise<Ticket> {
    return (await this.record<Ticket>('POST', '/v1/tickets', { body })).body;
  }
  // triage, reprioritize, assign, setStatus, escalate, closeTicket, reopen, comments, events and escalation are derived from the registry (constructor)

  async comment(id: number, body: CommentBody, o: { idempotencyKey?: string } = {}): Promise<Comment> {
    return (await this.record<Comment>('POST', `/v1/tickets/${id}/comments`, { body, ...o })).body;
  }
  /** One page of the change feed; with `wait` (seconds) the server holds the request until an event arrives. */
  async feed(params: { after?: string; since?: string; q?: string; ticket?: number; limit?: number; wait?: number }): Promise<FeedPage> {
    return (await this.request<FeedPage>('GET', '/v1/events', { query: params, holdMs: (params.wait ?? 0) * 1000 })).body;
  }
  async escalations(state: EscalationGroup = 'running', limit = 1000): Promise<Escalation[]> {
    return (await this.page<Escalation>('/v1/escalations', { state, limit })).items;
  }
  async advance(id: string, body: AdvanceBody): Promise<Escalation> {
    return (await this.record<Escalation>('POST', `/v1/escalations/${id}/advance`, { body })).body;
  }
  async users(): Promise<User[]> {
    return (await this.page<User>('/v1/users')).items;
  }
  async createUser(body: CreateUserBody): Promise<User> {
    return (await this.record<User>('POST', '/v1/users', { body })).body;
  }
  async createToken(userId: number, name = 'cli'): Promise<NewToken> {
    // the server never keeps a token answer for replay, so a retry would mint a second token
    return (await this.request<NewToken>('POST', `/v1/users/${userId}/tokens`, { body: { name }, idempotencyKey: false })).body;
  }
  async revokeToken(id: number): Promise<void> {
    await this.request('DELETE', `/v1/tokens/${id}`);
  }
  /** Many operations in one request; each applies on its own. The key makes a re-send safe. */
  async batch(operations: BatchOperation[], o: { idempotencyKey?: string; minimal?: boolean } = {}): Promise<BatchResult[]> {
    const r = await this.request<BatchResponse>('POST', '/v1/batch', {
      body: { operations },
      idempotencyKey: o.idempotencyKey,
      query: o.minimal ? { return: 'minimal' } : undefined,
    });
    if (!Array.isArray((r.body as Partial<BatchResponse> | null)?.results)) {
      throw new ProtocolError(`${this.baseUrl} answered POST /v1/batch without a list of results; check that the URL points at a tix server`, this.baseUrl);
    }
    return r.body.results;
  }
}
