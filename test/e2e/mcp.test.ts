// tix mcp driven by the MCP SDK's own Client over stdio, against a real `tix serve`: the tools, their
// schemas and annotations, the desk's rules, --read-only and --tools, and a clean stdout whatever fails.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, api, closedPortUrl, commentsOf, createTicket, getTicket, serverForFile, tix, tixBin, type Env } from '../helpers/tix.js';

const { server, users } = serverForFile();

const READS = ['list', 'show', 'escalation_list', 'escalation_show', 'check', 'events'];
const CHANGES = ['create', 'triage', 'edit', 'reprioritize', 'assign', 'move', 'escalate', 'escalation_advance', 'close', 'reopen', 'comment'];

/** StdioClientTransport that also keeps every byte the child wrote on stdout, to check it holds protocol messages only. */
class RecordingTransport extends StdioClientTransport {
  raw = '';
  child?: ChildProcess;
  override async start() {
    await super.start();
    this.child = (this as unknown as { _process: ChildProcess })._process;
    this.child.stdout!.on('data', (d: Buffer) => (this.raw += d.toString('utf8')));
  }
}

interface Session {
  client: Client;
  transport: RecordingTransport;
  tools: Tool[];
  stderr(): string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Closes stdin and answers the child's exit code. */
  close(): Promise<number | null>;
}

const sessions: Session[] = [];
afterAll(async () => {
  for (const s of sessions) await s.close();
});

