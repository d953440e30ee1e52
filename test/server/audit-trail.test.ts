// The audit trail of each change, exactly: which events (kind, actor, from, to, note, whether internal) and which
// comments (author, text, whether public) it writes, what it does to the ticket, and what each refusal says.
import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/domain/schemas.js';
import { HOUR, problemOf, serverPerTest, startServer, type TestServer } from './helpers.js';

const s = serverPerTest();

/** Events after the first `skip`, without ids and times. */
async function eventsAfter(server: TestServer, id: number, skip: number) {
  return (await server.events(id)).slice(skip).map(({ kind, actor, from, to, note, internal }: Event) => ({ kind, actor, from, to, note, internal }));
}
const commentsOf = async (server: TestServer, id: number) => (await server.comments(id)).map(({ author, body, public: pub }) => ({ author, body, public: pub }));
const post = (as: string, id: number, path: string, body: object) => s.call(as, 'POST', `/v1/tickets/${id}${path}`, body);
const doneAt = async (id: number) => (await s.store.getTicket(id))!.done_at;

describe('the events and comments of each change', () => {
  it('opening for a requester with a priority and its justification keeps the justification as an internal comment', async () => {
    const t = await s.open('alice', { requester: 'carol', priority: 'high', justification: 'their payroll run is tomorrow' });
    expect(t).toMatchObject({ requester: 'carol', org: 'acme', priority: 'high' });
    expect(await eventsAfter(s, t.id, 0)).toEqual([{ kind: 'created', actor: 'alice', from: null, to: 'new', note: 'priority high, channel portal', internal: false }]);
    expect(await commentsOf(s, t.id)).toEqual([{ author: 'alice', body: 'Priority high requested: their payroll run is tomorrow', public: false }]);
  });

  it('opening without a justification writes no comment', async () => {
    const t = await s.open('alice', { priority: 'high' });
    expect(await commentsOf(s, t.id)).toEqual([]);
  });

  it('triage writes triaged, then the priority change (internal, with its comment), then the assignment', async () => {
    const t = await s.open('carol');
    const res = await post('alice', t.id, '/triage', { team: 'configuration', type: 'incident', level: 2, assignee: 'bob', priority: 'high', justification: 'the whole office is offline' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', team: 'configuration', type: 'incident', level: 2, assignee: 'bob', priority: 'high' });
    expect(await eventsAfter(s, t.id, 1)).toEqual([
      { kind: 'triaged', actor: 'alice', from: 'new', to: 'in_progress', note: 'team configuration, type incident, level 2', internal: false },
      { kind: 'priority_changed', actor: 'alice', from: 'medium', to: 'high', note: 'the whole office is offline', internal: true },
      { kind: 'assigned', actor: 'alice', from: null, to: 'bob', note: null, internal: false },
    ]);
    expect(await commentsOf(s, t.id)).toEqual([{ author: 'alice', body: 'Priority medium → high: the whole office is offline', public: false }]);
  });

  it('triage with nothing but the move notes nothing, and assigning the one already assigned records no assignment', async () => {
    const t = await s.open('carol');
    expect((await post('alice', t.id, '/assign', { assignee: 'bob' })).statusCode).toBe(200);
    expect((await post('alice', t.id, '/triage', { assignee: 'bob' })).statusCode).toBe(200);
    expect(await eventsAfter(s, t.id, 2)).toEqual([{ kind: 'triaged', actor: 'alice', from: 'new', to: 'in_progress', note: null, internal: false }]);
  });

  it('assigning writes a public assigned event from the old assignee to the new; the same again writes nothing', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/assign', { assignee: 'me' });
    await post('alice', t.id, '/assign', { assignee: 'bob' });
    const again = await post('alice', t.id, '/assign', { assignee: 'bob' });
    expect(again.statusCode).toBe(200);
    expect(await eventsAfter(s, t.id, 1)).toEqual([
      { kind: 'assigned', actor: 'alice', from: null, to: 'alice', note: null, internal: false },
      { kind: 'assigned', actor: 'alice', from: 'alice', to: 'bob', note: null, internal: false },
    ]);
  });

  it('a status change is a public event, its note an internal comment; blocked_by follows the status', async () => {
    const blocker = await s.open('carol');
    const other = await s.open('carol');
    const t = await s.open('carol');
    await post('alice', t.id, '/triage', {});
    expect((await post('alice', t.id, '/status', { status: 'blocked', blocked_by: blocker.id, note: 'waits on the vendor' })).json()).toMatchObject({ status: 'blocked', blocked_by: blocker.id });
    // blocked by the same ticket again changes nothing; by another one it is a change
    await post('alice', t.id, '/status', { status: 'blocked', blocked_by: blocker.id });
    expect((await post('alice', t.id, '/status', { status: 'blocked', blocked_by: other.id })).json()).toMatchObject({ status: 'blocked', blocked_by: other.id });
    expect((await post('alice', t.id, '/status', { status: 'in_progress' })).json()).toMatchObject({ status: 'in_progress', blocked_by: null });
    expect(await eventsAfter(s, t.id, 2)).toEqual([
      { kind: 'status_changed', actor: 'alice', from: 'in_progress', to: 'blocked', note: null, internal: false },
      { kind: 'status_changed', actor: 'alice', from: 'blocked', to: 'blocked', note: null, internal: false },
      { kind: 'status_changed', actor: 'alice', from: 'blocked', to: 'in_progress', note: null, internal: false },
    ]);
    expect(await commentsOf(s, t.id)).toEqual([{ author: 'alice', body: 'in_progress → blocked: waits on the vendor', public: false }]);
  });

  it('the auto-close clock starts when a solution is given, is kept through other done statuses, and stops when work resumes', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/triage', {});
    expect(await doneAt(t.id)).toBeNull();
    const given = s.clock.now().toISOString();
    await post('alice', t.id, '/status', { status: 'solution_provided' });
    expect(await doneAt(t.id)).toBe(given);
    s.clock.advance(HOUR);
    await post('alice', t.id, '/status', { status: 'resolved' });
    expect(await doneAt(t.id)).toBe(given);
    s.clock.advance(HOUR);
    const again = s.clock.now().toISOString();
    await post('alice', t.id, '/status', { status: 'solution_provided' });
    expect(await doneAt(t.id)).toBe(again);
    await post('alice', t.id, '/status', { status: 'in_progress' });
    expect(await doneAt(t.id)).toBeNull();
  });

  it('escalating defaults to engineering at level 3 and writes a public status change and an internal escalated event', async () => {
    const t = await s.open('carol');
    const res = await post('alice', t.id, '/escalate', { reason: 'kernel panic on resume' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'escalated', escalation: 'CP-1', escalations: ['CP-1'], team: 'engineering', level: 3 });
    expect((await s.call('alice', 'GET', '/v1/escalations/CP-1')).json()).toMatchObject({ id: 'CP-1', ticket_id: t.id, team: 'engineering', level: 3, state: 'submitted', created_by: 'alice' });
    expect(await eventsAfter(s, t.id, 1)).toEqual([
      { kind: 'status_changed', actor: 'alice', from: 'new', to: 'escalated', note: 'escalated as CP-1', internal: false },
      { kind: 'escalated', actor: 'alice', from: null, to: 'CP-1', note: 'kernel panic on resume', internal: true },
    ]);
  });

  it('an escalation given a team and level takes them, and a ticket keeps every escalation it had', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/escalate', { reason: 'first', team: 'implementation', level: 2 });
    expect(await s.ticket(t.id)).toMatchObject({ team: 'implementation', level: 2 });
    await s.call('alice', 'POST', '/v1/escalations/CP-1/advance', { to: 'resolved' });
    expect((await post('alice', t.id, '/escalate', { reason: 'second' })).json()).toMatchObject({ escalation: 'CP-2', escalations: ['CP-1', 'CP-2'] });
  });

  it('advancing writes an internal event with its note; only resolving hands the ticket back, with a public status change', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/escalate', { reason: 'data loss' });
    const step = await s.call('bob', 'POST', '/v1/escalations/CP-1/advance', { to: 'engineering_in_progress', note: 'on it' });
    expect(step.json()).toMatchObject({ id: 'CP-1', state: 'engineering_in_progress' });
    expect(await s.ticket(t.id)).toMatchObject({ status: 'escalated', escalation: 'CP-1' });
    const done = await s.call('bob', 'POST', '/v1/escalations/CP-1/advance', { to: 'resolved' });
    expect(done.json()).toMatchObject({ id: 'CP-1', state: 'resolved' });
    expect(await s.ticket(t.id)).toMatchObject({ status: 'in_progress', escalation: null, escalations: ['CP-1'] });
    expect(await eventsAfter(s, t.id, 3)).toEqual([
      { kind: 'escalation_advanced', actor: 'bob', from: 'submitted', to: 'engineering_in_progress', note: 'on it', internal: true },
      { kind: 'escalation_advanced', actor: 'bob', from: 'engineering_in_progress', to: 'resolved', note: null, internal: true },
      { kind: 'status_changed', actor: 'bob', from: 'escalated', to: 'in_progress', note: 'CP-1 resolved', internal: false },
    ]);
  });

  it('closing writes a public closed event with the resolution and ends a running escalation (an internal event, a timeline step)', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/escalate', { reason: 'data loss' });
    const closed = await post('alice', t.id, '/close', { resolution: 'restored from backup' });
    expect(closed.json()).toMatchObject({ status: 'closed', escalation: null, blocked_by: null });
    expect(await eventsAfter(s, t.id, 3)).toEqual([
      { kind: 'closed', actor: 'alice', from: 'escalated', to: 'closed', note: 'restored from backup', internal: false },
      { kind: 'escalation_advanced', actor: 'alice', from: 'submitted', to: 'resolved', note: 'ticket closed', internal: true },
    ]);
    const e = (await s.call('alice', 'GET', '/v1/escalations/CP-1')).json();
    expect(e.state).toBe('resolved');
    expect(e.timeline.at(-1)).toMatchObject({ state: 'resolved', by: 'alice', note: 'ticket closed: restored from backup' });
    // closing again changes nothing
    await post('alice', t.id, '/close', { resolution: 'again' });
    expect(await s.events(t.id)).toHaveLength(5);
  });

  it('closing a ticket whose escalation was resolved writes only the closed event', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/escalate', { reason: 'data loss' });
    await s.call('alice', 'POST', '/v1/escalations/CP-1/advance', { to: 'resolved' });
    await post('alice', t.id, '/close', { resolution: 'fixed' });
    expect((await eventsAfter(s, t.id, 5)).map((e) => e.kind)).toEqual(['closed']);
  });

  it('reopening writes a public reopened event without the why, and the why as an internal comment', async () => {
    const t = await s.open('carol');
    await post('carol', t.id, '/close', { resolution: 'no longer needed' });
    expect((await post('alice', t.id, '/reopen', { comment: 'the customer called back' })).json()).toMatchObject({ status: 'in_progress' });
    expect(await doneAt(t.id)).toBeNull();
    expect(await eventsAfter(s, t.id, 2)).toEqual([{ kind: 'reopened', actor: 'alice', from: 'closed', to: 'in_progress', note: null, internal: false }]);
    expect(await commentsOf(s, t.id)).toEqual([{ author: 'alice', body: 'the customer called back', public: false }]);
    // the requester sees that it was reopened, never why
    expect((await s.comments(t.id, 'carol')).map((c) => c.body)).toEqual([]);
    expect((await s.events(t.id, 'carol')).map((e) => e.kind)).toEqual(['created', 'closed', 'reopened']);
  });
});

