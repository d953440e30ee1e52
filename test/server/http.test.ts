// HTTP mechanics (docs/api.md): problem+json errors, ETag/If-Match, Idempotency-Key, tokens stored hashed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { PROBLEM_CODES, type Ticket } from '../../src/domain/schemas.js';
import { hashToken } from '../../src/server/app.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { problemOf, rowsOf, serverPerTest, startServer, type TestServer } from './helpers.js';

const s = serverPerTest();

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = problemOf(res);
  expect(Object.keys(p)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
  expect(p).toMatchObject({ status, code });
  expect(PROBLEM_CODES).toContain(p.code);
  expect(typeof p.type).toBe('string');
  expect(p.title.length).toBeGreaterThan(0);
  expect(p.detail.length).toBeGreaterThan(0);
  return p;
}

describe('errors are RFC 9457 problem+json', () => {
  it('for a validation error (400), listing the invalid fields', async () => {
    const p = expectProblem(await s.call('alice', 'POST', '/v1/tickets', { subject: '', description: 'x', channel: 'fax' }), 400, 'validation');
    expect(p.detail).toMatch(/subject/);
    expect(p.detail).toMatch(/channel/);
  });
  it('for a missing token (401)', async () => {
    expectProblem(await s.call(null, 'GET', '/v1/tickets'), 401, 'unauthenticated');
  });
  it('for a bad token (401)', async () => {
    expectProblem(await s.call(null, 'GET', '/v1/tickets', undefined, { authorization: 'Bearer nope' }), 401, 'unauthenticated');
  });
  it('for a forbidden action (403)', async () => {
    const t = await s.open('carol');
    expectProblem(await s.call('carol', 'POST', `/v1/tickets/${t.id}/triage`, {}), 403, 'forbidden');
  });
  it('for a missing ticket (404)', async () => {
    expectProblem(await s.call('alice', 'GET', '/v1/tickets/4242'), 404, 'not_found');
  });
  it('for an unknown route (404)', async () => {
    expectProblem(await s.call('alice', 'GET', '/v1/nope'), 404, 'not_found');
  });
  it('for a refused transition (409)', async () => {
    const t = await s.open('carol');
    expectProblem(await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'not done yet' }), 409, 'conflict');
  });
  it('for a stale If-Match (412)', async () => {
    const t = await s.open('carol');
    expectProblem(await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'if-match': '"99"' }), 412, 'precondition_failed');
  });
  it('for a ticket id that is not a positive integer (400)', async () => {
    expectProblem(await s.call('alice', 'GET', '/v1/tickets/abc'), 400, 'validation');
  });
  it('for a body that is not JSON (400)', async () => {
    expectProblem(await s.call('alice', 'POST', '/v1/tickets', '{"subject":', { 'content-type': 'application/json' }), 400, 'validation');
  });
});

