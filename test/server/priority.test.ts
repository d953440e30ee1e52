// The priority policy (docs/domain.md) through the API: defaults by channel, requalification, justified changes.
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src/domain/schemas.js';
import { HOUR, problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

const REASON = 'checkout fails for every customer in the EU';

describe('default priority', () => {
  it.each(CHANNELS.map((c) => [c, c === 'email' ? 'low' : 'medium'] as const))('gives a ticket arriving by %s the priority %s', async (channel, expected) => {
    expect((await s.open('alice', { channel, requester: 'carol' })).priority).toBe(expected);
  });
  it('gives a requester ticket without a channel medium (portal)', async () => {
    expect(await s.open('carol')).toMatchObject({ channel: 'portal', priority: 'medium' });
  });
  it('gives a requester email ticket low', async () => {
    expect((await s.open('carol', { channel: 'email' })).priority).toBe('low');
  });
});

describe('requester requalification', () => {
  it.each(['critical', 'high', 'urgent'])('gives a requester asking for %s without a justification medium', async (priority) => {
    expect((await s.open('carol', { priority })).priority).toBe('medium');
  });
  it('gives a requester asking for high with a too-short justification medium', async () => {
    expect((await s.open('carol', { priority: 'high', justification: 'pls fix' })).priority).toBe('medium');
  });
  it('gives a requester asking for critical with a justification critical', async () => {
    expect((await s.open('carol', { priority: 'critical', justification: REASON })).priority).toBe('critical');
  });
  it('gives a requester asking for low what they asked', async () => {
    expect((await s.open('carol', { priority: 'low' })).priority).toBe('low');
  });
  it('records the requalification as an internal requalified event from the asked priority to medium', async () => {
    const t = await s.open('carol', { priority: 'critical' });
    const ev = (await s.events(t.id)).find((e) => e.kind === 'requalified');
    expect(ev).toMatchObject({ from: 'critical', to: 'medium', internal: true });
    expect(ev?.note).toMatch(/justification/);
  });
  it('records the requalification as an internal note on the ticket', async () => {
    const t = await s.open('carol', { priority: 'high' });
    const notes = (await s.comments(t.id)).filter((c) => !c.public);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/high.*medium/);
  });
  it('hides the requalification event from the requester', async () => {
    const t = await s.open('carol', { priority: 'critical' });
    expect((await s.events(t.id, 'carol')).map((e) => e.kind)).not.toContain('requalified');
  });
  it('hides the requalification note from the requester', async () => {
    const t = await s.open('carol', { priority: 'critical' });
    expect(await s.comments(t.id, 'carol')).toEqual([]);
  });
  it('records no requalification when the requester justified the priority', async () => {
    const t = await s.open('carol', { priority: 'critical', justification: REASON });
    expect((await s.events(t.id)).map((e) => e.kind)).toEqual(['created']);
  });
});

describe('an agent opening a ticket', () => {
  it('gets the priority asked for', async () => {
    expect((await s.open('alice', { priority: 'critical', requester: 'carol' })).priority).toBe('critical');
  });
  it('may say urgent for critical', async () => {
    expect((await s.open('alice', { priority: 'urgent', requester: 'carol' })).priority).toBe('critical');
  });
  it('gets no requalification', async () => {
    const t = await s.open('alice', { priority: 'high', requester: 'carol' });
    expect((await s.events(t.id)).map((e) => e.kind)).toEqual(['created']);
  });
});

describe('an agent changing priority', () => {
  it('is refused with 400 without a justification', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high' })).statusCode).toBe(400);
  });
  it('is refused with 400 when the justification has fewer than 10 characters', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high', reason: 'too short' });
    expect([res.statusCode, problemOf(res).code]).toEqual([400, 'validation']);
  });
  it('is refused with 400 when the justification is blank', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high', reason: '               ' })).statusCode).toBe(400);
  });
  it('changes nothing when refused for its justification', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high', reason: 'short' });
    expect(await s.ticket(t.id)).toEqual(t);
    expect(await s.events(t.id)).toHaveLength(1);
  });
  it('accepts a justification of exactly 10 characters', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high', reason: '0123456789' })).statusCode).toBe(200);
  });
  it('records an internal priority_changed event {from, to, actor, note}', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'urgent', reason: REASON });
    expect(res.json()).toMatchObject({ priority: 'critical' });
    const ev = (await s.events(t.id)).at(-1);
    expect(ev).toMatchObject({ kind: 'priority_changed', from: 'medium', to: 'critical', actor: 'alice', note: REASON, internal: true });
  });
  it('stores the justification as an internal note', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'low', reason: 'cosmetic only, one user affected' });
    const notes = await s.comments(t.id);
    expect(notes).toMatchObject([{ author: 'alice', public: false }]);
    expect(notes[0]!.body).toContain('cosmetic only, one user affected');
  });
  it('hides the priority change and its note from the requester', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'high', reason: REASON });
    expect((await s.events(t.id, 'carol')).map((e) => e.kind)).toEqual(['created']);
    expect(await s.comments(t.id, 'carol')).toEqual([]);
  });
  it('recomputes the SLA due dates for the new priority', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'critical', reason: REASON });
    expect(res.json()).toMatchObject({
      response_due_at: new Date(Date.parse(t.created_at) + HOUR).toISOString(),
      resolution_due_at: new Date(Date.parse(t.created_at) + 4 * HOUR).toISOString(),
    });
  });
  it('changes nothing and records nothing when the priority is already the one asked', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'medium', reason: REASON });
    expect([res.statusCode, res.json().version]).toEqual([200, t.version]);
    expect(await s.events(t.id)).toHaveLength(1);
  });
  it('needs a justification in triage when the priority differs', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { priority: 'high' });
    expect(res.statusCode).toBe(400);
    expect((await s.ticket(t.id)).status).toBe('new');
  });
  it.each([
    ['too short', 'short'],
    ['nine characters', '123456789'],
    ['blank', '            '],
  ])('refuses a triage priority change whose justification is %s, and changes nothing', async (_, justification) => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { priority: 'high', justification });
    expect([res.statusCode, problemOf(res).detail]).toEqual([400, expect.stringMatching(/at least 10 characters/)]);
    expect(await s.ticket(t.id)).toMatchObject({ status: 'new', priority: 'medium', version: t.version });
  });
  it('records the triage priority change with its justification', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { priority: 'high', justification: REASON });
    expect((await s.events(t.id)).find((e) => e.kind === 'priority_changed')).toMatchObject({ from: 'medium', to: 'high', actor: 'alice', note: REASON, internal: true });
  });
  it('needs no justification in triage when the priority stays the same', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { priority: 'medium' })).statusCode).toBe(200);
  });
});
