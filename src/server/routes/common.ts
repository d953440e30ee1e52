// Pieces shared by the route modules: path params, If-Match, ticket replies, declared answers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Comment, DecimalString, Escalation, Event, Problem, Ticket, TicketIdParam, User, page } from '../../domain/schemas.js';
import { isBreachedAt } from '../../domain/sla.js';
import { OPERATION_SCHEMAS, whole } from '../../domain/operations.js';
import { PROBLEM_TYPE, RESPONSE_HEADERS, SHARED_RESPONSES, type ResponseHeader, publish } from '../openapi.js';
import { DomainError } from '../errors.js';
import { serializerFor } from '../serializer.js';
import type { TicketRecord, TicketService } from '../service.js';

export const IdParams = z.object({ id: TicketIdParam });
/** Any other numeric id in a path (users, tokens, attachments). */
export const NumericIdParams = (what: string) => z.object({ id: DecimalString(what) });
/** `?limit=`: a canonical decimal from 1 to 1000. */
export const Limit = DecimalString('limit', 1000).default(50);

/**
 * The errors a route's own logic can answer. What every route may answer (400 on bad input, 401, 408, 413, 414, 415,
 * 429, 431, 500, and 409/422 of Idempotency-Key) is added to the published document by the rules that produce it.
 */
export const failsWith = (...statuses: Array<403 | 404 | 409 | 412 | 413>) =>
  Object.fromEntries(statuses.map((s) => [s, { description: SHARED_RESPONSES[s]!.description, content: { [PROBLEM_TYPE]: { schema: Problem } } }])) as Partial<
    Record<403 | 404 | 409 | 412 | 413, { description: string; content: { [PROBLEM_TYPE]: { schema: typeof Problem } } }>
  >;

/** A JSON answer with the headers it carries. */
export const answer = <T extends z.ZodType>(schema: T, description: string, ...headers: ResponseHeader[]) => ({
  description,
  headers: Object.fromEntries(headers.map((h) => [h, RESPONSE_HEADERS[h]])),
  content: { 'application/json': { schema } },
});

/** A ticket after a write: its new version, and whether anything changed. */
export const changedTicket = (description = 'The ticket as it now is') => answer(Ticket, description, 'ETag', 'Tix-Changed');


export const TicketPage = publish('TicketPage', page(Ticket));
export const EscalationPage = publish('EscalationPage', page(Escalation));
export const CommentList = publish('CommentList', OPERATION_SCHEMAS.comments.result);
export const EventList = publish('EventList', OPERATION_SCHEMAS.events.result);
export const UserList = publish('UserList', whole(User, 'user'));
/** Response schemas answered by a serializer compiled from their JSON Schema: the hottest answers. */
export const COMPILED_RESPONSES: ReadonlySet<unknown> = new Set([Ticket, TicketPage]);

export const etag = (version: number) => `"${version}"`;

/** The Content-Type Fastify gives a serialized JSON answer. */
export const JSON_TYPE = 'application/json; charset=utf-8';
const ticketJson = serializerFor(Ticket, COMPILED_RESPONSES);
/** A record is replaced, never changed, when its ticket changes: its answer is kept with it, once per SLA state. */
const ticketBodies = new WeakMap<TicketRecord, { etag: string; inTime?: Buffer; breached?: Buffer }>();

/** The answer of a ticket at this moment as UTF-8 bytes, and its ETag, made once per record and SLA state. */
export function ticketAnswer(service: TicketService, t: TicketRecord): { etag: string; body: Buffer } {
  const now = service.nowIso();
  let kept = ticketBodies.get(t);
  if (!kept) ticketBodies.set(t, (kept = { etag: etag(t.version) }));
  const body = isBreachedAt(t, now)
    ? (kept.breached ??= Buffer.from(ticketJson(service.present(t, now))))
    : (kept.inTime ??= Buffer.from(ticketJson(service.present(t, now))));
  return { etag: kept.etag, body };
}

/** The version an If-Match header names (`"7"`, `W/"7"`), or undefined when absent or `*`. */
export function ifMatchVersion(req: FastifyRequest): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(String(raw).trim());
  if (!m) throw new DomainError('validation', 'If-Match must be an ETag from a previous response, such as "7"');
  return Number(m[1]);
}

export function sendTicket(reply: FastifyReply, service: TicketService, t: TicketRecord, changed: boolean, code = 200) {
  reply.header('etag', etag(t.version));
  reply.header('tix-changed', String(changed));
  return reply.code(code).send(service.present(t));
}
