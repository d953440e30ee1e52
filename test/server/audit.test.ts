// Audit: every change to a ticket is an event; a request that changes nothing records nothing.
import { describe, expect, it } from 'vitest';
import type { Event, Ticket } from '../../src/domain/schemas.js';
import { MINUTE, serverPerTest } from './helpers.js';

const s = serverPerTest();

/** `path` is under /v1/tickets/:id unless it starts with /v1/. */
type Step = [what: string, as: string, method: 'POST' | 'PATCH', path: string, body: object, kind: Event['kind']];

/** One of each change an agent or requester can make, in an order the rules allow. */
const STEPS = (blocker: number): Step[] => [
  ['edit the subject', 'alice', 'PATCH', '', { subject: 'VPN drops hourly on macOS' }, 'updated'],
  ['triage', 'alice', 'POST', '/triage', { team: 'support', type: 'problem', level: 1 }, 'triaged'],
  ['reprioritize', 'alice', 'POST', '/priority', { priority: 'high', reason: 'affects the whole sales team' }, 'priority_changed'],
  ['assign', 'alice', 'POST', '/assign', { assignee: 'bob' }, 'assigned'],
  ['unassign', 'bob', 'POST', '/assign', { assignee: null }, 'assigned'],
  ['block', 'bob', 'POST', '/status', { status: 'blocked', blocked_by: blocker }, 'status_changed'],
  ['unblock', 'bob', 'POST', '/status', { status: 'in_progress' }, 'status_changed'],
  ['comment internally', 'bob', 'POST', '/comments', { body: 'reproduced on 14.2' }, 'commented'],
  ['comment publicly', 'bob', 'POST', '/comments', { body: 'We reproduced it.', public: true }, 'commented'],
  ['escalate', 'bob', 'POST', '/escalate', { reason: 'kernel extension crash' }, 'escalated'],
  ['advance the escalation', 'bob', 'POST', '/v1/escalations/CP-1/advance', { to: 'engineering_in_progress' }, 'escalation_advanced'],
  ['resolve the escalation', 'bob', 'POST', '/v1/escalations/CP-1/advance', { to: 'resolved' }, 'status_changed'],
  ['provide a solution', 'bob', 'POST', '/status', { status: 'solution_provided', note: 'update to 2.4.1' }, 'status_changed'],
  ['close', 'carol', 'POST', '/close', { resolution: 'works after the update' }, 'closed'],
  ['comment as the requester on the closed ticket', 'carol', 'POST', '/comments', { body: 'It is back.' }, 'reopened'],
  ['close again', 'bob', 'POST', '/close', { resolution: 'second fix' }, 'closed'],
  ['reopen', 'alice', 'POST', '/reopen', { comment: 'customer called, still failing' }, 'reopened'],
];

const urlOf = (id: number, path: string) => (path.startsWith('/v1/') ? path : `/v1/tickets/${id}${path}`);

describe('every change produces an event', () => {
  it('records a created event when a ticket is opened', async () => {
    const t = await s.open('carol');
    expect(await s.events(t.id)).toMatchObject([{ ticket_id: t.id, kind: 'created', actor: 'carol', to: 'new', at: t.created_at }]);
  });

  it('records at least one event, at the change’s time and by its actor, for each change', async () => {
    const blocker = await s.open('carol');
    const t = await s.open('carol');
    let count = (await s.events(t.id)).length;
    let version = t.version;
    for (const [what, as, method, path, body, kind] of STEPS(blocker.id)) {
      s.clock.advance(MINUTE);
      const res = await s.call(as, method, urlOf(t.id, path), body);
      expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
      const events = await s.events(t.id);
      expect(events.length, what).toBeGreaterThan(count);
      const fresh = events.slice(count);
      expect(fresh.map((e) => e.kind), what).toContain(kind);
      expect(fresh.every((e) => e.at === s.clock.now().toISOString() && e.actor === as && e.ticket_id === t.id), what).toBe(true);
      const now = await s.ticket(t.id);
      expect(now.version, what).toBeGreaterThan(version);
      expect(now.updated_at, what).toBe(s.clock.now().toISOString());
      count = events.length;
      version = now.version;
    }
  });

  it('gives every event the fields {id, ticket_id, at, actor, kind, from, to, note}', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { assignee: 'me' });
    for (const e of await s.events(t.id)) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['id', 'ticket_id', 'at', 'actor', 'kind', 'from', 'to', 'note']));
    }
  });

  it('never changes a ticket without an event: the version moves only with the event count', async () => {
    const blocker = await s.open('carol');
    const t = await s.open('carol');
    const versions: Array<[number, number]> = [];
    for (const [, as, method, path, body] of STEPS(blocker.id)) {
      await s.call(as, method, urlOf(t.id, path), body);
      versions.push([(await s.ticket(t.id)).version, (await s.events(t.id)).length]);
    }
    for (let i = 1; i < versions.length; i++) {
      expect(versions[i]![0] > versions[i - 1]![0]).toBe(versions[i]![1] > versions[i - 1]![1]);
    }
  });
});

describe('a request that changes nothing', () => {
  async function snapshot(id: number): Promise<[Ticket, number]> {
    return [await s.ticket(id), (await s.events(id)).length];
  }
  it.each([
    ['assigning the current assignee', '/assign', { assignee: null }],
    ['setting the current priority', '/priority', { priority: 'medium', reason: 'no change at all, really' }],
    ['moving to the current status', '/status', { status: 'new' }],
  ])('records no event for %s', async (_what, suffix, body) => {
    const t = await s.open('carol');
    const before = await snapshot(t.id);
    const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}${suffix}`, body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['tix-changed']).toBe('false');
    expect(await snapshot(t.id)).toEqual(before);
  });
  it('records no event for an edit that sets the current values', async () => {
    const t = await s.open('carol', { subject: 'Same' });
    const before = await snapshot(t.id);
    expect((await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { subject: 'Same' })).statusCode).toBe(200);
    expect(await snapshot(t.id)).toEqual(before);
  });
  it('records no event for a refused change', async () => {
    const t = await s.open('carol');
    const before = await snapshot(t.id);
    expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/reopen`, { comment: 'not done yet' })).statusCode).toBe(409);
    expect(await snapshot(t.id)).toEqual(before);
  });
});
