// A fault-injecting HTTP proxy for tests: sits on 127.0.0.1 (port 0) in front of a real server and,
// request by request as a script says, passes through, loses the answer, stalls, or answers itself.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Forward to the server and relay its answer. */
  | { kind: 'pass' }
  /** Forward after a pause (the request reaches the server late). */
  | { kind: 'delay'; ms: number }
  /** Forward, let the server answer in full (so it has committed), then reset the client's connection. */
  | { kind: 'reset-after-response' }
  /** Reset the client's connection without forwarding anything. */
  | { kind: 'reset' }
  /** Forward, then relay the answer's headers and half its body before resetting the client's connection. */
  | { kind: 'cut-mid-body' }
  /** Never forward and never answer: the client sees no headers until it gives up. */
  | { kind: 'stall' }
  /** Answer a gateway's HTML error page, never forwarding. */
  | { kind: 'html-502' }
  /** Answer this status (503, 429, ...) as problem+json, with Retry-After when given, never forwarding. */
  | { kind: 'status'; status: number; retryAfter?: string };

export interface SeenRequest {
  index: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  fault: Fault['kind'];
  /** When the proxy received the whole request (performance.now()). */
  at: number;
  /** The server's answer, when the request was forwarded and answered. */
  upstream?: { status: number; headers: IncomingHttpHeaders; body: string };
  /** The server the request was forwarded to, when it was. */
  target?: string;
}

/** A list consumed one fault per request (then everything passes), or a function of the request. */
export type FaultScript = Fault[] | ((req: Omit<SeenRequest, 'fault' | 'upstream'>) => Fault);

export interface FaultProxy {
  url: string;
  seen: SeenRequest[];
  /** Replaces the script; the request counter goes on. */
  script(s: FaultScript): void;
  /** Forgets the requests seen and the script: everything passes again. */
  reset(): void;
  /** Requests that match, e.g. `count((r) => r.method === 'POST')`. */
  count(match?: (r: SeenRequest) => boolean): number;
  close(): Promise<void>;
}

export const GATEWAY_HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/** The answer faults shorthand: `burst(3, 503)` is three 503s. */
export const burst = (n: number, status: number, retryAfter?: string): Fault[] => Array.from({ length: n }, () => ({ kind: 'status', status, retryAfter }));

const readAll = async (stream: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * `upstreamUrl` is the server behind the proxy, or a choice made for each request (a load balancer
 * in front of several servers).
 */
export async function startFaultProxy(upstreamUrl: string | ((req: Omit<SeenRequest, 'fault' | 'upstream'>) => string), initial: FaultScript = []): Promise<FaultProxy> {
  let script: FaultScript = initial;
  let queue: Fault[] = Array.isArray(initial) ? [...initial] : [];
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();

  const nextFault = (req: Omit<SeenRequest, 'fault' | 'upstream'>): Fault => (typeof script === 'function' ? script(req) : (queue.shift() ?? { kind: 'pass' }));

  const forward = (req: SeenRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> =>
    new Promise((resolve, reject) => {
      const upstream = new URL(typeof upstreamUrl === 'string' ? upstreamUrl : upstreamUrl(req));
      req.target = upstream.origin;
      const headers = { ...req.headers, host: upstream.host };
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
        readAll(res).then((body) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body }), reject);
      });
      out.on('error', reject);
      out.end(req.body);
    });

  const relay = (res: ServerResponse, answer: { status: number; headers: IncomingHttpHeaders; body: string }) => {
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    delete headers['keep-alive'];
    headers['content-length'] = String(Buffer.byteLength(answer.body));
    res.writeHead(answer.status, headers).end(answer.body);
  };

  const cut = (req: IncomingMessage, res: ServerResponse, answer: { status: number; headers: IncomingHttpHeaders; body: string }) => {
    const length = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, { 'content-type': String(answer.headers['content-type'] ?? 'application/json'), 'content-length': String(length + 10) });
    res.write(answer.body.slice(0, Math.floor(answer.body.length / 2)), () => setTimeout(() => req.socket.resetAndDestroy(), 20));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const base = { index: seen.length, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, at: performance.now() };
    const fault = nextFault(base);
    const record: SeenRequest = { ...base, fault: fault.kind };
    seen.push(record);
    switch (fault.kind) {
      case 'stall':
        return; // the socket stays open until the client gives up or the proxy closes
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'html-502':
        res.writeHead(502, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(GATEWAY_HTML)) }).end(GATEWAY_HTML);
        return;
      case 'status': {
        const problem = JSON.stringify({ type: 'about:blank', title: `HTTP ${fault.status}`, status: fault.status, detail: `injected ${fault.status}`, code: fault.status === 429 ? 'rate_limited' : 'internal' });
        res.writeHead(fault.status, {
          'content-type': 'application/problem+json',
          'content-length': String(Buffer.byteLength(problem)),
          ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
        });
        res.end(problem);
        return;
      }
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        break;
      default:
        break;
    }
    try {
      record.upstream = await forward(record);
    } catch {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'reset-after-response') req.socket.resetAndDestroy();
    else if (fault.kind === 'cut-mid-body') cut(req, res, record.upstream);
    else relay(res, record.upstream);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    script(s) {
      script = s;
      queue = Array.isArray(s) ? [...s] : [];
    },
    reset() {
      seen.length = 0;
      script = [];
      queue = [];
    },
    count: (match = () => true) => seen.filter(match).length,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
