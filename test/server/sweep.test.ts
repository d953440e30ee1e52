// SLA breach and the auto-close sweep, driven by an injected clock: no sleeps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, hashToken } from '../../src/server/app.js';
import type { Store } from '../../src/server/store/types.js';
import { openTestStore, type TestStore } from './helpers.js';

const HOUR = 3_600_000;
let clock: number;
let store: Store;
let opened: TestStore;
let app: Awaited<ReturnType<typeof buildApp>>;
const token = 'tix_sweep_admin_token';

beforeEach(async () => {
  clock = Date.parse('2026-11-02T09:00:00Z');
  opened = await openTestStore();
  store = opened.store;
  const admin = await store.createUser({ login: 'admin', name: 'Admin', email: null, role: 'admin', org: null, org_admin: false }, new Date(clock));
  await store.createToken(admin.id, 'test', hashToken(token), new Date(clock));
  app = await buildApp({ store, now: () => new Date(clock), autoCloseDays: 7 });
});
afterEach(async () => {
  await app.close();
  await opened.close();
});

const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  return { status: r.statusCode, body: r.json() };
};

describe('SLA', () => {
  it('a critical ticket breaches its SLA after one hour without a first response', async () => {
    const { body: t } = await call('POST', '/v1/tickets', { subject: 'down', description: 'all down', priority: 'critical' });
    expect(t.response_due_at).toBe('2026-11-02T10:00:00.000Z');
    expect(t.resolution_due_at).toBe('2026-11-02T13:00:00.000Z');
    clock += 59 * 60_000;
    expect((await call('GET', `/v1/tickets/${t.id}`)).body.sla_breached).toBe(false);
    expect((await call('GET', '/v1/tickets?q=sla:breached')).body.items).toEqual([]);
    clock += 2 * 60_000;
    expect((await call('GET', `/v1/tickets/${t.id}`)).body.sla_breached).toBe(true);
    expect((await call('GET', '/v1/tickets?q=sla:breached')).body.items.map((x: { id: number }) => x.id)).toEqual([t.id]);
  });

  it('a public answer in time keeps the response target, and resolution is judged separately', async () => {
    const { body: t } = await call('POST', '/v1/tickets', { subject: 'slow', description: 'reports slow', priority: 'high' });
    clock += 1 * HOUR;
    await call('POST', `/v1/tickets/${t.id}/comments`, { body: 'Looking into it now.', public: true });
    clock += 10 * HOUR;
    expect((await call('GET', `/v1/tickets/${t.id}`)).body.sla_breached).toBe(false);
    clock += 14 * HOUR; // past the 24h resolution target, still open
    expect((await call('GET', `/v1/tickets/${t.id}`)).body.sla_breached).toBe(true);
  });
});

describe('auto-close', () => {
  it('closes a solution_provided ticket after the configured days, with an event, and leaves younger ones', async () => {
    const { body: old } = await call('POST', '/v1/tickets', { subject: 'answered', description: 'q' });
    const { body: young } = await call('POST', '/v1/tickets', { subject: 'answered later', description: 'q' });
    await call('POST', `/v1/tickets/${old.id}/status`, { status: 'solution_provided' });
    clock += 3 * 24 * HOUR;
    await call('POST', `/v1/tickets/${young.id}/status`, { status: 'solution_provided' });
    clock += 4 * 24 * HOUR - 1000;
    expect(await app.tix.service.sweepAutoClose()).toEqual([]);
    clock += 1000;
    expect(await app.tix.service.sweepAutoClose()).toEqual([old.id]);
    expect((await call('GET', `/v1/tickets/${old.id}`)).body.status).toBe('closed');
    expect((await call('GET', `/v1/tickets/${young.id}`)).body.status).toBe('solution_provided');
    const events = (await call('GET', `/v1/tickets/${old.id}/events`)).body.items as { kind: string; actor: string; note: string }[];
    expect(events.at(-1)).toMatchObject({ kind: 'closed', actor: 'tix' });
    expect(events.at(-1)!.note).toMatch(/7 days/);
    expect(await app.tix.service.sweepAutoClose()).toEqual([]);
  });

  it('a ticket reopened before the deadline is not auto-closed', async () => {
    const { body: t } = await call('POST', '/v1/tickets', { subject: 'answered', description: 'q' });
    await call('POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });
    clock += 2 * 24 * HOUR;
    await call('POST', `/v1/tickets/${t.id}/reopen`, { comment: 'the answer did not work' });
    clock += 10 * 24 * HOUR;
    expect(await app.tix.service.sweepAutoClose()).toEqual([]);
    expect((await call('GET', `/v1/tickets/${t.id}`)).body.status).toBe('in_progress');
  });
});
