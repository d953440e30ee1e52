// Queue order, cursor pagination, status groups and the query language through GET /v1/tickets.
import { describe, expect, it } from 'vitest';
import { queueOrder } from '../../src/domain/queue.js';
import type { Priority, Ticket } from '../../src/domain/schemas.js';
import { MINUTE, problemOf, serverPerTest } from './helpers.js';

const s = serverPerTest();

type Page = { items: Ticket[]; next_cursor: string | null };
const list = async (as: string, query = '') => {
  const res = await s.call(as, 'GET', `/v1/tickets${query}`);
  if (res.statusCode !== 200) throw new Error(`list: ${res.statusCode} ${res.body}`);
  return res.json() as Page;
};
const ids = (p: Page) => p.items.map((t) => t.id);

/** Opens tickets with the given priorities; `tick` minutes pass after each unless 0 (same created_at). */
async function openMany(priorities: Priority[], tick = 1) {
  const out: Ticket[] = [];
  for (const priority of priorities) {
    out.push(await s.open('alice', { priority, requester: 'carol', subject: `${priority} #${out.length + 1}` }));
    if (tick) s.clock.advance(tick * MINUTE);
  }
  return out;
}

async function allPages(as: string, limit: number, q = 'state:all') {
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const qs: string = `?limit=${limit}&q=${encodeURIComponent(q)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await list(as, qs);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...ids(page));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { seen, pages };
}

describe('queue order of GET /v1/tickets', () => {
  it('lists higher priority first', async () => {
    const [low, crit, med, high] = await openMany(['low', 'critical', 'medium', 'high']);
    expect(ids(await list('alice'))).toEqual([crit!.id, high!.id, med!.id, low!.id]);
  });
  it('lists the oldest first within a priority (first come, first served)', async () => {
    const [a, b, c] = await openMany(['high', 'high', 'high']);
    expect(ids(await list('alice'))).toEqual([a!.id, b!.id, c!.id]);
  });
  it('lists by id when priority and created_at are equal', async () => {
    const made = await openMany(['medium', 'medium', 'medium'], 0);
    expect(new Set(made.map((t) => t.created_at)).size).toBe(1);
    expect(ids(await list('alice'))).toEqual(made.map((t) => t.id));
  });
  it('follows the priority a ticket has now, not the one it was opened with', async () => {
    const [first, second] = await openMany(['low', 'medium']);
    await s.call('alice', 'POST', `/v1/tickets/${first!.id}/priority`, { priority: 'high', reason: 'all users of the tenant are affected' });
    expect(ids(await list('alice'))).toEqual([first!.id, second!.id]);
  });
  it('matches the domain queueOrder for a mixed queue', async () => {
    await openMany(['low', 'critical', 'medium', 'high', 'critical', 'low'], 0);
    await openMany(['medium', 'high', 'low', 'critical', 'medium']);
    const page = await list('alice', '?limit=1000');
    expect(ids(page)).toEqual([...page.items].sort(queueOrder).map((t) => t.id));
  });
});

describe('cursor pagination', () => {
  const MIX: Priority[] = ['low', 'critical', 'medium', 'high', 'medium', 'low', 'critical', 'high', 'medium', 'medium', 'low'];

  it('walks every ticket exactly once, in queue order, across pages', async () => {
    await openMany(MIX, 0); // ties on created_at force the id tie-break across page boundaries
    await openMany(MIX);
    const whole = ids(await list('alice', '?limit=1000&q=state:all'));
    const { seen, pages } = await allPages('alice', 4);
    expect(whole).toHaveLength(MIX.length * 2);
    expect(seen).toEqual(whole);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(whole.length / 4));
  });
  it.each([1, 3, 7, 22, 23])('gives the same sequence with pages of %i', async (limit) => {
    await openMany(MIX, 0);
    await openMany(MIX);
    const whole = ids(await list('alice', '?limit=1000&q=state:all'));
    expect((await allPages('alice', limit)).seen).toEqual(whole);
  });
  it('keeps filtering on every page', async () => {
    await openMany(MIX, 0);
    const { seen } = await allPages('alice', 2, 'priority:medium,low');
    const wanted = ids(await list('alice', '?limit=1000&q=priority:medium,low'));
    expect(seen).toEqual(wanted);
    expect(wanted).toHaveLength(MIX.filter((p) => p === 'medium' || p === 'low').length);
  });
  it('answers next_cursor null on the last page', async () => {
    await openMany(['low', 'high']);
    expect((await list('alice', '?limit=2')).next_cursor).toBeNull();
  });
  it('refuses a limit above 1000 with 400', async () => {
    expect((await s.call('alice', 'GET', '/v1/tickets?limit=1001')).statusCode).toBe(400);
  });
  it('refuses a forged cursor with a 400 problem', async () => {
    const res = await s.call('alice', 'GET', '/v1/tickets?cursor=bm9wZQ');
    expect([res.statusCode, problemOf(res).code]).toEqual([400, 'validation']);
  });
});

describe('status groups via ?q=state:', () => {
  async function oneOfEach() {
    const fresh = await s.open('carol');
    const working = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${working.id}/triage`, { team: 'support' });
    const answered = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${answered.id}/status`, { status: 'solution_provided' });
    const closed = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${closed.id}/close`, { resolution: 'fixed by a config change' });
    const blocked = await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${blocked.id}/status`, { status: 'blocked', blocked_by: fresh.id });
    return { open: [fresh.id, working.id, blocked.id], done: [answered.id, closed.id] };
  }
  it('lists only open-group tickets for state:open', async () => {
    const g = await oneOfEach();
    expect(ids(await list('alice', '?q=state:open')).sort()).toEqual(g.open.sort());
  });
  it('lists only done-group tickets for state:done', async () => {
    const g = await oneOfEach();
    expect(ids(await list('alice', '?q=state:done')).sort()).toEqual(g.done.sort());
  });
  it('lists every ticket for state:all', async () => {
    const g = await oneOfEach();
    expect(ids(await list('alice', '?q=state:all')).sort()).toEqual([...g.open, ...g.done].sort());
  });
  it('lists the complement of state:done for -state:done', async () => {
    const g = await oneOfEach();
    expect(ids(await list('alice', '?q=-state:done')).sort()).toEqual(g.open.sort());
  });
});

describe('?q= errors', () => {
  it.each([
    ['an unknown field', 'colour:red'],
    ['an unknown priority', 'priority:blocker'],
    ['a malformed duration', 'age:4x'],
    ['an unknown state', 'state:finished'],
    ['a bad date', 'created:>=2026-02-30'],
    ['a comparison sign standing alone', '<='],
  ])('answers %s with a 400 problem naming the term', async (_what, term) => {
    const res = await s.call('alice', 'GET', `/v1/tickets?q=${encodeURIComponent(`state:all ${term}`)}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res)).toMatchObject({ status: 400, code: 'validation' });
    expect(problemOf(res).detail).toContain(term);
  });
});

describe('filters', () => {
  it('finds tickets by words of the subject', async () => {
    const t = await s.open('carol', { subject: 'Printer on fire' });
    await s.open('carol', { subject: 'Password reset' });
    expect(ids(await list('alice', '?q=printer'))).toEqual([t.id]);
  });
  it('answers assignee:me with the tickets assigned to the caller', async () => {
    const t = await s.open('carol');
    await s.open('carol');
    await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' });
    expect(ids(await list('alice', '?q=assignee:me'))).toEqual([t.id]);
    expect(ids(await list('bob', '?q=assignee:me'))).toEqual([]);
  });
});
