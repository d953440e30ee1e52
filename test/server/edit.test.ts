// Editing a ticket after triage (PATCH and the batch `patch` op), and the escalations a ticket keeps.
import { describe, expect, it } from 'vitest';
import type { BatchResult, Ticket } from '../../src/domain/schemas.js';
import { problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

async function triaged(body: Record<string, unknown> = {}): Promise<Ticket> {
  const t = await s.open('carol', body);
  expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'support', type: 'question', level: 1 })).statusCode).toBe(200);
  return s.ticket(t.id);
}
const patch = (id: number, body: unknown, as = 'alice', headers?: Record<string, string>) => s.call(as, 'PATCH', `/v1/tickets/${id}`, body, headers);

describe('PATCH /v1/tickets/{id} after triage', () => {
  it('changes type, team and level of an in_progress ticket, one updated event each', async () => {
    const t = await triaged();
    const res = await patch(t.id, { type: 'incident', team: 'engineering', level: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', type: 'incident', team: 'engineering', level: 3 });
    const updated = (await s.events(t.id)).filter((e) => e.kind === 'updated');
    expect(updated.map((e) => [e.note, e.from, e.to])).toEqual([['type', '"question"', '"incident"'], ['team', '"support"', '"engineering"'], ['level', '1', '3']]);
  });

  it('add_tags adds, remove_tags removes (any case), keeping the other tags', async () => {
    const t = await triaged({ tags: ['billing', 'vip'] });
    const res = await patch(t.id, { add_tags: ['eu', 'Billing'], remove_tags: ['VIP'] });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Ticket).tags).toEqual(['billing', 'eu']);
  });

  it('adding a tag the ticket has and removing one it lacks changes nothing: Tix-Changed false, no event', async () => {
    const t = await triaged({ tags: ['billing'] });
    const before = (await s.events(t.id)).length;
    const res = await patch(t.id, { add_tags: ['billing'], remove_tags: ['nope'] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['tix-changed']).toBe('false');
    expect((res.json() as Ticket).version).toBe(t.version);
    expect(await s.events(t.id)).toHaveLength(before);
  });

  it('refuses tags together with add_tags with 400', async () => {
    const t = await triaged();
    const res = await patch(t.id, { tags: ['a'], add_tags: ['b'] });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).code).toBe('validation');
  });

  it('refuses more than 20 tags after adding with 400, and changes nothing', async () => {
    const t = await triaged({ tags: Array.from({ length: 19 }, (_, i) => `t${i}`) });
    const res = await patch(t.id, { add_tags: ['x', 'y'] });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).detail).toMatch(/at most 20/);
    expect((await s.ticket(t.id)).tags).toHaveLength(19);
  });

  it('changes the priority with a justification: priority_changed event, internal note, new SLA dates', async () => {
    const t = await triaged();
    const res = await patch(t.id, { priority: 'high', justification: 'many users affected since the release' });
    expect(res.statusCode).toBe(200);
    const after = res.json() as Ticket;
    expect(after.priority).toBe('high');
    expect(after.resolution_due_at < t.resolution_due_at).toBe(true);
    expect((await s.events(t.id)).at(-1)).toMatchObject({ kind: 'priority_changed', from: 'medium', to: 'high', note: 'many users affected since the release', internal: true });
    expect((await s.comments(t.id)).at(-1)).toMatchObject({ public: false, body: 'Priority medium → high: many users affected since the release' });
  });

  it('refuses a priority change without a justification of 10 characters with 400', async () => {
    const t = await triaged();
    expect((await patch(t.id, { priority: 'high' })).statusCode).toBe(400);
    expect((await patch(t.id, { priority: 'high', justification: 'short' })).statusCode).toBe(400);
    expect((await s.ticket(t.id)).priority).toBe('medium');
  });

  it('the same priority needs no justification and changes nothing', async () => {
    const t = await triaged();
    const res = await patch(t.id, { priority: 'medium' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['tix-changed']).toBe('false');
  });

  it('a justification without a priority is 400', async () => {
    const t = await triaged();
    expect((await patch(t.id, { justification: 'why would this be here' })).statusCode).toBe(400);
  });

  it('a stale If-Match is 412 and changes nothing', async () => {
    const t = await triaged();
    const res = await patch(t.id, { add_tags: ['late'] }, 'alice', { 'if-match': `"${t.version - 1}"` });
    expect(res.statusCode).toBe(412);
    expect((await s.ticket(t.id)).tags).toEqual([]);
  });
});

describe('POST /v1/batch with the patch op', () => {
  it('edits several tickets, each on its own; a refused one fails alone', async () => {
    const a = await triaged();
    const b = await triaged({ tags: ['billing'] });
    const res = await s.call('alice', 'POST', '/v1/batch', {
      operations: [
        { op: 'patch', id: a.id, body: { team: 'engineering', add_tags: ['eu'] } },
        { op: 'patch', id: b.id, body: { team: 'engineering', add_tags: ['eu'] } },
        { op: 'patch', id: 999_999, body: { team: 'engineering' } },
      ],
    });
    expect(res.statusCode).toBe(200);
    const results = (res.json() as { results: BatchResult[] }).results;
    expect(results.map((r) => [r.id, r.status, r.changed])).toEqual([[a.id, 200, true], [b.id, 200, true], [999_999, 404, false]]);
    expect((await s.ticket(b.id)).tags).toEqual(['billing', 'eu']);
    expect((await s.ticket(a.id)).team).toBe('engineering');
  });

  it('refuses an unknown field in a patch op body with 400', async () => {
    const a = await triaged();
    const res = await s.call('alice', 'POST', '/v1/batch', { operations: [{ op: 'patch', id: a.id, body: { colour: 'red' } }] });
    expect(res.statusCode).toBe(400);
  });
});

describe('escalations a ticket had', () => {
  const escalate = (id: number) => s.call('alice', 'POST', `/v1/tickets/${id}/escalate`, { reason: 'needs a fix from engineering' });
  const resolve = (cp: string) => s.call('alice', 'POST', `/v1/escalations/${cp}/advance`, { to: 'resolved' });

  it('a new ticket has none', async () => expect((await s.open('carol')).escalations).toEqual([]));

  it('lists every escalation, oldest first, after each is resolved, to agents and in lists', async () => {
    const t = await triaged();
    const first = (await escalate(t.id)).json() as Ticket;
    expect(first.escalations).toEqual(['CP-1']);
    await resolve('CP-1');
    await escalate((await triaged()).id); // another ticket's escalation does not show here
    expect(((await escalate(t.id)).json() as Ticket).escalations).toEqual(['CP-1', 'CP-3']);
    await resolve('CP-3');
    const after = await s.ticket(t.id);
    expect(after).toMatchObject({ escalation: null, escalations: ['CP-1', 'CP-3'] });
    const listed = ((await s.call('alice', 'GET', `/v1/tickets?q=${encodeURIComponent('state:all')}&limit=100`)).json() as { items: Ticket[] }).items;
    expect(listed.find((x) => x.id === t.id)!.escalations).toEqual(['CP-1', 'CP-3']);
  });

  it('closing a ticket keeps its escalation in the list', async () => {
    const t = await triaged();
    await escalate(t.id);
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'patched in 2.4.2' });
    expect(await s.ticket(t.id)).toMatchObject({ status: 'closed', escalation: null, escalations: ['CP-1'] });
  });
});
