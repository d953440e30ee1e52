// Sort orders other than the queue, their cursors, and escalation listing by state and page.
import { describe, expect, it } from 'vitest';
import type { Escalation, Ticket } from '../../src/domain/schemas.js';
import { MINUTE, serverPerTest } from './helpers.js';

const s = serverPerTest();

type Page<T> = { items: T[]; next_cursor: string | null };

/** Every item of a listing, following next_cursor `limit` at a time. */
async function pages<T>(as: string, path: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let count = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await s.call(as, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page<T>;
    items.push(...page.items);
    cursor = page.next_cursor;
    count++;
  } while (cursor && count < 100);
  return { items, pages: count };
}

/** Seven tickets a minute apart, with priorities out of step with their age. */
async function seven(): Promise<Ticket[]> {
  const out: Ticket[] = [];
  for (const p of ['low', 'critical', 'medium', 'high', 'low', 'critical', 'medium']) {
    out.push(await s.open('alice', { priority: p }));
    s.clock.advance(MINUTE);
  }
  return out;
}

describe('sort=created', () => {
  it('lists oldest first whatever the priority, across pages of 2', async () => {
    const made = await seven();
    const { items, pages: n } = await pages<Ticket>('alice', '/v1/tickets?sort=created', 2);
    expect(items.map((t) => t.id)).toEqual(made.map((t) => t.id));
    expect(n).toBe(4);
  });
});

describe('sort=updated', () => {
  it('lists the most recently updated first, across pages of 2, and follows later updates', async () => {
    const made = await seven();
    // touch three of them, oldest first: they become the most recent, last touched first
    for (const t of [made[4]!, made[0]!, made[2]!]) {
      expect((await s.call('alice', 'POST', `/v1/tickets/${t.id}/assign`, { assignee: 'me' })).statusCode).toBe(200);
      s.clock.advance(MINUTE);
    }
    const { items, pages: n } = await pages<Ticket>('alice', '/v1/tickets?sort=updated', 2);
    const expected = [made[2]!, made[0]!, made[4]!, made[6]!, made[5]!, made[3]!, made[1]!].map((t) => t.id);
    expect(items.map((t) => t.id)).toEqual(expected);
    expect(n).toBe(4);
  });
  it('breaks ties of the same update time by id, newest id first, without repeating or skipping across pages', async () => {
    const made: Ticket[] = [];
    for (let i = 0; i < 5; i++) made.push(await s.open('alice'));
    const { items } = await pages<Ticket>('alice', '/v1/tickets?sort=updated', 2);
    expect(items.map((t) => t.id)).toEqual(made.map((t) => t.id).reverse());
  });
});

describe('GET /v1/escalations', () => {
  async function escalate(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = await s.open('carol');
      await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, {});
      const res = await s.call('alice', 'POST', `/v1/tickets/${t.id}/escalate`, { reason: `needs a code fix ${i}` });
      expect(res.statusCode, res.body).toBe(200);
      ids.push((res.json() as Ticket).escalation!);
    }
    return ids;
  }

  it('lists running escalations by default, resolved ones with state=resolved, both with state=all', async () => {
    const [a, b, c] = await escalate(3);
    expect((await s.call('alice', 'POST', `/v1/escalations/${b}/advance`, { to: 'resolved', note: 'patched' })).statusCode).toBe(200);
    const ids = async (q: string) => ((await s.call('alice', 'GET', `/v1/escalations${q}`)).json() as Page<Escalation>).items.map((e) => e.id).sort();
    expect(await ids('')).toEqual([a, c].sort());
    expect(await ids('?state=running')).toEqual([a, c].sort());
    expect(await ids('?state=resolved')).toEqual([b]);
    expect(await ids('?state=all')).toEqual([a, b, c].sort());
  });

  it('pages through every escalation once with a small limit', async () => {
    const made = await escalate(5);
    const { items, pages: n } = await pages<Escalation>('alice', '/v1/escalations?state=all', 2);
    expect(items.map((e) => e.id).sort()).toEqual([...made].sort());
    expect(new Set(items.map((e) => e.id)).size).toBe(5);
    expect(n).toBe(3);
  });
});

describe('a cursor no page gave', () => {
  const cursor = (values: unknown[]) => encodeURIComponent(Buffer.from(JSON.stringify(values)).toString('base64url'));

  it('answers 400 validation, whatever store is underneath, when its values are not of their columns\' kinds', async () => {
    await seven();
    for (const url of [
      `/v1/tickets?cursor=${cursor(['high', '2026-11-02T09:00:00.000Z', 1])}`,
      `/v1/tickets?sort=created&cursor=${cursor(['2026-11-02T09:00:00.000Z', 2 ** 40])}`,
      `/v1/tickets?sort=updated&cursor=${cursor([5, 5])}`,
      `/v1/escalations?cursor=${cursor(['CP-1'])}`,
      '/v1/tickets?cursor=not-a-cursor',
    ]) {
      const res = await s.call('alice', 'GET', url);
      expect([res.statusCode, res.json().code], url).toEqual([400, 'validation']);
    }
  });
});