describe('the events of comments, edits and the sweep', () => {
  it('an agent’s comment is internal unless said public; the first public one is the first response', async () => {
    const t = await s.open('carol');
    const internal = await post('alice', t.id, '/comments', { body: 'looks like the DNS' });
    expect(internal.statusCode).toBe(201);
    expect((await s.ticket(t.id)).first_response_at).toBeNull();
    s.clock.advance(HOUR);
    const answered = s.clock.now().toISOString();
    await post('alice', t.id, '/comments', { body: 'We are on it.', public: true });
    s.clock.advance(HOUR);
    await post('bob', t.id, '/comments', { body: 'Still on it.', public: true });
    expect((await s.ticket(t.id)).first_response_at).toBe(answered);
    expect(await eventsAfter(s, t.id, 1)).toEqual([
      { kind: 'commented', actor: 'alice', from: null, to: null, note: 'internal comment', internal: true },
      { kind: 'commented', actor: 'alice', from: null, to: null, note: 'public comment', internal: false },
      { kind: 'commented', actor: 'bob', from: null, to: null, note: 'public comment', internal: false },
    ]);
  });

  it('a requester’s comment is public whatever it asks, is no first response, and reopens a done ticket', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/status', { status: 'solution_provided' });
    const res = await post('carol', t.id, '/comments', { body: 'It is back.', public: false });
    expect(res.json()).toMatchObject({ public: true, author: 'carol' });
    expect(await s.ticket(t.id)).toMatchObject({ status: 'in_progress', first_response_at: null });
    expect(await doneAt(t.id)).toBeNull();
    expect(await eventsAfter(s, t.id, 2)).toEqual([
      { kind: 'commented', actor: 'carol', from: null, to: null, note: 'public comment', internal: false },
      { kind: 'reopened', actor: 'carol', from: 'solution_provided', to: 'in_progress', note: 'requester commented', internal: false },
    ]);
    // on an open ticket it changes no status
    await post('carol', t.id, '/comments', { body: 'More detail.' });
    expect((await eventsAfter(s, t.id, 4)).map((e) => e.kind)).toEqual(['commented']);
  });

  it('an edit writes one public updated event per changed field, with old and new values (never a description’s text)', async () => {
    const t = await s.open('carol', { tags: ['VPN', 'mac'] });
    const res = await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { subject: 'VPN drops hourly', description: 'longer text', type: 'problem', add_tags: ['vpn', 'urgent'], remove_tags: ['MAC'] });
    expect(res.json()).toMatchObject({ subject: 'VPN drops hourly', type: 'problem', tags: ['VPN', 'urgent'] });
    expect(await eventsAfter(s, t.id, 1)).toEqual([
      { kind: 'updated', actor: 'alice', from: '"VPN drops every hour"', to: '"VPN drops hourly"', note: 'subject', internal: false },
      { kind: 'updated', actor: 'alice', from: null, to: null, note: 'description', internal: false },
      { kind: 'updated', actor: 'alice', from: 'null', to: '"problem"', note: 'type', internal: false },
      { kind: 'updated', actor: 'alice', from: '["VPN","mac"]', to: '["VPN","urgent"]', note: 'tags', internal: false },
    ]);
    // the same values again change nothing
    await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { subject: 'VPN drops hourly', type: 'problem', add_tags: ['URGENT'] });
    expect(await s.events(t.id)).toHaveLength(5);
  });

  it('an edit of the priority is a priority change with its justification, refused without one', async () => {
    const t = await s.open('carol');
    const short = await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { priority: 'high', justification: 'short' });
    expect(`${short.statusCode} ${problemOf(short).detail}`).toBe('400 changing priority medium → high needs a justification of at least 10 characters');
    await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { priority: 'high', justification: 'the CEO cannot connect' });
    expect(await eventsAfter(s, t.id, 1)).toEqual([
      { kind: 'priority_changed', actor: 'alice', from: 'medium', to: 'high', note: 'the CEO cannot connect', internal: true },
    ]);
    expect(await commentsOf(s, t.id)).toEqual([{ author: 'alice', body: 'Priority medium → high: the CEO cannot connect', public: false }]);
  });

  it('an edit names what it refuses', async () => {
    const t = await s.open('carol', { tags: Array.from({ length: 19 }, (_, i) => `t${i}`) });
    const edit = async (as: string, body: object) => {
      const r = await s.call(as, 'PATCH', `/v1/tickets/${t.id}`, body);
      return `${r.statusCode} ${problemOf(r).detail}`;
    };
    expect(await edit('alice', { add_tags: ['x', 'y'] })).toBe(`400 ticket ${t.id} would have 21 tags; at most 20`);
    expect(await edit('alice', { root_cause: t.id })).toBe('400 a ticket cannot be its own root cause');
    expect(await edit('alice', { root_cause: 99999 })).toBe('400 root cause ticket 99999 not found');
    expect(await edit('carol', { subject: 'mine' })).toBe('403 requesters cannot edit tickets; ask a support agent');
    await post('alice', t.id, '/close', { resolution: 'done' });
    expect(await edit('alice', { priority: 'high', justification: 'the CEO cannot connect' })).toBe(`409 ticket ${t.id} is closed; reopen it first`);
  });

  it('the sweep closes a silent solution with a public event saying why, by the system', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/status', { status: 'solution_provided' });
    s.clock.advance(7 * 24 * HOUR + 1);
    expect(await s.app.tix.service.sweepAutoClose()).toEqual([t.id]);
    expect(await eventsAfter(s, t.id, 2)).toEqual([
      { kind: 'closed', actor: 'tix', from: 'solution_provided', to: 'closed', note: 'auto-closed: no reply from the requester for 7 days after the solution', internal: false },
    ]);
  });
});

