// Per-token rate limit: a fixed window counter, answered with 429 + Retry-After and the
// RateLimit / RateLimit-Policy headers of the IETF httpapi draft.
export interface RateLimitOptions {
  /** Requests allowed per token in each window; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 6000, windowSeconds: 60 };

export class RateLimiter {
  private readonly windows = new Map<number, { start: number; count: number }>();
  constructor(private readonly opts: RateLimitOptions, private readonly now: () => Date) {}

  get enabled() {
    return this.opts.limit > 0;
  }

  /** Counts one request; says whether it may proceed and what headers to send. */
  take(tokenId: number): { allowed: boolean; headers: Record<string, string>; retryAfter: number } {
    const { limit, windowSeconds } = this.opts;
    const t = this.now().getTime();
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
      headers: {
        'ratelimit-policy': `"default";q=${limit};w=${windowSeconds}`,
        ratelimit: `"default";r=${remaining};t=${reset}`,
      },
    };
  }

  private prune(t: number) {
    for (const [k, w] of this.windows) if (t - w.start >= this.opts.windowSeconds * 1000) this.windows.delete(k);
  }
}
