// SLA through the API: due dates per priority and sla_breached moving with an injected clock (no sleeps).
import { describe, expect, it } from 'vitest';
import type { Priority, Ticket } from '../../src/domain/schemas.js';
import { DEFAULT_SLA } from '../../src/domain/sla.js';
import { buildApp } from '../../src/server/app.js';
import { DAY, HOUR, serverPerTest } from './helpers.js';

const s = serverPerTest();

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const breachedIds = async () =>
  ((await s.call('alice', 'GET', '/v1/tickets?q=sla:breached').then((r) => r.json())) as { items: Ticket[] }).items.map((t) => t.id);

describe('SLA fields', () => {
  it.each([
    ['critical', 1 * HOUR, 4 * HOUR],
    ['high', 4 * HOUR, 24 * HOUR],
    ['medium', 24 * HOUR, 5 * DAY],
    ['low', 72 * HOUR, 10 * DAY],
  ] as const)('gives a %s ticket its default response and resolution due dates', async (priority: Priority, response, resolution) => {
    const t = await s.open('alice', { priority, requester: 'carol' });
    expect(t).toMatchObject({
      response_due_at: plus(t.created_at, response),
      resolution_due_at: plus(t.created_at, resolution),
      sla_breached: false,
      first_response_at: null,
    });
  });
  it('exposes the SLA fields to the requester too', async () => {
    const t = await s.open('carol');
    expect(Object.keys(await s.ticket(t.id, 'carol'))).toEqual(expect.arrayContaining(['response_due_at', 'resolution_due_at', 'sla_breached']));
  });
  it('follows the server’s SLA configuration', async () => {
    const app = await buildApp({ store: s.store, now: s.clock.now, sla: { ...DEFAULT_SLA, medium: { responseMs: HOUR, resolutionMs: 2 * HOUR } } });
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/tickets', headers: { authorization: `Bearer ${s.tokens.get('carol')}` }, payload: { subject: 's', description: 'd' } });
      const t = res.json() as Ticket;
      expect([t.response_due_at, t.resolution_due_at]).toEqual([plus(t.created_at, HOUR), plus(t.created_at, 2 * HOUR)]);
    } finally {
      await app.close();
    }
  });
});

describe('sla_breached', () => {
  it('flips to true once the first response is overdue', async () => {
    const t = await s.open('alice', { priority: 'critical', requester: 'carol' });
    s.clock.advance(HOUR);
    expect((await s.ticket(t.id)).sla_breached).toBe(false);
    s.clock.advance(1000);
    expect((await s.ticket(t.id)).sla_breached).toBe(true);
  });
  it('is found by ?q=sla:breached once overdue, and not before', async () => {
    const t = await s.open('alice', { priority: 'critical', requester: 'carol' });
    await s.open('carol');
    expect(await breachedIds()).toEqual([]);
    s.clock.advance(2 * HOUR);
    expect(await breachedIds()).toEqual([t.id]);
  });
  it('stays false after a timely public reply until the resolution is overdue', async () => {
    const t = await s.open('alice', { priority: 'critical', requester: 'carol' });
    s.clock.advance(30 * 60_000);
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'Looking now.', public: true });
    s.clock.advance(3 * HOUR);
    expect(await s.ticket(t.id)).toMatchObject({ first_response_at: plus(t.created_at, 30 * 60_000), sla_breached: false });
    s.clock.advance(HOUR);
    expect((await s.ticket(t.id)).sla_breached).toBe(true);
  });
  it('does not count an internal note as the first response', async () => {
    const t = await s.open('alice', { priority: 'critical', requester: 'carol' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'note to self' });
    s.clock.advance(2 * HOUR);
    expect(await s.ticket(t.id)).toMatchObject({ first_response_at: null, sla_breached: true });
  });
  it('does not count the requester’s own comment as the first response', async () => {
    const t = await s.open('alice', { priority: 'critical', requester: 'carol' });
    await s.call('carol', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'any news?' });
    expect((await s.ticket(t.id)).first_response_at).toBeNull();
  });
  it('stays false forever for a ticket closed in time', async () => {
    const t = await s.open('alice', { priority: 'critical', requester: 'carol' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'Fixed.', public: true });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'restarted the gateway' });
    s.clock.advance(30 * DAY);
    expect((await s.ticket(t.id)).sla_breached).toBe(false);
  });
  it('moves with a priority change: raising the priority tightens the due dates', async () => {
    const t = await s.open('alice', { priority: 'low', requester: 'carol' });
    s.clock.advance(2 * HOUR);
    expect((await s.ticket(t.id)).sla_breached).toBe(false);
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/priority`, { priority: 'critical', reason: 'the whole tenant is down now' });
    expect(res.json()).toMatchObject({ response_due_at: plus(t.created_at, HOUR), resolution_due_at: plus(t.created_at, 4 * HOUR), sla_breached: true });
  });
});

describe('auto-close of solution_provided', () => {
  async function answered() {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided', note: 'update the client' });
    return t;
  }
  it('closes a solution_provided ticket after 7 silent days', async () => {
    const t = await answered();
    s.clock.advance(7 * DAY);
    expect(await s.app.tix.service.sweepAutoClose()).toEqual([t.id]);
    expect((await s.ticket(t.id)).status).toBe('closed');
    expect((await s.events(t.id)).at(-1)).toMatchObject({ kind: 'closed', from: 'solution_provided', to: 'closed' });
  });
  it('leaves it alone before 7 days', async () => {
    const t = await answered();
    s.clock.advance(7 * DAY - 1000);
    expect(await s.app.tix.service.sweepAutoClose()).toEqual([]);
    expect((await s.ticket(t.id)).status).toBe('solution_provided');
  });
});
