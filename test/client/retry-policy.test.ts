import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, decideRetry, DEFAULT_RETRY_POLICY, parseRetryAfter, type FailedAttempt } from '../../src/client/retry.js';

const policy = DEFAULT_RETRY_POLICY;
const get = (over: Partial<FailedAttempt> = {}): FailedAttempt => ({ method: 'GET', hasIdempotencyKey: false, retries: 0, elapsedMs: 0, ...over });
const half = () => 0.5;

describe('which failures are retried', () => {
  it.each([408, 429, 502, 503, 504])('a GET answered %i is retried', (status) => {
    expect(decideRetry(get({ status }), policy, half).retry).toBe(true);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET'])('a GET that fails with %s is retried', (errorCode) => {
    expect(decideRetry(get({ errorCode }), policy, half).retry).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 412, 413, 422, 500, 501])('a GET answered %i is not retried', (status) => {
    expect(decideRetry(get({ status }), policy, half)).toEqual({ retry: false, reason: 'not_retryable' });
  });

  it('a timeout is not retried: --timeout is what the user agreed to wait', () => {
    expect(decideRetry(get({ errorCode: 'UND_ERR_HEADERS_TIMEOUT' }), policy, half)).toEqual({ retry: false, reason: 'not_retryable' });
  });

  it('a POST with an Idempotency-Key is retried after a reset, and one without is not', () => {
    expect(decideRetry(get({ method: 'POST', hasIdempotencyKey: true, errorCode: 'ECONNRESET' }), policy, half).retry).toBe(true);
    expect(decideRetry(get({ method: 'POST', hasIdempotencyKey: false, errorCode: 'ECONNRESET' }), policy, half).retry).toBe(false);
  });

  it.each(['PATCH', 'DELETE', 'PUT'])('a %s is not retried on 503 or on a reset', (method) => {
    expect(decideRetry(get({ method, status: 503 }), policy, half).retry).toBe(false);
    expect(decideRetry(get({ method, errorCode: 'ECONNRESET' }), policy, half).retry).toBe(false);
  });

  it('a refused connection is retried for any method, since nothing reached the server, but only a few times', () => {
    expect(decideRetry(get({ method: 'PATCH', errorCode: 'ECONNREFUSED' }), policy, half).retry).toBe(true);
    expect(decideRetry(get({ errorCode: 'ECONNREFUSED', retries: policy.maxRefusedRetries }), policy, half)).toEqual({ retry: false, reason: 'attempts' });
  });

  it('a 409 with Retry-After on a keyed request (the first copy still in flight) is retried after the wait; other 409s are not', () => {
    expect(decideRetry(get({ method: 'POST', hasIdempotencyKey: true, status: 409, retryAfterMs: 1000 }), policy, () => 0)).toEqual({ retry: true, delayMs: 1000 });
    expect(decideRetry(get({ method: 'POST', hasIdempotencyKey: true, status: 409 }), policy, half).retry).toBe(false);
    expect(decideRetry(get({ status: 409, retryAfterMs: 1000 }), policy, half).retry).toBe(false);
  });
});

describe('how long the client waits', () => {
  it('waits are full jitter: random(0, min(cap, base·2^n)) for every retry and every random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: policy.maxRetries - 1 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retries, r) => {
        const d = decideRetry(get({ status: 503, retries }), policy, () => r);
        if (!d.retry) return false;
        return d.delayMs >= 0 && d.delayMs <= Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retries);
      }),
    );
  });

  it('the ceiling doubles from the base and stops at the cap', () => {
    const p = { ...policy, baseDelayMs: 500, maxDelayMs: 3000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffCeilingMs(n, p))).toEqual([500, 1000, 2000, 3000, 3000]);
  });

  it('the jitter spans the whole range: a draw near 1 waits near the ceiling, a draw of 0 does not wait', () => {
    expect(decideRetry(get({ status: 503, retries: 2 }), policy, () => 0)).toEqual({ retry: true, delayMs: 0 });
    expect(decideRetry(get({ status: 503, retries: 2 }), policy, () => 0.999)).toEqual({ retry: true, delayMs: 1998 });
  });

  it('Retry-After is waited in full, with the jitter on top so told clients do not return together', () => {
    expect(decideRetry(get({ status: 429, retryAfterMs: 2000 }), policy, () => 0)).toEqual({ retry: true, delayMs: 2000 });
    expect(decideRetry(get({ status: 429, retryAfterMs: 2000, retries: 1 }), policy, half)).toEqual({ retry: true, delayMs: 2500 });
  });

  it('a Retry-After beyond the cap fails at once instead of waiting', () => {
    expect(decideRetry(get({ status: 429, retryAfterMs: 3_600_000 }), policy, half)).toEqual({ retry: false, reason: 'retry_after_too_long' });
  });

  it('stops after maxRetries retries', () => {
    expect(decideRetry(get({ status: 503, retries: policy.maxRetries - 1 }), policy, half).retry).toBe(true);
    expect(decideRetry(get({ status: 503, retries: policy.maxRetries }), policy, half)).toEqual({ retry: false, reason: 'attempts' });
  });

  it('does not start a wait that would end past the time budget', () => {
    expect(decideRetry(get({ status: 503, retryAfterMs: 5000, elapsedMs: policy.budgetMs - 4000 }), policy, half)).toEqual({ retry: false, reason: 'budget' });
    expect(decideRetry(get({ status: 503, retryAfterMs: 5000, elapsedMs: policy.budgetMs - 6000 }), policy, half).retry).toBe(true);
  });
});

describe('reading Retry-After', () => {
  const now = Date.parse('2026-11-02T09:00:00Z');

  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 3600 ', now)).toBe(3_600_000);
  });

  it('reads an HTTP date as the time left until it, never negative', () => {
    expect(parseRetryAfter('Mon, 02 Nov 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 02 Nov 2026 08:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('patience with a rate limit (bulk runs, --all listings)', () => {
  const patient = { ...policy, rateLimitWaitMs: 300_000 };

  it('a 429 whose Retry-After is longer than the cap is waited out when the run is patient', () => {
    expect(decideRetry(get({ status: 429, retryAfterMs: 60_000 }), policy, half)).toEqual({ retry: false, reason: 'retry_after_too_long' });
    expect(decideRetry(get({ status: 429, retryAfterMs: 60_000 }), patient, () => 0)).toEqual({ retry: true, delayMs: 60_000 });
  });

  it('is bounded by time alone: more windows than maxRetries are waited, none past the patience', () => {
    expect(decideRetry(get({ status: 429, retryAfterMs: 60_000, retries: policy.maxRetries + 3, elapsedMs: 200_000 }), patient, () => 0).retry).toBe(true);
    expect(decideRetry(get({ status: 429, retryAfterMs: 60_000, elapsedMs: 250_000 }), patient, () => 0)).toEqual({ retry: false, reason: 'max_wait' });
  });

  it('only a rate limit gets the patience: a 503 keeps its count and budget', () => {
    expect(decideRetry(get({ status: 503, retries: policy.maxRetries }), patient, half)).toEqual({ retry: false, reason: 'attempts' });
    expect(decideRetry(get({ status: 503, retryAfterMs: 60_000 }), patient, half)).toEqual({ retry: false, reason: 'retry_after_too_long' });
  });

  it('a POST without an Idempotency-Key is still never re-sent', () => {
    expect(decideRetry({ method: 'POST', hasIdempotencyKey: false, retries: 0, elapsedMs: 0, status: 429, retryAfterMs: 1000 }, patient, half)).toEqual({ retry: false, reason: 'not_retryable' });
  });
});
