// Per-token rate limit: a fixed window counter, answered with 429 + Retry-After and the
// RateLimit / RateLimit-Policy headers of the IETF httpapi draft. The windows live in this process,
// or, on a store shared by several instances, in the store (every instance counts into the same ones).
import type { RateCounters, RateWindow } from './store/types.js';

export interface RateLimitOptions {
  /** Requests allowed per token in each window; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
  /** Failed authentications (401) allowed per remote address in each window; 0 turns it off. */
  authFailures?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 6000, windowSeconds: 60 };
export const DEFAULT_AUTH_FAILURES = 30;

/** A value now, or later when the counters live in a database. */
export type Maybe<T> = T | Promise<T>;

/** Applies `f` to a value that may still be coming, without a promise when it is already here (the hot path). */
export const andThen = <T, U>(v: Maybe<T>, f: (v: T) => Maybe<U>): Maybe<U> => (v instanceof Promise ? v.then(f) : f(v));

/** Windows in this process's memory: the counters of a server that is the only one on its database. */
export class MemoryCounters {
  private readonly windows = new Map<string, RateWindow>();

  hit(key: string, windowMs: number, nowMs: number): RateWindow {
    let w = this.peek(key, windowMs, nowMs);
    if (!w) {
      w = { startMs: nowMs, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) for (const [k, old] of this.windows) if (nowMs - old.startMs >= windowMs) this.windows.delete(k);
    }
    w.count++;
    return w;
  }

  peek(key: string, windowMs: number, nowMs: number): RateWindow | undefined {
    const w = this.windows.get(key);
    return w && nowMs - w.startMs < windowMs ? w : undefined;
  }
}

type Counters = MemoryCounters | RateCounters;

/**
 * Failed authentications per remote address, in fixed windows: past the allowance the address
 * gets 429 until its window ends, and its unknown tokens are not even looked up.
 */
export class AuthFailureLimiter {
  constructor(
    private readonly allowed: number,
    private readonly windowSeconds: number,
    private readonly now: () => Date,
    private readonly counters: Counters = new MemoryCounters(),
  ) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  blockedFor(address: string): Maybe<number> {
    if (this.allowed <= 0) return 0;
    const t = this.now().getTime();
    const windowMs = this.windowSeconds * 1000;
    return andThen(this.counters.peek(`a:${address}`, windowMs, t), (w) =>
      w && w.count >= this.allowed ? Math.max(1, Math.ceil((w.startMs + windowMs - t) / 1000)) : 0,
    );
  }

  fail(address: string): Maybe<unknown> {
    if (this.allowed <= 0) return undefined;
    return this.counters.hit(`a:${address}`, this.windowSeconds * 1000, this.now().getTime());
  }
}

export interface RateVerdict {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfter: number;
}

export class RateLimiter {
  /** The RateLimit-Policy header: the same on every answer. */
  private readonly policy: string;
  constructor(
    private readonly opts: RateLimitOptions,
    private readonly now: () => Date,
    private readonly counters: Counters = new MemoryCounters(),
  ) {
    this.policy = `"default";q=${opts.limit};w=${opts.windowSeconds}`;
  }

  get enabled() {
    return this.opts.limit > 0;
  }

  /** Counts one request; says whether it may proceed and what headers to send. */
  take(tokenId: number): Maybe<RateVerdict> {
    const { limit, windowSeconds } = this.opts;
    const t = this.now().getTime();
    return andThen(this.counters.hit(`t:${tokenId}`, windowSeconds * 1000, t), (w) => {
      const reset = Math.max(1, Math.ceil((w.startMs + windowSeconds * 1000 - t) / 1000));
      const remaining = Math.max(0, limit - w.count);
      return {
        allowed: w.count <= limit,
        retryAfter: reset,
        headers: {
          'ratelimit-policy': this.policy,
          ratelimit: `"default";r=${remaining};t=${reset}`,
        },
      };
    });
  }
}
