// Status transitions through the API: the 409 refusals, close as a no-op, triage and reopen.
import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/schemas.js';
import { problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

const RESOLUTION = { resolution: 'cleared the stale VPN profile' };

async function closedTicket(): Promise<Ticket> {
  const t = await s.open('carol');
  const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, RESOLUTION);
  expect(res.statusCode).toBe(200);
  return res.json() as Ticket;
}

describe('a closed ticket', () => {
  it.each([
    ['status in_progress', 'status', { status: 'in_progress' }],
    ['status solution_provided', 'status', { status: 'solution_provided' }],
    ['status blocked', 'status', { status: 'blocked', blocked_by: 1 }],
    ['triage', 'triage', { team: 'support' }],
    ['priority', 'priority', { priority: 'high', reason: 'the customer escalated by phone' }],
    ['assign', 'assign', { assignee: 'alice' }],
    ['escalate', 'escalate', { reason: 'needs an engineer' }],
  ])('refuses %s with 409 and stays closed', async (_what, path, body) => {
    const other = await s.open('carol');
    const t = await closedTicket();
    const before = await s.events(t.id);
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/${path}`, path === 'status' && 'blocked_by' in body ? { ...body, blocked_by: other.id } : body);
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'conflict']);
    expect(await s.ticket(t.id)).toEqual(t);
    expect(await s.events(t.id)).toEqual(before);
  });
  it('reopens to in_progress with reopen', async () => {
    const t = await closedTicket();
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'the drop came back this morning' });
    expect([res.statusCode, res.json().status]).toEqual([200, 'in_progress']);
    expect((await s.events(t.id)).at(-1)).toMatchObject({ kind: 'reopened', from: 'closed', to: 'in_progress', actor: 'alice' });
  });
  it('succeeds when closed again, changing nothing and recording no event', async () => {
    const t = await closedTicket();
    const before = await s.events(t.id);
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, RESOLUTION);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(t);
    expect(res.headers['tix-changed']).toBe('false');
    expect(await s.events(t.id)).toEqual(before);
  });
  it('succeeds when a script closes it again with another resolution', async () => {
    const t = await closedTicket();
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'a different text' });
    expect([res.statusCode, res.json().version]).toEqual([200, t.version]);
  });
});

describe('blocked', () => {
  it('is refused with 409 without blocked_by', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'blocked' });
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'conflict']);
    expect((await s.ticket(t.id)).status).toBe('new');
  });
  it('names the blocking ticket when allowed', async () => {
    const first = await s.open('carol');
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'blocked', blocked_by: first.id });
    expect(res.json()).toMatchObject({ status: 'blocked', blocked_by: first.id });
  });
  it('clears blocked_by when the ticket moves on', async () => {
    const first = await s.open('carol');
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'blocked', blocked_by: first.id });
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'in_progress' });
    expect(res.json()).toMatchObject({ status: 'in_progress', blocked_by: null });
  });
  it('refuses a blocking ticket that does not exist with 400, changing nothing', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'blocked', blocked_by: 987_654 });
    expect([res.statusCode, problemOf(res).code, problemOf(res).detail]).toEqual([400, 'validation', expect.stringMatching(/987654 not found/)]);
    expect(await s.ticket(t.id)).toMatchObject({ status: 'new', blocked_by: null, version: t.version });
  });
  it('refuses a ticket blocking itself with 400', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'blocked', blocked_by: t.id })).statusCode).toBe(400);
  });
});

describe('escalate', () => {
  it('is refused with 409 while an escalation is running', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'database corruption' })).statusCode).toBe(200);
    const before = await s.events(t.id);
    const res = await s.call('bob', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'again, louder' });
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'conflict']);
    expect(problemOf(res).detail).toContain('CP-1');
    expect(await s.events(t.id)).toEqual(before);
  });
  it('keeps the ticket escalated: a status change away from it is refused with 409 while the escalation runs', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'database corruption' });
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'in_progress' });
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'conflict']);
    expect((await s.ticket(t.id)).status).toBe('escalated');
  });
  it('is refused with 409 when a status change tries to reach escalated', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'escalated' })).statusCode).toBe(409);
  });
});

describe('other status changes', () => {
  it('refuses going back to new with 409', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, {});
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'new' })).statusCode).toBe(409);
  });
  it('refuses closing through a status change with 409', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'closed' })).statusCode).toBe(409);
  });
  it('records a status_changed event, and the note as an internal comment', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'pending_customer', note: 'asked for the VPN logs' });
    expect((await s.events(t.id)).at(-1)).toMatchObject({ kind: 'status_changed', from: 'new', to: 'pending_customer', actor: 'alice', internal: false });
    expect((await s.comments(t.id)).at(-1)).toMatchObject({ author: 'alice', public: false, body: 'new → pending_customer: asked for the VPN logs' });
  });
  it('allows a done ticket other than closed to go back to work', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'in_progress' })).json().status).toBe('in_progress');
  });
});

describe('triage', () => {
  it('takes a new ticket to in_progress and sets team, type, level and assignee', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'engineering', type: 'incident', level: 3, assignee: 'bob' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', team: 'engineering', type: 'incident', level: 3, assignee: 'bob' });
  });
  it('assigns the triaging agent with assignee me', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { assignee: 'me' })).json().assignee).toBe('alice');
  });
  it('records a triaged event from new to in_progress', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'support' });
    expect((await s.events(t.id)).map((e) => [e.kind, e.from, e.to])).toContainEqual(['triaged', 'new', 'in_progress']);
  });
  it.each(['in_progress', 'pending_customer', 'solution_provided'])('is refused with 409 for a %s ticket', async (status) => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status });
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'support' });
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'conflict']);
    expect((await s.ticket(t.id)).team).toBeNull();
  });
  it('refuses an assignee who is a requester with 400', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { assignee: 'dave' })).statusCode).toBe(400);
  });
  it('refuses an unknown assignee with 400', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { assignee: 'nobody' })).statusCode).toBe(400);
  });
});

describe('reopen', () => {
  it.each(['solution_provided', 'resolved', 'expired'])('brings a %s ticket back to in_progress', async (status) => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status });
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'not fixed after all' })).json().status).toBe('in_progress');
  });
  it('is refused with 409 for an open ticket', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'nothing to reopen' })).statusCode).toBe(409);
  });
});

describe('the support desk vocabulary', () => {
  it('links an incident to the problem that is its root cause', async () => {
    const problem = await s.open('carol', { type: 'problem', subject: 'Gateway leaks memory' });
    const incident = await s.open('carol', { subject: 'Checkout down at 03:00' });
    const res = await s.call('alice', 'PATCH', `/v1/tickets/${incident.id}`, { type: 'incident', root_cause: problem.id });
    expect(res.json()).toMatchObject({ type: 'incident', root_cause: problem.id });
  });
  it.each([
    ['a team', { team: 'sales' }],
    ['a type', { type: 'bug' }],
    ['a support level', { level: 4 }],
  ])('refuses %s outside the vocabulary with 400', async (_what, body) => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, body)).statusCode).toBe(400);
    expect((await s.ticket(t.id)).status).toBe('new');
  });
  it('refuses a channel outside the vocabulary with 400', async () => {
    expect((await s.call('alice', 'POST', '/v1/tickets', { subject: 's', description: 'd', channel: 'fax' })).statusCode).toBe(400);
  });
});
