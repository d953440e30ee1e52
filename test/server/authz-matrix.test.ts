// The authorization matrix: every endpoint × every kind of caller → 401, 404 (out of reach, never 403), 403 (role) or success.
// Bodies are valid and states are fresh, so only who asks decides the answer; a refused request changes nothing.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role, User } from '../../src/domain/schemas.js';
import { buildApp, hashToken } from '../../src/server/app.js';
import type { Store } from '../../src/server/store/types.js';
import { openTestStore, rowsOf, type TestStore } from './helpers.js';

const CALLERS = [
  'no token',
  'a wrong token',
  'a revoked token',
  'a requester of another org',
  'another requester of the same org',
  "an org admin of the ticket's org",
  "the ticket's requester",
  'an agent',
  'an admin',
] as const;
type Caller = (typeof CALLERS)[number];
type Outcome = 'ok' | 401 | 403 | 404;

const anonymous = { 'no token': 401, 'a wrong token': 401, 'a revoked token': 401 } as const;

/** Who gets what, per kind of endpoint (docs/domain.md, "Roles and visibility"). */
const ACCESS = {
  public: {
    'no token': 'ok', 'a wrong token': 'ok', 'a revoked token': 'ok', 'a requester of another org': 'ok', 'another requester of the same org': 'ok',
    "an org admin of the ticket's org": 'ok', "the ticket's requester": 'ok', 'an agent': 'ok', 'an admin': 'ok',
  },
  signedIn: {
    ...anonymous, 'a requester of another org': 'ok', 'another requester of the same org': 'ok',
    "an org admin of the ticket's org": 'ok', "the ticket's requester": 'ok', 'an agent': 'ok', 'an admin': 'ok',
  },
  /** Reading a ticket, or commenting on it: whoever can see it. */
  ticketVisible: {
    ...anonymous, 'a requester of another org': 404, 'another requester of the same org': 404,
    "an org admin of the ticket's org": 'ok', "the ticket's requester": 'ok', 'an agent': 'ok', 'an admin': 'ok',
  },
  /** Closing: staff, or the requester who opened it. */
  ticketOwner: {
    ...anonymous, 'a requester of another org': 404, 'another requester of the same org': 404,
    "an org admin of the ticket's org": 403, "the ticket's requester": 'ok', 'an agent': 'ok', 'an admin': 'ok',
  },
  /** Internal notes and their files, escalations: staff only; to any requester they do not exist. */
  staffOnlyRead: {
    ...anonymous, 'a requester of another org': 404, 'another requester of the same org': 404,
    "an org admin of the ticket's org": 404, "the ticket's requester": 404, 'an agent': 'ok', 'an admin': 'ok',
  },
  /** Triage, priority, assignment, status, escalation, reopen, edits: staff only. */
  ticketStaff: {
    ...anonymous, 'a requester of another org': 404, 'another requester of the same org': 404,
    "an org admin of the ticket's org": 403, "the ticket's requester": 403, 'an agent': 'ok', 'an admin': 'ok',
  },
  admin: {
    ...anonymous, 'a requester of another org': 403, 'another requester of the same org': 403,
    "an org admin of the ticket's org": 403, "the ticket's requester": 403, 'an agent': 403, 'an admin': 'ok',
  },
} satisfies Record<string, Record<Caller, Outcome>>;
type Access = keyof typeof ACCESS;

/** What a row needs before the call: the ticket (by carol, acme), and what state it is in. */
type Setup = 'nothing' | 'new ticket' | 'closed ticket' | 'escalated ticket' | 'ticket with attachments';
interface Fixture {
  id: number;
  esc: string;
  /** Attachments of a public and of an internal comment. */
  publicFile: number;
  internalFile: number;
  userId: number;
  tokenId: number;
  n: number;
  /** The newest event id before the setup: the feed is read from there. */
  eventsBefore: number;
}
interface Row {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  route: string;
  setup: Setup;
  access: Access;
  url: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  /** For lists: whether the fixture's ticket (or its escalation) is among the items, per caller. */
  lists?: { access: Access; item: (f: Fixture) => string | number; key: 'id' | 'ticket_id' };
  /** For /v1/batch: the per-operation status, per caller. */
  operation?: Access;
}

