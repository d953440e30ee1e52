// Builds the tix API server (never listens; main.ts does).
import { createHash, randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { ZodError, type z } from 'zod';
import { QueryError } from '../domain/query.js';
import { DECIMAL_PATTERN, type Problem, type User } from '../domain/schemas.js';
import { DEFAULT_SLA, type SlaPolicy } from '../domain/sla.js';
import { API_VERSION, problem, sendProblem } from './http.js';
import { hashToken } from './tokens.js';
import { swaggerOptions } from './openapi.js';
import { adminRoutes } from './routes/admin.js';
import { batchRoutes } from './routes/batch.js';
import { escalationRoutes } from './routes/escalations.js';
import { eventRoutes } from './routes/events.js';
import { metaRoutes } from './routes/meta.js';
import { COMPILED_RESPONSES, IdParams } from './routes/common.js';
import { ticketRoutes } from './routes/tickets.js';
import { operationRoutes } from './routes/operations.js';
import { TIX_OPERATIONS, type Operations } from '../domain/operations.js';
import { repeat } from './repeat.js';
import { AuthFailureLimiter, DEFAULT_AUTH_FAILURES, DEFAULT_RATE_LIMIT, RateLimiter, andThen, type Maybe, type RateLimitOptions } from './rate-limit.js';
import { serializerFor } from './serializer.js';
import { TicketService } from './service.js';
import { DomainError, type Store } from './store/types.js';

export { API_VERSION, problem, sendProblem } from './http.js';
export { hashToken } from './tokens.js';

export interface AppOptions {
  store: Store;
  now?: () => Date;
  sla?: SlaPolicy;
  logger?: boolean;
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  autoCloseDays?: number;
  rateLimit?: RateLimitOptions;
  /** How often expired Idempotency-Key records are deleted, in ms (0 = never); off the request path. */
  idempotencySweepMs?: number;
  /** Where failures inside the server are reported, one line each (default: stderr). */
  errorLog?: (line: string) => void;
  /** Longest a request may take to arrive, headers and body, in ms; slower ones are cut with 408. */
  requestTimeoutMs?: number;
  /** Bytes of attachments each requester may store (0 = no limit); past it 413 quota_exceeded. */
  requesterQuotaBytes?: number;
  /** How long a token lookup is remembered, in ms: a revocation made outside this server takes effect within it. */
  tokenCacheMs?: number;
  /** The operations whose routes are derived (routes/operations.ts); tix's own unless a test adds one. */
  operations?: Operations;
}

/** A request slower than this to arrive is cut with 408 (a second more at most: the check runs every second). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 25_000;

declare module 'fastify' {
  interface FastifyRequest {
    actor: User;
    tokenId: number;
    idempotencyKey?: string;
  }
  interface FastifyInstance {
    tix: { store: Store; service: TicketService; now: () => Date };
    tokenCache: TokenCache;
  }
}

function writeSocketProblem(socket: Socket, p: Problem) {
  const body = JSON.stringify(p);
  socket.end(`HTTP/1.1 ${p.status} ${STATUS_CODES[p.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** An error the JSON body parser raises: a 400 the error handler turns into a validation problem. */
const badBody = (message: string) => Object.assign(new Error(message), { statusCode: 400, code: 'TIX_BAD_BODY' });

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** No lone surrogate (String.prototype.isWellFormed, Node 20). */
const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Where in a parsed body (or query) a string is not well-formed Unicode, holds a NUL character (which
 * PostgreSQL's text cannot, so no store keeps it), or a key could poison prototypes, if anywhere.
 */
function findBadText(value: unknown, top = 'body'): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!wellFormed(v)) return `${path || top}: text is not valid Unicode (a lone surrogate)`;
      if (v.includes('\0')) return `${path || top}: text holds a NUL character (U+0000)`;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (!wellFormed(k)) return `${path || top}: a field name is not valid Unicode (a lone surrogate)`;
        if (k.includes('\0')) return `${path || top}: a field name holds a NUL character (U+0000)`;
        const poisons = k === '__proto__' || (k === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child);
        if (poisons) return `${path || top}: field "${k}" is not allowed`;
        stack.push([child, `${path}/${k}`]);
      }
    }
  }
  return undefined;
}


type FoundToken = Awaited<ReturnType<Store['findToken']>>;

