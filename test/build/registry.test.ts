// An operation added to the table of operations, with nothing else written, is a route of the app, a method of the
// client, a command of the tree (listed by `tix commands --json`) and an MCP tool: every surface is derived from it.
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TixClient } from '../../src/client/index.js';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { createContext } from '../../src/cli/runtime.js';
import type { Context, IO } from '../../src/cli/context.js';
import { OPERATIONS } from '../../src/domain/enums.js';
import { TIX_OPERATIONS, TicketPathParams, type Operation, type Operations } from '../../src/domain/operations.js';
import { clientMethod, REGISTRY, serviceMethod, type Registry } from '../../src/domain/registry.js';
import { Event, type Ticket } from '../../src/domain/schemas.js';
import { TOOLS, toolsFor } from '../../src/mcp/tools.js';
import { startServer, type TestServer } from '../server/helpers.js';

/** A made-up read: a ticket's audit trail under another path, answered by a service method that exists. */
const HISTORY: Operation = {
  route: 'GET /v1/tickets/{id}/history',
  shape: 'list',
  service: 'events',
  command: 'history',
  tool: 'history',
  readOnly: true,
  summary: "a ticket's audit trail, oldest first",
  inputs: [{ name: 'id', in: 'path', type: 'integer', description: 'ticket id' }],
  params: TicketPathParams,
  result: z.object({ items: z.array(Event), next_cursor: z.null() }),
  operationId: 'listTicketHistory',
  tags: ['tickets'],
  description: 'Every event of the ticket in one answer; 404 when it is out of your reach.',
  fails: [404],
};
const WITH_HISTORY: Operations = { ...TIX_OPERATIONS, ticketHistory: HISTORY };

let server: TestServer;
let url: string;
let ticket: Ticket;

beforeAll(async () => {
  server = await startServer({ app: { operations: WITH_HISTORY } });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  ticket = await server.open('carol');
  await server.call('alice', 'POST', `/v1/tickets/${ticket.id}/assign`, { assignee: 'bob' });
});

afterAll(async () => {
  await server.close();
});

const asAgent = () => new TixClient({ baseUrl: url, token: server.tokens.get('alice')!, operations: WITH_HISTORY, retry: false });

interface Run {
  stdout: string;
  stderr: string;
  error?: unknown;
}

/** The command line run in this process against the server, on the command tree of `operations`. */
async function tix(argv: string[], operations: Registry): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const io: IO = { stdout, stderr, stdin: new PassThrough() };
  const env = { TIX_URL: url, TIX_TOKEN: server.tokens.get('alice')!, TIX_KEYRING: '0', NO_COLOR: '1' };
  let ctx: Context | undefined;
  const program = buildProgram(
    async (globals) => createContext(io, env, globals),
    (c) => (ctx = c),
    { writeOut: (s) => (out += s), writeErr: (s) => (err += s) },
    operations,
  );
  let error: unknown;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    error = e;
  } finally {
    await ctx?.dispose();
  }
  return { stdout: out, stderr: err, error };
}

const commandOf = (program: Command, name: string) => program.commands.find((c) => c.name() === name);
const treeOf = (operations: Registry) => buildProgram(() => Promise.reject(new Error('no command runs here')), () => {}, { writeOut: () => {}, writeErr: () => {} }, operations);

