// Ids mean what they say: JSON integers in bodies, canonical decimals in paths and ?limit=; unknown fields are refused on every write.
import { describe, expect, it } from 'vitest';
import { problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

/** Strings that some parser would read as a number, and that are not a canonical decimal. */
const NOT_DECIMAL = ['0x10', '01', '+1', '1.0', '1e3', '%201', '1%20', '-1', '0', '１', '9007199254740993'];

describe('path ids and ?limit= are canonical decimals', () => {
  it.each(NOT_DECIMAL)('GET /v1/tickets/%s is 400, never another ticket', async (id) => {
    for (let i = 0; i < 3; i++) await s.open('carol');
    const res = await s.call('alice', 'GET', `/v1/tickets/${id}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(problemOf(res).code).toBe('validation');
  });

  it('the largest safe integer is an id like any other; sixteen digits past it are 400', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).json()).toMatchObject({ id: t.id });
    expect((await s.call('alice', 'GET', `/v1/tickets/${Number.MAX_SAFE_INTEGER}`)).statusCode).toBe(404);
    for (const id of ['9007199254740992', '9999999999999999']) {
      const res = await s.call('alice', 'GET', `/v1/tickets/${id}`);
      expect(res.statusCode, id).toBe(400);
      expect(problemOf(res).detail).toContain('params/id');
    }
  });

  it.each(NOT_DECIMAL)('a write to /v1/tickets/%s/close is 400 and closes nothing', async (id) => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${id}/close`, { resolution: 'fixed' });
    expect(res.statusCode, res.body).toBe(400);
    expect((await s.ticket(t.id)).status).toBe('new');
  });

  it.each(['0x10', '01', '+5', '5.0', '1e1', '0', '1001', ''])('GET /v1/tickets?limit=%s is 400', async (limit) => {
    const res = await s.call('alice', 'GET', `/v1/tickets?limit=${limit}`);
    expect(res.statusCode, res.body).toBe(400);
  });

  it('a repeated ?limit= is 400, and a canonical one is taken', async () => {
    expect((await s.call('alice', 'GET', '/v1/tickets?limit=5&limit=6')).statusCode).toBe(400);
    expect((await s.call('alice', 'GET', '/v1/escalations?limit=0x10')).statusCode).toBe(400);
    expect((await s.call('alice', 'GET', '/v1/tickets?limit=1000')).statusCode).toBe(200);
  });

  it.each(['CP-01', 'CP-0x1', 'CP-1.0', 'CP-9007199254740993', 'cp-1'])('GET /v1/escalations/%s is 400', async (id) => {
    const res = await s.call('alice', 'GET', `/v1/escalations/${id}`);
    expect(res.statusCode, res.body).toBe(400);
  });

  it('attachment, user and token ids are canonical decimals too', async () => {
    expect((await s.call('alice', 'GET', '/v1/attachments/0x1')).statusCode).toBe(400);
    expect((await s.call('root', 'POST', `/v1/users/0${s.users.get('bob')!.id}/tokens`, { name: 'x' })).statusCode).toBe(400);
    expect((await s.call('root', 'DELETE', '/v1/tokens/1e0')).statusCode).toBe(400);
    expect((await s.call('alice', 'GET', '/v1/me')).statusCode).toBe(200);
  });
});

/** Values that are not a JSON integer, though a lax parser would find a ticket id in them. */
const NOT_INTEGER: unknown[] = [true, '0x2a', ' 42 ', [42], '3', '1', 1.5, null, {}];

describe('body ids are JSON integers', () => {
  it.each(NOT_INTEGER.map((v) => [JSON.stringify(v), v]))('a batch operation with "id": %s is 400 and touches no ticket', async (_label, id) => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', '/v1/batch', { operations: [{ op: 'comment', id, body: { body: 'hello' } }] });
    expect(res.statusCode, res.body).toBe(400);
    expect(await s.comments(t.id)).toHaveLength(0);
  });

  it.each(NOT_INTEGER.filter((v) => v !== null).map((v) => [JSON.stringify(v), v]))('root_cause: %s is 400 and sets nothing', async (_label, v) => {
    // tickets 1 and 2 exist, so a coerced id would name a real one
    await s.open('carol');
    await s.open('carol');
    const a = await s.open('carol');
    const res = await s.call('alice', 'PATCH', `/v1/tickets/${a.id}`, { root_cause: v });
    expect(res.statusCode, res.body).toBe(400);
    expect((await s.ticket(a.id)).root_cause).toBeNull();
  });

  it.each(NOT_INTEGER.filter((v) => v !== null).map((v) => [JSON.stringify(v), v]))('blocked_by: %s is 400', async (_label, v) => {
    await s.open('carol');
    await s.open('carol');
    const a = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${a.id}/status`, { status: 'blocked', blocked_by: v });
    expect(res.statusCode, res.body).toBe(400);
    expect((await s.ticket(a.id)).status).toBe('new');
  });

  it('a JSON integer is taken', async () => {
    const a = await s.open('carol');
    const b = await s.open('carol');
    const res = await s.call('alice', 'PATCH', `/v1/tickets/${a.id}`, { root_cause: b.id });
    expect(res.statusCode, res.body).toBe(200);
    expect((await s.ticket(a.id)).root_cause).toBe(b.id);
  });
});

describe('unknown fields are 400 on every write', () => {
  it.each([
    ['status', 'closed'],
    ['id', 99],
    ['version', 7],
    ['sla_breached', true],
  ])('ticket creation with %s is 400 and opens nothing', async (field, value) => {
    const res = await s.call('carol', 'POST', '/v1/tickets', { subject: 'VPN drops', description: 'Every hour.', [field]: value });
    expect(res.statusCode, res.body).toBe(400);
    expect(problemOf(res).detail).toContain(field);
    const list = (await s.call('alice', 'GET', '/v1/tickets?q=state:all')).json() as { items: unknown[] };
    expect(list.items).toHaveLength(0);
  });

  it('ticket creation with a deeply nested unknown field is 400', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await s.call('carol', 'POST', '/v1/tickets', `{"subject":"VPN drops","description":"Every hour.","x":${deep}}`, { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(400);
  });

  it('a batch operation with an unknown key is 400 and applies nothing', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', '/v1/batch', {
      operations: [{ op: 'close', id: t.id, body: { resolution: 'fixed' } }, { op: 'close', id: t.id, body: { resolution: 'fixed' }, force: true }],
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(problemOf(res).detail).toContain('force');
    expect((await s.ticket(t.id)).status).toBe('new');
  });

  it.each([
    ['PATCH', '', { subject: 'x', owner: 'me' }],
    ['POST', '/triage', { team: 'support', extra: 1 }],
    ['POST', '/priority', { priority: 'high', reason: 'many users are affected', by: 'x' }],
    ['POST', '/assign', { assignee: 'me', x: 1 }],
    ['POST', '/status', { status: 'pending_customer', x: 1 }],
    ['POST', '/escalate', { reason: 'needs a patch', x: 1 }],
    ['POST', '/close', { resolution: 'fixed', x: 1 }],
    ['POST', '/comments', { body: 'hello', x: 1 }],
  ] as const)('%s /v1/tickets/:id%s with an unknown field is 400', async (method, path, body) => {
    const t = await s.open('carol');
    const res = await s.call('alice', method, `/v1/tickets/${t.id}${path}`, body);
    expect(res.statusCode, res.body).toBe(400);
  });
});
