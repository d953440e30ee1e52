// How TixClient's requests reach the server. node:http costs a command nothing to load, where undici
// costs ~65 ms to load and its WebAssembly HTTP parser ~80 ms more to compile on first use: one-shot
// commands (show, assign, close ID) and bulk runs, which send one POST /v1/batch per 250 tickets,
// go through node:http. A run that turns out request-heavy (a dry run reads every ticket) moves to
// undici's Pool. Both retry through the request's RetryTracker callback the way undici's retry
// interceptor does, and fail with undici's error codes, so TixClient maps their failures alike.
import type { Agent, IncomingMessage } from 'node:http';
import type { Dispatcher, RetryHandler } from 'undici';

export type TransportRequest = Dispatcher.RequestOptions & { retryOptions?: { retry: RetryHandler.RetryCallback } };

export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: { text(): Promise<string> };
}

export interface Transport {
  /** Sends the request, retrying as its retryOptions.retry decides; the last answer is returned whatever its status. */
  request(opts: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

/** Requests a run sends through node:http before its later ones go through undici's Pool. */
export const POOL_AFTER_REQUESTS = 256;

/** node:http for a few requests; with `connections` (bulk work), undici's Pool once the run has sent many. */
export function createTransport(origin: string, opts: { connections?: number } = {}): Transport {
  return opts.connections === undefined ? new HttpTransport(origin) : new GrowingTransport(origin, opts.connections);
}

class GrowingTransport implements Transport {
  private sent = 0;
  private readonly http: HttpTransport;
  private pool?: PoolTransport;

  constructor(
    private readonly origin: string,
    private readonly connections: number,
  ) {
    this.http = new HttpTransport(origin, connections);
  }

  request(opts: TransportRequest): Promise<TransportResponse> {
    if (++this.sent <= POOL_AFTER_REQUESTS) return this.http.request(opts);
    this.pool ??= new PoolTransport(this.origin, this.connections);
    return this.pool.request(opts);
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.pool?.close()]);
  }
}

class PoolTransport implements Transport {
  private pool?: Promise<Dispatcher>;

  constructor(
    private readonly origin: string,
    private readonly connections: number,
  ) {}

  private dispatcher(): Promise<Dispatcher> {
    this.pool ??= (async () => {
      const [undici, { attemptTimeout }] = await Promise.all([import('undici'), import('./attempt-timeout.js')]);
      // undici is CommonJS: an ES module import may see its exports only on `default`
      const { interceptors, Pool } = (undici.Pool ? undici : (undici as unknown as { default: typeof undici }).default) as typeof undici;
      // each request passes its own RetryTracker.retry as retryOptions; throwOnError: false hands the
      // last answer (body included) back to request(), which maps it to a typed error
      const giveUp: NonNullable<Parameters<typeof interceptors.retry>[0]>['retry'] = (err, _ctx, callback) => callback(err);
      return new Pool(this.origin, { connections: this.connections, pipelining: 1 }).compose(
        attemptTimeout(),
        interceptors.retry({ throwOnError: false, retry: giveUp }),
      );
    })();
    return this.pool;
  }

  async request(opts: TransportRequest): Promise<TransportResponse> {
    return (await this.dispatcher()).request(opts);
  }

  async close(): Promise<void> {
    if (this.pool) await (await this.pool).close();
  }
}

/** An error with the code undici gives the same failure. */
const failure = (code: string, message: string, cause?: unknown) => Object.assign(new Error(message, { cause }), { code });

class HttpTransport implements Transport {
  private readonly url: URL;
  private agent?: Agent;

  constructor(
    origin: string,
    private readonly maxSockets?: number,
  ) {
    this.url = new URL(origin);
  }

  async request(opts: TransportRequest): Promise<TransportResponse> {
    const retry = opts.retryOptions?.retry;
    for (let counter = 1; ; counter++) {
      let res: TransportResponse | undefined;
      let error: unknown;
      try {
        res = await this.attempt(opts);
      } catch (err) {
        error = err;
      }
      if (res && res.statusCode < 300) return res;
      // as undici's retry interceptor with throwOnError: false: every failure and every status ≥ 300 is offered to retry()
      const offered = res
        ? Object.assign(new Error('Request failed'), { name: 'RequestRetryError', code: 'UND_ERR_REQ_RETRY', statusCode: res.statusCode, headers: res.headers })
        : (error as Error);
      const again = retry
        ? await new Promise<boolean>((resolve) => retry(offered, { state: { counter }, opts } as Parameters<RetryHandler.RetryCallback>[1], (err) => resolve(!err)))
        : false;
      if (again) continue;
      if (res) return res;
      throw error;
    }
  }

  private async attempt(opts: TransportRequest): Promise<TransportResponse> {
    const http = this.url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    this.agent ??= new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
    const agent = this.agent;
    const body = typeof opts.body === 'string' ? opts.body : undefined;
    const headers = { ...(opts.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<TransportResponse>((resolve, reject) => {
      const req = http.request({ protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, method: opts.method, path: opts.path, headers, agent });
      const headersTimer = opts.headersTimeout
        ? setTimeout(() => req.destroy(failure('UND_ERR_HEADERS_TIMEOUT', `no response headers within ${opts.headersTimeout} ms`)), opts.headersTimeout)
        : undefined;
      // set once the headers are in: a failure after that is an answer cut mid-way, not a lost request
      let broken: ((err?: Error) => void) | undefined;
      req.on('error', (err) => {
        clearTimeout(headersTimer);
        if (broken) broken(err);
        else reject(err);
      });
      req.on('response', (res: IncomingMessage) => {
        clearTimeout(headersTimer);
        // text as it arrives: no Buffer copies of a big page to hold besides the string itself
        res.setEncoding('utf8');
        let text = '';
        let bodyTimer: NodeJS.Timeout | undefined;
        // like undici's bodyTimeout: the longest silence between two pieces of the body
        const arm = () => {
          if (!opts.bodyTimeout) return;
          clearTimeout(bodyTimer);
          bodyTimer = setTimeout(() => res.destroy(failure('UND_ERR_BODY_TIMEOUT', `the answer stalled for ${opts.bodyTimeout} ms`)), opts.bodyTimeout);
        };
        arm();
        res.on('data', (chunk: string) => {
          text += chunk;
          arm();
        });
        res.on('end', () => {
          clearTimeout(bodyTimer);
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: { text: async () => text } });
        });
        // an answer cut after its headers: undici's resume attempt ends in UND_ERR_REQ_RETRY, ours at once
        const cut = (err?: Error) => {
          clearTimeout(bodyTimer);
          const code = (err as { code?: string } | undefined)?.code;
          reject(code === 'UND_ERR_BODY_TIMEOUT' ? err : failure('UND_ERR_REQ_RETRY', 'the answer broke off before its end', err));
        };
        broken = cut;
        res.on('error', cut);
        res.on('close', () => {
          if (!res.complete) cut();
        });
      });
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.agent?.destroy();
  }
}