describe('an operation added to the table alone', () => {
  it('is a route of the app: validated by its schemas, answered by its service method, out of reach as its rule says', async () => {
    const res = await server.call('alice', 'GET', `/v1/tickets/${ticket.id}/history`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: Event[]; next_cursor: null };
    expect(body.next_cursor).toBeNull();
    expect(body.items.map((e) => e.kind)).toEqual(['created', 'assigned']);
    expect(body.items).toEqual(await server.events(ticket.id));
    expect((await server.call('alice', 'GET', '/v1/tickets/0x10/history')).statusCode).toBe(400);
    // a requester of another organization learns nothing of the ticket: the service method's own rule
    expect((await server.call('zed', 'GET', `/v1/tickets/${ticket.id}/history`)).statusCode).toBe(404);
  });

  it('is published in the OpenAPI document under its operationId, with its errors', async () => {
    const doc = (await server.call(null, 'GET', '/v1/openapi.json')).json() as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> };
    const op = doc.paths['/v1/tickets/{id}/history']?.get;
    expect(op?.operationId).toBe('listTicketHistory');
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '404']));
  });

  it('is a method of the client, named after the operation', async () => {
    const client = asAgent() as TixClient & { ticketHistory(id: number): Promise<Event[]> };
    try {
      const items = await client.ticketHistory(ticket.id);
      expect(items.map((e) => e.kind)).toEqual(['created', 'assigned']);
      await expect(client.ticketHistory(999_999)).rejects.toMatchObject({ problem: { code: 'not_found' } });
    } finally {
      await client.dispose();
    }
  });

  it('is a command of the tree, with its path parameter as an argument', () => {
    const history = commandOf(treeOf(WITH_HISTORY), 'history');
    expect(history?.description()).toBe(HISTORY.summary);
    expect(history?.registeredArguments.map((a) => [a.name(), a.required])).toEqual([['id', true]]);
  });

  it('is listed by `tix commands --json`', async () => {
    const r = await tix(['commands', '--json'], WITH_HISTORY);
    expect(r.error, r.stderr).toBeUndefined();
    const tree = JSON.parse(r.stdout) as { commands: { path: string; description: string; arguments: { name: string }[] }[] };
    expect(tree.commands.find((c) => c.path === 'history')).toMatchObject({ description: HISTORY.summary, arguments: [{ name: 'id' }] });
  });

  it('runs from the command line through the client and the route', async () => {
    const r = await tix(['history', String(ticket.id), '--json'], WITH_HISTORY);
    expect(r.error, r.stderr).toBeUndefined();
    expect((JSON.parse(r.stdout) as Event[]).map((e) => e.kind)).toEqual(['created', 'assigned']);
    const bad = await tix(['history', 'twelve'], WITH_HISTORY);
    expect(String(bad.error)).toMatch(/invalid id "twelve"/);
  });

  it('is an MCP tool that only reads, whose input is the route\'s parameters', async () => {
    const history = toolsFor(WITH_HISTORY).find((t) => t.name === 'history');
    expect(history?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(Object.keys(history!.input.shape)).toEqual(['id']);
    const client = asAgent();
    try {
      const answer = await history!.run({ client: async () => client, redact: (s) => s }, { id: ticket.id } as never);
      expect((answer.data.items as Event[]).map((e) => e.kind)).toEqual(['created', 'assigned']);
    } finally {
      await client.dispose();
    }
  });
});

describe('tix itself, without the added operation', () => {
  it('has no such route, method, command or tool', async () => {
    const { buildApp } = await import('../../src/server/app.js');
    const app = await buildApp({ store: server.store });
    try {
      expect(app.hasRoute({ method: 'GET', url: '/v1/tickets/:id/history' })).toBe(false);
      expect(app.hasRoute({ method: 'POST', url: '/v1/tickets/:id/status' })).toBe(true);
    } finally {
      await app.close();
    }
    const client = new TixClient({ baseUrl: url });
    expect('ticketHistory' in client).toBe(false);
    expect(typeof client.setStatus).toBe('function');
    await client.dispose();
    expect(commandOf(treeOf(REGISTRY), 'history')).toBeUndefined();
    expect(TOOLS.map((t) => t.name)).not.toContain('history');
  });

  it('has every command and tool its table names, and no tool the table does not name, in the table\'s order', () => {
    const program = treeOf(REGISTRY);
    const find = (path: string) => path.split(' ').reduce<Command | undefined>((c, w) => c && commandOf(c, w), program);
    for (const [name, entry] of Object.entries(OPERATIONS) as [string, { command?: string; tool?: string }][]) {
      if (entry.command) expect(find(entry.command), `${name}: tix ${entry.command}`).toBeDefined();
      if (entry.tool) expect(TOOLS.map((t) => t.name), `${name}: tool ${entry.tool}`).toContain(entry.tool);
    }
    expect(TOOLS.map((t) => t.name)).toEqual(Object.values(OPERATIONS).flatMap((e) => ('tool' in e ? [e.tool] : [])));
  });

  it('serves every route its table names, publishes no other, and has every client and service method the table names', async () => {
    const doc = (await server.call(null, 'GET', '/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const published = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const named = Object.values(REGISTRY).flatMap((e) => (e.route ? [e.route] : []));
    // the server here also has the added operation
    expect(published.sort()).toEqual([...named, HISTORY.route!].sort());
    const client = new TixClient({ baseUrl: url });
    try {
      for (const [name, entry] of Object.entries(REGISTRY)) {
        const method = clientMethod(name, entry);
        if (method) expect(typeof (client as unknown as Record<string, unknown>)[method], `${name}: client.${method}`).toBe('function');
        const answeredBy = serviceMethod(name, entry);
        if (entry.route && answeredBy) expect(typeof (server.app.tix.service as unknown as Record<string, unknown>)[answeredBy], `${name}: service.${answeredBy}`).toBe('function');
      }
    } finally {
      await client.dispose();
    }
  });
});