async function openSession(env: Env, args: string[] = []): Promise<Session> {
  const bin = await tixBin();
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...server.env, ...env })) if (v !== undefined) merged[k] = v;
  const transport = new RecordingTransport({ command: process.execPath, args: [bin, 'mcp', ...args], env: merged, cwd: ROOT, stderr: 'pipe' });
  let stderr = '';
  transport.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const client = new Client({ name: 'tix-e2e', version: '1.0.0' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  let exit: Promise<number | null> | undefined;
  const session: Session = {
    client,
    transport,
    tools,
    stderr: () => stderr,
    call: (name, a = {}) => client.callTool({ name, arguments: a }) as Promise<CallToolResult>,
    close() {
      exit ??= (async () => {
        const child = transport.child!;
        const exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        await client.close();
        return exited;
      })();
      return exit;
    },
  };
  sessions.push(session);
  return session;
}

// CommonJS packages: their default export is the module object, which carries the class and plugin as .default
const ajv = new Ajv.default({ allErrors: true, strict: false });
addFormats.default(ajv);

/** The structured result, checked against the tool's published outputSchema. */
function structured<T = any>(session: Session, name: string, r: CallToolResult): T {
  const tool = session.tools.find((t) => t.name === name)!;
  expect(tool.outputSchema, `${name} publishes an outputSchema`).toBeDefined();
  expect(r.structuredContent, `${name} answered structuredContent: ${JSON.stringify(r.content)}`).toBeDefined();
  const validate = ajv.compile(tool.outputSchema!);
  expect(validate(r.structuredContent), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  expect(r.content[0]).toMatchObject({ type: 'text' });
  return r.structuredContent as T;
}

/** The error object of an error result. */
function errorOf(r: CallToolResult): { code: string; message: string; status?: number } {
  expect(r.isError, JSON.stringify(r.content)).toBe(true);
  const text = (r.content[0] as { text: string }).text;
  return (JSON.parse(text) as { error: { code: string; message: string; status?: number } }).error;
}

/** Every line the child wrote on stdout is a JSON-RPC 2.0 message. */
function expectOnlyProtocol(session: Session) {
  const lines = session.transport.raw.split('\n').filter((l) => l !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    let msg: { jsonrpc?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      throw new Error(`stdout carried a line that is not JSON: ${line.slice(0, 200)}`);
    }
    expect(msg.jsonrpc).toBe('2.0');
  }
}

let agent: Session;
const agentEnv = (): Env => ({ TIX_URL: server.url, TIX_TOKEN: users.agent.token });

beforeAll(async () => {
  agent = await openSession(agentEnv());
});

describe('tools', () => {
  it('lists every tool with its schemas and all four annotations; reads are read-only, changes are not', () => {
    expect(agent.tools.map((t) => t.name).sort()).toEqual([...READS, ...CHANGES].sort());
    for (const t of agent.tools) {
      expect(t.description!.length, t.name).toBeGreaterThan(20);
      expect(t.inputSchema.type, t.name).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
      const a = t.annotations!;
      expect(a.openWorldHint, t.name).toBe(false);
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint'] as const) expect(typeof a[hint], `${t.name} ${hint}`).toBe('boolean');
      expect(a.readOnlyHint, t.name).toBe(READS.includes(t.name));
      if (a.readOnlyHint) expect(a.destructiveHint, t.name).toBe(false);
    }
    const annotations = (name: string) => agent.tools.find((t) => t.name === name)!.annotations!;
    expect(annotations('close').destructiveHint).toBe(true);
    expect(annotations('close').idempotentHint).toBe(true);
    expect(annotations('comment').destructiveHint).toBe(false);
    expect(annotations('create').idempotentHint).toBe(false);
  });

  it('takes its input schemas from the domain: the rubric, the justification and the internal default are in them', () => {
    const tool = (name: string) => agent.tools.find((t) => t.name === name)!;
    const props = (name: string) => tool(name).inputSchema.properties as Record<string, any>;
    expect(tool('reprioritize').inputSchema.required).toContain('reason');
    expect(props('reprioritize').reason.minLength).toBe(10);
    expect(props('reprioritize').priority.enum).toEqual(['critical', 'high', 'medium', 'low', 'urgent']);
    expect(props('comment').public.default).toBe(false);
    expect(tool('close').inputSchema.required).toContain('resolution');
    expect(props('move').status.enum).not.toContain('closed');
    for (const name of ['triage', 'edit', 'reprioritize', 'assign', 'move', 'escalate', 'close', 'reopen']) {
      expect(Object.keys(props(name)), name).toEqual(expect.arrayContaining(['ids', 'query', 'dry_run', 'confirm']));
    }
    expect(tool('reprioritize').description).toMatch(/at least 10 characters/);
    expect(tool('triage').description).toMatch(/critical: the service is down/);
    expect(tool('comment').description).toMatch(/INTERNAL by default/);
    expect(agent.client.getInstructions()).toMatch(/justification of at least 10 characters/);
    expect(agent.client.getInstructions()).toMatch(/internal unless you pass public: true/);
  });

  it('authenticates as the CLI does: the saved profile, chosen by --profile over TIX_PROFILE', async () => {
    const s = await openSession({ TIX_PROFILE: 'nobody' }, ['--profile', 'local']);
    const t = await createTicket(server, { subject: 'MCP: seen through the saved profile' }, users.agent.token);
    expect(structured(s, 'show', await s.call('show', { id: t.id })).subject).toBe('MCP: seen through the saved profile');
    const created = structured(s, 'create', await s.call('create', { subject: 'MCP: opened by the admin', description: 'through the profile "local"' }));
    expect(created.results[0].ticket.requester).toBe('admin');
    expect(s.transport.raw + s.stderr()).not.toContain(server.token);
    expect(await s.close()).toBe(0);
  });

  it('`tix mcp --help` names the same tools the server lists, and how to register it', async () => {
    const r = await tix(['mcp', '--help'], { server });
    expect(r.code).toBe(0);
    const listed = /Tools: ([^]*?)\n\n/.exec(r.stdout)![1]!.split(/[,\s]+/).filter(Boolean);
    expect(listed.sort()).toEqual(agent.tools.map((t) => t.name).sort());
    const reads = /--read-only\s+offer only the tools that read \(([^)]*)\)/.exec(r.stdout)![1]!.split(/[,\s]+/).filter(Boolean);
    expect(reads.sort()).toEqual(agent.tools.filter((t) => t.annotations?.readOnlyHint).map((t) => t.name).sort());
    expect(r.stdout).toContain('{"mcpServers": {"tix": {"command": "tix", "args": ["mcp"]');
    const top = await tix(['--help'], { server });
    expect(top.stdout).toMatch(/mcp \[options\]\s+serve tix to AI agents over the Model Context Protocol/);
  });
});

// one shift, step by step: each step works on what the ones before it made, so they keep their order
describe('a shift through MCP: every tool once, each result valid against its outputSchema', { shuffle: false }, () => {
  const called = new Set<string>();
  const call = async (name: string, args: Record<string, unknown>) => {
    called.add(name);
    return agent.call(name, args);
  };

  it('create, list, show', async () => {
    const created = structured(agent, 'create', await call('create', { subject: 'MCP: export to CSV times out', description: 'Exports over 10k rows never finish.', channel: 'email' }));
    expect(created).toMatchObject({ ok: true, dry_run: false, summary: { changed: 1, unchanged: 0, failed: 0 } });
    const id = created.results[0].id as number;
    expect(created.results[0].ticket).toMatchObject({ id, status: 'new', priority: 'low' });
    expect((await getTicket(server, id)).subject).toBe('MCP: export to CSV times out');

    const listed = structured(agent, 'list', await call('list', { query: 'status:new "export to CSV"', limit: 5 }));
    expect(listed.items.map((t: { id: number }) => t.id)).toContain(id);
    expect(listed.query).toBe('status:new "export to CSV"');

    const shown = structured(agent, 'show', await call('show', { id, comments: true, events: true }));
    expect(shown).toMatchObject({ id, status: 'new' });
    expect(shown.events.map((e: { kind: string }) => e.kind)).toContain('created');
    expect(Array.isArray(shown.comments)).toBe(true);
  });

  it('triage (dry run, then real), edit, reprioritize, assign, move', async () => {
    const t = await createTicket(server, { subject: 'MCP: login page slow' }, users.agent.token);
    const preview = structured(agent, 'triage', await call('triage', { ids: [t.id], team: 'engineering', level: 2, dry_run: true }));
    expect(preview).toMatchObject({ ok: true, dry_run: true, summary: { changed: 1 } });
    expect(preview.results[0]).toMatchObject({ id: t.id, outcome: 'would_change' });
    expect(preview.results[0].changes).toEqual(expect.arrayContaining([{ field: 'status', from: 'new', to: 'in_progress' }, { field: 'level', from: null, to: 2 }]));
    expect((await getTicket(server, t.id)).status).toBe('new');

    const triaged = structured(agent, 'triage', await call('triage', { ids: [t.id], team: 'engineering', level: 2, assignee: 'me' }));
    expect(triaged.results[0]).toMatchObject({ id: t.id, outcome: 'changed', ticket: { status: 'in_progress', assignee: users.agent.login } });
    expect(triaged.results[0].changes).toEqual(expect.arrayContaining([{ field: 'assignee', from: null, to: users.agent.login }]));

    const edited = structured(agent, 'edit', await call('edit', { ids: [t.id], type: 'problem', tags: ['login', 'performance'] }));
    expect(edited.results[0]).toMatchObject({ outcome: 'changed', changes: expect.arrayContaining([{ field: 'type', from: null, to: 'problem' }]) });
    const again = structured(agent, 'edit', await call('edit', { ids: [t.id], type: 'problem' }));
    expect(again.results[0]).toMatchObject({ outcome: 'unchanged' });

    const raised = structured(agent, 'reprioritize', await call('reprioritize', { ids: [t.id], priority: 'urgent', reason: 'every EU customer is blocked at login' }));
    expect(raised.results[0]).toMatchObject({ outcome: 'changed', changes: [{ field: 'priority', from: 'medium', to: 'critical' }] });
    const events = await api<{ items: { kind: string; note: string | null }[] }>(server, 'GET', `/v1/tickets/${t.id}/events`);
    expect(events.items.find((e) => e.kind === 'priority_changed')?.note).toBe('every EU customer is blocked at login');

    const assigned = structured(agent, 'assign', await call('assign', { ids: [t.id], assignee: null }));
    expect(assigned.results[0]).toMatchObject({ outcome: 'changed', changes: [{ field: 'assignee', from: users.agent.login, to: null }] });

    const moved = structured(agent, 'move', await call('move', { ids: [t.id], status: 'pending_customer', note: 'asked for a HAR file' }));
    expect(moved.results[0]).toMatchObject({ outcome: 'changed', changes: [{ field: 'status', from: 'in_progress', to: 'pending_customer' }] });
  });

  it('comment, escalate, escalation_list, escalation_show, escalation_advance', async () => {
    const t = await createTicket(server, { subject: 'MCP: webhooks dropped under load' }, users.agent.token);
    const commented = structured(agent, 'comment', await call('comment', { id: t.id, body: 'Reproduced with 500 events/s.' }));
    expect(commented.results[0]).toMatchObject({ id: t.id, outcome: 'changed', comment: { public: false } });

    const escalated = structured(agent, 'escalate', await call('escalate', { ids: [t.id], reason: 'dispatcher drops events under load', estimated_resolution: '2026-12-20' }));
    const cp = escalated.results[0].ticket.escalation as string;
    expect(cp).toMatch(/^CP-\d+$/);
    expect(escalated.results[0].changes).toEqual(expect.arrayContaining([{ field: 'status', from: 'new', to: 'escalated' }, { field: 'escalation', from: null, to: cp }]));

    const running = structured(agent, 'escalation_list', await call('escalation_list', {}));
    expect(running.items.map((e: { id: string }) => e.id)).toContain(cp);
    const shown = structured(agent, 'escalation_show', await call('escalation_show', { id: cp }));
    expect(shown).toMatchObject({ id: cp, ticket_id: t.id, state: 'submitted', estimated_resolution: '2026-12-20' });

    const back = structured(agent, 'escalation_advance', await call('escalation_advance', { id: cp, to: 'under_evaluation', dry_run: true }));
    expect(back.results[0]).toMatchObject({ id: cp, outcome: 'would_change', changes: [{ field: 'state', from: 'submitted', to: 'under_evaluation' }] });
    const resolved = structured(agent, 'escalation_advance', await call('escalation_advance', { id: cp, to: 'resolved', note: 'patch 2.4.2 deployed' }));
    expect(resolved).toMatchObject({ ok: true, results: [{ id: cp, outcome: 'changed', escalation: { state: 'resolved' } }] });
    expect((await getTicket(server, t.id)).status).toBe('in_progress');

    const backwards = await call('escalation_advance', { id: cp, to: 'under_evaluation' });
    const failed = structured(agent, 'escalation_advance', backwards);
    expect(backwards.isError).toBe(true);
    expect(failed.results[0].error).toMatchObject({ code: 'conflict' });
  });

  it('close, reopen; a change to several tickets reports each, failures included', async () => {
    const a = await createTicket(server, { subject: 'MCP: typo on invoice' }, users.agent.token);
    const b = await createTicket(server, { subject: 'MCP: typo on receipt' }, users.agent.token);
    const r = await call('close', { ids: [a.id, b.id, 999_999], resolution: 'fixed in 2.4.1' });
    expect(r.isError).toBe(true);
    const closed = structured(agent, 'close', r);
    expect(closed).toMatchObject({ ok: false, summary: { changed: 2, unchanged: 0, failed: 1 } });
    expect(closed.results.map((x: { id: number; outcome: string }) => [x.id, x.outcome])).toEqual([
      [a.id, 'changed'],
      [b.id, 'changed'],
      [999_999, 'failed'],
    ]);
    expect(closed.results[2].error).toMatchObject({ code: 'not_found', status: 404 });

    const twice = structured(agent, 'close', await call('close', { ids: [a.id], resolution: 'fixed in 2.4.1' }));
    expect(twice.results[0]).toMatchObject({ outcome: 'unchanged' });

    const reopened = structured(agent, 'reopen', await call('reopen', { ids: [a.id], comment: 'customer sees it again on 2.4.1' }));
    expect(reopened.results[0]).toMatchObject({ outcome: 'changed', changes: [{ field: 'status', from: 'closed', to: 'in_progress' }] });
  });

  it('check', async () => {
    const result = structured(agent, 'check', await call('check', { rules: [{ name: 'no ticket about MCP invoices', query: '"typo on invoice"', max: 0 }], sla: true }));
    expect(result.rules[0]).toMatchObject({ name: 'no ticket about MCP invoices', passed: false, count: 1 });
    expect(result.rules[1]).toMatchObject({ query: 'sla:breached state:open', max: 0 });
    expect(result.passed).toBe(false);
    // a limit written into the query would be searched as words and always hold: refused, saying where it goes
    const inQuery = errorOf(await call('check', { query: '"typo on invoice" <= 0' }));
    expect(inQuery).toMatchObject({ code: 'usage', message: expect.stringMatching(/^query: "<=" alone is not a comparison.*\(max in a rules file or MCP\)/) });
    expect(errorOf(await call('check', { rules: [{ query: 'priority:critical = 0' }] })).message).toMatch(/^rules\[0\]: "="/);
  });

  it('events', async () => {
    called.add('events');
    const t = await createTicket(server, { subject: 'MCP: feed by query' }, users.agent.token);
    await api(server, 'POST', `/v1/tickets/${t.id}/comments`, { token: users.agent.token, body: { body: 'a second event' } });
    const r = await agent.call('events', { limit: 1 });
    // the change feed is a route of the server's own: a server without it answers not_found, named
    const openapi = await api<{ paths: Record<string, unknown> }>(server, 'GET', '/v1/openapi.json');
    if (!('/v1/events' in openapi.paths)) {
      expect(errorOf(r)).toMatchObject({ code: 'not_found', status: 404 });
      return;
    }
    const first = structured(agent, 'events', r);
    expect(first.items).toHaveLength(1);
    expect(first.next_cursor).toBe(String(first.items[0].id));
    const next = structured(agent, 'events', await agent.call('events', { after: Number(first.next_cursor), limit: 1000 }));
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items[0].id).toBeGreaterThan(first.items[0].id);
    const only = structured(agent, 'events', await agent.call('events', { query: `"feed by query" state:all`, limit: 1000 }));
    expect(only.items.map((e: { kind: string; ticket_id: number }) => [e.ticket_id, e.kind])).toEqual([
      [t.id, 'created'],
      [t.id, 'commented'],
    ]);
  });

  it('called every tool', () => {
    expect([...called].sort()).toEqual([...READS, ...CHANGES].sort());
  });
});

