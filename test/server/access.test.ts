// Users and visibility: 401 without a token, 404 (not 403) across organizations, 403 for requesters' staff actions.
import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/schemas.js';
import { problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

const listIds = async (as: string) => ((await s.call(as, 'GET', '/v1/tickets?q=state:all&limit=1000')).json() as { items: Ticket[] }).items.map((t) => t.id).sort();

describe('authentication', () => {
  it('answers 401 without a token', async () => {
    const res = await s.call(null, 'GET', '/v1/tickets');
    expect([res.statusCode, problemOf(res).code]).toEqual([401, 'unauthenticated']);
  });
  it('answers 401 with an unknown token', async () => {
    const res = await s.call(null, 'GET', '/v1/me', undefined, { authorization: 'Bearer tix_not_a_real_token' });
    expect([res.statusCode, problemOf(res).code]).toEqual([401, 'unauthenticated']);
  });
  it('answers 401 for a malformed Authorization header', async () => {
    expect((await s.call(null, 'GET', '/v1/me', undefined, { authorization: `Token ${s.tokens.get('alice')}` })).statusCode).toBe(401);
  });
  it('answers 401 for a write without a token, and changes nothing', async () => {
    expect((await s.call(null, 'POST', '/v1/tickets', { subject: 'x', description: 'y' })).statusCode).toBe(401);
    expect(await listIds('alice')).toEqual([]);
  });
  it('answers 401 once a token is revoked', async () => {
    const me = (await s.call('bob', 'GET', '/v1/me')).json() as { token_id: number };
    expect((await s.call('root', 'DELETE', `/v1/tokens/${me.token_id}`)).statusCode).toBe(204);
    expect((await s.call('bob', 'GET', '/v1/me')).statusCode).toBe(401);
  });
  it('tells who the token belongs to', async () => {
    expect((await s.call('carol', 'GET', '/v1/me')).json()).toMatchObject({ login: 'carol', role: 'requester', org: 'acme' });
  });
  it('serves health without a token', async () => {
    expect((await s.call(null, 'GET', '/v1/health')).json()).toMatchObject({ status: 'ok' });
  });
});

describe('a requester of another organization', () => {
  it.each([
    ['GET', ''],
    ['GET', '/comments'],
    ['GET', '/events'],
    ['POST', '/comments', { body: 'hello?' }],
    ['POST', '/close', { resolution: 'not mine' }],
    ['PATCH', '', { subject: 'mine now' }],
    ['POST', '/triage', { team: 'support' }],
    ['POST', '/escalate', { reason: 'curious' }],
  ] as const)('gets 404, not 403, for %s /v1/tickets/:id%s', async (method, suffix, body?: object) => {
    const t = await s.open('carol');
    const res = await s.call('zed', method, `/v1/tickets/${t.id}${suffix}`, body);
    expect([res.statusCode, problemOf(res).code]).toEqual([404, 'not_found']);
    expect((await s.ticket(t.id)).version).toBe(t.version);
  });
  it('gets the same answer as for a ticket that does not exist', async () => {
    const t = await s.open('carol');
    const hidden = problemOf(await s.call('zed', 'GET', `/v1/tickets/${t.id}`));
    const missing = problemOf(await s.call('zed', 'GET', `/v1/tickets/${t.id + 1000}`));
    expect(hidden.detail.replace(String(t.id), 'N')).toBe(missing.detail.replace(String(t.id + 1000), 'N'));
  });
  it('does not see the ticket in lists', async () => {
    await s.open('carol');
    expect(await listIds('zed')).toEqual([]);
  });
});

describe('a requester of the same organization', () => {
  it('gets 404 for a colleague’s ticket without org_admin', async () => {
    const t = await s.open('carol');
    expect((await s.call('dave', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(404);
  });
  it('sees every ticket of the organization as org_admin', async () => {
    const mine = await s.open('carol');
    const colleague = await s.open('dave');
    const own = await s.open('erin');
    await s.open('zed');
    expect(await listIds('erin')).toEqual([mine.id, colleague.id, own.id].sort());
  });
  it('reads a colleague’s ticket as org_admin', async () => {
    const t = await s.open('carol');
    expect((await s.call('erin', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(200);
  });
  it('lists only their own tickets without org_admin', async () => {
    const mine = await s.open('carol');
    await s.open('dave');
    expect(await listIds('carol')).toEqual([mine.id]);
  });
  it('lets agents list every ticket', async () => {
    const a = await s.open('carol');
    const b = await s.open('zed');
    expect(await listIds('alice')).toEqual([a.id, b.id].sort());
  });
});

describe('what a requester may do on their own ticket', () => {
  it.each([
    ['triage', 'POST', '/triage', { team: 'support' }],
    ['reprioritize', 'POST', '/priority', { priority: 'critical', reason: 'I really need this today' }],
    ['assign', 'POST', '/assign', { assignee: 'alice' }],
    ['change the status', 'POST', '/status', { status: 'pending_engineering' }],
    ['escalate', 'POST', '/escalate', { reason: 'please hurry' }],
    ['edit', 'PATCH', '', { subject: 'new subject' }],
  ] as const)('cannot %s (403)', async (_what, method, suffix, body) => {
    const t = await s.open('carol');
    const res = await s.call('carol', method, `/v1/tickets/${t.id}${suffix}`, body);
    expect([res.statusCode, problemOf(res).code]).toEqual([403, 'forbidden']);
    expect(await s.ticket(t.id)).toEqual(t);
  });
  it('cannot reopen it, but may comment to bring it back (403)', async () => {
    const t = await s.open('carol');
    await s.call('carol', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'works now' });
    expect((await s.call('carol', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'broken again' })).statusCode).toBe(403);
  });
  it('may close it', async () => {
    const t = await s.open('carol');
    const res = await s.call('carol', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'works now, thanks' });
    expect([res.statusCode, res.json().status]).toEqual([200, 'closed']);
  });
});

describe('closing', () => {
  it('refuses an org admin closing a colleague’s ticket with 403: requesters close only their own', async () => {
    const t = await s.open('carol');
    expect((await s.call('erin', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'closing for carol' })).statusCode).toBe(403);
    expect((await s.ticket(t.id)).status).toBe('new');
  });
});

describe('who may open tickets', () => {
  it('refuses an agent opening a ticket for an unknown requester with 400', async () => {
    const res = await s.call('alice', 'POST', '/v1/tickets', { subject: 'Hi', description: 'from a stranger', requester: 'mallory' });
    expect([res.statusCode, problemOf(res).code]).toEqual([400, 'validation']);
    expect(problemOf(res).detail).toContain('mallory');
    expect(await listIds('alice')).toEqual([]);
  });
  it('opens a ticket for a known requester on their behalf, in their organization', async () => {
    expect(await s.open('alice', { requester: 'zed' })).toMatchObject({ requester: 'zed', org: 'globex' });
  });
  it('refuses a requester opening a ticket for someone else with 403', async () => {
    expect((await s.call('carol', 'POST', '/v1/tickets', { subject: 'Hi', description: 'for dave', requester: 'dave' })).statusCode).toBe(403);
  });
  it('opens a requester’s own ticket in their name and organization', async () => {
    expect(await s.open('carol')).toMatchObject({ requester: 'carol', org: 'acme', status: 'new' });
  });
});

describe('admin', () => {
  it.each(['alice', 'carol'])('refuses %s listing users with 403', async (who) => {
    expect((await s.call(who, 'GET', '/v1/users')).statusCode).toBe(403);
  });
  it('refuses an agent issuing tokens with 403', async () => {
    expect((await s.call('alice', 'POST', `/v1/users/${s.users.get('alice')!.id}/tokens`, {})).statusCode).toBe(403);
  });
  it('refuses an org admin without an org with 400, creating nobody', async () => {
    const res = await s.call('root', 'POST', '/v1/users', { login: 'gina', name: 'Gina', role: 'requester', org_admin: true });
    expect([res.statusCode, problemOf(res).detail]).toEqual([400, expect.stringMatching(/org admin needs an org/)]);
    const logins = ((await s.call('root', 'GET', '/v1/users')).json() as { items: Array<{ login: string }> }).items.map((u) => u.login);
    expect(logins).not.toContain('gina');
  });
  it('lets an admin create a user who can then be named as a requester', async () => {
    expect((await s.call('root', 'POST', '/v1/users', { login: 'frank', name: 'Frank', role: 'requester', org: 'acme' })).statusCode).toBe(201);
    expect((await s.open('alice', { requester: 'frank' })).org).toBe('acme');
  });
});
