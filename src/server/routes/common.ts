// Pieces shared by the route modules: path params, If-Match, ticket replies, problem schemas.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DecimalString, Problem, TicketIdParam } from '../../domain/schemas.js';
import type { TicketService } from '../service.js';
import { DomainError, type TicketRecord } from '../store/types.js';

export const IdParams = z.object({ id: TicketIdParam });
/** Any other numeric id in a path (users, tokens, attachments). */
export const NumericIdParams = (what: string) => z.object({ id: DecimalString(what) });
/** `?limit=`: a canonical decimal from 1 to 1000. */
export const Limit = DecimalString('limit', 1000).default(50);

export const problems = {
  400: Problem.describe('invalid request'),
  401: Problem.describe('not authenticated'),
  404: Problem.describe('not found, or not visible to you'),
};
export const writeProblems = {
  ...problems,
  403: Problem.describe('not allowed for your role'),
  409: Problem.describe('the transition is not allowed from the current status'),
  412: Problem.describe('the ticket changed since the If-Match version'),
  422: Problem.describe('Idempotency-Key reused with a different body'),
};

export const etag = (version: number) => `"${version}"`;

/** The version an If-Match header names (`"7"`, `W/"7"`), or undefined when absent or `*`. */
export function ifMatchVersion(req: FastifyRequest): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(String(raw).trim());
  if (!m) throw new DomainError('validation', 'If-Match must be an ETag from a previous response, such as "7"');
  return Number(m[1]);
}

export function sendTicket(reply: FastifyReply, service: TicketService, t: TicketRecord, changed = true, code = 200) {
  reply.header('etag', etag(t.version));
  reply.header('tix-changed', String(changed));
  return reply.code(code).send(service.present(t));
}
