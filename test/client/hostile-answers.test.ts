// The client against answers outside the API's contract, on both of its transports (node:http for the
// first requests, undici's Pool after them): a typed ProtocolError, never a crash, a loop or a redirect followed.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, ProtocolError } from '../../src/client/errors.js';
import { TixClient } from '../../src/client/index.js';
import { POOL_AFTER_REQUESTS } from '../../src/client/transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handle: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

let answer: Handler;
let seen: string[];
let hostile: { server: Server; url: string };
let elsewhere: { server: Server; url: string };
let elsewhereSeen: number;

beforeAll(async () => {
  hostile = await listen((req, res) => {
    seen.push(req.url!);
    // the warm-up requests that move a bulk client onto the Pool
    if (req.url === '/v1/health') return send(res, 200, { status: 'ok', version: '1' });
    answer(req, res);
  });
  elsewhere = await listen((_req, res) => {
    elsewhereSeen++;
    send(res, 200, { items: [], next_cursor: null });
  });
});
afterAll(async () => {
  hostile.server.close();
  elsewhere.server.close();
});
beforeEach(() => {
  seen = [];
  elsewhereSeen = 0;
});

const transports = [
  ['node:http', async () => new TixClient({ baseUrl: hostile.url, token: 'tix_hostile_test', retry: false })],
  [
    "undici's Pool",
    async () => {
      const client = new TixClient({ baseUrl: hostile.url, token: 'tix_hostile_test', connections: 2, retry: false });
      for (let i = 0; i < POOL_AFTER_REQUESTS; i++) await client.health();
      seen = [];
      return client;
    },
  ],
] as const;

describe.each(transports)('over %s', (_name, makeClient) => {
  it('a 302 is a ProtocolError naming the target, and the target is never asked', async () => {
    answer = (_req, res) => res.writeHead(302, { location: `${elsewhere.url}/v1/tickets` }).end();
    const client = await makeClient();
    try {
      const err = await client.listTickets({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toContain(`302 to GET /v1/tickets, redirecting to ${elsewhere.url}/v1/tickets`);
      await expect(client.getTicket(1)).rejects.toBeInstanceOf(ProtocolError);
      expect(elsewhereSeen).toBe(0);
    } finally {
      await client.dispose();
    }
  });

  it('a repeated cursor ends the walk with a ProtocolError after the second page', async () => {
    answer = (_req, res) => send(res, 200, { items: [{ id: seen.length }], next_cursor: 'again' });
    const client = await makeClient();
    try {
      const ids: number[] = [];
      const walk = (async () => {
        for await (const t of client.allTickets({})) ids.push(t.id);
      })();
      await expect(walk).rejects.toBeInstanceOf(ProtocolError);
      expect(ids).toEqual([1]);
      expect(seen).toHaveLength(2);
    } finally {
      await client.dispose();
    }
  });

  it('a list answer without items is a ProtocolError, for comments, events, escalations and users alike', async () => {
    answer = (_req, res) => send(res, 200, { tickets: [] });
    const client = await makeClient();
    try {
      for (const call of [() => client.comments(1), () => client.events(1), () => client.escalations(), () => client.users(), () => client.listTickets({})]) {
        await expect(call()).rejects.toBeInstanceOf(ProtocolError);
      }
    } finally {
      await client.dispose();
    }
  });

  it.each([
    ['an empty body', ''],
    ['a list', '[]'],
    ['an object without an id', '{"subject":"x"}'],
    ['JSON null', 'null'],
  ])('a record answer that is %s is a ProtocolError, for every read and write of one record', async (_what, text) => {
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(text);
    const client = await makeClient();
    try {
      const calls = [
        () => client.getTicket(1),
        () => client.createTicket({ subject: 's', description: 'd' } as never),
        () => client.closeTicket(1, { resolution: 'fixed' } as never),
        () => client.comment(1, { body: 'b' } as never),
        () => client.escalation('CP-1'),
        () => client.advance('CP-1', { to: 'resolved' } as never),
        () => client.me(),
        () => client.batch([]),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ProtocolError);
    } finally {
      await client.dispose();
    }
  });

  it('a problem whose code is outside the contract is read by its status', async () => {
    answer = (_req, res) => send(res, 409, { type: 'about:blank', title: 'x', status: 409, detail: 'taken', code: 'not_a_code' });
    const client = await makeClient();
    try {
      const err = await client.getTicket(1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('conflict');
    } finally {
      await client.dispose();
    }
  });
});
