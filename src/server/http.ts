// What the HTTP layer shares, imported by app.ts and the routes alike: problem documents and the API version.
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Problem, ProblemCode } from '../domain/schemas.js';

export const API_VERSION = '1.0.0';

const STATUS_BY_CODE: Record<ProblemCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  rate_limited: 429,
  payload_too_large: 413,
  quota_exceeded: 413,
  request_timeout: 408,
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
  quota_exceeded: 'Storage quota exceeded',
  request_timeout: 'Request timeout',
  internal: 'Internal server error',
};

export function problem(code: ProblemCode, detail: string, extra: Partial<Problem> = {}): Problem {
  // a status other than the code's own (414, 415, 422, 431) keeps its HTTP name as the title
  const title = extra.status && extra.status !== STATUS_BY_CODE[code] ? (STATUS_CODES[extra.status] ?? TITLES[code]) : TITLES[code];
  return { type: `https://tix.dev/problems/${code}`, title, status: STATUS_BY_CODE[code], detail, code, ...extra };
}

/** A problem written straight to a socket: for errors Node raises before a request exists (408, 431, 400). */

export function sendProblem(reply: FastifyReply, p: Problem) {
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(p));
}
