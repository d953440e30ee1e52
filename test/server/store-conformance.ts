// What every Store must do, written against the Store interface alone: a store passes when
// describeStoreConformance(name, open) passes with its own `open` (store-conformance.test.ts runs them).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/domain/query.js';
import type { Escalation } from '../../src/domain/schemas.js';
import { newTicketRecord } from '../../src/server/service.js';
import { DomainError, type NewEvent, type NewTicket, type Store, type Viewer } from '../../src/server/store/types.js';

/** A store for one test, and how to be rid of it and all it holds. */
export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

const NOW = new Date('2026-11-20T12:00:00.000Z');
const HOUR = 3_600_000;
const at = (hoursAfter: number) => new Date(NOW.getTime() + hoursAfter * HOUR);

const agent: Viewer = { login: 'alice', role: 'agent', org: null, org_admin: false };
const carol: Viewer = { login: 'carol', role: 'requester', org: 'acme', org_admin: false };
const erin: Viewer = { login: 'erin', role: 'requester', org: 'acme', org_admin: true };
const zed: Viewer = { login: 'zed', role: 'requester', org: 'globex', org_admin: false };

function record(subject: string, over: Partial<NewTicket> = {}): NewTicket {
  const base = newTicketRecord({
    subject, description: `about ${subject}`, priority: 'medium', channel: 'portal', type: null,
    requester: 'carol', org: 'acme', tags: [], created_at: NOW.toISOString(),
  });
  return { ...base, ...over };
}

const event = (kind: NewEvent['kind'], internal = false, actor = 'alice'): NewEvent => ({ actor, kind, from: null, to: null, note: null, internal });