describe('users and tokens', () => {
  it('only admins manage them, an org admin needs an org, and unknown ones are named', async () => {
    const say = async (r: Promise<import('fastify').LightMyRequestResponse>) => {
      const res = await r;
      return `${res.statusCode} ${problemOf(res).detail}`;
    };
    expect(await say(s.call('alice', 'GET', '/v1/users'))).toBe('403 only admins manage users and tokens');
    expect(await say(s.call('root', 'POST', '/v1/users', { login: 'ann', name: 'Ann', role: 'requester', org_admin: true }))).toBe('400 an org admin needs an org');
    expect(await say(s.call('root', 'POST', '/v1/users/99999/tokens', { name: 'ci' }))).toBe('404 user 99999 not found');
    expect(await say(s.call('root', 'DELETE', '/v1/tokens/99999'))).toBe('404 token 99999 not found');
    const made = await s.call('root', 'POST', '/v1/users', { login: 'ann', name: 'Ann', role: 'requester', org: 'acme', org_admin: true });
    expect(made.json()).toMatchObject({ login: 'ann', org: 'acme', org_admin: true, email: null });
  });
});

describe('edits, files, users and batches: what each keeps', () => {
  const patch = (id: number, body: object) => s.call('alice', 'PATCH', `/v1/tickets/${id}`, body);

  it('tags given whole replace the stored ones; tags only removed keep the rest', async () => {
    const t = await s.open('carol', { tags: ['vpn', 'mac'] });
    expect((await patch(t.id, { tags: ['billing'] })).json()).toMatchObject({ tags: ['billing'] });
    await patch(t.id, { add_tags: ['vpn', 'mac'] });
    expect((await patch(t.id, { remove_tags: ['VPN'] })).json()).toMatchObject({ tags: ['billing', 'mac'] });
  });

  it('a root cause is set, and cleared with null', async () => {
    const cause = await s.open('carol');
    const t = await s.open('carol');
    expect((await patch(t.id, { root_cause: cause.id })).json()).toMatchObject({ root_cause: cause.id });
    const cleared = await patch(t.id, { root_cause: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({ root_cause: null });
  });

  it('a file whose name or content is not allowed is refused, saying why', async () => {
    const t = await s.open('carol');
    const say = async (name: string, text: string) => {
      const r = await post('carol', t.id, '/comments', { body: 'see file', attachments: [{ name, data: Buffer.from(text).toString('base64') }] });
      return `${r.statusCode} ${problemOf(r).code}`;
    };
    expect(await say('setup.exe', 'MZ')).toBe('400 validation');
    expect(await say('photo.png', 'not a png at all')).toBe('400 validation');
    expect(await s.comments(t.id)).toEqual([]);
  });

  it('a requester downloads the files of public comments only', async () => {
    const t = await s.open('carol');
    const file = { name: 'log.txt', data: Buffer.from('trace\n').toString('base64') };
    const internal = (await post('alice', t.id, '/comments', { body: 'our trace', attachments: [file] })).json();
    const open = (await post('alice', t.id, '/comments', { body: 'your trace', public: true, attachments: [file] })).json();
    const get = (as: string, id: number) => s.call(as, 'GET', `/v1/attachments/${id}`);
    expect((await get('alice', internal.attachments[0].id)).statusCode).toBe(200);
    expect((await get('carol', open.attachments[0].id)).statusCode).toBe(200);
    const hidden = await get('carol', internal.attachments[0].id);
    expect(`${hidden.statusCode} ${problemOf(hidden).detail}`).toBe(`404 attachment ${internal.attachments[0].id} not found`);
  });

  it('a requester quota of 0 means no quota', async () => {
    const srv = await startServer({ app: { requesterQuotaBytes: 0 } });
    try {
      const t = await srv.open('carol');
      const r = await srv.call('carol', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'file', attachments: [{ name: 'a.txt', data: Buffer.from('x').toString('base64') }] });
      expect(r.statusCode, r.body).toBe(201);
    } finally {
      await srv.close();
    }
  });

  it('a user made with an email keeps it', async () => {
    const made = await s.call('root', 'POST', '/v1/users', { login: 'ann', name: 'Ann', email: 'ann@example.com', role: 'agent' });
    expect(made.json()).toMatchObject({ login: 'ann', email: 'ann@example.com' });
  });

  it('a batch answers each ticket as changed, unless asked for minimal results', async () => {
    const t = await s.open('carol');
    const full = await s.call('alice', 'POST', '/v1/batch', { operations: [{ op: 'assign', id: t.id, body: { assignee: 'bob' } }] });
    expect(full.json().results).toMatchObject([{ id: t.id, op: 'assign', status: 200, changed: true, ticket: { id: t.id, assignee: 'bob' } }]);
    const minimal = await s.call('alice', 'POST', '/v1/batch?return=minimal', { operations: [{ op: 'assign', id: t.id, body: { assignee: 'alice' } }] });
    expect(minimal.json().results[0]).not.toHaveProperty('ticket');
  });
});

describe('what a change leaves as it was', () => {
  it('a requester may name themselves as the requester, and a type given at opening is kept', async () => {
    const t = await s.open('carol', { requester: 'carol', type: 'incident' });
    expect(t).toMatchObject({ requester: 'carol', type: 'incident' });
  });

  it('triage keeps the team, type and level it is not given', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { team: 'configuration', type: 'task', level: 2 });
    expect((await post('alice', t.id, '/triage', {})).json()).toMatchObject({ status: 'in_progress', team: 'configuration', type: 'task', level: 2 });
  });

  it('moving a ticket to the status it has writes nothing', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/triage', {});
    const same = await post('alice', t.id, '/status', { status: 'in_progress' });
    expect(same.statusCode).toBe(200);
    expect(same.headers['tix-changed']).toBe('false');
    expect(await s.events(t.id)).toHaveLength(2);
  });

  it('a blocking ticket named with another status is not kept, and with the status it has changes nothing', async () => {
    const blocker = await s.open('carol');
    const t = await s.open('carol');
    expect((await post('alice', t.id, '/status', { status: 'in_progress', blocked_by: blocker.id })).json()).toMatchObject({ status: 'in_progress', blocked_by: null });
    const same = await post('alice', t.id, '/status', { status: 'in_progress', blocked_by: blocker.id });
    expect(same.headers['tix-changed']).toBe('false');
    expect(await s.events(t.id)).toHaveLength(2);
  });

  it('a refused escalation uses up no CP number', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/escalate', { reason: 'first' });
    expect((await post('alice', t.id, '/escalate', { reason: 'refused' })).statusCode).toBe(409);
    await s.call('alice', 'POST', '/v1/escalations/CP-1/advance', { to: 'resolved' });
    expect((await post('alice', t.id, '/escalate', { reason: 'second' })).json()).toMatchObject({ escalation: 'CP-2' });
  });

  it('a ticket may have exactly as many tags as allowed', async () => {
    const t = await s.open('carol', { tags: Array.from({ length: 19 }, (_, i) => `t${i}`) });
    const r = await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { add_tags: ['last'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().tags).toHaveLength(20);
  });

  it('a requester editing a root cause is told to ask an agent', async () => {
    const cause = await s.open('carol');
    const t = await s.open('carol');
    const r = await s.call('carol', 'PATCH', `/v1/tickets/${t.id}`, { root_cause: cause.id });
    expect(`${r.statusCode} ${problemOf(r).detail}`).toBe('403 requesters cannot edit tickets; ask a support agent');
  });

  it('a stale write names a change with no values by its kind alone', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/comments', { body: 'looking' });
    const at = s.clock.now().toISOString();
    const r = await s.call('bob', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'done' }, { 'if-match': `"${t.version}"` });
    expect(problemOf(r).detail).toBe(`ticket ${t.id} changed since you read it (version ${t.version}, now ${t.version + 1}: commented by alice at ${at}); re-run to apply on top`);
  });
});

