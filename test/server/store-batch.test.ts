// The store's batch: one commit for many changes, each change still atomic on its own,
// and writes from outside the batch kept out of its transaction.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTicketRecord } from '../../src/server/service.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { DomainError, type Store } from '../../src/server/store/types.js';
import { openTestStore, type TestStore } from './helpers.js';

let store: Store;
let opened: TestStore;
const now = new Date('2026-11-02T09:00:00Z');
const record = (subject: string) =>
  newTicketRecord({ subject, description: 'd', priority: 'medium', channel: 'portal', type: null, requester: 'admin', org: null, tags: [], created_at: now.toISOString() });
const event = { actor: 'admin', kind: 'status_changed' as const, from: 'new', to: 'in_progress', note: null, internal: false };

beforeEach(async () => {
  opened = await openTestStore();
  store = opened.store;
});
afterEach(async () => {
  await opened.close();
});

describe('store batch', () => {
  it('a refused change inside a batch is undone alone; the others commit', async () => {
    const a = await store.createTicket(record('a'), [], []);
    const b = await store.createTicket(record('b'), [], []);
    await store.batch(async () => {
      await store.mutateTicket(a.id, now, () => ({ patch: { status: 'in_progress' }, events: [event] }));
      await store
        .mutateTicket(b.id, now, () => {
          throw new DomainError('conflict', 'refused');
        })
        .catch(() => undefined);
    });
    expect((await store.getTicket(a.id))!.status).toBe('in_progress');
    expect((await store.getTicket(b.id))!.version).toBe(1);
    expect(await store.listEvents(a.id, true)).toHaveLength(1);
  });

  it('a write from outside waits for the batch and survives the batch failing', async () => {
    const a = await store.createTicket(record('a'), [], []);
    // another request: its write starts while the batch runs, from its own async context
    let arrive!: () => void;
    const outside = new Promise<void>((r) => (arrive = r)).then(() => store.createTicket(record('from another request'), [], []));
    await expect(
      store.batch(async () => {
        await store.mutateTicket(a.id, now, () => ({ patch: { status: 'in_progress' }, events: [event] }));
        arrive();
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('the batch breaks');
      }),
    ).rejects.toThrow('the batch breaks');
    const created = await outside;
    expect((await store.getTicket(created.id))!.subject).toBe('from another request');
    // the failed batch as a whole was rolled back
    expect((await store.getTicket(a.id))!.status).toBe('new');
    if (store instanceof SqliteStore) expect(store.db.inTransaction).toBe(false);
  });
});