describe('ETag and If-Match', () => {
  it('sends the ticket version as the ETag of GET /v1/tickets/:id', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
    expect(res.headers.etag).toBe(`"${t.version}"`);
  });
  it('sends a new ETag after a change', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' });
    expect(res.headers.etag).toBe(`"${t.version + 1}"`);
    expect((await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).headers.etag).toBe(`"${t.version + 1}"`);
  });
  it('applies a write whose If-Match is current', async () => {
    const t = await s.open('carol');
    const etag = (await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).headers.etag as string;
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'if-match': etag })).statusCode).toBe(200);
  });
  it('answers 412 to a write whose If-Match is stale, leaving the ticket unchanged', async () => {
    const t = await s.open('carol');
    const etag = (await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).headers.etag as string;
    await s.call('bob', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' });
    const before = [await s.ticket(t.id), await s.events(t.id)];
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high', reason: 'the CEO is affected here' }, { 'if-match': etag });
    expect(res.statusCode).toBe(412);
    expect(problemOf(res).detail).toMatch(/changed/);
    expect([await s.ticket(t.id), await s.events(t.id)]).toEqual(before);
  });
  it.each([
    ['triage', 'new', { team: 'support' }],
    ['priority', 'new', { priority: 'high', reason: 'the CEO is affected here' }],
    ['assign', 'new', { assignee: 'me' }],
    ['status', 'new', { status: 'pending_customer' }],
    ['escalate', 'in_progress', { reason: 'needs a code fix' }],
    ['close', 'new', { resolution: 'answered by phone' }],
    ['reopen', 'closed', { comment: 'not fixed after all' }],
  ] as const)('answers 412 to POST /%s with a stale If-Match, changing nothing', async (route, status, body) => {
    const t = await s.open('carol');
    if (status === 'in_progress') await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, {});
    if (status === 'closed') await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'answered by phone' });
    const read = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
    // another agent's internal note moves the version on
    expect((await s.call('bob', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'looking into it' })).statusCode).toBe(201);
    const before = [await s.ticket(t.id), await s.events(t.id)];
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/${route}`, body, { 'if-match': read.headers.etag as string });
    expect([res.statusCode, problemOf(res).code]).toEqual([412, 'precondition_failed']);
    expect([await s.ticket(t.id), await s.events(t.id)]).toEqual(before);
  });
  it('answers 412 to a stale PATCH too', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' });
    const res = await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { subject: 'new' }, { 'if-match': `"${t.version}"` });
    expect(res.statusCode).toBe(412);
    expect((await s.ticket(t.id)).subject).toBe(t.subject);
  });
  it('a requester’s 412 describes only what the requester may see, an agent’s names the internal change', async () => {
    const t = await s.open('carol');
    const reason = 'confirmed with the account manager by phone';
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'low', reason })).statusCode).toBe(200);
    const mine = await s.call('carol', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'works again' }, { 'if-match': `"${t.version}"` });
    expect(mine.statusCode).toBe(412);
    expect(problemOf(mine).detail).toMatch(/created .* by carol/);
    expect(problemOf(mine).detail).not.toMatch(/priority|alice|account manager|low/);
    const staff = await s.call('bob', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'works again' }, { 'if-match': `"${t.version}"` });
    expect(problemOf(staff).detail).toMatch(/priority_changed medium → low by alice/);
  });
  it('If-Match: * or no header means any version; a bare or spaced number is a version too', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'if-match': '*' })).statusCode).toBe(200);
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'bob' }, { 'if-match': ` ${t.version + 1} ` })).statusCode).toBe(200);
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'if-match': `${t.version}` })).statusCode).toBe(412);
  });
  it.each(['"abc"', 'W/', '"7" "8"', '7a', '-1', ''])('refuses If-Match %j as a validation error, changing nothing', async (value) => {
    const t = await s.open('carol');
    const p = expectProblem(await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'if-match': value }), 400, 'validation');
    expect(p.detail).toBe('If-Match must be an ETag from a previous response, such as "7"');
    expect((await s.ticket(t.id)).assignee).toBeNull();
  });
  it('a 412 names the version asked for and the version now', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' });
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'bob' }, { 'if-match': `"${t.version}"` });
    expect(problemOf(res).detail).toMatch(new RegExp(`^ticket ${t.id} changed since you read it \\(version ${t.version}, now ${t.version + 1}: assigned - → alice by alice`));
  });
  it('a ticket read again once its resolution is overdue says so, under the same ETag: nothing changed but the time', async () => {
    const t = await s.open('carol');
    const before = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
    expect([before.headers.etag, before.json().sla_breached]).toEqual([`"${t.version}"`, false]);
    s.clock.advance(Date.parse(t.resolution_due_at) - s.clock.now().getTime() + 60_000);
    for (let read = 0; read < 2; read++) {
      const after = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
      expect([after.statusCode, after.headers.etag, after.json().sla_breached]).toEqual([200, `"${t.version}"`, true]);
      expect({ ...after.json(), sla_breached: false }).toEqual(before.json());
    }
  });
  it('accepts a weak ETag in If-Match', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'if-match': `W/"${t.version}"` })).statusCode).toBe(200);
  });
});

describe('what the published document declares of these answers', () => {
  type Answer = { $ref?: string; description?: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> };
  it('a ticket write answers the ticket as JSON with ETag and Tix-Changed, a ticket read with ETag, each described', async () => {
    const res = await s.call(null, 'GET', '/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, Record<string, { responses: Record<string, Answer> }>>; components: { responses: Record<string, Answer> } };
    const answer = (method: string, path: string, status: string) => {
      const a = doc.paths[path]![method]!.responses[status]!;
      return a.$ref ? doc.components.responses[a.$ref.split('/').pop()!]! : a;
    };
    const writes = [['post', '/v1/tickets', '201'], ['patch', '/v1/tickets/{id}', '200'], ...['triage', 'priority', 'assign', 'status', 'escalate', 'close', 'reopen'].map((op) => ['post', `/v1/tickets/{id}/${op}`, '200'])];
    for (const [method, path, status] of [...writes, ['get', '/v1/tickets/{id}', '200']] as Array<[string, string, string]>) {
      const a = answer(method, path, status);
      expect(a.description, `${method} ${path}`).toBeTruthy();
      expect(Object.keys(a.content ?? {}), `${method} ${path}`).toEqual(['application/json']);
      expect(a.content!['application/json']!.schema, `${method} ${path}`).toEqual({ $ref: '#/components/schemas/Ticket' });
      const headers = Object.keys(a.headers ?? {});
      expect(headers, `${method} ${path}`).toContain('ETag');
      expect(headers.includes('Tix-Changed'), `${method} ${path}`).toBe(method !== 'get');
    }
    expect([answer('patch', '/v1/tickets/{id}', '200').description, answer('post', '/v1/tickets', '201').description]).toEqual(['The ticket as it now is', 'The new ticket']);
  });
});

describe('Idempotency-Key', () => {
  const body = { subject: 'Invoices missing', description: 'No invoice since October.' };
  const countTickets = async () => ((await s.call('alice', 'GET', '/v1/tickets?q=state:all&limit=1000')).json() as { items: unknown[] }).items.length;

  it('answers a retry with the same key and body with the first response, marked replayed', async () => {
    const first = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'k-1' });
    const retry = await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect([retry.statusCode, retry.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(retry.json()).toEqual(first.json());
  });
  it('opens the ticket once however often it is retried', async () => {
    for (let i = 0; i < 3; i++) await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'k-2' });
    expect(await countTickets()).toBe(1);
  });
  it('applies a ticket change once: one event, one version bump', async () => {
    const t = await s.open('carol');
    const change = { priority: 'high', reason: 'payroll run is tomorrow' };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, change, { 'idempotency-key': 'k-3' }));
    // a repeated change to the same priority would be a no-op anyway: the retries must be replays of the first answer
    expect(answers.map((a) => [a.statusCode, a.headers['idempotent-replayed'], a.headers['tix-changed']])).toEqual([
      [200, undefined, 'true'],
      [200, 'true', 'true'],
      [200, 'true', 'true'],
    ]);
    expect((await s.events(t.id)).filter((e) => e.kind === 'priority_changed')).toHaveLength(1);
    expect((await s.ticket(t.id)).version).toBe(t.version + 1);
  });
  it('adds a comment once', async () => {
    const t = await s.open('carol');
    for (let i = 0; i < 2; i++) await s.call('alice', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'on it' }, { 'idempotency-key': 'k-4' });
    expect(await s.comments(t.id)).toHaveLength(1);
    expect(await s.events(t.id)).toHaveLength(2);
  });
  it('replays a refusal as it was first answered', async () => {
    const t = await s.open('carol');
    const first = await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'not done yet' }, { 'idempotency-key': 'k-5' });
    expect(first.statusCode).toBe(409);
    // now the same request would succeed if it were run again: a retry must replay the refusal instead
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'answered by phone' })).statusCode).toBe(200);
    const retry = await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'not done yet' }, { 'idempotency-key': 'k-5' });
    expect([retry.statusCode, retry.headers['idempotent-replayed'], retry.body]).toEqual([409, 'true', first.body]);
    expect((await s.ticket(t.id)).status).toBe('closed');
  });
  it('answers 422 to the same key with another body, and changes nothing', async () => {
    await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'k-6' });
    const res = await s.call('carol', 'POST', '/v1/tickets', { ...body, subject: 'Something else' }, { 'idempotency-key': 'k-6' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res)).toMatchObject({ status: 422, code: 'validation', detail: 'this Idempotency-Key was used with a different request; use a new key' });
    expect(await countTickets()).toBe(1);
  });
  it('answers 409 with Retry-After: 1 to a copy sent while the first is still running; the retry then replays the first answer', async () => {
    const t = await s.open('carol');
    const assign = () => s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'idempotency-key': 'k-twice' });
    // another writer's batch holds the ticket, so the first copy cannot finish before the second arrives
    let release!: () => void;
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    const held = s.store.batch(() => new Promise<void>((r) => ((release = r), holding())), { tickets: [t.id] });
    await holds;
    const copies = [assign(), assign()];
    let settled = 0;
    for (const c of copies) void c.then(() => settled++);
    // SQLite: both copies wait for the batch, reached in turns of the event loop, not time; with row locks the second is answered meanwhile
    const inProcess = s.store instanceof SqliteStore;
    for (let turn = 0, deadline = Date.now() + 10_000; settled === 0 && (inProcess ? turn < 200 : Date.now() < deadline); turn++) await new Promise((r) => setImmediate(r));
    release();
    await held;
    const [first, busy] = (await Promise.all(copies)).sort((a, b) => a.statusCode - b.statusCode);
    expect(first!.statusCode, first!.body).toBe(200);
    expect([busy!.statusCode, busy!.headers['retry-after'], busy!.headers['idempotent-replayed']]).toEqual([409, '1', undefined]);
    expect(busy!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(busy!)).toMatchObject({ status: 409, code: 'conflict', detail: 'a request with this Idempotency-Key is still in progress; retry shortly' });
    const retry = await assign();
    expect([retry.statusCode, retry.headers['idempotent-replayed'], retry.body]).toEqual([200, 'true', first!.body]);
    expect((await s.events(t.id)).filter((e) => e.kind === 'assigned')).toHaveLength(1);
  });
  it('answers 422 to the same key on another ticket, and changes nothing', async () => {
    const a = await s.open('carol');
    const b = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${a.id}/assign`, { assignee: 'me' }, { 'idempotency-key': 'k-7' });
    expect((await s.call('alice', 'POST', `/v1/tickets/${b.id}/assign`, { assignee: 'me' }, { 'idempotency-key': 'k-7' })).statusCode).toBe(422);
    expect(await s.ticket(b.id)).toEqual(b);
  });
  it('takes a key of 1 to 200 characters, and refuses an empty one or a longer one before anything is done', async () => {
    for (const key of ['k', 'k'.repeat(200)]) expect((await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': key })).statusCode).toBe(201);
    for (const key of ['', 'k'.repeat(201)]) {
      const p = expectProblem(await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': key }), 400, 'validation');
      expect(p.detail).toBe('Idempotency-Key must be 1 to 200 characters');
    }
    expect(await countTickets()).toBe(2);
  });
  it('a replay repeats the first answer’s ETag, Tix-Changed and content type, byte for byte', async () => {
    const t = await s.open('carol');
    const first = await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'idempotency-key': 'k-8' });
    const retry = await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' }, { 'idempotency-key': 'k-8' });
    expect(first.headers.etag).toBe(`"${t.version + 1}"`);
    for (const name of ['etag', 'tix-changed', 'content-type']) expect([name, retry.headers[name]]).toEqual([name, first.headers[name]]);
    expect([retry.statusCode, retry.headers['idempotent-replayed'], retry.body]).toEqual([200, 'true', first.body]);
    // only headers the first answer had: none is made up for the replay
    expect([first.headers.location, retry.headers.location]).toEqual([undefined, undefined]);
    // the refusal's own type is kept too: problem+json, not JSON
    const refused = await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'x' }, { 'idempotency-key': 'k-9' });
    const again = await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'x' }, { 'idempotency-key': 'k-9' });
    expect([again.headers['content-type'], again.headers['idempotent-replayed']]).toEqual([refused.headers['content-type'], 'true']);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
  it('a key on a read is ignored: GETs are never replayed', async () => {
    const t = await s.open('carol');
    const before = await s.call('alice', 'GET', `/v1/tickets/${t.id}`, undefined, { 'idempotency-key': 'k-read' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' });
    const after = await s.call('alice', 'GET', `/v1/tickets/${t.id}`, undefined, { 'idempotency-key': 'k-read' });
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect([before.json().assignee, after.json().assignee]).toEqual([null, 'alice']);
  });
  it('a new token is never replayed: the same key issues a second token, and no token is kept for replay', async () => {
    const zed = s.users.get('zed')!;
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push(await s.call('root', 'POST', `/v1/users/${zed.id}/tokens`, { name: 'ci' }, { 'idempotency-key': 'k-token' }));
    expect(answers.map((a) => [a.statusCode, a.headers['idempotent-replayed']])).toEqual([
      [201, undefined],
      [201, undefined],
    ]);
    const [a, b] = answers.map((r) => (r.json() as { token: string }).token);
    expect(a).not.toBe(b);
  });
  it('keeps keys of different tokens apart', async () => {
    await s.call('carol', 'POST', '/v1/tickets', body, { 'idempotency-key': 'shared' });
    const res = await s.call('dave', 'POST', '/v1/tickets', body, { 'idempotency-key': 'shared' });
    expect([res.statusCode, res.headers['idempotent-replayed']]).toEqual([201, undefined]);
    expect((res.json() as Ticket).requester).toBe('dave');
  });
});