describe('who sees a ticket', () => {
  it('a requester sees a colleague’s ticket only as the organization’s admin', async () => {
    const t = await s.open('dave');
    expect((await s.call('carol', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(404);
    expect((await s.call('erin', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(200);
    expect((await s.call('zed', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(404);
  });

  it('an organization’s admin does not see another organization’s tickets', async () => {
    const t = await s.open('zed');
    expect((await s.call('erin', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(404);
  });
});

describe('what each refusal says', () => {
  const detail = async (res: Promise<import('fastify').LightMyRequestResponse>) => {
    const r = await res;
    return `${r.statusCode} ${problemOf(r).detail}`;
  };

  it('names the user that cannot be assigned, and why', async () => {
    const t = await s.open('carol');
    expect(await detail(post('alice', t.id, '/assign', { assignee: 'nobody' }))).toBe('400 unknown user nobody; list users with `tix user list`');
    expect(await detail(post('alice', t.id, '/assign', { assignee: 'dave' }))).toBe('400 dave is a requester; tickets are assigned to agents');
  });

  it('tells a requester what they cannot do and whom to ask', async () => {
    const t = await s.open('carol');
    const ask = 'ask a support agent';
    expect(await detail(s.call('carol', 'POST', '/v1/tickets', { subject: 'for dave', description: 'x', requester: 'dave' }))).toBe(`403 requesters cannot open tickets for someone else; ${ask}`);
    expect(await detail(post('carol', t.id, '/triage', {}))).toBe(`403 requesters cannot triage tickets; ${ask}`);
    expect(await detail(post('carol', t.id, '/priority', { priority: 'low', reason: 'not that bad after all' }))).toBe(`403 requesters cannot change priority; ${ask}`);
    expect(await detail(post('carol', t.id, '/assign', { assignee: 'bob' }))).toBe(`403 requesters cannot assign tickets; ${ask}`);
    expect(await detail(post('carol', t.id, '/status', { status: 'in_progress' }))).toBe(`403 requesters cannot change the status; ${ask}`);
    expect(await detail(post('carol', t.id, '/status', { status: 'blocked', blocked_by: t.id }))).toBe(`403 requesters cannot change the status; ${ask}`);
    expect(await detail(post('carol', t.id, '/escalate', { reason: 'please hurry' }))).toBe(`403 requesters cannot escalate tickets; ${ask}`);
    await post('carol', t.id, '/close', { resolution: 'done' });
    expect(await detail(post('carol', t.id, '/reopen', { comment: 'back again' }))).toBe(`403 requesters cannot reopen tickets (comment on the ticket instead); ${ask}`);
  });

  it('tells a requester whose ticket it is when they try to close a colleague’s', async () => {
    const t = await s.open('dave');
    expect(await detail(post('erin', t.id, '/close', { resolution: 'done' }))).toBe(`403 ticket ${t.id} was opened by dave; requesters close only their own tickets`);
  });

  it('names the ticket and the rule for a refused change', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/triage', {});
    expect(await detail(post('alice', t.id, '/triage', {}))).toMatch(new RegExp(`^409 ticket ${t.id}: only new tickets are triaged; this one is in_progress`));
    expect(await detail(post('alice', t.id, '/status', { status: 'new' }))).toBe(`409 ticket ${t.id}: a ticket cannot go back to new`);
    expect(await detail(post('alice', t.id, '/status', { status: 'blocked', blocked_by: t.id }))).toBe('400 a ticket cannot block itself');
    expect(await detail(post('alice', t.id, '/status', { status: 'blocked', blocked_by: 99999 }))).toBe('400 blocking ticket 99999 not found');
    await post('alice', t.id, '/escalate', { reason: 'data loss' });
    expect(await detail(post('alice', t.id, '/escalate', { reason: 'again' }))).toBe(`409 ticket ${t.id}: ticket already has a running escalation (CP-1)`);
    expect(await detail(s.call('alice', 'POST', '/v1/escalations/CP-1/advance', { to: 'submitted' }))).toBe('409 CP-1: an escalation moves forward only: it is submitted, cannot go to submitted');
    await post('alice', t.id, '/close', { resolution: 'done' });
    expect(await detail(post('alice', t.id, '/priority', { priority: 'low', reason: 'not that bad after all' }))).toBe(`409 ticket ${t.id} is closed; reopen it first`);
    expect(await detail(post('alice', t.id, '/assign', { assignee: 'bob' }))).toBe(`409 ticket ${t.id} is closed; reopen it first`);
    expect(await detail(post('alice', t.id, '/escalate', { reason: 'after close' }))).toBe(`409 ticket ${t.id}: ticket is closed; reopen it first`);
  });

  it('answers an escalation out of reach as not found, by its id', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/escalate', { reason: 'data loss' });
    expect(await detail(s.call('carol', 'GET', '/v1/escalations/CP-1'))).toBe('404 escalation CP-1 not found');
    expect(await detail(s.call('alice', 'GET', '/v1/escalations/CP-9'))).toBe('404 escalation CP-9 not found');
  });

  it('tells who changed a ticket since the caller read it, and how', async () => {
    const t = await s.open('carol');
    await post('alice', t.id, '/assign', { assignee: 'bob' });
    const at = s.clock.now().toISOString();
    const res = await s.call('bob', 'POST', `/v1/tickets/${t.id}/close`, { resolution: 'done' }, { 'if-match': `"${t.version}"` });
    expect(await detail(Promise.resolve(res))).toBe(
      `412 ticket ${t.id} changed since you read it (version ${t.version}, now ${t.version + 1}: assigned - → bob by alice at ${at}); re-run to apply on top`,
    );
  });
});
