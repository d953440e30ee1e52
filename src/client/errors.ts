// Typed errors of the tix API client: every failure the client can report is one of these.
import type { Problem, ProblemCode } from '../domain/schemas.js';

/** The server answered with an RFC 9457 problem (or something we map to one). */
export class ApiError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfterSeconds: number | undefined;
  constructor(problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.code = problem.code;
    this.status = problem.status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The server could not be reached, timed out, or kept answering 408/502/503/504 after retries. */
export class UnavailableError extends Error {
  readonly url: string;
  /** The last HTTP status, when the server (or a gateway) answered at all. */
  readonly status: number | undefined;
  /** The server's Retry-After, when it named a wait longer than the client makes. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, url: string, options?: { cause?: unknown; status?: number; retryAfterSeconds?: number }) {
    super(message, options);
    this.name = 'UnavailableError';
    this.url = url;
    this.status = options?.status;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The server answered outside the API's contract: a redirect, a page that repeats its cursor, a body of the wrong shape. */
export class ProtocolError extends Error {
  readonly url: string;
  constructor(message: string, url: string) {
    super(message);
    this.name = 'ProtocolError';
    this.url = url;
  }
}
