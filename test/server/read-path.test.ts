// The ticket read path keeps every guarantee while it is made cheap: revocation is immediate, a change
// made by another connection is read fresh, and compiled serialization answers what the schema says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Ticket } from '../../src/domain/schemas.js';
import { TokenCache } from '../../src/server/app.js';
import { TicketPage } from '../../src/server/routes/common.js';
import { responseJsonSchema } from '../../src/server/serializer.js';
import type { SqliteStore } from '../../src/server/store/sqlite.js';
import { DAY, serverPerTest, startServer, type TestServer } from './helpers.js';

const s = serverPerTest();

describe('a revoked token', () => {
  it('is refused on the very next ticket read, right after it was remembered', async () => {
    const t = await s.open('carol');
    expect((await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(200);
    const me = (await s.call('alice', 'GET', '/v1/me')).json() as { token_id: number };
    expect((await s.call('root', 'DELETE', `/v1/tokens/${me.token_id}`)).statusCode).toBe(204);
    const after = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
    expect(after.statusCode).toBe(401);
    // the other users' remembered tokens are untouched
    expect((await s.call('bob', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(200);
  });

  it('is refused after it was presented with its case or a neighbour changed: the cache holds exact tokens only', async () => {
    const t = await s.open('carol');
    const token = s.tokens.get('alice')!;
    expect((await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).statusCode).toBe(200);
    for (const wrong of [token.toUpperCase(), `${token}x`, token.slice(0, -1)]) {
      const res = await s.app.inject({ method: 'GET', url: `/v1/tickets/${t.id}`, headers: { authorization: `Bearer ${wrong}` } });
      expect(res.statusCode).toBe(401);
    }
  });

  it('of any length is looked up every time past the remembered length', async () => {
    const long = `tix_${'x'.repeat(TokenCache.MAX_TOKEN_LENGTH)}`;
    for (let i = 0; i < 2; i++) {
      const res = await s.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${long}` } });
      expect(res.statusCode).toBe(401);
    }
  });
});

describe('a ticket changed by another connection', () => {
  let dir: string;
  let server: TestServer<SqliteStore>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-read-path-'));
    server = await startServer({ dbPath: join(dir, 'tix.db') });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is read fresh, with its new ETag, on the next request', async () => {
    const t = await server.open('carol');
    const first = await server.call('alice', 'GET', `/v1/tickets/${t.id}`);
    expect(first.json()).toMatchObject({ subject: t.subject, version: 1 });
    expect(first.headers.etag).toBe('"1"');
    const other = new Database(join(dir, 'tix.db'));
    other.prepare('UPDATE tickets SET subject = ?, version = version + 1 WHERE id = ?').run('changed elsewhere', t.id);
    other.close();
    const second = await server.call('alice', 'GET', `/v1/tickets/${t.id}`);
    expect(second.json()).toMatchObject({ subject: 'changed elsewhere', version: 2 });
    expect(second.headers.etag).toBe('"2"');
    expect((await server.call('alice', 'GET', '/v1/tickets?limit=5')).json().items[0]).toMatchObject({ id: t.id, subject: 'changed elsewhere' });
  });

  it('in a short unfiltered queue page is read fresh too, in its new place, on the main connection', async () => {
    const a = await server.open('carol', { subject: 'first' });
    const b = await server.open('carol', { subject: 'second' });
    const page = async () => ((await server.call('alice', 'GET', '/v1/tickets?limit=2')).json() as { items: Array<{ id: number; subject: string }> }).items;
    expect((await page()).map((x) => x.id)).toEqual([a.id, b.id]);
    const other = new Database(join(dir, 'tix.db'));
    // critical comes first in the queue
    other.prepare(`UPDATE tickets SET priority = 'critical', prank = 0, subject = 'moved elsewhere', version = version + 1 WHERE id = ?`).run(b.id);
    other.close();
    expect(await page()).toMatchObject([{ id: b.id, subject: 'moved elsewhere' }, { id: a.id, subject: 'first' }]);
    // such a page costs about its own rows: no reader thread was needed
    expect(server.store.readers!.running).toBe(0);
    // a page with a filter is still read off the event loop
    expect((await server.call('alice', 'GET', '/v1/tickets?limit=2&q=state:all')).statusCode).toBe(200);
    expect(server.store.readers!.running).toBeGreaterThan(0);
  });

  it('pages follow their cursor through remembered tickets to the last one', async () => {
    const opened = [];
    for (let i = 0; i < 5; i++) opened.push((await server.open('carol', { subject: `paged ${i}` })).id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await server.call('alice', 'GET', `/v1/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json() as { items: Array<{ id: number }>; next_cursor: string | null };
      seen.push(...body.items.map((x) => x.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(opened);
  });
});

describe('compiled ticket answers', () => {
  const keys = Object.keys(Ticket.shape).sort();

  it('name every field of the Ticket schema, and nothing else', async () => {
    const t = await s.open('carol');
    const res = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(keys);
    expect(body).not.toHaveProperty('done_at');
    expect(Ticket.strict().parse(body)).toEqual(body);
  });

  it('carry set and unset nullable fields, arrays and text needing escapes exactly as JSON.stringify would', async () => {
    const subject = 'Quote " backslash \\ tab \t line\u2028 bidi \u202e émoji 🎫 </script>';
    const t = await s.open('carol', { subject, description: 'Line one\nline two\u0001', tags: ['a"b', 'ünï'] });
    const unset = (await s.call('alice', 'GET', `/v1/tickets/${t.id}`)).json();
    expect(unset).toMatchObject({ subject, type: null, team: null, level: null, assignee: null, blocked_by: null, first_response_at: null, tags: ['a"b', 'ünï'] });
    const triaged = await s.call('alice', 'POST', `/v1/tickets/${t.id}/triage`, { team: 'support', type: 'problem', level: 2, assignee: 'alice' });
    expect(triaged.statusCode).toBe(200);
    const read = await s.call('alice', 'GET', `/v1/tickets/${t.id}`);
    const body = read.json();
    expect(body).toMatchObject({ type: 'problem', team: 'support', level: 2, assignee: 'alice', status: 'in_progress' });
    expect(Ticket.strict().parse(body)).toEqual(body);
    // the same answer JSON.stringify gives of the same object, byte for byte once keys are in the same order
    const ordered = Object.fromEntries(keys.map((k) => [k, body[k]]));
    expect(JSON.stringify(Object.fromEntries(Object.keys(JSON.parse(read.body)).map((k) => [k, body[k]])))).toBe(read.body);
    expect(JSON.parse(read.body)).toEqual(ordered);
  });

  it('say when the SLA is breached, as the clock moves', async () => {
    const t = await s.open('carol', { priority: 'critical' });
    expect((await s.ticket(t.id)).sla_breached).toBe(false);
    s.clock.advance(2 * DAY);
    expect((await s.ticket(t.id)).sla_breached).toBe(true);
    const page = (await s.call('alice', 'GET', '/v1/tickets?limit=50')).json() as z.infer<typeof TicketPage>;
    expect(TicketPage.parse(page).items.find((x) => x.id === t.id)?.sla_breached).toBe(true);
  });

  it('list pages parse with the page schema, every item with every field', async () => {
    for (let i = 0; i < 3; i++) await s.open('carol', { subject: `Page ticket ${i}` });
    const res = await s.call('alice', 'GET', '/v1/tickets?limit=2');
    const page = res.json() as { items: Record<string, unknown>[]; next_cursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(typeof page.next_cursor).toBe('string');
    for (const item of page.items) expect(Object.keys(item).sort()).toEqual(keys);
    expect(z.object({ items: z.array(Ticket.strict()), next_cursor: z.string().nullable() }).strict().parse(page)).toEqual(page);
  });

  it('are compiled from a schema derived from the zod Ticket schema: every field, its nullability', () => {
    const schema = responseJsonSchema(Ticket) as { properties: Record<string, { nullable?: boolean; anyOf?: unknown }>; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(keys);
    expect(schema.required.sort()).toEqual(keys);
    for (const [k, field] of Object.entries(Ticket.shape)) {
      expect(schema.properties[k]!.nullable === true, k).toBe(field.safeParse(null).success);
      // no union left for the compiled code to decide at run time
      expect(schema.properties[k]!.anyOf, k).toBeUndefined();
    }
  });
});
