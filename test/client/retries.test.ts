// The client's retries against a real HTTP server on port 0 that answers from a script and
// counts requests (the stripe-node way). Waits go through a recording sleep: no wall clock.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, UnavailableError } from '../../src/client/errors.js';
import { TixClient, type ClientOptions } from '../../src/client/index.js';
import { closedPortUrl } from '../helpers/tix.js';
import { failure } from '../helpers/failure.js';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => (_req, res) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
};
const problem = (status: number, code: string, headers: Record<string, string> = {}) => json(status, { type: 'about:blank', title: 'x', status, detail: `scripted ${status}`, code }, headers);
const ok = json(200, { status: 'ok', version: '1' });
const html502: Answer = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>');
const reset: Answer = (req) => req.socket.resetAndDestroy();
const stall: Answer = () => {};
/** Headers and half the body, then a reset. */
const cutMidBody: Answer = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40' });
  res.write('{"status":"ok",', () => setTimeout(() => req.socket.resetAndDestroy(), 20));
};
const after = (ms: number, answer: Answer): Answer => (req, res) => void setTimeout(() => answer(req, res), ms);

interface Scripted {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  script(...answers: Answer[]): void;
  close(): Promise<void>;
}

/** Answers requests in order from the script; once it runs out, every request gets 200. */
async function scriptedServer(): Promise<Scripted> {
  let queue: Answer[] = [];
  const requests: Scripted['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers });
      (queue.shift() ?? ok)(req, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script: (...answers) => void (queue = answers),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let server: Scripted;
let client: TixClient;
let waits: number[];

const makeClient = (over: Partial<ClientOptions> = {}) =>
  new TixClient({
    baseUrl: server.url,
    token: 'tix_secret_token',
    timeoutMs: 2000,
    sleep: async (ms) => void waits.push(ms),
    random: Math.random,
    ...over,
  });

beforeEach(async () => {
  waits = [];
  server = await scriptedServer();
  client = makeClient();
});
afterEach(async () => {
  await client.dispose();
  await server.close();
});


describe('retried failures', () => {
  it('three 503s then success take four attempts, each wait within its full-jitter bound', async () => {
    server.script(problem(503, 'internal'), problem(503, 'internal'), problem(503, 'internal'), ok);
    await expect(client.health()).resolves.toEqual({ status: 'ok', version: '1' });
    expect(server.requests).toHaveLength(4);
    expect(waits).toHaveLength(3);
    waits.forEach((w, n) => {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThanOrEqual(500 * 2 ** n);
    });
  });

  it('the waits are drawn from the injected randomness: a draw of 0.999 waits just under each ceiling', async () => {
    await client.dispose();
    client = makeClient({ random: () => 0.999 });
    server.script(problem(502, 'internal'), problem(504, 'internal'), problem(408, 'validation'), ok);
    await client.health();
    expect(waits).toEqual([499, 999, 1998]);
  });

  it('a keyed POST whose connection is reset is sent again with the same Idempotency-Key', async () => {
    server.script(reset, json(201, { id: 1 }));
    await client.request('POST', '/v1/tickets', { body: { subject: 's' } });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    const [first, second] = server.requests.map((r) => r.headers['idempotency-key']);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBe(first);
  });

  it('a GET whose connection is reset is sent again', async () => {
    server.script(reset, reset, ok);
    await client.health();
    expect(server.requests).toHaveLength(3);
  });

  it('Retry-After: 2 on a 429 is waited before the retry', async () => {
    server.script(problem(429, 'rate_limited', { 'retry-after': '2' }), ok);
    await client.health();
    expect(server.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
  });

  it('Retry-After as an HTTP date is waited until that date', async () => {
    await client.dispose();
    client = makeClient({ random: () => 0 });
    const at = new Date(Date.now() + 10_000).toUTCString();
    server.script(problem(503, 'internal', { 'retry-after': at }), ok);
    await client.health();
    expect(waits[0]).toBeGreaterThan(8000);
    expect(waits[0]).toBeLessThanOrEqual(10_000);
  });

  it('a 409 with Retry-After on a keyed POST (first copy still in flight) is retried and gets the first answer', async () => {
    server.script(problem(409, 'conflict', { 'retry-after': '1' }), json(200, { id: 7 }, { 'idempotent-replayed': 'true' }));
    const r = await client.request('POST', '/v1/tickets/7/close', { body: { resolution: 'r' } });
    expect(r.body).toEqual({ id: 7 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(waits[0]).toBeLessThanOrEqual(1500);
  });

  it('a refused connection is tried three times in all, then says the server is not running', async () => {
    await client.dispose();
    client = makeClient({ baseUrl: await closedPortUrl() });
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/connection refused after 3 attempts/);
    expect(waits).toHaveLength(2);
  });
});

describe('giving up', () => {
  it('Retry-After: 3600 on a 429 fails at once, with the wait on the error, without sleeping', async () => {
    server.script(problem(429, 'rate_limited', { 'retry-after': '3600' }));
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('rate_limited');
    expect((err as ApiError).retryAfterSeconds).toBe(3600);
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('Retry-After: 3600 on a 503 fails at once with an unavailable error that names the wait', async () => {
    server.script(problem(503, 'internal', { 'retry-after': '3600' }));
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/retry after 3600 s/);
    expect((err as UnavailableError).retryAfterSeconds).toBe(3600);
    expect(server.requests).toHaveLength(1);
  });

  it('a 502 HTML page that persists ends, after five attempts, as unavailable without the HTML in the message', async () => {
    server.script(html502, html502, html502, html502, html502, html502);
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).status).toBe(502);
    expect(err.message).toMatch(/HTML error page/);
    expect(err.message).toMatch(/after 5 attempts/);
    expect(err.message).not.toMatch(/<|nginx/);
    expect(server.requests).toHaveLength(5);
  });

  it('429 still answered after every retry ends as rate_limited', async () => {
    await client.dispose();
    client = makeClient({ random: () => 0 });
    server.script(...Array.from({ length: 6 }, () => problem(429, 'rate_limited', { 'retry-after': '1' })));
    const err = await failure(client.health());
    expect((err as ApiError).code).toBe('rate_limited');
    expect(server.requests).toHaveLength(5);
    expect(waits).toEqual([1000, 1000, 1000, 1000]);
  });

  it('no retry starts past the total time budget', async () => {
    await client.dispose();
    let clock = 0;
    client = makeClient({ now: () => clock, random: () => 0, sleep: async (ms) => void (waits.push(ms), (clock += ms)) });
    server.script(...Array.from({ length: 6 }, () => problem(503, 'internal', { 'retry-after': '25' })));
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(UnavailableError);
    expect(waits).toEqual([25_000, 25_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('with retries off, a 503 is tried once', async () => {
    await client.dispose();
    client = makeClient({ retry: false });
    server.script(problem(503, 'internal'));
    await failure(client.health());
    expect(server.requests).toHaveLength(1);
  });
});

describe('not retried', () => {
  it('a PATCH answered 503 is sent once', async () => {
    server.script(problem(503, 'internal'));
    await failure(client.request('PATCH', '/v1/tickets/1', { body: { subject: 'x' } }));
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a PATCH whose connection is reset is sent once', async () => {
    server.script(reset);
    const err = await failure(client.request('PATCH', '/v1/tickets/1', { body: { subject: 'x' } }));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(server.requests).toHaveLength(1);
  });

  it('a POST sent without an Idempotency-Key is sent once, even on a reset', async () => {
    server.script(reset);
    await failure(client.request('POST', '/v1/tickets', { body: {}, idempotencyKey: false }));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it.each([
    [400, 'validation'],
    [404, 'not_found'],
    [409, 'conflict'],
    [500, 'internal'],
  ])('a GET answered %i is not retried and keeps its problem code', async (status, code) => {
    server.script(problem(status, code));
    const err = await failure(client.health());
    expect((err as ApiError).code).toBe(code);
    expect(server.requests).toHaveLength(1);
  });

  it('a server that never answers is a timeout after one attempt', async () => {
    await client.dispose();
    client = makeClient({ timeoutMs: 200 });
    server.script(stall);
    const started = performance.now();
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/no answer .* within 200 ms/);
    expect(server.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(900); // undici's own header timer ticks in ~1 s steps
  });
});

describe('an answer cut mid-way', () => {
  it('ends as unavailable with a plain message, never as a half-read answer', async () => {
    server.script(cutMidBody);
    const err = await failure(client.health());
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/broke while its answer was arriving/);
  });
});

describe('the timeout', () => {
  it('applies to each attempt, not to all of them together', async () => {
    await client.dispose();
    client = makeClient({ timeoutMs: 400 });
    server.script(after(250, problem(503, 'internal')), after(250, ok));
    await expect(client.health()).resolves.toEqual({ status: 'ok', version: '1' });
    expect(server.requests).toHaveLength(2);
  });
});

describe('--debug', () => {
  it('says when and why it retries, and never shows the token', async () => {
    await client.dispose();
    const lines: string[] = [];
    client = makeClient({ debug: (l) => lines.push(l) });
    server.script(problem(503, 'internal'), ok);
    await client.health();
    expect(lines.some((l) => /503 on attempt 1; retrying in \d+ ms/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain('tix_secret_token');
  });
});

describe('patience with a rate limit', () => {
  it('a patient client waits out 429s of a minute each and says how long before each wait', async () => {
    await client.dispose();
    let clock = 0;
    const told: number[] = [];
    client = makeClient({
      retry: { rateLimitWaitMs: 300_000 },
      random: () => 0,
      now: () => clock,
      sleep: async (ms) => void (waits.push(ms), (clock += ms)),
      onRateLimitWait: (ms) => told.push(ms),
    });
    server.script(problem(429, 'rate_limited', { 'retry-after': '60' }), problem(429, 'rate_limited', { 'retry-after': '60' }), ok);
    await expect(client.health()).resolves.toEqual({ status: 'ok', version: '1' });
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([60_000, 60_000]);
    expect(told).toEqual([60_000, 60_000]);
  });

  it('a patient client gives up when the next wait would end past its patience, naming the wait', async () => {
    await client.dispose();
    let clock = 0;
    client = makeClient({ retry: { rateLimitWaitMs: 90_000 }, random: () => 0, now: () => clock, sleep: async (ms) => void (waits.push(ms), (clock += ms)) });
    server.script(problem(429, 'rate_limited', { 'retry-after': '60' }), problem(429, 'rate_limited', { 'retry-after': '60' }), ok);
    const err = await client.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).retryAfterSeconds).toBe(60);
    expect(server.requests).toHaveLength(2);
  });

  it('a client without patience fails at once on a 429 that asks for a minute', async () => {
    server.script(problem(429, 'rate_limited', { 'retry-after': '60' }), ok);
    await expect(client.health()).rejects.toBeInstanceOf(ApiError);
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});