/** The DomainError code `promise` fails with (or 'resolved'). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return err instanceof DomainError ? err.code : `not a DomainError: ${String(err)}`;
  }
}

function escalationOf(id: number, ticketId: number, state: Escalation['state'] = 'submitted'): Escalation {
  return {
    id: `CP-${id}`, ticket_id: ticketId, reason: 'crash in module X', team: 'engineering', level: 2, state, estimated_resolution: null,
    created_by: 'alice', created_at: NOW.toISOString(), timeline: [{ state, at: NOW.toISOString(), by: 'alice', note: null }],
  };
}

export function describeStoreConformance(name: string, open: () => Promise<OpenedStore>) {
  describe(`Store conformance: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    const list = async (viewer: Viewer, q = 'state:all', more: { sort?: 'queue' | 'created' | 'updated'; limit?: number; cursor?: string } = {}) =>
      store.listTickets({ query: parseQuery(q), viewer, sort: more.sort ?? 'created', limit: more.limit ?? 100, cursor: more.cursor, now: NOW });
    const ids = async (viewer: Viewer, q = 'state:all', sort?: 'queue' | 'created' | 'updated') => (await list(viewer, q, { sort })).items.map((t) => t.id);

    describe('users and tokens', () => {
      it('creates users with ids, finds them by id and login, lists them in id order, and counts them', async () => {
        expect(await store.countUsers()).toBe(0);
        const a = await store.createUser({ login: 'alice', name: 'Alice', email: 'a@x.test', role: 'agent', org: null, org_admin: false }, NOW);
        const e = await store.createUser({ login: 'erin', name: 'Erin', email: null, role: 'requester', org: 'acme', org_admin: true }, NOW);
        expect(a).toEqual({ id: a.id, login: 'alice', name: 'Alice', email: 'a@x.test', role: 'agent', org: null, org_admin: false, created_at: NOW.toISOString() });
        expect(await store.getUser(e.id)).toEqual(e);
        expect(await store.getUserByLogin('erin')).toEqual(e);
        expect(await store.getUser(e.id + 100)).toBeNull();
        expect(await store.getUser(2 ** 40)).toBeNull();
        expect(await store.getUserByLogin('nobody')).toBeNull();
        expect(await store.listUsers()).toEqual([a, e]);
        expect(await store.countUsers()).toBe(2);
      });

      it('refuses a second user of the same login as a conflict', async () => {
        await store.createUser({ login: 'alice', name: 'Alice', email: null, role: 'agent', org: null, org_admin: false }, NOW);
        expect(await refusal(store.createUser({ login: 'alice', name: 'Other', email: null, role: 'admin', org: null, org_admin: false }, NOW))).toBe('conflict');
        expect(await store.countUsers()).toBe(1);
      });

      it('finds a token by its hash with its user, forgets it once deleted, and never gives its id again', async () => {
        const u = await store.createUser({ login: 'alice', name: 'Alice', email: null, role: 'agent', org: null, org_admin: false }, NOW);
        const t1 = await store.createToken(u.id, 'laptop', 'hash-1', NOW);
        expect(t1).toEqual({ id: t1.id, user_id: u.id, name: 'laptop', created_at: NOW.toISOString() });
        expect(await store.findToken('hash-1')).toEqual({ token_id: t1.id, user: u });
        expect(await store.findToken('hash-2')).toBeNull();
        expect(await store.deleteToken(t1.id)).toBe(true);
        expect(await store.deleteToken(t1.id)).toBe(false);
        expect(await store.deleteToken(2 ** 40)).toBe(false);
        expect(await store.findToken('hash-1')).toBeNull();
        const t2 = await store.createToken(u.id, 'phone', 'hash-2', NOW);
        expect(t2.id).toBeGreaterThan(t1.id);
      });
    });

    describe('tickets', () => {
      it('stores a new ticket as given, with a first version, its events and comments', async () => {
        const given = record('VPN drops', { tags: ['vpn', 'Billing'], priority: 'high', type: 'incident' });
        const t = await store.createTicket(given, [event('created', false, 'carol')], [{ author: 'carol', body: 'log attached', public: true, attachments: [{ name: 'a.txt', content_type: 'text/plain', data: Buffer.from('abc') }] }]);
        expect(t).toEqual({ ...given, id: t.id, version: 1 });
        expect(await store.getTicket(t.id)).toEqual(t);
        expect(await store.getTicket(t.id + 1)).toBeNull();
        expect(await store.getTicket(2 ** 40)).toBeNull();
        expect((await store.listEvents(t.id, true)).map((e) => [e.kind, e.actor, e.at, e.ticket_id])).toEqual([['created', 'carol', NOW.toISOString(), t.id]]);
        const [c] = await store.listComments(t.id, false);
        expect(c).toMatchObject({ ticket_id: t.id, author: 'carol', body: 'log attached', public: true, created_at: NOW.toISOString(), attachments: [{ name: 'a.txt', size: 3, content_type: 'text/plain' }] });
        expect(await store.getAttachment(c!.attachments[0]!.id)).toEqual({ ticket_id: t.id, public: true, name: 'a.txt', content_type: 'text/plain', data: Buffer.from('abc') });
        expect(await store.getAttachment(c!.attachments[0]!.id + 1000)).toBeNull();
        expect(await store.attachmentBytesBy('carol')).toBe(3);
        expect(await store.attachmentBytesBy('alice')).toBe(0);
      });

      it('a ticket handed out cannot change what is stored, nor what the next reader gets', async () => {
        const t = await store.createTicket(record('as stored', { tags: ['a'] }), [], []);
        // the queue's first page without a query, the read a server serves most
        const firstPage = async () => (await list(agent, '', { sort: 'queue' })).items[0];
        for (const read of [t, await store.getTicket(t.id), await firstPage()]) {
          try {
            read!.subject = 'changed by a caller';
            read!.tags.push('b');
          } catch {
            // a store may hand out frozen records
          }
        }
        expect(await store.getTicket(t.id)).toMatchObject({ subject: 'as stored', tags: ['a'] });
        expect(await firstPage()).toMatchObject({ subject: 'as stored', tags: ['a'] });
      });

      it('creates a ticket with its events whole or not at all', async () => {
        const broken = { ...event('created'), actor: null as unknown as string };
        await expect(store.createTicket(record('half'), [event('created'), broken], [])).rejects.toThrow();
        expect(await ids(agent)).toEqual([]);
        expect(await store.listFeed({ viewer: agent, after: 0, limit: 10, now: NOW })).toMatchObject({ items: [] });
      });

      it('keeps internal events and comments from a reader who may not see them', async () => {
        const t = await store.createTicket(record('x'), [event('created'), event('priority_changed', true)], [
          { author: 'carol', body: 'public', public: true },
          { author: 'alice', body: 'internal note', public: false },
        ]);
        expect((await store.listEvents(t.id, false)).map((e) => e.kind)).toEqual(['created']);
        expect((await store.listEvents(t.id, true)).map((e) => e.kind)).toEqual(['created', 'priority_changed']);
        expect((await store.listComments(t.id, false)).map((c) => c.body)).toEqual(['public']);
        expect((await store.listComments(t.id, true)).map((c) => [c.body, c.public])).toEqual([['public', true], ['internal note', false]]);
        expect(await store.listComments(2 ** 40, true)).toEqual([]);
        expect(await store.listEvents(2 ** 40, true)).toEqual([]);
      });
    });

    describe('ticket changes', () => {
      it('applies the decision with its events and comments: one version more, updated at the time of the change', async () => {
        const t = await store.createTicket(record('x'), [], []);
        const r = await store.mutateTicket(t.id, at(1), (current) => {
          expect(current).toEqual(t);
          return { patch: { status: 'in_progress', assignee: 'alice', tags: ['a'] }, events: [event('status_changed')], comments: [{ author: 'alice', body: 'on it', public: true }] };
        });
        expect(r.changed).toBe(true);
        expect(r.ticket).toEqual({ ...t, status: 'in_progress', assignee: 'alice', tags: ['a'], version: 2, updated_at: at(1).toISOString() });
        expect(await store.getTicket(t.id)).toEqual(r.ticket);
        expect(r.comments).toEqual(await store.listComments(t.id, true));
        expect(r.comments[0]).toMatchObject({ body: 'on it', created_at: at(1).toISOString() });
        expect((await store.listEvents(t.id, true)).map((e) => [e.kind, e.at])).toEqual([['status_changed', at(1).toISOString()]]);
      });

      it('a decision that changes nothing writes nothing: same version, no event', async () => {
        const t = await store.createTicket(record('x'), [], []);
        const r = await store.mutateTicket(t.id, at(1), () => ({ patch: { status: 'closed' }, events: [event('status_changed')], noop: true }));
        expect(r).toEqual({ ticket: t, changed: false, comments: [] });
        expect(await store.getTicket(t.id)).toEqual(t);
        expect(await store.listEvents(t.id, true)).toEqual([]);
      });

      it('a decision that refuses writes nothing and its error reaches the caller', async () => {
        const t = await store.createTicket(record('x'), [], []);
        const refused = store.mutateTicket(t.id, at(1), () => {
          throw new DomainError('conflict', 'already closed');
        });
        expect(await refusal(refused)).toBe('conflict');
        expect(await store.getTicket(t.id)).toEqual(t);
      });

      it('a change that fails half-way is undone whole', async () => {
        const t = await store.createTicket(record('x'), [], []);
        const broken = { ...event('status_changed'), actor: null as unknown as string };
        await expect(store.mutateTicket(t.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('assigned'), broken] }))).rejects.toThrow();
        expect(await store.getTicket(t.id)).toEqual(t);
        expect(await store.listEvents(t.id, true)).toEqual([]);
      });

      it('a missing ticket is not found; one out of reach is not found before its version is looked at', async () => {
        const t = await store.createTicket(record('x'), [], []);
        const decide = () => ({ patch: { status: 'in_progress' as const }, events: [] });
        expect(await refusal(store.mutateTicket(t.id + 1, at(1), decide))).toBe('not_found');
        expect(await refusal(store.mutateTicket(2 ** 40, at(1), decide))).toBe('not_found');
        expect(await refusal(store.mutateTicket(t.id, at(1), decide, { reach: () => false, version: 99 }))).toBe('not_found');
        expect(await refusal(store.mutateTicket(t.id, at(1), decide, { reach: () => true, version: 99 }))).toBe('precondition_failed');
        expect((await store.mutateTicket(t.id, at(1), decide, { reach: (c) => c.id === t.id, version: 1 })).ticket.version).toBe(2);
        expect(await refusal(store.mutateTicket(t.id, at(2), decide, { version: 1 }))).toBe('precondition_failed');
      });

      it('opens and updates escalations with the ticket, and hands the running one to the next decision', async () => {
        const t = await store.createTicket(record('x'), [], []);
        const n = await store.nextEscalationNumber();
        const esc = escalationOf(n, t.id);
        await store.mutateTicket(t.id, at(1), () => ({ patch: { status: 'escalated', escalation: esc.id, escalations: [esc.id] }, events: [], createEscalation: esc }));
        expect(await store.getEscalation(esc.id)).toEqual(esc);
        expect(await store.getEscalation('CP-99999')).toBeNull();
        let running: Escalation | null = null;
        const timeline = [...esc.timeline, { state: 'resolved' as const, at: at(2).toISOString(), by: 'bob', note: 'fixed' }];
        await store.mutateTicket(t.id, at(2), (_ticket, r) => {
          running = r;
          return { patch: { escalation: null }, events: [], updateEscalation: { id: esc.id, state: 'resolved', timeline } };
        });
        expect(running).toEqual(esc);
        expect(await store.getEscalation(esc.id)).toEqual({ ...esc, state: 'resolved', timeline });
        expect((await store.getTicket(t.id))!).toMatchObject({ escalation: null, escalations: [esc.id] });
        await store.mutateTicket(t.id, at(3), (_ticket, r) => {
          running = r;
          return { patch: {}, events: [] };
        });
        expect(running).toBeNull();
      });

      it('escalation numbers are never handed out twice', async () => {
        const numbers = await Promise.all(Array.from({ length: 5 }, () => store.nextEscalationNumber()));
        expect(new Set(numbers).size).toBe(5);
        expect(await store.nextEscalationNumber()).toBeGreaterThan(Math.max(...numbers));
      });

      it('an upload past the author\'s storage limit is refused as quota_exceeded and writes nothing', async () => {
        const t = await store.createTicket(record('x'), [], [{ author: 'carol', body: 'one', public: true, attachments: [{ name: 'a.bin', content_type: 'application/octet-stream', data: Buffer.alloc(600) }] }]);
        const upload = (bytes: number) => ({
          patch: {}, events: [event('commented', false, 'carol')], storageLimit: { author: 'carol', bytes: 1000 },
          comments: [{ author: 'carol', body: 'more', public: true, attachments: [{ name: 'b.bin', content_type: 'application/octet-stream', data: Buffer.alloc(bytes) }] }],
        });
        expect(await refusal(store.mutateTicket(t.id, at(1), () => upload(401)))).toBe('quota_exceeded');
        expect(await store.attachmentBytesBy('carol')).toBe(600);
        expect((await store.getTicket(t.id))!.version).toBe(1);
        expect((await store.mutateTicket(t.id, at(1), () => upload(400))).changed).toBe(true);
        expect(await store.attachmentBytesBy('carol')).toBe(1000);
      });

      it('finds tickets done in a status before a time, oldest first, up to a limit', async () => {
        const make = async (subject: string, status: 'solution_provided' | 'closed', doneAt: string | null) => {
          const t = await store.createTicket(record(subject), [], []);
          await store.mutateTicket(t.id, NOW, () => ({ patch: { status, done_at: doneAt }, events: [] }));
          return t.id;
        };
        const late = await make('late', 'solution_provided', at(-1).toISOString());
        const early = await make('early', 'solution_provided', at(-5).toISOString());
        await make('after', 'solution_provided', at(1).toISOString());
        await make('closed', 'closed', at(-9).toISOString());
        expect(await store.ticketsInStatusSince('solution_provided', NOW.toISOString(), 10)).toEqual([early, late]);
        expect(await store.ticketsInStatusSince('solution_provided', NOW.toISOString(), 1)).toEqual([early]);
      });
    });

    describe('lists and visibility', () => {
      async function cast() {
        const mine = await store.createTicket(record('carol one', { requester: 'carol', org: 'acme', created_at: at(-3).toISOString() }), [], []);
        const colleague = await store.createTicket(record('dave one', { requester: 'dave', org: 'acme', created_at: at(-2).toISOString() }), [], []);
        const other = await store.createTicket(record('zed one', { requester: 'zed', org: 'globex', created_at: at(-1).toISOString() }), [], []);
        return { mine: mine.id, colleague: colleague.id, other: other.id };
      }

      it('staff see every ticket; a requester their own; an org admin their organization\'s', async () => {
        const c = await cast();
        expect(await ids(agent)).toEqual([c.mine, c.colleague, c.other]);
        expect(await ids({ ...agent, role: 'admin', login: 'root' })).toEqual([c.mine, c.colleague, c.other]);
        expect(await ids(carol)).toEqual([c.mine]);
        expect(await ids(erin)).toEqual([c.mine, c.colleague]);
        expect(await ids(zed)).toEqual([c.other]);
        // an org admin without an organization sees only their own
        expect(await ids({ ...erin, org: null })).toEqual([]);
      });

      it('filters by the query, with `me` as the viewer', async () => {
        const c = await cast();
        await store.mutateTicket(c.colleague, NOW, () => ({ patch: { assignee: 'alice', priority: 'high' }, events: [] }));
        expect(await ids(agent, 'assignee:me')).toEqual([c.colleague]);
        expect(await ids(agent, '-assignee:me')).toEqual([c.mine, c.other]);
        expect(await ids(agent, 'requester:ZED')).toEqual([c.other]);
        expect(await ids(agent, 'org:acme one')).toEqual([c.mine, c.colleague]);
        expect(await ids(erin, 'dave')).toEqual([c.colleague]);
        expect(await ids(carol, 'dave')).toEqual([]);
      });

      it('orders by queue, creation and last change, and pages through with cursors without a gap or a repeat', async () => {
        const made: number[] = [];
        for (let i = 0; i < 7; i++) {
          const t = await store.createTicket(record(`t${i}`, { priority: (['low', 'critical', 'medium'] as const)[i % 3]!, created_at: at(-10 + i).toISOString() }), [], []);
          made.push(t.id);
        }
        await store.mutateTicket(made[0]!, at(1), () => ({ patch: { priority: 'critical' }, events: [] }));
        expect(await ids(agent, 'state:all', 'created')).toEqual(made);
        expect(await ids(agent, 'state:all', 'updated')).toEqual([made[0], ...made.slice(1).reverse()]);
        // critical first (the reprioritized one by its creation), then medium, then low
        expect(await ids(agent, 'state:all', 'queue')).toEqual([made[0], made[1], made[4], made[2], made[5], made[3], made[6]]);
        for (const sort of ['queue', 'created', 'updated'] as const) {
          const seen: number[] = [];
          let cursor: string | undefined;
          do {
            const page = await list(agent, 'state:all', { sort, limit: 3, cursor });
            expect(page.items.length).toBeLessThanOrEqual(3);
            seen.push(...page.items.map((t) => t.id));
            cursor = page.next_cursor ?? undefined;
          } while (cursor);
          expect(seen).toEqual(await ids(agent, 'state:all', sort));
        }
        expect((await list(agent, 'state:all', { limit: 7 })).next_cursor).toBeNull();
      });

      it('a cursor that no page gave is refused as a validation error', async () => {
        await cast();
        expect(await refusal(list(agent, 'state:all', { cursor: 'not-a-cursor' }))).toBe('validation');
        expect(await refusal(list(agent, 'state:all', { cursor: Buffer.from('[1]').toString('base64url') }))).toBe('validation');
        // the right length, the wrong types: a priority rank that is not a number
        const forged = Buffer.from(JSON.stringify(['high', NOW.toISOString(), 1])).toString('base64url');
        expect(await refusal(list(agent, 'state:all', { sort: 'queue', cursor: forged }))).toBe('validation');
        const escalations = Buffer.from(JSON.stringify(['CP-1'])).toString('base64url');
        expect(await refusal(store.listEscalations({ viewer: agent, limit: 10, cursor: escalations }))).toBe('validation');
      });

      it('lists escalations a viewer may see, by state, in id order, page by page', async () => {
        const c = await cast();
        const escalate = async (ticket: number, state: Escalation['state']) => {
          const esc = escalationOf(await store.nextEscalationNumber(), ticket, state);
          await store.mutateTicket(ticket, NOW, () => ({ patch: { escalation: esc.id }, events: [], createEscalation: esc }));
          return esc.id;
        };
        const e1 = await escalate(c.mine, 'submitted');
        const e2 = await escalate(c.colleague, 'resolved');
        const e3 = await escalate(c.other, 'submitted');
        const escIds = async (viewer: Viewer, state?: 'running' | 'resolved' | 'all') => (await store.listEscalations({ viewer, state, limit: 10 })).items.map((e) => e.id);
        expect(await escIds(agent)).toEqual([e1, e2, e3]);
        expect(await escIds(agent, 'running')).toEqual([e1, e3]);
        expect(await escIds(agent, 'resolved')).toEqual([e2]);
        expect(await escIds(carol)).toEqual([e1]);
        expect(await escIds(erin, 'all')).toEqual([e1, e2]);
        const first = await store.listEscalations({ viewer: agent, limit: 2 });
        expect(first.items.map((e) => e.id)).toEqual([e1, e2]);
        const second = await store.listEscalations({ viewer: agent, limit: 2, cursor: first.next_cursor! });
        expect(second).toEqual({ items: [await store.getEscalation(e3)], next_cursor: null });
      });
    });

    describe('the change feed', () => {
      it('hands out events oldest first after a position, up to a horizon every later event lies beyond', async () => {
        const a = await store.createTicket(record('a'), [event('created')], []);
        const b = await store.createTicket(record('b'), [event('created')], []);
        await store.mutateTicket(a.id, at(1), () => ({ patch: {}, events: [event('commented'), event('assigned')] }));
        const all = await store.listFeed({ viewer: agent, after: 0, limit: 100, now: NOW });
        expect(all.items.map((e) => [e.ticket_id, e.kind])).toEqual([[a.id, 'created'], [b.id, 'created'], [a.id, 'commented'], [a.id, 'assigned']]);
        expect(all.horizon).toBe(all.items[3]!.id);
        const ids = all.items.map((e) => e.id);
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
        const page = await store.listFeed({ viewer: agent, after: ids[0]!, limit: 2, now: NOW });
        expect(page).toEqual({ items: all.items.slice(1, 3), horizon: ids[2] });
        expect(await store.listFeed({ viewer: agent, after: ids[3]!, limit: 2, now: NOW })).toEqual({ items: [], horizon: ids[3] });
        expect((await store.listFeed({ viewer: agent, after: 0, limit: 100, ticketId: b.id, now: NOW })).items.map((e) => e.ticket_id)).toEqual([b.id]);
        expect((await store.listFeed({ viewer: agent, after: 0, limit: 100, ticketId: 2 ** 40, now: NOW })).items).toEqual([]);
      });

      it('shows a requester only public events of tickets they may see, and filters by the query as the ticket is now', async () => {
        const mine = await store.createTicket(record('mine'), [event('created'), event('priority_changed', true)], []);
        const theirs = await store.createTicket(record('theirs', { requester: 'zed', org: 'globex' }), [event('created')], []);
        const feed = async (viewer: Viewer, q?: string) =>
          (await store.listFeed({ viewer, after: 0, limit: 100, query: q === undefined ? undefined : parseQuery(q), now: NOW })).items.map((e) => [e.ticket_id, e.kind]);
        expect(await feed(carol)).toEqual([[mine.id, 'created']]);
        expect(await feed(zed)).toEqual([[theirs.id, 'created']]);
        expect(await feed(agent, 'requester:zed')).toEqual([[theirs.id, 'created']]);
        expect(await feed(agent, 'mine')).toEqual([[mine.id, 'created'], [mine.id, 'priority_changed']]);
      });

      it('finds the position of a time: the last event recorded before it', async () => {
        expect(await store.feedPositionAt(NOW.toISOString())).toBe(0);
        const t = await store.createTicket(record('a'), [event('created')], []);
        await store.mutateTicket(t.id, at(2), () => ({ patch: {}, events: [event('commented')] }));
        const [first, second] = await store.listEvents(t.id, true);
        expect(await store.feedPositionAt(at(1).toISOString())).toBe(first!.id);
        expect(await store.feedPositionAt(at(3).toISOString())).toBe(second!.id);
        expect(await store.feedPositionAt(at(-1).toISOString())).toBe(0);
      });
    });

    describe('batches', () => {
      it('commits many changes at once, each with its events', async () => {
        const a = await store.createTicket(record('a'), [], []);
        const b = await store.createTicket(record('b'), [], []);
        const result = await store.batch(async () => {
          await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
          await store.mutateTicket(b.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
          return 'done';
        }, { tickets: [b.id, a.id] });
        expect(result).toBe('done');
        for (const id of [a.id, b.id]) {
          expect((await store.getTicket(id))!).toMatchObject({ status: 'in_progress', version: 2 });
          expect(await store.listEvents(id, true)).toHaveLength(1);
        }
      });

      it('undoes a refused or half-done change alone, as a savepoint; the others commit', async () => {
        const [a, b, c] = [await store.createTicket(record('a'), [], []), await store.createTicket(record('b'), [], []), await store.createTicket(record('c'), [], [])];
        // a comment the database refuses, written after the ticket's own update: the change is half done when it fails
        const broken = { author: null as unknown as string, body: 'half', public: false };
        await store.batch(async () => {
          await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
          const refused = store.mutateTicket(b.id, at(1), () => {
            throw new DomainError('conflict', 'refused');
          });
          expect(await refusal(refused)).toBe('conflict');
          await expect(store.mutateTicket(c.id, at(1), () => ({ patch: { status: 'closed' }, events: [event('assigned')], comments: [broken] }))).rejects.toThrow();
          // the batch reads its own writes, and not the undone ones
          expect((await store.getTicket(a.id))!.status).toBe('in_progress');
          expect((await store.getTicket(c.id))!.status).toBe('new');
        });
        expect((await store.getTicket(a.id))!).toMatchObject({ status: 'in_progress', version: 2 });
        expect(await store.getTicket(b.id)).toEqual(b);
        expect(await store.getTicket(c.id)).toEqual(c);
        expect(await store.listEvents(c.id, true)).toEqual([]);
        expect(await store.listComments(c.id, true)).toEqual([]);
      });

      it('undoes everything when the batch itself fails, and passes its error on', async () => {
        const a = await store.createTicket(record('a'), [], []);
        await expect(
          store.batch(async () => {
            await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
            await store.createTicket(record('made in the batch'), [event('created')], []);
            throw new Error('the batch breaks');
          }),
        ).rejects.toThrow('the batch breaks');
        expect(await store.getTicket(a.id)).toEqual(a);
        expect(await ids(agent)).toEqual([a.id]);
        expect((await store.listFeed({ viewer: agent, after: 0, limit: 10, now: NOW })).items).toEqual([]);
      });

      it('a batch begun inside a batch is part of it: it commits, or is undone, with the outer one', async () => {
        const a = await store.createTicket(record('a'), [], []);
        const b = await store.createTicket(record('b'), [], []);
        await expect(
          store.batch(async () => {
            await store.batch(() => store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] })));
            expect((await store.getTicket(a.id))!.status).toBe('in_progress');
            throw new Error('the outer batch breaks');
          }),
        ).rejects.toThrow('the outer batch breaks');
        expect(await store.getTicket(a.id)).toEqual(a);
        await store.batch(async () => {
          await store.batch(() => store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [] })));
          await store.mutateTicket(b.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [] }));
        });
        expect([(await store.getTicket(a.id))!.status, (await store.getTicket(b.id))!.status]).toEqual(['in_progress', 'in_progress']);
      });

      it('keeps a write from outside out of its transaction: it lands whether the batch commits or not', async () => {
        const a = await store.createTicket(record('a'), [], []);
        let arrive!: () => void;
        const outside = new Promise<void>((r) => (arrive = r)).then(() => store.createTicket(record('from another request'), [], []));
        await expect(
          store.batch(async () => {
            await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [] }));
            arrive();
            await new Promise((r) => setTimeout(r, 20));
            throw new Error('the batch breaks');
          }),
        ).rejects.toThrow('the batch breaks');
        const created = await outside;
        expect((await store.getTicket(created.id))!.subject).toBe('from another request');
        expect((await store.getTicket(a.id))!.status).toBe('new');
      });

      it('a reader outside sees none of the batch until it commits', async () => {
        const a = await store.createTicket(record('a'), [event('created')], []);
        const before = await store.listFeed({ viewer: agent, after: 0, limit: 10, now: NOW });
        let inside!: () => void;
        let release!: () => void;
        const reachedInside = new Promise<void>((r) => (inside = r));
        const released = new Promise<void>((r) => (release = r));
        const running = store.batch(async () => {
          await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
          inside();
          await released;
        });
        await reachedInside;
        // a feed read from outside either waits for the commit or sees the batch's events not yet
        const during = store.listFeed({ viewer: agent, after: before.horizon, limit: 10, now: NOW });
        const early = await Promise.race([during.then((r) => r.items.length), new Promise<string>((r) => setTimeout(() => r('waiting'), 50))]);
        expect(['waiting', 0]).toContain(early);
        release();
        await running;
        const after = await store.listFeed({ viewer: agent, after: before.horizon, limit: 10, now: NOW });
        expect(after.items.map((e) => e.kind)).toEqual(['status_changed']);
        const seen = await during;
        // whatever the read during the batch answered, its horizon never passed an event it did not hand out
        expect(seen.items.length > 0 || seen.horizon < after.items[0]!.id).toBe(true);
      });

      it('wakes feed readers once it commits, not while it runs', async () => {
        const a = await store.createTicket(record('a'), [], []);
        let woken = 0;
        const stop = store.commits.subscribe(() => woken++);
        // a wake-up may travel through the database: wait for it, and for the creation's to pass first
        const wokenAbove = (n: number) => expect.poll(() => woken, { timeout: 5_000 }).toBeGreaterThan(n);
        try {
          await new Promise((r) => setTimeout(r, 50));
          const before = woken;
          await store.batch(async () => {
            await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
            await store.mutateTicket(a.id, at(1), () => ({ patch: { status: 'blocked' }, events: [event('status_changed')] }));
            await new Promise((r) => setTimeout(r, 20));
            expect(woken).toBe(before);
          });
          await wokenAbove(before);
          const afterBatch = woken;
          await store.mutateTicket(a.id, at(2), () => ({ patch: { status: 'in_progress' }, events: [event('status_changed')] }));
          await wokenAbove(afterBatch);
        } finally {
          stop();
        }
      });
    });

    describe('idempotency records', () => {
      it('a key is new once, pending until finished, then replays its answer; another body under it is a mismatch', async () => {
        expect(await store.idempotencyBegin(1, 'k', 'fp', NOW)).toEqual({ state: 'new' });
        expect(await store.idempotencyBegin(1, 'k', 'fp', NOW)).toEqual({ state: 'pending' });
        await store.idempotencyFinish(1, 'k', 201, '{"id":7}');
        expect(await store.idempotencyBegin(1, 'k', 'fp', at(1))).toEqual({ state: 'done', status: 201, body: '{"id":7}' });
        expect(await store.idempotencyBegin(1, 'k', 'other', at(1))).toEqual({ state: 'mismatch' });
      });

      it('keys belong to one user: the same key of another user is new', async () => {
        expect(await store.idempotencyBegin(1, 'k', 'fp', NOW)).toEqual({ state: 'new' });
        expect(await store.idempotencyBegin(2, 'k', 'fp', NOW)).toEqual({ state: 'new' });
      });

      it('of racing first requests with one key, exactly one is new', async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, () => store.idempotencyBegin(1, 'race', 'fp', NOW)));
        expect(answers.filter((a) => a.state === 'new')).toHaveLength(1);
        expect(answers.filter((a) => a.state === 'pending')).toHaveLength(5);
      });

      it('an abandoned key may be used again', async () => {
        await store.idempotencyBegin(1, 'k', 'fp', NOW);
        await store.idempotencyAbandon(1, 'k');
        expect(await store.idempotencyBegin(1, 'k', 'other', NOW)).toEqual({ state: 'new' });
      });

      it('a record lives 24 hours: past that it counts as gone, and the sweep removes it a slice at a time', async () => {
        for (const k of ['a', 'b', 'c']) {
          await store.idempotencyBegin(1, k, 'fp', NOW);
          await store.idempotencyFinish(1, k, 200, '{}');
        }
        await store.idempotencyBegin(1, 'young', 'fp', at(1));
        expect(await store.idempotencyBegin(1, 'a', 'fp', at(24))).toEqual({ state: 'done', status: 200, body: '{}' });
        expect(await store.idempotencyExpire(at(24))).toBe(0);
        expect(await store.idempotencyBegin(1, 'a', 'changed', at(24.01))).toEqual({ state: 'new' });
        expect(await store.idempotencyExpire(at(24.01), 1)).toBe(1);
        expect(await store.idempotencyExpire(at(24.01))).toBe(1);
        expect(await store.idempotencyExpire(at(24.01))).toBe(0);
        expect(await store.idempotencyBegin(1, 'young', 'fp', at(24.01))).toEqual({ state: 'pending' });
      });
    });
  });
}
