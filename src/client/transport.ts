// How TixClient's requests reach the server, one attempt at a time (retry.ts's sendWithRetries runs the
// attempts, whichever transport sends them). node:http costs a command nothing to load, where undici
// costs ~65 ms to load and its WebAssembly HTTP parser ~80 ms more to compile on first use: one-shot
// commands (show, assign, close ID) and bulk runs, which send one POST /v1/batch per 250 tickets,
// go through node:http. A run that turns out request-heavy (a dry run reads every ticket) moves to
// undici's Pool. Both read the whole answer and fail with the same error codes, so the retry decision
// and TixClient's error messages never ask which one sent a request.
import type { Agent, IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';

export type TransportRequest = Pick<Dispatcher.RequestOptions, 'method' | 'path' | 'headers' | 'headersTimeout' | 'bodyTimeout'> & { body?: string };

/** One answer, read to its end. */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** The code of an answer that broke off after its headers: the request may have been applied, the answer is lost. */
export const ANSWER_CUT = 'TIX_ANSWER_CUT';

export interface Transport {
  /** One attempt: the answer whatever its status, or an error with a code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, ANSWER_CUT, …). */
  send(req: TransportRequest): Promise<TransportResponse>;
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

  send(req: TransportRequest): Promise<TransportResponse> {
    if (++this.sent <= POOL_AFTER_REQUESTS) return this.http.send(req);
    this.pool ??= new PoolTransport(this.origin, this.connections);
    return this.pool.send(req);
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.pool?.close()]);
  }
}

/** An error with a code, as Node and undici give their failures. */
const failure = (code: string, message: string, cause?: unknown) => Object.assign(new Error(message, { cause }), { code });

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
      const { Pool } = (undici.Pool ? undici : (undici as unknown as { default: typeof undici }).default) as typeof undici;
      return new Pool(this.origin, { connections: this.connections, pipelining: 1 }).compose(attemptTimeout());
    })();
    return this.pool;
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const res = await (await this.dispatcher()).request(req);
    try {
      return { statusCode: res.statusCode, headers: res.headers, text: await res.body.text() };
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw code === 'UND_ERR_BODY_TIMEOUT' ? err : failure(ANSWER_CUT, 'the answer broke off before its end', err);
    }
  }

  async close(): Promise<void> {
    if (this.pool) await (await this.pool).close();
  }
}

class HttpTransport implements Transport {
  private readonly url: URL;
  private agent?: Agent;

  constructor(
    origin: string,
    private readonly maxSockets?: number,
  ) {
    this.url = new URL(origin);
  }

  async send(opts: TransportRequest): Promise<TransportResponse> {
    const http = this.url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    this.agent ??= new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
    const agent = this.agent;
    const body = opts.body;
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
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, text });
        });
        const cut = (err?: Error) => {
          clearTimeout(bodyTimer);
          const code = (err as { code?: string } | undefined)?.code;
          reject(code === 'UND_ERR_BODY_TIMEOUT' ? err : failure(ANSWER_CUT, 'the answer broke off before its end', err));
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
