// What the server says when the request itself is wrong: too slow, too big, not HTTP, not Unicode, or from an address guessing tokens.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/domain/schemas.js';
import { PROBLEM_CODES } from '../../src/domain/schemas.js';
import type { AppOptions } from '../../src/server/app.js';
import { MINUTE, problemOf, rowsOf, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const srv of servers.splice(0)) await srv.close();
});

async function server(app: Partial<Omit<AppOptions, 'store' | 'now'>> = {}): Promise<TestServer> {
  const srv = await startServer({ app });
  servers.push(srv);
  return srv;
}

async function listening(app: Partial<Omit<AppOptions, 'store' | 'now'>> = {}) {
  const srv = await server(app);
  await srv.app.listen({ host: '127.0.0.1', port: 0 });
  const address = srv.app.server.address();
  return { srv, port: typeof address === 'object' && address ? address.port : 0 };
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** Sends `parts` over a raw socket, `gapMs` apart, and reads what comes back until the server closes. */
function raw(port: number, parts: Array<string | Buffer>, gapMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n'), ms: Date.now() - t0 });
    });
    let i = 0;
    const next = () => {
      if (i >= parts.length || socket.destroyed) return;
      socket.write(parts[i++]!);
      timer = setTimeout(next, gapMs);
    };
    socket.on('connect', next);
    setTimeout(() => reject(new Error('the server never closed the connection')), 20_000).unref();
  });
}

function expectRawProblem(a: RawAnswer, status: number, code: string) {
  expect(a.status, a.body).toBe(status);
  expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = JSON.parse(a.body) as Problem;
  expect(p).toMatchObject({ status, code });
  expect(PROBLEM_CODES).toContain(p.code);
  expect(p.title.length).toBeGreaterThan(0);
  expect(p.detail.length).toBeGreaterThan(0);
  return p;
}

