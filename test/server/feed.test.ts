// GET /v1/events, the change feed: order, cursor, visibility, filters, long polls, and the store
// guarantees behind them (no event handed out before every smaller id has committed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Event } from '../../src/domain/schemas.js';
import { buildApp, hashToken } from '../../src/server/app.js';
import { startServer as serve } from '../../src/server/main.js';
import { newTicketRecord } from '../../src/server/service.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { LocalNotifier } from '../../src/server/store/notifier.js';
import type { Store } from '../../src/server/store/types.js';
import { HOUR, MINUTE, openTestStore, rowsOf, serverPerTest, startServer, type TestServer, type TestStore } from './helpers.js';

type FeedPage = { items: Event[]; next_cursor: string };

const s = serverPerTest();

async function feed(as: string, query = '', server: TestServer = s): Promise<FeedPage> {
  const res = await server.call(as, 'GET', `/v1/events${query ? `?${query}` : ''}`);
  if (res.statusCode !== 200) throw new Error(`GET /v1/events?${query}: ${res.statusCode} ${res.body}`);
  return res.json() as FeedPage;
}

/** Every event `as` may see, paged `limit` at a time from `after`. */
async function drain(as: string, after = '0', limit = 1000, extra = ''): Promise<Event[]> {
  const all: Event[] = [];
  let cursor = after;
  for (;;) {
    const page = await feed(as, `after=${cursor}&limit=${limit}${extra}`);
    all.push(...page.items);
    if (page.items.length === 0) return all;
    cursor = page.next_cursor;
  }
}

const allEventIds = async () => (await rowsOf(s.store, 'SELECT id FROM events ORDER BY id')).map((r) => Number(r.id));

describe('GET /v1/events: order and cursor', () => {
  it('lists every event oldest first; next_cursor is the last id, and an empty page keeps the cursor', async () => {
    const t = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'support' });
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'looking', public: true });
    const first = await feed('alice', 'limit=2');
    expect(first.items.map((e) => e.kind)).toEqual(['created', 'triaged']);
    expect(first.next_cursor).toBe(String(first.items[1]!.id));
    const rest = await feed('alice', `after=${first.next_cursor}`);
    expect(rest.items.map((e) => e.kind)).toEqual(['commented']);
    const end = await feed('alice', `after=${rest.next_cursor}`);
    expect(end).toEqual({ items: [], next_cursor: rest.next_cursor });
    expect([...first.items, ...rest.items].map((e) => e.id)).toEqual(await allEventIds());
  });

  it('takes after, limit and wait only as canonical decimals within bounds', async () => {
    for (const bad of ['after=0x10', 'after=01', 'after=1e3', 'after=-1', 'after=%2B1', 'after=', 'limit=0', 'limit=1001', 'limit=1.5', 'wait=61', 'wait=-1', 'ticket=0', 'ticket=abc', 'since=yesterday']) {
      const res = await s.call('alice', 'GET', `/v1/events?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers['content-type'], bad).toMatch(/^application\/problem\+json/);
    }
    expect((await s.call('alice', 'GET', '/v1/events?after=0&limit=1000&wait=0')).statusCode).toBe(200);
  });

  it('since starts at a time: a duration back from the server clock, or an ISO timestamp', async () => {
    const old = await s.open('carol', { subject: 'old one' });
    s.clock.advance(3 * HOUR);
    const recent = await s.open('carol', { subject: 'recent one' });
    const lastHour = await feed('alice', 'since=1h');
    expect(lastHour.items.map((e) => e.ticket_id)).toEqual([recent.id]);
    // at or after the instant: the events stamped with it are in
    expect((await feed('alice', `since=${encodeURIComponent(s.clock.now().toISOString())}`)).items.map((e) => e.ticket_id)).toEqual([recent.id]);
    expect((await feed('alice', `since=${encodeURIComponent(new Date(s.clock.now().getTime() + 1).toISOString())}`)).items).toEqual([]);
    expect((await feed('alice', 'since=1d')).items.map((e) => e.ticket_id)).toEqual([old.id, recent.id]);
    // nothing since: the cursor still moves to "now", so the next page starts there
    s.clock.advance(MINUTE);
    const none = await feed('alice', 'since=0m');
    expect(none.items).toEqual([]);
    expect(Number(none.next_cursor)).toBe(Math.max(...(await allEventIds())));
  });

  it('q keeps the events of tickets matching the query now; ticket keeps one ticket', async () => {
    const a = await s.open('carol', { subject: 'Billing export broken' });
    const b = await s.open('carol', { subject: 'VPN drops' });
    await s.call('alice', 'POST', `/v1/tickets/${b.id}/triage`, { team: 'engineering' });
    const eng = await feed('alice', `q=${encodeURIComponent('team:engineering')}`);
    expect(new Set(eng.items.map((e) => e.ticket_id))).toEqual(new Set([b.id]));
    expect(eng.items.map((e) => e.kind)).toEqual(['created', 'triaged']);
    const words = await feed('alice', `q=${encodeURIComponent('billing')}`);
    expect(words.items.map((e) => e.ticket_id)).toEqual([a.id]);
    expect((await feed('alice', `ticket=${a.id}`)).items.map((e) => e.ticket_id)).toEqual([a.id]);
    const bad = await s.call('alice', 'GET', `/v1/events?q=${encodeURIComponent('colour:red')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/unknown field "colour"/);
  });
});

