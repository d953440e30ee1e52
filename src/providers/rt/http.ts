// Requests to RT's REST 2.0 over undici: the token as `Authorization: token …`, RT's answers as tix's typed errors.
// Only reads are retried: RT has no idempotency keys, so a repeated write could apply twice.
import { Pool } from 'undici';
import { ApiError, ProtocolError, UnavailableError } from '../../client/errors.js';
import type { Problem } from '../../domain/schemas.js';
import type { BackendOptions } from '../types.js';

export interface RtResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface RtRequest {
  query?: Record<string, string | number | (string | number)[] | undefined>;
  body?: unknown;
  ifMatch?: number;
  /** What the request is about, for messages: "ticket 12". */
  about?: string;
  /** Tickets the request carries (a bulk call): each adds to the time limit, as that many requests would. */
  items?: number;
}

/** What one ticket of a bulk call adds to the time limit: RT takes 25–100 ms a ticket idle, many times that busy. */
const PER_ITEM_MS = 2_000;

const CODES: Record<number, Problem['code']> = { 400: 'validation', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 412: 'precondition_failed', 413: 'payload_too_large', 422: 'validation', 429: 'rate_limited' };
const UNAVAILABLE = new Set([408, 502, 503, 504]);
const READ_RETRIES = 2;

export class RtHttp {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly pool: Pool;

  constructor(private readonly opts: BackendOptions) {
    const url = new URL(opts.baseUrl);
    this.baseUrl = url.toString().replace(/\/$/, '');
    this.origin = url.origin;
    this.prefix = `${url.pathname.replace(/\/$/, '')}/REST/2.0`;
    this.pool = new Pool(this.origin, { connections: opts.connections ?? 8 });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async call<T>(method: string, path: string, ro: RtRequest = {}): Promise<RtResponse<T>> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(ro.query ?? {})) {
      for (const one of [v].flat()) if (one !== undefined && one !== '') search.append(k, String(one));
    }
    const qs = search.toString();
    const fullPath = `${this.prefix}${path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.opts.userAgent ?? 'tix' };
    if (this.opts.token) headers.authorization = `token ${this.opts.token}`;
    // RT refuses take/steal and comments without a JSON type, even with no body (415)
    if (method !== 'GET') headers['content-type'] = 'application/json';
    const payload = ro.body === undefined ? undefined : JSON.stringify(ro.body);
    if (ro.ifMatch !== undefined) headers['if-match'] = `"${ro.ifMatch}"`;
    const debug = this.opts.debug;
    if (debug) {
      debug(`> ${method} ${this.origin}${fullPath}`);
      for (const [k, v] of Object.entries(headers)) debug(`> ${k}: ${k === 'authorization' ? 'token [redacted]' : v}`);
      if (payload) debug(`> ${payload.length > 2000 ? `${payload.slice(0, 2000)}…` : payload}`);
    }
    const timeoutMs = (this.opts.timeoutMs ?? 30_000) + (ro.items ?? 0) * PER_ITEM_MS;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let status: number;
      let text: string;
      let resHeaders: Record<string, string | string[] | undefined>;
      try {
        const res = await this.pool.request({ method: method as 'GET', path: fullPath, headers, body: payload, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        status = res.statusCode;
        resHeaders = res.headers;
        text = await res.body.text();
      } catch (err) {
        if (method === 'GET' && attempt < READ_RETRIES) {
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          continue;
        }
        throw this.transportError(err, timeoutMs, attempt + 1);
      }
      if (debug) {
        debug(`< ${status} ${method} ${fullPath} (${Math.round(performance.now() - started)} ms)`);
        if (text) debug(`< ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`);
      }
      if (UNAVAILABLE.has(status) && method === 'GET' && attempt < READ_RETRIES) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      if (status >= 300 && status < 400) {
        throw new ProtocolError(`${this.baseUrl} answered ${status} to ${method} ${path}; tix does not follow redirects (the token would go along): give the URL of the RT instance itself`, this.baseUrl);
      }
      if (status >= 400) throw this.statusError(status, text, method, path, ro.about);
      let body: unknown = text;
      if (text && String(resHeaders['content-type'] ?? '').includes('json')) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ProtocolError(`${this.baseUrl} answered ${method} ${path} with broken JSON; check that the URL points at Request Tracker 5`, this.baseUrl);
        }
      }
      return { status, body: body as T, headers: resHeaders };
    }
  }

  private statusError(status: number, text: string, method: string, path: string, about: string | undefined): Error {
    let said = '';
    try {
      said = String((JSON.parse(text) as { message?: unknown }).message ?? '');
    } catch {
      // not RT's JSON: the status says enough
    }
    if (UNAVAILABLE.has(status)) return new UnavailableError(`${this.baseUrl} is unavailable: Request Tracker answered ${status}; try again later`, this.baseUrl, { status });
    const code = CODES[status] ?? (status >= 500 ? 'internal' : 'validation');
    const what = about ?? `${method} ${path}`;
    const detail =
      status === 401
        ? `Request Tracker at ${this.baseUrl} refused the token (401); check it, or log in again with \`tix auth login --provider rt\``
        : status === 403
          ? `Request Tracker refused ${what}: the token's user lacks the right${said ? ` (${said})` : ''}`
          : status === 404
            ? `${what} not found on Request Tracker`
            : status === 412
              ? `${what} changed since you read it; re-run to apply on top`
              : `Request Tracker answered ${status} to ${what}${said ? `: ${said}` : ''}`;
    return new ApiError({ type: 'about:blank', title: `HTTP ${status}`, status, detail, code });
  }

  private transportError(err: unknown, timeoutMs: number, attempts: number): Error {
    const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? e.name;
    const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new UnavailableError(`no answer from Request Tracker at ${this.baseUrl} within ${timeoutMs} ms${tried}; check it or raise --timeout`, this.baseUrl, { cause: err });
    }
    if (code === 'ECONNREFUSED') {
      return new UnavailableError(`cannot reach Request Tracker at ${this.baseUrl} (connection refused${tried}); is it running?`, this.baseUrl, { cause: err });
    }
    return new UnavailableError(`cannot reach Request Tracker at ${this.baseUrl} (${code ?? e.message ?? 'network error'}${tried}); check the URL and your network`, this.baseUrl, { cause: err });
  }
}