describe('tokens are stored hashed', () => {
  // made when the tests run, not when the file is read: a run that skips them leaves nothing behind
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tix-tokens-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('never writes an issued token in plain text to the database', async () => {
    const dbPath = join(dir, 'tix.db');
    // on PostgreSQL the tables are the database's own; on SQLite a file whose bytes are read too
    const srv: TestServer = process.env.TIX_TEST_DATABASE_URL ? await startServer() : await startServer({ dbPath });
    let issued: string[] = [];
    try {
      const frank = (await srv.call('root', 'POST', '/v1/users', { login: 'frank', name: 'Frank', role: 'agent' })).json() as { id: number };
      const plain = await srv.call('root', 'POST', `/v1/users/${frank.id}/tokens`, { name: 'laptop' });
      const keyed = await srv.call('root', 'POST', `/v1/users/${frank.id}/tokens`, { name: 'ci' }, { 'idempotency-key': 'issue-ci-token' });
      issued = [plain, keyed].map((r) => {
        expect(r.statusCode).toBe(201);
        return (r.json() as { token: string }).token;
      });
      for (const token of issued) {
        expect((await srv.call(null, 'GET', '/v1/me', undefined, { authorization: `Bearer ${token}` })).json()).toMatchObject({ login: 'frank' });
      }
      const tablesSql = srv.store instanceof SqliteStore ? `SELECT name FROM sqlite_master WHERE type = 'table'` : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`;
      const tables = (await rowsOf(srv.store, tablesSql)) as { name: string }[];
      expect(tables.map((t) => t.name)).toContain('idempotency');
      const everything = JSON.stringify(await Promise.all(tables.map(({ name }) => rowsOf(srv.store, `SELECT * FROM "${name}"`))));
      for (const token of issued) {
        expect(everything).not.toContain(token);
        expect(everything).toContain(hashToken(token));
      }
    } finally {
      await srv.close();
    }
    const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter((f) => existsSync(f));
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const token of issued) expect(bytes.includes(Buffer.from(token)), `${f} holds a token`).toBe(false);
    }
  });
});
