// Per-token rate limit: a fixed window counter, answered with 429 + Retry-After and the
// RateLimit / RateLimit-Policy headers of the IETF httpapi draft.
export interface RateLimitOptions {
  /** Requests allowed per token in each window; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
  /** Failed authentications (401) allowed per remote address in each window; 0 turns it off. */
  authFailures?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 6000, windowSeconds: 60 };
export const DEFAULT_AUTH_FAILURES = 30;

/**
 * Failed authentications per remote address, in fixed windows: past the allowance the address
 * gets 429 until its window ends, and its unknown tokens are not even looked up.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly allowed: number, private readonly windowSeconds: number, private readonly now: () => Date) {}

  private current(address: string, t: number) {
    const w = this.windows.get(address);
    return w && t - w.start < this.windowSeconds * 1000 ? w : undefined;
  }

  /** Seconds until `address` may try again, or 0 when it may try now. */
  blockedFor(address: string): number {
    if (this.allowed <= 0) return 0;
    const t = this.now().getTime();
    const w = this.current(address, t);
    return w && w.count >= this.allowed ? Math.max(1, Math.ceil((w.start + this.windowSeconds * 1000 - t) / 1000)) : 0;
  }

  fail(address: string) {
    if (this.allowed <= 0) return;
    const t = this.now().getTime();
    let w = this.current(address, t);
    if (!w) {
      w = { start: t, count: 0 };
      this.windows.set(address, w);
      if (this.windows.size > 10_000) for (const [k, old] of this.windows) if (t - old.start >= this.windowSeconds * 1000) this.windows.delete(k);
    }
    w.count++;
  }
}

export class RateLimiter {
  private readonly windows = new Map<number, { start: number; count: number }>();
  /** The RateLimit-Policy header: the same on every answer. */
  readonly policy: string;
  constructor(private readonly opts: RateLimitOptions, private readonly nowMs: () => number) {
    this.policy = `"default";q=${opts.limit};w=${opts.windowSeconds}`;
  }

  get enabled() {
    return this.opts.limit > 0;
  }

  /** Counts one request; says whether it may proceed, and the RateLimit header to send (with `policy`). */
  take(tokenId: number): { allowed: boolean; header: string; retryAfter: number } {
    const { limit, windowSeconds } = this.opts;
    const t = this.nowMs();
    let w = this.windows.get(tokenId);
    if (!w || t - w.start >= windowSeconds * 1000) {
      w = { start: t, count: 0 };
      this.windows.set(tokenId, w);
      if (this.windows.size > 10_000) this.prune(t);
    }
    w.count++;
    const reset = Math.max(1, Math.ceil((w.start + windowSeconds * 1000 - t) / 1000));
    const remaining = Math.max(0, limit - w.count);
    return {
      allowed: w.count <= limit,
      retryAfter: reset,
      header: `"default";r=${remaining};t=${reset}`,
    };
  }

  private prune(t: number) {
    for (const [k, w] of this.windows) if (t - w.start >= this.opts.windowSeconds * 1000) this.windows.delete(k);
  }
}
