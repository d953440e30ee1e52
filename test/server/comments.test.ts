// Comments and what a requester may see: internal by default, never shown to requesters.
import { describe, expect, it } from 'vitest';
import { serverPerTest } from './helpers.js';

const s = serverPerTest();

const comment = (as: string, id: number, body: Record<string, unknown>) => s.call(as, 'POST', `/v1/tickets/${id}/comments`, body);

describe('an agent comment', () => {
  it('is internal unless public is asked for', async () => {
    const t = await s.open('carol');
    const res = await comment('alice', t.id, { body: 'looks like the MTU again' });
    expect([res.statusCode, res.json().public]).toEqual([201, false]);
  });
  it('is public when asked for', async () => {
    const t = await s.open('carol');
    expect((await comment('alice', t.id, { body: 'We are on it.', public: true })).json().public).toBe(true);
  });
  it('is shown to the requester only when public', async () => {
    const t = await s.open('carol');
    await comment('alice', t.id, { body: 'internal: customer is on an old client' });
    await comment('alice', t.id, { body: 'Please update your client.', public: true });
    expect((await s.comments(t.id, 'carol')).map((c) => c.body)).toEqual(['Please update your client.']);
    expect(await s.comments(t.id, 'alice')).toHaveLength(2);
  });
  it('leaves a closed ticket closed', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'answered by phone' })).statusCode).toBe(200);
    expect((await comment('alice', t.id, { body: 'for the record: called back', public: true })).statusCode).toBe(201);
    expect((await s.comments(t.id, 'carol')).map((c) => c.body)).toEqual(['for the record: called back']);
    expect((await s.ticket(t.id)).status).toBe('closed');
  });
});

describe('a requester comment', () => {
  it('is public, so the agents and the requester both see it', async () => {
    const t = await s.open('carol');
    const res = await comment('carol', t.id, { body: 'It happened again at 10:02.' });
    expect([res.statusCode, res.json().public]).toEqual([201, true]);
    expect((await s.comments(t.id, 'carol')).map((c) => c.body)).toEqual(['It happened again at 10:02.']);
  });
  it('cannot be made internal by the requester', async () => {
    const t = await s.open('carol');
    expect((await comment('carol', t.id, { body: 'secret?', public: false })).json().public).toBe(true);
  });
  it('on a closed ticket reopens it to in_progress', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'profile cleared' });
    await comment('carol', t.id, { body: 'Still broken for me.' });
    expect((await s.ticket(t.id)).status).toBe('in_progress');
    expect((await s.events(t.id)).at(-1)).toMatchObject({ kind: 'reopened', from: 'closed', to: 'in_progress', actor: 'carol' });
  });
  it('on an open ticket leaves its status alone', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'pending_customer' });
    await comment('carol', t.id, { body: 'Here are the logs.' });
    expect((await s.ticket(t.id)).status).toBe('pending_customer');
  });
});

describe('what a requester never sees', () => {
  async function busyTicket() {
    const t = await s.open('carol', { priority: 'critical' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { priority: 'high', justification: 'one site only, workaround exists', assignee: 'bob' });
    await comment('alice', t.id, { body: 'customer is difficult' });
    await comment('alice', t.id, { body: 'We are looking into it.', public: true });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'suspect a kernel bug' });
    await s.call('alice', 'POST', '/v1/escalations/CP-1/advance', { to: 'under_evaluation', note: 'kernel team paged' });
    return t;
  }
  it('no internal event appears in the requester’s events', async () => {
    const t = await busyTicket();
    const all = await s.events(t.id);
    const theirs = await s.events(t.id, 'carol');
    expect(all.some((e) => e.internal)).toBe(true);
    expect(theirs.every((e) => !e.internal)).toBe(true);
    expect(theirs).toEqual(all.filter((e) => !e.internal));
  });
  it('no internal comment appears in the requester’s comments', async () => {
    const t = await busyTicket();
    const theirs = await s.comments(t.id, 'carol');
    expect(theirs.map((c) => c.body)).toEqual(['We are looking into it.']);
  });
  it('no internal text appears anywhere in what the requester can read', async () => {
    const t = await busyTicket();
    const seen = JSON.stringify([await s.ticket(t.id, 'carol'), await s.events(t.id, 'carol'), await s.comments(t.id, 'carol')]);
    for (const secret of ['customer is difficult', 'one site only', 'suspect a kernel bug', 'kernel team paged', 'requalified']) {
      expect(seen).not.toContain(secret);
    }
  });
  it('an org admin does not see internal comments either', async () => {
    const t = await busyTicket();
    expect((await s.comments(t.id, 'erin')).map((c) => c.body)).toEqual(['We are looking into it.']);
    expect((await s.events(t.id, 'erin')).every((e) => !e.internal)).toBe(true);
  });
});
