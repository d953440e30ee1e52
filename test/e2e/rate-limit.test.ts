// Bulk runs and --all listings wait out a rate limit up to --max-wait; one-shot commands fail fast.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ResultEnvelope } from '../../src/domain/envelope.js';
import { json, readDb, startServer, tix, type TixServer } from '../helpers/tix.js';

/** Spends the token's requests of the current window: the next one is answered 429. */
async function exhaust(server: TixServer): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${server.token}` } });
    await res.arrayBuffer();
    if (res.status === 429) return Number(res.headers.get('retry-after'));
  }
  throw new Error('the server never answered 429');
}

const read = <T>(server: TixServer, sql: string, ...params: unknown[]): Promise<T[]> => readDb<T>(server, sql, params);

describe('against a server allowing 3 requests per 4 seconds', () => {
  let server: TixServer;
  beforeAll(async () => {
    server = await startServer({ demo: true, serveArgs: ['--rate-limit', '3/4s'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('a bulk close waits the limit out, says so once, and closes each ticket exactly once', async () => {
    const ids = (await read<{ id: number }>(server, "SELECT id FROM tickets WHERE status NOT IN ('closed', 'escalated') ORDER BY id LIMIT 6")).map((r) => r.id);
    expect(ids.length).toBe(6);
    const retryAfter = await exhaust(server);
    expect(retryAfter).toBeGreaterThan(0);
    const r = await tix(['close', ...ids.map(String), '--resolution', 'closed under a rate limit', '--json', '--concurrency', '1'], { server });
    expect(r.code, r.stderr).toBe(0);
    const e = ResultEnvelope.parse(json(r));
    expect(e.summary).toEqual({ changed: 6, unchanged: 0, failed: 0 });
    expect(r.stderr.match(/rate limited by the server; waiting \d+ s/g), r.stderr).toHaveLength(1);
    const closed = await read<{ ticket_id: number; n: number }>(server, "SELECT ticket_id, CAST(count(*) AS INTEGER) AS n FROM events WHERE kind = 'closed' GROUP BY ticket_id");
    for (const id of ids) expect(closed.find((c) => c.ticket_id === id)?.n, `ticket ${id}`).toBe(1);
  });

  test('list --all waits the limit out and lists every ticket', async () => {
    const n = (await read<{ n: number }>(server, 'SELECT CAST(count(*) AS INTEGER) AS n FROM tickets'))[0]!.n;
    await exhaust(server);
    const r = await tix(['list', '--all', '--state', 'all', '--format', 'ndjson'], { server });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(n);
    expect(r.stderr).toMatch(/rate limited by the server; waiting \d+ s/);
  });
});

describe('against a server allowing 2 requests a minute', () => {
  let server: TixServer;
  beforeAll(async () => {
    server = await startServer({ demo: true, serveArgs: ['--rate-limit', '2'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('a one-shot command fails fast with exit 6 and names the wait once', async () => {
    const retryAfter = await exhaust(server);
    expect(retryAfter).toBeGreaterThan(30);
    const started = Date.now();
    const r = await tix(['show', '1'], { server });
    expect(r.code, r.stderr).toBe(6);
    // far below the minute it was asked to wait
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stderr.match(/(retry|try again) in \d+ ?s/g), r.stderr).toHaveLength(1);
    const asJson = await tix(['show', '1', '--json'], { server });
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ code: 'rate_limited', status: 429, retry_after: expect.any(Number) });
  });

  test('a bulk run gives up at once when the wait is longer than --max-wait, and changes nothing', async () => {
    await exhaust(server);
    const r = await tix(['close', '2', '3', '--resolution', 'x', '--max-wait', '5s', '--json'], { server });
    expect(r.code, r.stderr).toBe(6);
    expect(ResultEnvelope.parse(json(r)).summary.failed).toBe(2);
    expect(await read(server, "SELECT id FROM events WHERE kind = 'closed' AND ticket_id IN (2, 3) AND actor = 'admin'")).toEqual([]);
  });

  test('--max-wait refuses a value that is not a duration', async () => {
    const r = await tix(['close', '2', '--resolution', 'x', '--max-wait', 'soon'], { server });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-wait/);
  });
});
