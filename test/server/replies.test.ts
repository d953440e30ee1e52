// A requester's reply to a done ticket brings it back; root causes must exist.
import { describe, expect, it } from 'vitest';
import { DAY, serverPerTest } from './helpers.js';

const s = serverPerTest();

describe('a requester replying', () => {
  it('to a solution_provided ticket brings it back to in_progress and stops its auto-close', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });
    s.clock.advance(6 * DAY);
    const reply = await s.call('carol', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'still broken on my side' });
    expect(reply.statusCode).toBe(201);
    const after = (await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).json();
    expect(after.status).toBe('in_progress');
    const events = (await s.call('alice', 'GET', `/v1/tickets/${t.id}/events`)).json().items as { kind: string; from: string }[];
    expect(events.at(-1)).toMatchObject({ kind: 'reopened', from: 'solution_provided' });
    s.clock.advance(2 * DAY);
    expect(await s.app.tix.service.sweepAutoClose()).toEqual([]);
  });
});

describe('root cause', () => {
  it('must name an existing ticket other than itself', async () => {
    const incident = await s.open('carol');
    const problem = await s.open('carol');
    expect((await s.call('alice', 'PATCH', `/v1/tickets/${incident.id}`, { root_cause: 99999 })).statusCode).toBe(400);
    expect((await s.call('alice', 'PATCH', `/v1/tickets/${incident.id}`, { root_cause: incident.id })).statusCode).toBe(400);
    const ok = await s.call('alice', 'PATCH', `/v1/tickets/${incident.id}`, { root_cause: problem.id });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().root_cause).toBe(problem.id);
  });
});

describe('agent text stays internal', () => {
  it('a move note and a reopen reason are internal comments; the requester sees the moves without them', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'pending_customer', note: 'INTERNAL: customer is stalling' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'resolved' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'INTERNAL: they lied about the version' });
    const seen = JSON.stringify([
      (await s.call('carol', 'GET', `/v1/tickets/${t.id}/events`)).json(),
      (await s.call('carol', 'GET', `/v1/tickets/${t.id}/comments`)).json(),
    ]);
    expect(seen).not.toContain('INTERNAL');
    expect(seen).toContain('pending_customer');
    expect(seen).toContain('reopened');
    const staff = JSON.stringify((await s.call('alice', 'GET', `/v1/tickets/${t.id}/comments`)).json());
    expect(staff).toContain('INTERNAL: customer is stalling');
    expect(staff).toContain('INTERNAL: they lied about the version');
  });
});

describe('the auto-close clock', () => {
  it('starts when the solution is given, even for a ticket that was done long before', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'resolved' });
    s.clock.advance(30 * DAY);
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });
    expect(await s.app.tix.service.sweepAutoClose()).toEqual([]);
    s.clock.advance(7 * DAY);
    expect(await s.app.tix.service.sweepAutoClose()).toEqual([t.id]);
  });

  it('a sweep told to stop closes nothing more, and the next one closes what is due', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });
    s.clock.advance(8 * DAY);
    expect(await s.app.tix.service.sweepAutoClose(AbortSignal.abort())).toEqual([]);
    expect((await s.ticket(t.id)).status).toBe('solution_provided');
    expect(await s.app.tix.service.sweepAutoClose(new AbortController().signal)).toEqual([t.id]);
  });
});