/**
 * Token lookups, remembered for a few seconds: every request needs one, few change. Kept by the
 * presented token itself, in memory only, so a remembered token costs no hash; the hash is taken on a
 * miss. A revocation through this server forgets at once; one made elsewhere takes effect within ttlMs
 * (TTL_MS unless the app is told otherwise), measured on the app's clock. On a store shared by several
 * instances an answer is never reused, so a revocation anywhere holds at once; it only marks the token
 * as known to this server (see `known`).
 */
export class TokenCache {
  static readonly TTL_MS = 5_000;
  /** Longer strings are never tokens this server issued: looked up, not remembered. */
  static readonly MAX_TOKEN_LENGTH = 200;
  private readonly entries = new Map<string, { found: FoundToken; at: number }>();
  constructor(
    private readonly store: Store,
    private readonly ttlMs = TokenCache.TTL_MS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The remembered answer, or undefined when it must be looked up. */
  peek(token: string): FoundToken | undefined {
    if (this.store.shared) return undefined;
    const hit = this.entries.get(token);
    return hit && this.nowMs() - hit.at < this.ttlMs ? hit.found : undefined;
  }

  /** A valid token this server looked up lately: worth looking up again even from an address past its failures. */
  known(token: string): boolean {
    const hit = this.entries.get(token);
    return Boolean(hit?.found) && this.nowMs() - hit!.at < this.ttlMs;
  }

  async find(token: string): Promise<FoundToken> {
    const t = this.nowMs();
    const hit = this.peek(token);
    if (hit !== undefined) return hit;
    const found = await this.store.findToken(hashToken(token));
    if (token.length > TokenCache.MAX_TOKEN_LENGTH) return found;
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(token, { found, at: t });
    return found;
  }

  forgetToken(id: number) {
    for (const [token, e] of this.entries) if (e.found?.token_id === id) this.entries.delete(token);
  }

  forgetAll() {
    this.entries.clear();
  }
}

const PUBLIC_ROUTES = new Set(['/v1/health', '/v1/openapi.json']);
/** Path ids as IdParams reads them, checked without zod; an id it would refuse goes to zod, for zod's own error. */
const idParamsValidator = (zod: ReturnType<typeof validatorCompiler>): ReturnType<typeof validatorCompiler> => (data: unknown) => {
  const id = (data as { id?: unknown }).id;
  if (typeof id === 'string' && DECIMAL_PATTERN.test(id)) {
    const n = Number(id);
    if (n <= Number.MAX_SAFE_INTEGER) return { value: { id: n } };
  }
  return zod(data);
};
/** Answers that carry a secret are never kept for replay: tokens must be stored hashed only. */
const NEVER_REPLAYED = new Set(['/v1/users/:id/tokens']);
/** Headers of a first answer that its replay repeats. */
const REPLAYED_HEADERS = ['etag', 'tix-changed', 'location'];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const now = opts.now ?? (() => new Date());
  const errorLog = opts.errorLog ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // request ids say which log line a 500 answer belongs to; this process's prefix keeps them apart from another's
  const bootId = randomBytes(4).toString('hex');
  let requests = 0;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1_048_576,
    genReqId: () => `${bootId}-${(++requests).toString(36)}`,
    // slow senders are cut: whole request (headers and body) within requestTimeout, checked every second
    requestTimeout,
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) },
    // ids in paths are validated by zod; keep Fastify's own parsing simple
    routerOptions: { ignoreTrailingSlash: true },
    // Node's own refusals (timeout, oversized headers, malformed requests) answer in the problem shape too
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
      if (socket.writable && !started) {
        const p =
          err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? problem('request_timeout', `the request did not arrive within ${requestTimeout / 1000} s`)
            : err.code === 'HPE_HEADER_OVERFLOW'
              ? problem('payload_too_large', 'the request line and headers exceed the server limit of 16 KB', { status: 431 })
              : problem('validation', 'the request is not valid HTTP');
        writeSocketProblem(socket, p);
      }
      socket.destroy();
    },
    frameworkErrors: (err, _req, reply) => {
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, problem('payload_too_large', 'a path segment is longer than 100 characters', { status: 414 }));
      return sendProblem(reply, problem('validation', 'the request path is not a valid URL'));
    },
  });

  // JSON is the only body read (others are 415), and only as valid UTF-8 and Unicode: bad text is refused, never replaced
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, raw, done) => {
    let text: string;
    try {
      text = utf8.decode(raw as Buffer);
    } catch {
      return done(badBody('the body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(badBody('the body is empty; send a JSON object'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return done(badBody(`the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
    const bad = findBadText(value);
    return bad ? done(badBody(bad), undefined) : done(null, value);
  });
  // the query string's text obeys the body's rules: a NUL in ?q= would reach the store
  app.addHook('preValidation', (req, reply, done) => {
    const bad = findBadText(req.query, 'query');
    if (bad) return void sendProblem(reply, problem('validation', bad));
    done();
  });
  const service = new TicketService({ store: opts.store, now, sla: opts.sla ?? DEFAULT_SLA, autoCloseDays: opts.autoCloseDays, requesterQuotaBytes: opts.requesterQuotaBytes });
  app.decorate('tix', { store: opts.store, service, now });
  // on a store shared by several instances the windows are the store's, so a client spread over them gets one allowance
  const counters = opts.store.rateCounters;
  // the default clock is read without a Date on every request
  const nowMs = opts.now ? () => now().getTime() : Date.now;
  const limiter = new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT, now, counters);
  const failures = new AuthFailureLimiter(opts.rateLimit?.authFailures ?? DEFAULT_AUTH_FAILURES, opts.rateLimit?.windowSeconds ?? DEFAULT_RATE_LIMIT.windowSeconds, now, counters);
  const tokens = new TokenCache(opts.store, opts.tokenCacheMs ?? TokenCache.TTL_MS, nowMs);
  app.decorate('tokenCache', tokens);
  app.decorateRequest('actor', null as unknown as User);
  app.decorateRequest('tokenId', 0);
  app.decorateRequest('idempotencyKey', undefined);

  app.setValidatorCompiler<z.ZodType>((route) => (route.schema === IdParams ? idParamsValidator(validatorCompiler(route)) : validatorCompiler(route)));
  // responses are built from typed records; skip re-validating them on the hot path
  app.setSerializerCompiler(({ schema }) => serializerFor(schema, COMPILED_RESPONSES));

  await app.register(fastifySwagger, swaggerOptions({ version: API_VERSION, neverReplayed: NEVER_REPLAYED }));

  // callback style: a remembered token admits the request without a promise on the hot path (counters in memory)
  app.addHook('onRequest', (req, reply, done) => {
    // decided on the matched route, never on the raw URL (`/%761/me` or an absolute-form target route the same)
    const route = req.routeOptions.url;
    if (route === undefined || PUBLIC_ROUTES.has(route)) return done();
    // counters kept in the store answer later: their failure fails the request, never leaves it unanswered
    const settle = (v: Maybe<unknown>) => void (v instanceof Promise && v.catch(done));
    // an address past its failed authentications waits, and its unknown tokens are not even looked up
    const tooMany = (): Maybe<boolean> =>
      andThen(failures.blockedFor(req.ip), (wait) => {
        if (wait === 0) return false;
        reply.header('retry-after', String(wait));
        void sendProblem(reply, problem('rate_limited', `too many failed authentications from this address; retry in ${wait} s`));
        return true;
      });
    const refuse = (detail: string): Maybe<unknown> =>
      andThen(tooMany(), (blocked) => (blocked ? undefined : andThen(failures.fail(req.ip), () => void sendProblem(reply, problem('unauthenticated', detail)))));
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return settle(refuse('missing bearer token; send Authorization: Bearer <token>'));
    const admit = (found: FoundToken): Maybe<unknown> => {
      if (!found) return refuse('invalid or revoked token');
      req.actor = found.user;
      req.tokenId = found.token_id;
      if (!limiter.enabled) return void done();
      return andThen(limiter.take(found.token_id), (verdict) => {
        reply.headers(verdict.headers);
        if (!verdict.allowed) {
          reply.header('retry-after', String(verdict.retryAfter));
          return void sendProblem(reply, problem('rate_limited', `rate limit of this token exceeded; retry in ${verdict.retryAfter} s`));
        }
        done();
      });
    };
    const token = match[1]!;
    const known = tokens.peek(token);
    if (known !== undefined) return settle(admit(known));
    const lookUp = () => void tokens.find(token).then((found) => settle(admit(found)), done);
    if (tokens.known(token)) return lookUp();
    settle(andThen(tooMany(), (blocked) => (blocked ? undefined : lookUp())));
  });

  // Idempotency-Key: the first response is kept and replayed for a retry with the same body
  const idempotencyStart = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !req.actor) return;
    if (key.length === 0 || key.length > 200) return sendProblem(reply, problem('validation', 'Idempotency-Key must be 1 to 200 characters'));
    const fingerprint = createHash('sha256').update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
    const begun = await opts.store.idempotencyBegin(req.actor.id, key, fingerprint, now());
    if (begun.state === 'mismatch') {
      return sendProblem(reply, problem('validation', 'this Idempotency-Key was used with a different request; use a new key', { status: 422 }));
    }
    if (begun.state === 'pending') {
      reply.header('retry-after', '1');
      return sendProblem(reply, problem('conflict', 'a request with this Idempotency-Key is still in progress; retry shortly'));
    }
    if (begun.state === 'done') {
      const replayed = begun.body ? (JSON.parse(begun.body) as { body: string; type?: string; headers?: Record<string, string> }) : null;
      for (const [name, value] of Object.entries(replayed?.headers ?? {})) reply.header(name, value);
      reply.header('idempotent-replayed', 'true');
      return reply
        .code(begun.status)
        .type(replayed?.type ?? 'application/json')
        .send(replayed?.body ?? '');
    }
    req.idempotencyKey = key;
  };

  const idempotencyFinish = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!req.idempotencyKey) return payload;
    const key = req.idempotencyKey;
    req.idempotencyKey = undefined;
    if (reply.statusCode >= 500) await opts.store.idempotencyAbandon(req.actor.id, key);
    else {
      const body = typeof payload === 'string' ? payload : '';
      const type = String(reply.getHeader('content-type') ?? 'application/json');
      // a replay must say what the first answer said: the version, and whether anything changed
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) if (reply.hasHeader(name)) headers[name] = String(reply.getHeader(name));
      await opts.store.idempotencyFinish(req.actor.id, key, reply.statusCode, JSON.stringify({ body, type, headers }));
    }
    return payload;
  };

  // expired keys go in the background, a bounded slice at a time, never on a request's path
  const sweepEvery = opts.idempotencySweepMs ?? 5 * 60_000;
  if (sweepEvery > 0) {
    const expireKeys = async (signal: AbortSignal) => {
      try {
        while (!signal.aborted && (await opts.store.idempotencyExpire(now())) > 0) await new Promise((r) => setImmediate(r));
      } catch (err) {
        errorLog(`tix: expiring Idempotency-Key records failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    };
    const sweeps = repeat(expireKeys, sweepEvery);
    // a slice under way ends before the store can be closed after the app
    app.addHook('onClose', () => sweeps.stop());
  }

  // only POSTs take an Idempotency-Key: reads skip both hooks on the hot path
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST') || NEVER_REPLAYED.has(route.url)) return;
    const asList = <T>(h: T | T[] | undefined): T[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);
    route.preHandler = [idempotencyStart, ...asList(route.preHandler)] as typeof route.preHandler;
    route.onSend = [idempotencyFinish, ...asList(route.onSend)] as typeof route.onSend;
  });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => ({ path: `${err.validationContext ?? ''}${v.instancePath || ''}`, message: v.message ?? 'invalid' }));
      const detail = errors.map((e) => `${e.path.replace(/^body\/?/, '') || 'body'}: ${e.message}`).join('; ');
      return sendProblem(reply, problem('validation', detail, { errors }));
    }
    if (err instanceof DomainError) return sendProblem(reply, problem(err.code, err.message));
    if (err instanceof QueryError) return sendProblem(reply, problem('validation', err.message));
    if (err instanceof ZodError) return sendProblem(reply, problem('validation', err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, problem('payload_too_large', `request body exceeds ${opts.bodyLimit ?? 1_048_576} bytes`));
    if (err.statusCode === 408) return sendProblem(reply, problem('request_timeout', 'the request body did not arrive in time'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, problem(err.statusCode === 404 ? 'not_found' : 'validation', err.message, { status: err.statusCode }));
    }
    // always logged, --debug or not; the answer names the request so the two can be matched
    errorLog(`tix: request ${req.id} ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]} failed: ${err.stack ?? err.message}`);
    return sendProblem(reply, problem('internal', `the server failed to handle this request; it has been logged as request ${req.id}`));
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(metaRoutes);
  await typed.register(ticketRoutes);
  await typed.register(operationRoutes(opts.operations ?? TIX_OPERATIONS));
  await typed.register(escalationRoutes);
  await typed.register(adminRoutes);
  await typed.register(batchRoutes);
  await typed.register(eventRoutes);
  return app;
}