describe('the rules hold through MCP', () => {
  it('a reprioritize without a justification, or with one under 10 characters, is refused and changes nothing', async () => {
    const t = await createTicket(server, { subject: 'MCP: rule check' }, users.agent.token);
    const missing = errorOf(await agent.call('reprioritize', { ids: [t.id], priority: 'critical' }));
    expect(missing).toMatchObject({ code: 'usage' });
    expect(missing.message).toMatch(/reason: required/);
    const short = errorOf(await agent.call('reprioritize', { ids: [t.id], priority: 'critical', reason: 'urgent!' }));
    expect(short.message).toMatch(/reason: a justification needs at least 10 characters/);
    expect((await getTicket(server, t.id)).priority).toBe('medium');
  });

  it('a comment is internal unless public is asked: the requester reads only the public one', async () => {
    const t = await createTicket(server, { subject: 'MCP: who reads what' }, users.acmeRequester.token);
    structured(agent, 'comment', await agent.call('comment', { id: t.id, body: 'internal: suspect the cache' }));
    structured(agent, 'comment', await agent.call('comment', { id: t.id, body: 'We are on it.', public: true }));
    const all = await commentsOf(server, t.id);
    expect(all.filter((c) => c.body.startsWith('internal:')).map((c) => c.public)).toEqual([false]);
    const seen = (await commentsOf(server, t.id, users.acmeRequester.token)).map((c) => c.body);
    expect(seen).toContain('We are on it.');
    expect(seen).not.toContain('internal: suspect the cache');
  });

  it('a change selected by a query without confirm or dry_run is refused; a dry run answers the envelope; confirm applies', async () => {
    const tag = `mcp-spam-${Date.now()}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createTicket(server, { subject: `MCP spam ${i}`, tags: [tag] }, users.agent.token)).id);
    const refused = errorOf(await agent.call('close', { query: `tag:${tag}`, resolution: 'spam' }));
    expect(refused.code).toBe('usage');
    expect(refused.message).toMatch(/selects 3 tickets.*dry_run: true.*confirm: true/);
    for (const id of ids) expect((await getTicket(server, id)).status).toBe('new');

    const preview = structured(agent, 'close', await agent.call('close', { query: `tag:${tag}`, resolution: 'spam', dry_run: true }));
    expect(preview).toMatchObject({ ok: true, dry_run: true, summary: { changed: 3, unchanged: 0, failed: 0 } });
    expect(preview.results.map((r: { outcome: string }) => r.outcome)).toEqual(['would_change', 'would_change', 'would_change']);
    for (const id of ids) expect((await getTicket(server, id)).status).toBe('new');

    const applied = structured(agent, 'close', await agent.call('close', { query: `tag:${tag}`, resolution: 'spam', confirm: true }));
    expect(applied).toMatchObject({ ok: true, dry_run: false, summary: { changed: 3 } });
    for (const id of ids) expect((await getTicket(server, id)).status).toBe('closed');
  });

  it('a change the server refuses is an error result that still carries the envelope', async () => {
    const t = await createTicket(server, { subject: 'MCP: triaged twice' }, users.agent.token);
    structured(agent, 'triage', await agent.call('triage', { ids: [t.id], team: 'support' }));
    const dry = structured(agent, 'triage', await agent.call('triage', { ids: [t.id], team: 'support', dry_run: true }));
    expect(dry.results[0]).toMatchObject({ outcome: 'would_fail', error: { code: 'conflict' } });
    const r = await agent.call('triage', { ids: [t.id], team: 'support' });
    expect(r.isError).toBe(true);
    expect(structured(agent, 'triage', r).results[0]).toMatchObject({ outcome: 'failed', error: { code: 'conflict', status: 409 } });
  });
});

describe('bad input', () => {
  it.each([
    ['show', { id: 'twelve' }, /id: /],
    ['triage', { ids: [1], priority: 'bogus' }, /priority: .*"critical"/],
    ['close', { ids: [1], resolution: 'x', force: true }, /Unrecognized key.*force/],
    ['close', { ids: [1] }, /resolution: required/],
    ['move', { ids: [1], status: 'closed' }, /status: .*"in_progress"/],
    ['escalation_show', { id: 'twelve' }, /CP-12/],
    ['list', { query: 'bogus:1' }, /bogus/],
    ['close', { resolution: 'fixed' }, /pass ids .* or query/],
    ['nonexistent', {}, /unknown tool "nonexistent"/],
  ])('%s %j is an error result naming the problem', async (name, args, message) => {
    const error = errorOf(await agent.call(name, args));
    expect(error.code).toBe('usage');
    expect(error.message).toMatch(message);
  });

  it('a missing ticket is not_found, as the CLI says it', async () => {
    expect(errorOf(await agent.call('show', { id: 999_999 }))).toMatchObject({ code: 'not_found', status: 404 });
  });
});

describe('--read-only and --tools', () => {
  it('--read-only offers only reads, and a change is refused as unknown', async () => {
    const ro = await openSession(agentEnv(), ['--read-only']);
    expect(ro.tools.map((t) => t.name).sort()).toEqual([...READS].sort());
    expect(ro.tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const t = await createTicket(server, { subject: 'MCP: read-only stays read-only' }, users.agent.token);
    expect(errorOf(await ro.call('close', { ids: [t.id], resolution: 'fixed' })).message).toMatch(/unknown tool "close"/);
    expect((await getTicket(server, t.id)).status).toBe('new');
    structured(ro, 'show', await ro.call('show', { id: t.id }));
    expect(await ro.close()).toBe(0);
  });

  it('--tools offers only the tools named', async () => {
    const some = await openSession(agentEnv(), ['--tools', 'list,show,comment']);
    expect(some.tools.map((t) => t.name).sort()).toEqual(['comment', 'list', 'show']);
    expect(await some.close()).toBe(0);
  });

  it.each([
    [['--tools', 'list,bogus'], /unknown tool bogus; choose from list, show/],
    [['--read-only', '--tools', 'show,close'], /close changes tickets, which --read-only does not offer/],
  ])('tix mcp %j is a usage error (exit 2) before anything is served', async (args, message) => {
    const r = await tix(['mcp', ...args], { server, env: agentEnv(), input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('failures never break the stream', () => {
  it('a refused token: error results, the process lives on, stdout holds protocol messages only, the token appears nowhere', async () => {
    const bad = 'tix_thisTokenIsNotKnownToTheServer01';
    const s = await openSession({ TIX_URL: server.url, TIX_TOKEN: bad });
    const first = errorOf(await s.call('list', {}));
    expect(first).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(first.message).toMatch(/tix auth login/);
    const second = errorOf(await s.call('close', { ids: [1], resolution: 'fixed' }));
    expect(second.code).toBe('unauthenticated');
    expect(s.transport.child!.exitCode).toBeNull();
    expectOnlyProtocol(s);
    expect(s.transport.raw).not.toContain(bad);
    expect(s.stderr()).not.toContain(bad);
    expect(await s.close()).toBe(0);
  });

  it('a server that is down: error results, the process lives on, stdout holds protocol messages only', async () => {
    const s = await openSession({ TIX_URL: await closedPortUrl(), TIX_TOKEN: users.agent.token });
    const down = errorOf(await s.call('show', { id: 1 }));
    expect(down.code).toBe('unavailable');
    expect(down.message).toMatch(/connection refused/);
    expect(errorOf(await s.call('list', {})).code).toBe('unavailable');
    expect(s.transport.child!.exitCode).toBeNull();
    expectOnlyProtocol(s);
    expect(s.transport.raw + s.stderr()).not.toContain(users.agent.token);
    expect(await s.close()).toBe(0);
  });

  it('no token at all: each call answers how to log in', async () => {
    const s = await openSession({ TIX_URL: server.url, TIX_TOKEN: undefined, TIX_PROFILE: 'nobody' });
    const error = errorOf(await s.call('list', {}));
    expect(error.code).toBe('unauthenticated');
    expect(error.message).toMatch(/no token .*tix auth login/);
    expectOnlyProtocol(s);
    expect(await s.close()).toBe(0);
  });

  it('a dependency that prints to stdout while serving cannot corrupt the stream: its text goes to stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tix-mcp-noise-'));
    try {
      // stands in for a third-party module that logs: it prints when told to, once the server is up
      const preload = join(dir, 'noise.cjs');
      writeFileSync(preload, "process.on('SIGUSR2', () => { console.log('noise from console.log'); process.stdout.write('noise from stdout.write\\n'); });\n");
      const s = await openSession({ ...agentEnv(), NODE_OPTIONS: `--require ${preload}` });
      s.transport.child!.kill('SIGUSR2');
      const deadline = Date.now() + 10_000;
      while (!s.stderr().includes('noise from stdout.write') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(s.stderr()).toContain('noise from console.log');
      expect(s.stderr()).toContain('noise from stdout.write');
      structured(s, 'escalation_list', await s.call('escalation_list', { state: 'all' }));
      expectOnlyProtocol(s);
      expect(await s.close()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the token in ticket text is redacted from results; the whole session wrote only protocol messages', async () => {
    const t = await createTicket(server, { subject: 'MCP: pasted a secret', description: `my token is ${users.agent.token}, please help` }, users.agent.token);
    const shown = await agent.call('show', { id: t.id });
    expect(JSON.stringify(shown)).not.toContain(users.agent.token);
    expect(structured(agent, 'show', shown).description).toBe('my token is [redacted], please help');
    expectOnlyProtocol(agent);
    expect(agent.transport.raw + agent.stderr()).not.toContain(users.agent.token);
  });
});