describe('GET /v1/events: who sees what', () => {
  it("a requester's feed holds only public events of their reachable tickets; an org admin's their org's", async () => {
    const mine = await s.open('carol');
    const sameOrg = await s.open('dave');
    const otherOrg = await s.open('zed');
    await s.call('alice', 'POST', `/v1/tickets/${mine.id}/escalate`, { reason: 'needs a patch from engineering' });
    await s.call('alice', 'POST', `/v1/tickets/${mine.id}/comments`, { body: 'internal thoughts' });
    await s.call('alice', 'POST', `/v1/tickets/${otherOrg.id}/comments`, { body: 'public answer', public: true });
    const carol = await drain('carol', '0', 2);
    expect(carol.length).toBeGreaterThan(0);
    expect(carol.every((e) => !e.internal && e.ticket_id === mine.id)).toBe(true);
    expect(carol.map((e) => e.kind)).not.toContain('escalated');
    const erin = await drain('erin');
    expect(new Set(erin.map((e) => e.ticket_id))).toEqual(new Set([mine.id, sameOrg.id]));
    expect(erin.every((e) => !e.internal)).toBe(true);
    const alice = await drain('alice');
    expect(alice.map((e) => e.id)).toEqual(await allEventIds());
    expect(alice.some((e) => e.internal)).toBe(true);
  });

  it('a ticket out of reach is not found, the same as one that does not exist', async () => {
    const other = await s.open('zed');
    const hidden = await s.call('carol', 'GET', `/v1/events?ticket=${other.id}`);
    const missing = await s.call('carol', 'GET', '/v1/events?ticket=987654');
    expect([hidden.statusCode, missing.statusCode]).toEqual([404, 404]);
    expect({ ...hidden.json(), detail: undefined }).toEqual({ ...missing.json(), detail: undefined });
  });
});

describe('GET /v1/events: concurrent writers', () => {
  it('20 writers commit side by side (single changes and batches) while a reader pages 3 at a time: every event once, in order', async () => {
    // the reader polls as fast as it can: the per-token limit would cut it short
    const opened = await openTestStore();
    const store = opened.store;
    const app = await buildApp({ store, rateLimit: { limit: 0, windowSeconds: 60 } });
    const alice = await store.createUser({ login: 'alice', name: 'Alice', email: null, role: 'agent', org: null, org_admin: false }, new Date());
    await store.createToken(alice.id, 'test', hashToken('tix_feed_writer_test'), new Date());
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, payload, headers: { authorization: 'Bearer tix_feed_writer_test' } });
    const feed = async (query: string) => (await call('GET', `/v1/events?${query}`)).json() as FeedPage;
    const allEventIds = async () => (await rowsOf(store, 'SELECT id FROM events ORDER BY id')).map((r) => Number(r.id));
    const tickets = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await call('POST', '/v1/tickets', { subject: `Ticket ${i}`, description: 'd' })).json() as { id: number }),
    );
    const seen: Event[] = [];
    let writing = true;
    const reader = (async () => {
      let cursor = '0';
      for (let reads = 0; reads < 100_000; reads++) {
        const stillWriting = writing;
        // a turn of the event loop between reads, as a network round trip gives: in-process requests would starve the writers
        await new Promise((r) => setImmediate(r));
        const page = await feed(`after=${cursor}&limit=3`);
        seen.push(...page.items);
        cursor = page.next_cursor;
        if (page.items.length === 0 && !stillWriting) return;
      }
      throw new Error('the reader never caught up');
    })();
    const writers = Promise.all(
      tickets.map(async (t, w) => {
        for (let i = 0; i < 6; i++) {
          // every other writer sends batches: one transaction held across awaits while others wait their turn
          const res =
            w % 2
              ? await call('POST', '/v1/batch', { operations: [{ op: 'comment', id: t.id, body: { body: `b${i}.1` } }, { op: 'comment', id: t.id, body: { body: `b${i}.2` } }] })
              : await call('POST', `/v1/tickets/${t.id}/comments`, { body: `c${i}` });
          expect(res.statusCode, res.body).toBeLessThan(300);
        }
      }),
    );
    await writers.finally(() => (writing = false));
    await reader;
    const ids = seen.map((e) => e.id);
    expect(ids).toEqual(await allEventIds());
    expect(ids.length).toBe(20 + 10 * 6 + 10 * 12);
    await app.close();
    await opened.close();
  });
});

