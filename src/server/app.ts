// Builds the tix API server (never listens; main.ts does).
import { createHash } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { QueryError } from '../domain/query.js';
import type { Problem, ProblemCode, User } from '../domain/schemas.js';
import { DEFAULT_SLA, type SlaPolicy } from '../domain/sla.js';
import { adminRoutes } from './routes/admin.js';
import { batchRoutes } from './routes/batch.js';
import { escalationRoutes } from './routes/escalations.js';
import { metaRoutes } from './routes/meta.js';
import { COMPILED_RESPONSES } from './routes/common.js';
import { ticketRoutes } from './routes/tickets.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { serializerFor } from './serializer.js';
import { TicketService } from './service.js';
import { DomainError, type Store } from './store/types.js';

export const API_VERSION = '1.0.0';

export interface AppOptions {
  store: Store;
  now?: () => Date;
  sla?: SlaPolicy;
  logger?: boolean;
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  autoCloseDays?: number;
  rateLimit?: RateLimitOptions;
}

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

const STATUS_BY_CODE: Record<ProblemCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  rate_limited: 429,
  payload_too_large: 413,
  internal: 500,
};

const TITLES: Record<ProblemCode, string> = {
  validation: 'Invalid request',
  unauthenticated: 'Not authenticated',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  conflict: 'Conflict',
  precondition_failed: 'Precondition failed',
  rate_limited: 'Too many requests',
  payload_too_large: 'Payload too large',
  internal: 'Internal server error',
};

export function problem(code: ProblemCode, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `https://tix.dev/problems/${code}`, title: TITLES[code], status: STATUS_BY_CODE[code], detail, code, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem) {
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(p));
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type FoundToken = Awaited<ReturnType<Store['findToken']>>;

/**
 * Token lookups, remembered for a few seconds: every request needs one, few change. Kept by the
 * presented token itself, in memory only, so a remembered token costs no hash; the hash is taken on a
 * miss. A revocation through this server forgets at once; one made elsewhere takes effect within TTL_MS.
 */
export class TokenCache {
  static readonly TTL_MS = 5_000;
  /** Longer strings are never tokens this server issued: looked up, not remembered. */
  static readonly MAX_TOKEN_LENGTH = 200;
  private readonly entries = new Map<string, { found: FoundToken; at: number }>();
  constructor(private readonly store: Store) {}

  /** The remembered answer, or undefined when it must be looked up. */
  peek(token: string): FoundToken | undefined {
    const hit = this.entries.get(token);
    return hit && Date.now() - hit.at < TokenCache.TTL_MS ? hit.found : undefined;
  }

  async find(token: string): Promise<FoundToken> {
    const t = Date.now();
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
/** Answers that carry a secret are never kept for replay: tokens must be stored hashed only. */
const NEVER_REPLAYED = new Set(['/v1/users/:id/tokens']);
/** Headers of a first answer that its replay repeats. */
const REPLAYED_HEADERS = ['etag', 'tix-changed', 'location'];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const now = opts.now ?? (() => new Date());
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1_048_576,
    // ids in paths are validated by zod; keep Fastify's own parsing simple
    routerOptions: { ignoreTrailingSlash: true },
  });
  const service = new TicketService({ store: opts.store, now, sla: opts.sla ?? DEFAULT_SLA, autoCloseDays: opts.autoCloseDays });
  app.decorate('tix', { store: opts.store, service, now });
  const limiter = new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT, now);
  const tokens = new TokenCache(opts.store);
  app.decorate('tokenCache', tokens);
  app.decorateRequest('actor', null as unknown as User);
  app.decorateRequest('tokenId', 0);
  app.decorateRequest('idempotencyKey', undefined);

  app.setValidatorCompiler(validatorCompiler);
  // responses are built from typed records; skip re-validating them on the hot path
  app.setSerializerCompiler(({ schema }) => serializerFor(schema, COMPILED_RESPONSES));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'tix ticket API', version: API_VERSION, description: 'Support-desk tickets: triage, priority, escalation, audit.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  // callback style: a remembered token admits the request without a promise on the hot path
  app.addHook('onRequest', (req, reply, done) => {
    // decided on the matched route, never on the raw URL (`/%761/me` or an absolute-form target route the same)
    const route = req.routeOptions.url;
    if (route === undefined || PUBLIC_ROUTES.has(route)) return done();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return void sendProblem(reply, problem('unauthenticated', 'missing bearer token; send Authorization: Bearer <token>'));
    const admit = (found: FoundToken) => {
      if (!found) return void sendProblem(reply, problem('unauthenticated', 'invalid or revoked token'));
      req.actor = found.user;
      req.tokenId = found.token_id;
      if (limiter.enabled) {
        const verdict = limiter.take(found.token_id);
        reply.headers(verdict.headers);
        if (!verdict.allowed) {
          reply.header('retry-after', String(verdict.retryAfter));
          return void sendProblem(reply, problem('rate_limited', `rate limit of this token exceeded; retry in ${verdict.retryAfter} s`));
        }
      }
      done();
    };
    const token = match[1]!;
    const known = tokens.peek(token);
    if (known !== undefined) admit(known);
    else tokens.find(token).then(admit, done);
  });

  // Idempotency-Key: the first response is kept and replayed for a retry with the same body
  const idempotencyStart = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !req.actor) return;
    if (key.length === 0 || key.length > 200) return sendProblem(reply, problem('validation', 'Idempotency-Key must be 1 to 200 characters'));
    const fingerprint = createHash('sha256').update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
    const begun = await opts.store.idempotencyBegin(req.tokenId, key, fingerprint, now());
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
    if (reply.statusCode >= 500) await opts.store.idempotencyAbandon(req.tokenId, key);
    else {
      const body = typeof payload === 'string' ? payload : '';
      const type = String(reply.getHeader('content-type') ?? 'application/json');
      // a replay must say what the first answer said: the version, and whether anything changed
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) if (reply.hasHeader(name)) headers[name] = String(reply.getHeader(name));
      await opts.store.idempotencyFinish(req.tokenId, key, reply.statusCode, JSON.stringify({ body, type, headers }));
    }
    return payload;
  };

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
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, problem(err.statusCode === 404 ? 'not_found' : 'validation', err.message, { status: err.statusCode }));
    }
    req.log.error(err);
    return sendProblem(reply, problem('internal', 'the server failed to handle this request; it has been logged'));
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(metaRoutes);
  await typed.register(ticketRoutes);
  await typed.register(escalationRoutes);
  await typed.register(adminRoutes);
  await typed.register(batchRoutes);
  return app;
}
