// The auto-close sweep run by the server's own timer, as `tix serve` runs it: no direct call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { serveDatabase } from '../helpers/tix.js';

const DAY = 86_400_000;
let server: RunningServer | undefined;
let dir: string | undefined;
let database: Awaited<ReturnType<typeof serveDatabase>> | undefined;
afterEach(async () => {
  await server?.close();
  await database?.drop();
  database = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

describe('the scheduled auto-close sweep', () => {
  it('closes a solution_provided ticket on its own once the days have passed, and not before', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-sweep-'));
    let clock = Date.parse('2026-11-02T09:00:00Z');
    database = await serveDatabase(join(dir, 'tix.db'));
    server = await startServer({ host: '127.0.0.1', port: 0, ...database, now: () => new Date(clock), autoCloseDays: 3, sweepEveryMs: 20 });
    const call = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${server!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${server!.bootstrapToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return (await res.json()) as { id: number; status: string };
    };
    const t = await call('POST', '/v1/tickets', { subject: 'How do I export invoices?', description: 'Looking for the export button.' });
    await call('POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });

    // a day short: several sweeps run, none closes it
    clock += 2 * DAY;
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('GET', `/v1/tickets/${t.id}`)).status).toBe('solution_provided');

    clock += DAY + 60_000;
    const deadline = Date.now() + 10_000;
    let status = '';
    while (Date.now() < deadline && (status = (await call('GET', `/v1/tickets/${t.id}`)).status) !== 'closed') await new Promise((r) => setTimeout(r, 20));
    expect(status).toBe('closed');
    const events = (await fetch(`${server.url}/v1/tickets/${t.id}/events`, { headers: { authorization: `Bearer ${server.bootstrapToken}` } }).then((r) => r.json())) as { items: Array<{ kind: string; actor: string; note: string }> };
    expect(events.items.at(-1)).toMatchObject({ kind: 'closed', actor: 'tix', note: expect.stringMatching(/auto-closed/) });
  });

  it('sweeps once as the server starts, before startServer resolves: a ticket already due is closed though the next sweep is an hour off', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-sweep-'));
    let clock = Date.parse('2026-11-02T09:00:00Z');
    database = await serveDatabase(join(dir, 'tix.db'));
    const start = () => startServer({ host: '127.0.0.1', port: 0, ...database!, now: () => new Date(clock), autoCloseDays: 3, sweepEveryMs: 3_600_000 });
    server = await start();
    const token = server.bootstrapToken!;
    const call = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${server!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return (await res.json()) as { id: number; status: string };
    };
    const t = await call('POST', '/v1/tickets', { subject: 'How do I export invoices?', description: 'Looking for the export button.' });
    await call('POST', `/v1/tickets/${t.id}/status`, { status: 'solution_provided' });
    await server.close();
    // four days on, the same database: the first thing the new server does is the sweep
    clock += 4 * 86_400_000;
    server = await start();
    expect((await call('GET', `/v1/tickets/${t.id}`)).status).toBe('closed');
  });

  it('runs one sweep at a time: a start that comes while one goes is skipped, and closing waits for it to stop', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-sweep-'));
    database = await serveDatabase(join(dir, 'tix.db'));
    server = await startServer({ host: '127.0.0.1', port: 0, ...database, sweepEveryMs: 10 });
    // from here on a sweep takes ~100 ms (ten starts of the timer), and the third one lasts until it is told to stop
    let running = 0;
    let most = 0;
    let runs = 0;
    let stoppedBy: AbortSignal | undefined;
    server.app.tix.service.sweepAutoClose = async (signal?: AbortSignal) => {
      running++;
      most = Math.max(most, running);
      const steps = ++runs < 3 ? 10 : 500;
      for (let i = 0; i < steps && !signal?.aborted; i++) await new Promise((r) => setTimeout(r, 10));
      if (signal?.aborted) stoppedBy = signal;
      running--;
      return [];
    };
    while (runs < 3) await new Promise((r) => setTimeout(r, 10));
    await server.close();
    server = undefined;
    expect([running, most]).toEqual([0, 1]);
    expect(stoppedBy?.aborted).toBe(true);
  });
});