const ROWS: Row[] = [
  { method: 'GET', route: '/v1/health', setup: 'nothing', access: 'public', url: () => '/v1/health' },
  { method: 'GET', route: '/v1/openapi.json', setup: 'nothing', access: 'public', url: () => '/v1/openapi.json' },
  { method: 'GET', route: '/v1/me', setup: 'nothing', access: 'signedIn', url: () => '/v1/me' },
  {
    method: 'GET', route: '/v1/tickets', setup: 'new ticket', access: 'signedIn', url: () => '/v1/tickets?q=state:all&limit=1000',
    lists: { access: 'ticketVisible', item: (f) => f.id, key: 'id' },
  },
  { method: 'POST', route: '/v1/tickets', setup: 'nothing', access: 'signedIn', url: () => '/v1/tickets', body: () => ({ subject: 'Export to CSV fails', description: 'The export button spins forever.' }) },
  { method: 'GET', route: '/v1/tickets/:id', setup: 'new ticket', access: 'ticketVisible', url: (f) => `/v1/tickets/${f.id}` },
  { method: 'PATCH', route: '/v1/tickets/:id', setup: 'new ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}`, body: () => ({ team: 'engineering' }) },
  { method: 'POST', route: '/v1/tickets/:id/triage', setup: 'new ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}/triage`, body: () => ({ team: 'support', level: 1 }) },
  {
    method: 'POST', route: '/v1/tickets/:id/priority', setup: 'new ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}/priority`,
    body: () => ({ priority: 'high', reason: 'many users affected, workaround exists' }),
  },
  { method: 'POST', route: '/v1/tickets/:id/assign', setup: 'new ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}/assign`, body: () => ({ assignee: 'alice' }) },
  { method: 'POST', route: '/v1/tickets/:id/status', setup: 'new ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}/status`, body: () => ({ status: 'pending_customer', note: 'asked for a HAR file' }) },
  { method: 'POST', route: '/v1/tickets/:id/escalate', setup: 'new ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}/escalate`, body: () => ({ reason: 'the webhook dispatcher drops events' }) },
  { method: 'POST', route: '/v1/tickets/:id/close', setup: 'new ticket', access: 'ticketOwner', url: (f) => `/v1/tickets/${f.id}/close`, body: () => ({ resolution: 'fixed in 2.4.1' }) },
  { method: 'POST', route: '/v1/tickets/:id/reopen', setup: 'closed ticket', access: 'ticketStaff', url: (f) => `/v1/tickets/${f.id}/reopen`, body: () => ({ comment: 'the customer sees it again on 2.4.1' }) },
  { method: 'GET', route: '/v1/tickets/:id/comments', setup: 'new ticket', access: 'ticketVisible', url: (f) => `/v1/tickets/${f.id}/comments` },
  { method: 'POST', route: '/v1/tickets/:id/comments', setup: 'new ticket', access: 'ticketVisible', url: (f) => `/v1/tickets/${f.id}/comments`, body: () => ({ body: 'any news on this?', public: true }) },
  { method: 'GET', route: '/v1/attachments/:id (public comment)', setup: 'ticket with attachments', access: 'ticketVisible', url: (f) => `/v1/attachments/${f.publicFile}` },
  { method: 'GET', route: '/v1/attachments/:id (internal comment)', setup: 'ticket with attachments', access: 'staffOnlyRead', url: (f) => `/v1/attachments/${f.internalFile}` },
  { method: 'GET', route: '/v1/tickets/:id/events', setup: 'new ticket', access: 'ticketVisible', url: (f) => `/v1/tickets/${f.id}/events` },
  {
    method: 'GET', route: '/v1/escalations', setup: 'escalated ticket', access: 'signedIn', url: () => '/v1/escalations?state=all&limit=1000',
    lists: { access: 'staffOnlyRead', item: (f) => f.esc, key: 'id' },
  },
  { method: 'GET', route: '/v1/escalations/:id', setup: 'escalated ticket', access: 'staffOnlyRead', url: (f) => `/v1/escalations/${f.esc}` },
  { method: 'POST', route: '/v1/escalations/:id/advance', setup: 'escalated ticket', access: 'staffOnlyRead', url: (f) => `/v1/escalations/${f.esc}/advance`, body: () => ({ to: 'under_evaluation', note: 'engineering looks at it' }) },
  {
    method: 'POST', route: '/v1/batch (close)', setup: 'new ticket', access: 'signedIn', operation: 'ticketOwner', url: () => '/v1/batch',
    body: (f) => ({ operations: [{ op: 'close', id: f.id, body: { resolution: 'fixed in 2.4.1' } }] }),
  },
  {
    method: 'POST', route: '/v1/batch (priority)', setup: 'new ticket', access: 'signedIn', operation: 'ticketStaff', url: () => '/v1/batch',
    body: (f) => ({ operations: [{ op: 'priority', id: f.id, body: { priority: 'low', reason: 'cosmetic only, confirmed by phone' } }] }),
  },
  {
    method: 'POST', route: '/v1/batch (comment)', setup: 'new ticket', access: 'signedIn', operation: 'ticketVisible', url: () => '/v1/batch',
    body: (f) => ({ operations: [{ op: 'comment', id: f.id, body: { body: 'still broken here', public: true } }] }),
  },
  {
    method: 'GET', route: '/v1/events', setup: 'escalated ticket', access: 'signedIn', url: (f) => `/v1/events?after=${f.eventsBefore}&limit=1000`,
    lists: { access: 'ticketVisible', item: (f) => f.id, key: 'ticket_id' },
  },
  { method: 'GET', route: '/v1/events (one ticket)', setup: 'escalated ticket', access: 'ticketVisible', url: (f) => `/v1/events?ticket=${f.id}&wait=0` },
  { method: 'GET', route: '/v1/users', setup: 'nothing', access: 'admin', url: () => '/v1/users' },
  { method: 'POST', route: '/v1/users', setup: 'nothing', access: 'admin', url: () => '/v1/users', body: (f) => ({ login: `new.agent.${f.n}`, name: 'New Agent', role: 'agent' }) },
  { method: 'POST', route: '/v1/users/:id/tokens', setup: 'nothing', access: 'admin', url: (f) => `/v1/users/${f.userId}/tokens`, body: () => ({ name: 'laptop' }) },
  { method: 'DELETE', route: '/v1/tokens/:id', setup: 'nothing', access: 'admin', url: (f) => `/v1/tokens/${f.tokenId}` },
];

const T0 = new Date('2026-11-02T09:00:00.000Z');
let app: FastifyInstance;
let store: Store;
let opened: TestStore;
const tokens = new Map<Caller, string | null>();
const users = new Map<string, User>();
let revokedToken = '';
let counter = 0;

async function addUser(login: string, role: Role, extra: { org?: string; org_admin?: boolean } = {}) {
  const user = await store.createUser({ login, name: login, email: null, role, org: extra.org ?? null, org_admin: extra.org_admin ?? false }, T0);
  const token = `tix_matrix_${login}_${counter++}`;
  const rec = await store.createToken(user.id, 'matrix', hashToken(token), T0);
  users.set(login, user);
  return { user, token, tokenId: rec.id };
}

beforeAll(async () => {
  opened = await openTestStore();
  store = opened.store;
  // the limiter is tested on its own (limits.test.ts); here every answer must come from the role
  app = await buildApp({ store, now: () => T0, rateLimit: { limit: 0, windowSeconds: 60, authFailures: 0 } });
  tokens.set('no token', null);
  tokens.set('a wrong token', 'tix_this_token_was_never_issued');
  tokens.set('a requester of another org', (await addUser('zed', 'requester', { org: 'globex' })).token);
  tokens.set('another requester of the same org', (await addUser('dave', 'requester', { org: 'acme' })).token);
  tokens.set("an org admin of the ticket's org", (await addUser('erin', 'requester', { org: 'acme', org_admin: true })).token);
  tokens.set("the ticket's requester", (await addUser('carol', 'requester', { org: 'acme' })).token);
  tokens.set('an agent', (await addUser('alice', 'agent')).token);
  tokens.set('an admin', (await addUser('root', 'admin')).token);
  const gone = await addUser('gone', 'agent');
  await store.deleteToken(gone.tokenId);
  revokedToken = gone.token;
  tokens.set('a revoked token', revokedToken);
});
afterAll(async () => {
  await app?.close();
  await opened?.close();
});

function call(caller: Caller, method: Row['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const token = tokens.get(caller);
  const options: InjectOptions = { method, url, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  if (body !== undefined) options.payload = body as InjectOptions['payload'];
  return app.inject(options);
}

async function asAgent(method: Row['method'], url: string, body?: unknown) {
  const res = await call('an agent', method, url, body);
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

async function prepare(setup: Setup): Promise<Fixture> {
  const n = counter++;
  const eventsBefore = Number((await rowsOf(store, 'SELECT coalesce(max(id), 0) AS n FROM events'))[0]!.n);
  const f: Fixture = { id: 0, esc: 'CP-999999', publicFile: 0, internalFile: 0, userId: users.get('dave')!.id, tokenId: 0, n, eventsBefore };
  const throwaway = await addUser(`throwaway.${n}`, 'agent');
  f.tokenId = throwaway.tokenId;
  if (setup === 'nothing') return f;
  const opened = await call("the ticket's requester", 'POST', '/v1/tickets', { subject: `Login fails #${n}`, description: 'SSO users get a 500 since 9am.' });
  if (opened.statusCode !== 201) throw new Error(`setup open: ${opened.statusCode} ${opened.body}`);
  f.id = (opened.json() as { id: number }).id;
  if (setup === 'closed ticket') await asAgent('POST', `/v1/tickets/${f.id}/close`, { resolution: 'fixed in 2.4.0' });
  if (setup === 'escalated ticket') {
    const t = await asAgent('POST', `/v1/tickets/${f.id}/escalate`, { reason: 'needs a patch from engineering' });
    f.esc = String(t.escalation);
  }
  if (setup === 'ticket with attachments') {
    const attach = async (isPublic: boolean) => {
      const data = Buffer.from(`${isPublic ? 'public' : 'internal'} log of ticket ${f.id}\n`).toString('base64');
      const c = await asAgent('POST', `/v1/tickets/${f.id}/comments`, { body: 'log attached', public: isPublic, attachments: [{ name: 'log.txt', data }] });
      return (c.attachments as Array<{ id: number }>)[0]!.id;
    };
    f.publicFile = await attach(true);
    f.internalFile = await attach(false);
  }
  return f;
}

/** Everything a request could have changed, in one comparable value. */
async function snapshot() {
  const count = async (table: string) => (await rowsOf(store, `SELECT CAST(count(*) AS INTEGER) AS n FROM ${table}`))[0]!.n as number;
  const versions = await rowsOf(store, 'SELECT id, version, status, priority, assignee, team FROM tickets ORDER BY id');
  const escalations = await rowsOf(store, 'SELECT * FROM escalations ORDER BY id');
  return { versions, escalations, users: await count('users'), tokens: await count('tokens'), events: await count('events'), comments: await count('comments') };
}

/** `METHOD /path` of every route, read from Fastify's printed route tree. */
function registeredRoutes(server: FastifyInstance): string[] {
  const routes: string[] = [];
  const prefixes: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    prefixes.length = depth;
    const path = (prefixes[depth - 1] ?? '') + m[2]!;
    prefixes[depth] = path;
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD' && method !== 'OPTIONS') routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

const cases = ROWS.flatMap((row) => CALLERS.map((caller) => ({ row, caller, expected: ACCESS[row.access][caller] as Outcome })));

describe('authorization matrix: endpoint × caller', () => {
  it('covers every route the server registers', () => {
    const covered = new Set(ROWS.map((r) => `${r.method} ${r.route.replace(/ \(.*\)$/, '')}`));
    const registered = registeredRoutes(app);
    expect(registered.length).toBeGreaterThan(20);
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });

  it.each(cases.map((c) => [c.row.method, c.row.route, c.caller, c.expected, c] as const))('%s %s by %s → %s', async (_m, _r, caller, expected, { row }) => {
    const f = await prepare(row.setup);
    const before = await snapshot();
    const res = await call(caller, row.method, row.url(f), row.body?.(f));

    if (expected === 'ok') {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
    } else {
      expect(res.statusCode, res.body).toBe(expected);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const code = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' }[expected];
      expect(res.json()).toMatchObject({ status: expected, code });
      // a refused request leaves no trace: no ticket, event, comment, user or token changed
      expect(await snapshot()).toEqual(before);
    }

    if (row.lists && expected === 'ok') {
      const ids = (res.json() as { items: Array<Record<string, unknown>> }).items.map((i) => i[row.lists!.key]);
      const visible = ACCESS[row.lists.access][caller] === 'ok';
      expect(ids.includes(row.lists.item(f)), `listed to ${caller}`).toBe(visible);
    }
    if (row.operation && expected === 'ok') {
      const op = ACCESS[row.operation][caller];
      const [result] = (res.json() as { results: Array<{ status: number; changed: boolean; error?: { code: string } }> }).results;
      if (op === 'ok') expect(result, JSON.stringify(result)).toMatchObject({ status: 200, changed: true });
      else {
        expect(result, JSON.stringify(result)).toMatchObject({ status: op, changed: false });
        expect(await snapshot()).toEqual(before);
      }
    }
  });
});

/** Writes on one ticket or escalation: the routes a stale If-Match could be sent to. */
const WRITES_ON_ONE = ROWS.filter((r) => (r.method === 'POST' || r.method === 'PATCH') && /\/:id/.test(r.route) && r.setup !== 'nothing');
const staleCases = WRITES_ON_ONE.flatMap((row) => CALLERS.filter((c) => ACCESS[row.access][c] === 404).map((caller) => ({ row, caller })));

describe('a stale If-Match from out of reach', () => {
  it('is sent to every write on one ticket', () => {
    const routes = new Set(WRITES_ON_ONE.map((r) => `${r.method} ${r.route}`));
    for (const path of ['triage', 'priority', 'assign', 'status', 'escalate', 'close', 'reopen', 'comments']) expect(routes).toContain(`POST /v1/tickets/:id/${path}`);
    expect(routes).toContain('PATCH /v1/tickets/:id');
    expect(routes).toContain('POST /v1/escalations/:id/advance');
  });

  it.each(staleCases.map((c) => [c.row.method, c.row.route, c.caller, c] as const))('%s %s by %s → 404 with nothing about the ticket', async (_m, _r, caller, { row }) => {
    const f = await prepare(row.setup);
    // the ticket moves on first, so its version is not the one the caller names
    await asAgent('POST', `/v1/tickets/${f.id}/comments`, { body: 'internal: customer is on the enterprise plan', public: false });
    const before = await snapshot();
    const res = await call(caller, row.method, row.url(f), row.body?.(f), { 'if-match': '"1"' });
    expect(res.statusCode, res.body).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers.etag).toBeUndefined();
    // the same answer, word for word, as for a ticket that does not exist
    const missing: Fixture = { ...f, id: 987654, esc: 'CP-987654' };
    const absent = await call(caller, row.method, row.url(missing), row.body?.(missing), { 'if-match': '"1"' });
    // ids as whole words only: ticket 4's answer must not turn the 404 in its status into <id>0<id>
    const shape = (r: LightMyRequestResponse, ...ids: Array<string | number>) =>
      ids.reduce<string>((b, id) => b.replace(new RegExp(`(?<![\\w-])${String(id).replace(/[-]/g, '\\-')}(?![\\w-])`, 'g'), '<id>'), r.body);
    expect(shape(res, f.esc, f.id)).toBe(shape(absent, missing.esc, missing.id));
    expect(res.body).not.toMatch(/version|carol|Login fails|enterprise|commented|created/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('answers that must not reveal more than the caller may see', () => {
  it('a token issued by an admin works at once, and its secret is stored only hashed', async () => {
    const res = await call('an admin', 'POST', `/v1/users/${users.get('alice')!.id}/tokens`, { name: 'ci' });
    expect(res.statusCode).toBe(201);
    const { token } = res.json() as { token: string };
    const raw = JSON.stringify(await rowsOf(store, 'SELECT * FROM tokens'));
    expect(raw).not.toContain(token);
    expect(raw).toContain(hashToken(token));
    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect((me.json() as { login: string }).login).toBe('alice');
  });

  it('a ticket that does not exist and a ticket out of reach give the same 404 answer to a requester', async () => {
    const f = await prepare('new ticket');
    const hidden = await call('a requester of another org', 'GET', `/v1/tickets/${f.id}`);
    const missing = await call('a requester of another org', 'GET', '/v1/tickets/987654');
    expect([hidden.statusCode, missing.statusCode]).toEqual([404, 404]);
    const shape = (r: LightMyRequestResponse) => ({ ...(r.json() as object), detail: undefined });
    expect(shape(hidden)).toEqual(shape(missing));
  });

  it("a requester's change feed holds no internal event and no ticket of another requester", async () => {
    const f = await prepare('escalated ticket');
    const other = await call('a requester of another org', 'POST', '/v1/tickets', { subject: 'Printer jams', description: 'On every job.' });
    const otherId = (other.json() as { id: number }).id;
    await asAgent('POST', `/v1/tickets/${otherId}/comments`, { body: 'public answer', public: true });
    await asAgent('POST', `/v1/tickets/${f.id}/comments`, { body: 'internal note on carol ticket' });
    const staff = (await call('an agent', 'GET', `/v1/events?after=${f.eventsBefore}`)).json() as { items: Array<{ ticket_id: number; internal: boolean }> };
    expect(staff.items.some((e) => e.internal && e.ticket_id === f.id)).toBe(true);
    for (const caller of ["the ticket's requester", 'another requester of the same org', "an org admin of the ticket's org", 'a requester of another org'] as const) {
      const res = await call(caller, 'GET', `/v1/events?after=${f.eventsBefore}&limit=1000`);
      const items = (res.json() as { items: Array<{ ticket_id: number; internal: boolean }> }).items;
      expect(items.filter((e) => e.internal), caller).toEqual([]);
      const tickets = new Set(items.map((e) => e.ticket_id));
      const reach = caller === 'a requester of another org' ? [otherId] : caller === 'another requester of the same org' ? [] : [f.id];
      expect([...tickets].sort(), caller).toEqual(reach);
    }
  });
});
