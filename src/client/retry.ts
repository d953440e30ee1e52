// When the client retries a request, how long it waits first, and the one loop that does it for every
// request whichever transport sends it (README.md, "Pointing tix at a remote server"). The decision is
// pure (decideRetry); a RetryTracker applies it to one request; sendWithRetries runs its attempts.
import type { TransportResponse } from './transport.js';

export interface RetryPolicy {
  /** Retries after the first attempt (so at most maxRetries + 1 attempts). */
  maxRetries: number;
  /** Retries after a refused connection, for any method: nothing reached the server. */
  maxRefusedRetries: number;
  /**
   * Backoff before retry n (0-based) is random(0, min(maxDelayMs, baseDelayMs·2^n)): full jitter.
   * After a Retry-After the jitter comes on top of it, so clients told one wait do not return at once.
   */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited: the request fails at once and names the wait. */
  maxRetryAfterMs: number;
  /** No retry starts once this much time has passed since the first attempt, waits included. */
  budgetMs: number;
  /**
   * Patience with a rate limit (bulk runs, --all listings): a 429 is waited out, Retry-After
   * whatever its length, as long as the request's waits end within this much time of its first
   * attempt. 0 keeps 429 to the limits above, so one-shot commands fail fast.
   */
  rateLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  maxRefusedRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  budgetMs: 60_000,
  rateLimitWaitMs: 0,
};

/** Statuses that mean "not now": the request was not applied, or is safe to send again. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);
/** Connection failures: the answer was lost, or the request never arrived. */
export const RETRY_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export interface FailedAttempt {
  method: string;
  /** An Idempotency-Key was sent, so the server replays rather than applies a repeat. */
  hasIdempotencyKey: boolean;
  /** Retries already made for this request (0 after the first attempt failed). */
  retries: number;
  /** Time since the first attempt started, waits included. */
  elapsedMs: number;
  status?: number;
  errorCode?: string;
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

export type GiveUpReason = 'not_retryable' | 'attempts' | 'budget' | 'retry_after_too_long' | 'max_wait';
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: GiveUpReason };

/** GET and HEAD never change anything; a keyed request is replayed by the server, never applied twice. */
export const isRetryableRequest = (method: string, hasIdempotencyKey: boolean) =>
  method === 'GET' || method === 'HEAD' || hasIdempotencyKey;

/** The upper bound of the full-jitter wait before retry `retries` (0-based). */
export const backoffCeilingMs = (retries: number, policy: RetryPolicy) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retries);

export function decideRetry(a: FailedAttempt, policy: RetryPolicy, random: () => number): RetryDecision {
  const refused = a.errorCode === 'ECONNREFUSED';
  // 409 with Retry-After on a keyed request: the first copy is still in flight on the server
  const inFlight = a.status === 409 && a.hasIdempotencyKey && a.retryAfterMs !== undefined;
  const retryableFailure = a.status !== undefined ? RETRY_STATUSES.has(a.status) || inFlight : a.errorCode !== undefined && RETRY_ERROR_CODES.has(a.errorCode);
  if (!retryableFailure || (!refused && !isRetryableRequest(a.method, a.hasIdempotencyKey))) return { retry: false, reason: 'not_retryable' };
  if (a.status === 429 && policy.rateLimitWaitMs > 0) {
    // a rate limit ends with its window: bounded by time alone, however many windows it takes
    const delayMs = a.retryAfterMs !== undefined ? a.retryAfterMs + Math.floor(random() * policy.baseDelayMs) : Math.floor(random() * backoffCeilingMs(a.retries, policy));
    if (a.elapsedMs + delayMs > policy.rateLimitWaitMs) return { retry: false, reason: 'max_wait' };
    return { retry: true, delayMs };
  }
  if (a.retries >= (refused ? Math.min(policy.maxRefusedRetries, policy.maxRetries) : policy.maxRetries)) return { retry: false, reason: 'attempts' };
  if (a.retryAfterMs !== undefined && a.retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry_after_too_long' };
  const jitter = Math.floor(random() * backoffCeilingMs(a.retries, policy));
  const delayMs = (a.retryAfterMs ?? 0) + jitter;
  if (a.elapsedMs + delayMs > policy.budgetMs) return { retry: false, reason: 'budget' };
  return { retry: true, delayMs };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/[a-z]/i.test(v)) return undefined; // an HTTP date names its day and month; "-5" is not one
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryEnvironment {
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  debug?: (line: string) => void;
  /** Told of every wait before a retry of a 429, so the user learns how long the run pauses. */
  onRateLimitWait?: (delayMs: number) => void;
}

/** How one attempt failed: an answer of status ≥ 300, or an error (its code, as Node or undici gives it). */
export type AttemptFailure = { status: number; headers: Record<string, string | string[] | undefined> } | { error: unknown };

/** One request's retry state: how many attempts it made, how long it waited, and why it stopped retrying. */
export class RetryTracker {
  attempts = 1;
  waitedMs = 0;
  /** Why the last failure was not retried; undefined while retrying or after a success. */
  gaveUp?: { reason: GiveUpReason; retryAfterMs?: number };
  private readonly started: number;

  constructor(
    private readonly method: string,
    private readonly hasIdempotencyKey: boolean,
    private readonly env: RetryEnvironment,
  ) {
    this.started = env.now();
  }

  get elapsedMs() {
    return this.env.now() - this.started;
  }

  /** Decides on a failed attempt; when it is to be sent again, waits first and answers true. */
  async again(failure: AttemptFailure): Promise<boolean> {
    const status = 'status' in failure ? failure.status : undefined;
    const retryAfterMs = 'status' in failure ? parseRetryAfter(failure.headers['retry-after'], Date.now()) : undefined;
    const failed: FailedAttempt = {
      method: this.method,
      hasIdempotencyKey: this.hasIdempotencyKey,
      retries: this.attempts - 1,
      elapsedMs: this.elapsedMs,
      status,
      errorCode: 'error' in failure ? errorCode(failure.error) : undefined,
      retryAfterMs,
    };
    const decision = decideRetry(failed, this.env.policy, this.env.random);
    if (!decision.retry) {
      this.gaveUp = { reason: decision.reason, retryAfterMs };
      return false;
    }
    this.env.debug?.(`! ${status ?? failed.errorCode} on attempt ${this.attempts}; retrying in ${decision.delayMs} ms`);
    if (status === 429) this.env.onRateLimitWait?.(decision.delayMs);
    await this.env.sleep(decision.delayMs);
    this.waitedMs += decision.delayMs;
    this.attempts += 1;
    return true;
  }
}

/** The code of a failed attempt's error, or of its cause (undici wraps some socket errors). */
const errorCode = (err: unknown): string | undefined => {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code ?? e?.cause?.code;
};

/**
 * Sends a request until it succeeds or its tracker stops retrying: every answer of status ≥ 300 and every
 * failure is offered to the tracker. The last answer is returned whatever its status; the last error thrown.
 */
export async function sendWithRetries(attempt: () => Promise<TransportResponse>, tracker?: RetryTracker): Promise<TransportResponse> {
  for (;;) {
    let res: TransportResponse;
    try {
      res = await attempt();
    } catch (error) {
      if (tracker && (await tracker.again({ error }))) continue;
      throw error;
    }
    if (res.statusCode < 300) return res;
    if (tracker && (await tracker.again({ status: res.statusCode, headers: res.headers }))) continue;
    return res;
  }
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
