// Escalations: CP-<n> ids, a forward-only timestamped timeline, resolution hands the ticket back.
import { describe, expect, it } from 'vitest';
import { ESCALATION_STATES, type Escalation, type Ticket } from '../../src/domain/schemas.js';
import { HOUR, problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

async function escalated(as = 'alice', body: Record<string, unknown> = {}): Promise<Ticket> {
  const t = await s.open('carol');
  await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'support' });
  const res = await s.call(as, 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'replication lag corrupts invoices', ...body });
  expect(res.statusCode).toBe(200);
  return res.json() as Ticket;
}
const advance = (id: string, to: string, as = 'alice', note?: string) => s.call(as, 'POST', `/v1/escalations/${id}/advance`, note ? { to, note } : { to });
const escalation = async (id: string, as = 'alice') => (await s.call(as, 'GET', `/v1/escalations/${id}`)).json() as Escalation;

describe('escalate', () => {
  it('puts the ticket in escalated and names the escalation CP-1', async () => {
    expect(await escalated()).toMatchObject({ status: 'escalated', escalation: 'CP-1' });
  });
  it('numbers escalations CP-1, CP-2, … across tickets', async () => {
    await escalated();
    expect((await escalated()).escalation).toBe('CP-2');
  });
  it('starts the timeline at submitted, stamped with the time and the agent', async () => {
    await escalated();
    expect(await escalation('CP-1')).toMatchObject({
      id: 'CP-1', state: 'submitted', created_by: 'alice', reason: 'replication lag corrupts invoices',
      timeline: [{ state: 'submitted', at: s.clock.now().toISOString(), by: 'alice' }],
    });
  });
  it('keeps the estimated resolution as given', async () => {
    await escalated('alice', { estimated_resolution: '2026-11-20' });
    expect((await escalation('CP-1')).estimated_resolution).toBe('2026-11-20');
  });
  it('lists the running escalation', async () => {
    await escalated();
    expect(((await s.call('alice', 'GET', '/v1/escalations')).json() as { items: Escalation[] }).items.map((e) => e.id)).toEqual(['CP-1']);
  });
  it('answers 404 for an escalation that does not exist', async () => {
    expect((await s.call('alice', 'GET', '/v1/escalations/CP-99')).statusCode).toBe(404);
  });
});

describe('advance', () => {
  it('moves forward through every state, each step stamped with the time it happened', async () => {
    const t = await escalated();
    const stamps = [s.clock.now().toISOString()];
    for (const to of ESCALATION_STATES.slice(1)) {
      s.clock.advance(HOUR);
      stamps.push(s.clock.now().toISOString());
      expect((await advance('CP-1', to, 'bob', `now ${to}`)).statusCode).toBe(200);
    }
    const e = await escalation('CP-1');
    expect(e.state).toBe('resolved');
    expect(e.timeline.map((step) => [step.state, step.at])).toEqual(ESCALATION_STATES.map((st, i) => [st, stamps[i]]));
    expect(e.timeline.at(-1)).toMatchObject({ by: 'bob', note: 'now resolved' });
    expect((await s.ticket(t.id)).status).toBe('in_progress');
  });
  it('returns the ticket to in_progress and clears its escalation when resolved', async () => {
    const t = await escalated();
    await advance('CP-1', 'resolved');
    expect(await s.ticket(t.id)).toMatchObject({ status: 'in_progress', escalation: null });
  });
  it('keeps the ticket escalated before the escalation is resolved', async () => {
    const t = await escalated();
    await advance('CP-1', 'engineering_in_progress');
    expect((await s.ticket(t.id)).status).toBe('escalated');
  });
  it.each([
    ['the same state', 'submitted', 'submitted'],
    ['an earlier state', 'engineering_in_progress', 'under_evaluation'],
  ])('refuses a move to %s with 409', async (_what, reach, to) => {
    await escalated();
    if (reach !== 'submitted') await advance('CP-1', reach);
    const before = await escalation('CP-1');
    const res = await advance('CP-1', to);
    expect([res.statusCode, problemOf(res).code]).toEqual([409, 'conflict']);
    expect(await escalation('CP-1')).toEqual(before);
  });
  it('refuses to move a resolved escalation with 409', async () => {
    await escalated();
    await advance('CP-1', 'resolved');
    expect((await advance('CP-1', 'resolved')).statusCode).toBe(409);
  });
  it('allows a new escalation once the previous one is resolved', async () => {
    const t = await escalated();
    await advance('CP-1', 'resolved');
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'it came back' });
    expect(res.json()).toMatchObject({ status: 'escalated', escalation: 'CP-2' });
  });
  it('records escalation events internally, hidden from the requester', async () => {
    const t = await escalated();
    await advance('CP-1', 'under_evaluation');
    const all = (await s.events(t.id)).map((e) => e.kind);
    expect(all).toEqual(expect.arrayContaining(['escalated', 'escalation_advanced']));
    const theirs = (await s.events(t.id, 'carol')).map((e) => e.kind);
    expect(theirs).not.toContain('escalated');
    expect(theirs).not.toContain('escalation_advanced');
  });
});

describe('who may escalate', () => {
  it('refuses a requester escalating their own ticket with 403', async () => {
    const t = await s.open('carol');
    expect((await s.call('carol', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'please hurry' })).statusCode).toBe(403);
  });
  it('refuses a requester advancing the escalation of their own ticket, which does not exist for them (404)', async () => {
    const t = await escalated();
    expect((await advance('CP-1', 'resolved', 'carol')).statusCode).toBe(404);
    expect((await s.ticket(t.id)).status).toBe('escalated');
  });
  it('keeps escalations, the desk’s internal business, from requesters, even of their own ticket', async () => {
    await escalated();
    expect((await s.call('carol', 'GET', '/v1/escalations/CP-1')).statusCode).toBe(404);
    expect((await s.call('erin', 'GET', '/v1/escalations/CP-1')).statusCode).toBe(404);
    expect((await s.call('carol', 'GET', '/v1/escalations?state=all')).json()).toEqual({ items: [], next_cursor: null });
  });
  it('hides an escalation of another organization with 404', async () => {
    await escalated();
    expect((await s.call('zed', 'GET', '/v1/escalations/CP-1')).statusCode).toBe(404);
    expect((await advance('CP-1', 'resolved', 'zed')).statusCode).toBe(404);
  });
});

describe('closing an escalated ticket', () => {
  it('resolves its escalation on the timeline, so a reopened ticket can be escalated afresh', async () => {
    const t = await escalated();
    const closed = await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'workaround accepted by the customer' });
    expect(closed.json()).toMatchObject({ status: 'closed', escalation: null });
    const e = await escalation('CP-1');
    expect(e.state).toBe('resolved');
    expect(e.timeline.at(-1)).toMatchObject({ state: 'resolved', by: 'alice' });
    expect(e.timeline.at(-1)!.note).toMatch(/ticket closed/);
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'it came back after the upgrade' });
    const again = await s.call('alice', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: 'regression after the upgrade' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'escalated', escalation: 'CP-2' });
  });
});