describe('slow requests are cut with 408 problem+json', () => {
  it('a body shorter than its Content-Length', async () => {
    const { srv, port } = await listening({ requestTimeoutMs: 1_000 });
    const a = await raw(port, [`POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.tokens.get('alice')}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"subject":`]);
    expectRawProblem(a, 408, 'request_timeout');
    expect(a.ms).toBeLessThan(15_000);
  });

  it('a body sent a byte at a time, each byte in time but the whole too late', async () => {
    const { srv, port } = await listening({ requestTimeoutMs: 1_000 });
    const head = `POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.tokens.get('alice')}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n`;
    const a = await raw(port, [head, ...'{"subject":"slow","description":"drip drip drip"}'.padEnd(400, ' ').split('')], 200);
    expectRawProblem(a, 408, 'request_timeout');
    expect(a.ms).toBeLessThan(15_000);
  });

  it('headers sent a line at a time', async () => {
    const { port } = await listening({ requestTimeoutMs: 1_000 });
    const lines = Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: 1\r\n`);
    const a = await raw(port, ['GET /v1/health HTTP/1.1\r\nHost: x\r\n', ...lines], 200);
    expectRawProblem(a, 408, 'request_timeout');
    expect(a.ms).toBeLessThan(15_000);
  });

  it('a request in time is answered as usual', async () => {
    const { port } = await listening({ requestTimeoutMs: 1_000 });
    const a = await raw(port, ['GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(a.status).toBe(200);
  });

  it('the default cuts within 30 s', async () => {
    const { DEFAULT_REQUEST_TIMEOUT_MS } = await import('../../src/server/app.js');
    const srv = await server();
    expect(DEFAULT_REQUEST_TIMEOUT_MS + 1_000).toBeLessThanOrEqual(30_000);
    expect(srv.app.server.requestTimeout).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(srv.app.server.headersTimeout).toBeLessThanOrEqual(DEFAULT_REQUEST_TIMEOUT_MS);
  });
});

describe('the server’s own refusals are problem+json', () => {
  it('431 for headers over 16 KB', async () => {
    const { port } = await listening();
    const a = await raw(port, [`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expectRawProblem(a, 431, 'payload_too_large');
  });

  it('431 for a request line over 16 KB', async () => {
    const { port } = await listening();
    const a = await raw(port, [`GET /v1/tickets?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expectRawProblem(a, 431, 'payload_too_large');
  });

  it('400 for bytes that are not HTTP', async () => {
    const { port } = await listening();
    expectRawProblem(await raw(port, ['HELLO THERE\r\n\r\n']), 400, 'validation');
  });

  it('414 for a path segment over 100 characters', async () => {
    const srv = await server();
    const res = await srv.call('alice', 'GET', `/v1/tickets/${'1'.repeat(101)}`);
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res)).toMatchObject({ status: 414, code: 'payload_too_large', title: 'URI Too Long' });
  });

  it('400 for a path that is not a valid URL', async () => {
    const srv = await server();
    const res = await srv.call('alice', 'GET', '/v1/tickets/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('415 for a body of a type the server does not read', async () => {
    const srv = await server();
    const res = await srv.call('alice', 'POST', '/v1/tickets', 'subject=hello', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res)).toMatchObject({ status: 415, code: 'validation', title: 'Unsupported Media Type' });
  });

  it('413 for a body over the limit', async () => {
    const srv = await server({ bodyLimit: 1024 });
    const res = await srv.call('alice', 'POST', '/v1/tickets', { subject: 'big', description: 'x'.repeat(4096) });
    expect(res.statusCode).toBe(413);
    expect(problemOf(res)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('400 for an empty JSON body', async () => {
    const srv = await server();
    const res = await srv.call('alice', 'POST', '/v1/tickets', '', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).code).toBe('validation');
  });
});

describe('text must be valid Unicode', () => {
  const count = async (srv: TestServer) => (await rowsOf(srv.store, 'SELECT CAST(count(*) AS INTEGER) AS n FROM tickets'))[0]!.n as number;

  it.each([
    ['a lone high surrogate', '{"subject":"VPN \\ud800 drops","description":"Every hour."}'],
    ['a lone low surrogate', '{"subject":"VPN drops","description":"Every \\udc00 hour."}'],
    ['a reversed pair', '{"subject":"VPN drops \\ude00\\ud83d","description":"Every hour."}'],
    ['a lone surrogate in a tag', '{"subject":"VPN drops","description":"Every hour.","tags":["ok","\\udfff"]}'],
    ['a lone surrogate in a field name', '{"subject":"VPN drops","description":"Every hour.","\\ud800":1}'],
  ])('%s is 400, and nothing is stored', async (_what, body) => {
    const srv = await server();
    const res = await srv.call('carol', 'POST', '/v1/tickets', body, { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(400);
    expect(problemOf(res).detail).toMatch(/Unicode/);
    expect(await count(srv)).toBe(0);
  });

  it.each([
    ['a byte that never starts a character', Buffer.from([0xff])],
    ['a cut multi-byte character', Buffer.from([0xe2, 0x82])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
  ])('%s (invalid UTF-8) is 400, never replaced with U+FFFD', async (_what, bad) => {
    const srv = await server();
    const body = Buffer.concat([Buffer.from('{"subject":"VPN '), bad, Buffer.from(' drops","description":"Every hour."}')]);
    const res = await srv.call('carol', 'POST', '/v1/tickets', body, { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(400);
    expect(problemOf(res).detail).toMatch(/UTF-8/);
    expect(await count(srv)).toBe(0);
  });

  it('a comment is held to the same rule', async () => {
    const srv = await server();
    const t = await srv.open('carol');
    const res = await srv.call('carol', 'POST', `/v1/tickets/${t.id}/comments`, '{"body":"see \\ud83d"}', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(await srv.comments(t.id)).toHaveLength(0);
  });

  it('every script, emoji and escaped pair arrives intact', async () => {
    const srv = await server();
    const subject = 'Отчёт 報告 résumé 😀 \u{1F9D1}\u200D\u{1F4BB}';
    const res = await srv.call('carol', 'POST', '/v1/tickets', `{"subject":"${subject} \\ud83d\\ude00","description":"ok"}`, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as { subject: string }).subject).toBe(`${subject} 😀`);
  });

  it.each([
    ['in a subject', 'POST', '/v1/tickets', '{"subject":"VPN \\u0000 drops","description":"Every hour."}', '/subject'],
    ['in a tag', 'POST', '/v1/tickets', '{"subject":"VPN drops","description":"Every hour.","tags":["a\\u0000"]}', '/tags/0'],
    ['in a field name', 'POST', '/v1/tickets', '{"subject":"VPN drops","description":"Every hour.","x\\u0000":1}', 'body'],
    ['in a query', 'GET', '/v1/tickets?q=VPN%00', undefined, '/q'],
    ['in a feed cursor', 'GET', '/v1/events?after=1%00', undefined, '/after'],
  ] as const)('a NUL character %s is 400 naming where, on every store, and nothing is stored', async (_where, method, url, body, path) => {
    const srv = await server();
    const res = await srv.call('carol', method, url, body, body ? { 'content-type': 'application/json' } : {});
    expect(res.statusCode, res.body).toBe(400);
    expect(problemOf(res)).toMatchObject({ code: 'validation', detail: `${path}: ${path === 'body' ? 'a field name holds' : 'text holds'} a NUL character (U+0000)` });
    expect(await count(srv)).toBe(0);
  });

  it('a __proto__ key is refused', async () => {
    const srv = await server();
    const res = await srv.call('carol', 'POST', '/v1/tickets', '{"subject":"a","description":"b","__proto__":{"role":"admin"}}', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
  });
});

describe('failed authentications are rate limited per address', () => {
  const wrong = (srv: TestServer, remoteAddress = '203.0.113.7') =>
    srv.app.inject({ method: 'GET', url: '/v1/me', remoteAddress, headers: { authorization: 'Bearer tix_guess' } });

  it('past the allowance an address gets 429 with Retry-After, other addresses and known tokens do not', async () => {
    // alice's token stays remembered (known) across the clock moves below
    const srv = await server({ rateLimit: { limit: 0, windowSeconds: 60, authFailures: 3 }, tokenCacheMs: 2 * MINUTE });
    const ok = () => srv.app.inject({ method: 'GET', url: '/v1/me', remoteAddress: '203.0.113.7', headers: { authorization: `Bearer ${srv.tokens.get('alice')}` } });
    expect((await ok()).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await wrong(srv)).statusCode).toBe(401);
    srv.clock.advance(20_000);
    const refused = await wrong(srv);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('40');
    expect(problemOf(refused)).toMatchObject({ status: 429, code: 'rate_limited' });
    // no header at all is a failed authentication too
    expect((await srv.app.inject({ method: 'GET', url: '/v1/me', remoteAddress: '203.0.113.7' })).statusCode).toBe(429);
    // a token this server already knows still works from there; another address is not affected
    expect((await ok()).statusCode).toBe(200);
    expect((await wrong(srv, '198.51.100.1')).statusCode).toBe(401);
    srv.clock.advance(MINUTE);
    expect((await wrong(srv)).statusCode).toBe(401);
  });

  it('has a default allowance', async () => {
    const srv = await server();
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await wrong(srv)).statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(30);
    expect(codes.slice(30).every((c) => c === 429)).toBe(true);
  });
});