describe('GET /v1/events?wait=', () => {
  it('holds the request until a change commits, then answers with it, long before the wait runs out', async () => {
    const t = await s.open('carol');
    const { next_cursor } = await feed('alice');
    const started = Date.now();
    let changedAt = 0;
    const held = s.call('alice', 'GET', `/v1/events?after=${next_cursor}&wait=30`).then((res) => ({ res, at: Date.now() }));
    let answered = false;
    void held.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    changedAt = Date.now();
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'news', public: true });
    const { res, at } = await held;
    expect(res.statusCode).toBe(200);
    expect((res.json() as FeedPage).items.map((e) => e.kind)).toEqual(['commented']);
    expect(at).toBeGreaterThanOrEqual(changedAt);
    // far inside the 30 s asked for: woken by the commit, not by the clock
    expect(at - started).toBeLessThan(10_000);
  });

  it('answers an empty page at the same cursor when nothing it may see arrives in time', async () => {
    const mine = await s.open('carol');
    const other = await s.open('zed');
    const { next_cursor } = await feed('carol');
    const held = s.call('carol', 'GET', `/v1/events?after=${next_cursor}&wait=1`);
    // changes out of carol's sight wake the request, which reads nothing and waits on
    await s.call('alice', 'POST', `/v1/tickets/${other.id}/comments`, { body: 'not for carol', public: true });
    await s.call('alice', 'POST', `/v1/tickets/${mine.id}/comments`, { body: 'internal only' });
    const res = await held;
    expect(res.json()).toEqual({ items: [], next_cursor });
  });

  it('a held request is answered at once when the server closes', async () => {
    const server = await startServer();
    await server.open('carol');
    const { next_cursor } = await feed('alice', '', server);
    const held = server.call('alice', 'GET', `/v1/events?after=${next_cursor}&wait=60`);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close();
    const res = await held;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], next_cursor });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((server.store.commits as LocalNotifier).size).toBe(0);
  });
});

describe('GET /v1/events?wait= on a listening server', () => {
  it('a held request is answered before the server waits for requests in flight, so stopping stays quick', async () => {
    const running = await serve({ host: '127.0.0.1', port: 0, db: ':memory:', sweepEveryMs: 0 });
    const held = fetch(`${running.url}/v1/events?wait=60`, { headers: { authorization: `Bearer ${running.bootstrapToken}` } }).then(async (r) => ({ status: r.status, body: await r.json() }));
    await until(() => (running.store as SqliteStore).commits.size === 1);
    const started = Date.now();
    await running.close();
    const res = await held;
    // the graceful stop waits up to 10 s for answers in flight: a held poll must not be one of them
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res).toEqual({ status: 200, body: { items: [], next_cursor: '0' } });
  });
});

describe('GET /v1/events?wait= when the caller hangs up', () => {
  it('stops waiting for a reader who is gone', async () => {
    const running = await serve({ host: '127.0.0.1', port: 0, db: ':memory:', sweepEveryMs: 0 });
    try {
      const commits = (running.store as SqliteStore).commits;
      const caller = new AbortController();
      const held = fetch(`${running.url}/v1/events?wait=60`, { headers: { authorization: `Bearer ${running.bootstrapToken}` }, signal: caller.signal }).catch(() => 'hung up');
      await until(() => commits.size === 1);
      caller.abort();
      expect(await held).toBe('hung up');
      await until(() => commits.size === 0);
    } finally {
      await running.close();
    }
  });
});

async function until(check: () => boolean) {
  for (const started = Date.now(); !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > 10_000) throw new Error('timed out');
  }
}

describe('the store behind the feed', () => {
  const now = new Date('2026-11-02T09:00:00Z');
  const record = () => newTicketRecord({ subject: 's', description: 'd', priority: 'medium', channel: 'portal', type: null, requester: 'carol', org: 'acme', tags: [], created_at: now.toISOString() });
  const note = { actor: 'alice', kind: 'commented' as const, from: null, to: null, note: 'internal comment', internal: true };
  const agent = { login: 'alice', role: 'agent' as const, org: null, org_admin: false };
  let store: Store | undefined;
  let opened: TestStore | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await (opened ?? store)?.close();
    store = undefined;
    opened = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('never hands out the events of a batch before it commits, so a rolled-back id handed out again is seen once', async () => {
    opened = await openTestStore();
    store = opened.store;
    const t = await store.createTicket(record(), [note], []);
    let inBatch!: () => void;
    const batchRunning = new Promise<void>((r) => (inBatch = r));
    const batch = store
      .batch(async () => {
        await store!.mutateTicket(t.id, now, () => ({ patch: {}, events: [note, note] }));
        inBatch();
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('the batch breaks');
      })
      .catch(() => 'rolled back');
    await batchRunning;
    const during = await store.listFeed({ viewer: agent, after: 1, limit: 10, now });
    expect(await batch).toBe('rolled back');
    expect(during.items).toEqual([]);
    await store.mutateTicket(t.id, now, () => ({ patch: {}, events: [{ ...note, note: 'after the rollback' }] }));
    const after = await store.listFeed({ viewer: agent, after: during.horizon, limit: 10, now });
    expect(after.items.map((e) => e.note)).toEqual(['after the rollback']);
    // SQLite hands the rolled-back id out again; a PostgreSQL sequence never does
    if (store instanceof SqliteStore) expect(after.items[0]!.id).toBe(2);
  });

  it('tells its subscribers after each commit; a batch tells once, when it commits', async () => {
    // SQLite's own notifier, in-process and synchronous (PostgreSQL's instances tell each other through the database)
    store = new SqliteStore(':memory:');
    const calls: string[] = [];
    let phase = 'start';
    const unsubscribe = store.commits.subscribe(() => calls.push(phase));
    const t = await store.createTicket(record(), [note], []);
    phase = 'change';
    await store.mutateTicket(t.id, now, () => ({ patch: {}, events: [note] }));
    await store.mutateTicket(t.id, now, () => ({ patch: {}, events: [], noop: true }));
    phase = 'batch';
    await store.batch(async () => {
      await store!.mutateTicket(t.id, now, () => ({ patch: {}, events: [note] }));
      expect(calls).not.toContain('batch');
      await store!.mutateTicket(t.id, now, () => ({ patch: {}, events: [note] }));
    });
    unsubscribe();
    await store.mutateTicket(t.id, now, () => ({ patch: {}, events: [note] }));
    expect(calls).toEqual(['start', 'change', 'batch']);
  });

  it('a cursor stays valid across a restart: the events after it, and only those, follow', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-feed-'));
    const path = join(dir, 'tix.db');
    store = new SqliteStore(path);
    const t = await store.createTicket(record(), [note], []);
    await store.mutateTicket(t.id, now, () => ({ patch: {}, events: [note] }));
    const before = await store.listFeed({ viewer: agent, after: 0, limit: 10, now });
    await store.close();
    store = new SqliteStore(path);
    await store.mutateTicket(t.id, now, () => ({ patch: {}, events: [{ ...note, note: 'after the restart' }] }));
    const next = await store.listFeed({ viewer: agent, after: before.items.at(-1)!.id, limit: 10, now });
    expect(next.items.map((e) => e.note)).toEqual(['after the restart']);
    expect(next.items[0]!.id).toBeGreaterThan(before.items.at(-1)!.id);
  });
});
