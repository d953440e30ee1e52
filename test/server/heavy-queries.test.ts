// What one query may cost: the limits of the query language answer 400 naming the limit, the
// database's own limits never surface as a 500, and ticket lists on a file database are read by
// reader threads, so a costly list leaves the server free to answer everything else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_LIMITS, parseQuery, type Query } from '../../src/domain/query.js';
import type { Ticket } from '../../src/domain/schemas.js';
import { newTicketRecord } from '../../src/server/service.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { DomainError } from '../../src/server/store/types.js';
import { problemOf, serverPerTest, startServer, type TestServer } from './helpers.js';

const list = (s: TestServer, q: string, as = 'alice') => s.call(as, 'GET', `/v1/tickets?limit=1000&q=${encodeURIComponent(q)}`);
const ids = (items: Ticket[]) => items.map((t) => t.id).sort((a, b) => a - b);
const tags = (i: number) => Array.from({ length: QUERY_LIMITS.valuesPerTerm }, (_, j) => `t${i}v${j}`).join(',');

/**
 * The costliest query the limits allow: it matches nothing, so every row is read; ten short words found
 * nowhere (too short for the trigram index) and negated tag terms of twenty values up to the length limit.
 */
function heaviestQuery(): string {
  const terms = Array.from({ length: QUERY_LIMITS.textTerms }, (_, i) => `q${i}`);
  for (let i = 0; terms.length < QUERY_LIMITS.terms; i++) {
    const next = `-tag:${tags(i)}`;
    if ([...terms, next].join(' ').length > QUERY_LIMITS.length) break;
    terms.push(next);
  }
  return terms.join(' ');
}

describe('query limits', () => {
  const s = serverPerTest();

  it.each([
    ['terms', Array.from({ length: QUERY_LIMITS.terms + 1 }, (_, i) => `tag:t${i}`).join(' '), `at most ${QUERY_LIMITS.terms}`],
    ['values in one term', `tag:${Array.from({ length: QUERY_LIMITS.valuesPerTerm + 1 }, (_, i) => `t${i}`).join(',')}`, `at most ${QUERY_LIMITS.valuesPerTerm}`],
    ['words and phrases', Array.from({ length: QUERY_LIMITS.textTerms + 1 }, (_, i) => `word${i}`).join(' '), `at most ${QUERY_LIMITS.textTerms}`],
    ['characters in a phrase', `"${'x'.repeat(QUERY_LIMITS.textLength + 1)}"`, `at most ${QUERY_LIMITS.textLength}`],
    ['999 one-letter terms', Array.from({ length: 999 }, () => 'a').join(' '), `at most ${QUERY_LIMITS.terms}`],
  ])('too many %s is 400 validation naming the limit', async (_what, q, limit) => {
    const r = await list(s, q);
    expect(r.statusCode).toBe(400);
    const p = problemOf(r);
    expect(p.code).toBe('validation');
    expect(p.detail).toContain(limit);
  });

  it('a query longer than the length limit is 400 validation', async () => {
    const r = await list(s, `"${'x'.repeat(QUERY_LIMITS.length)}"`);
    expect(r.statusCode).toBe(400);
    expect(problemOf(r).code).toBe('validation');
  });

  it('a query right at every limit is answered', async () => {
    const t = await s.open('carol', { subject: 'A ticket for the heaviest query', description: 'nothing in it matches' });
    expect(heaviestQuery().length).toBeLessThanOrEqual(QUERY_LIMITS.length);
    const heaviest = await list(s, heaviestQuery());
    expect(heaviest.statusCode).toBe(200);
    expect(heaviest.json().items).toEqual([]);
    const phrase = `"${'y'.repeat(QUERY_LIMITS.textLength)}"`;
    const values = `tag:${tags(0)}`;
    const most = Array.from({ length: QUERY_LIMITS.terms }, (_, i) => (i < QUERY_LIMITS.textTerms ? `-q${i}` : `-tag:t${i}`)).join(' ');
    for (const q of [most, heaviestQuery().replace(/\bq(\d)/g, '-q$1'), `-${phrase}`, `-${values}`]) {
      const r = await list(s, q);
      expect(r.statusCode, q).toBe(200);
      expect(ids(r.json().items)).toEqual([t.id]);
    }
  });
});

describe('queries past what SQLite can take', () => {
  // the parser's limits keep these from the API; the store still answers them as the query's fault
  const deep: Query = { terms: Array.from({ length: 1100 }, (_, i) => ({ kind: 'in' as const, field: 'tag' as const, values: [`t${i}`], negate: true })) };
  const viewer = { login: 'alice', role: 'agent' as const, org: null, org_admin: false };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tix-heavy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['on the main connection', ':memory:'],
    ['on a reader thread', 'file'],
  ])('are a validation error %s, not a crash', async (_where, where) => {
    const store = new SqliteStore(where === 'file' ? join(dir, `deep-${Date.now()}.db`) : where);
    try {
      const err = await store.listTickets({ query: deep, viewer, sort: 'queue', limit: 10, now: new Date() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('validation');
      expect((err as DomainError).message).toMatch(/too complex/);
    } finally {
      await store.close();
    }
  });
});

describe('lists on a file database', () => {
  let dir: string;
  let s: TestServer<SqliteStore>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-readers-'));
    s = await startServer({ dbPath: join(dir, 'tix.db') });
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are read by reader threads, which stop when the store closes', async () => {
    const t = await s.open('carol', { subject: 'Read by a reader', description: 'off the event loop' });
    const r = await list(s, 'reader');
    expect(ids(r.json().items)).toEqual([t.id]);
    expect(s.store.readers!.running).toBeGreaterThan(0);
    const other = new SqliteStore(join(dir, 'tix.db'), { readers: 2 });
    await other.listTickets({ query: parseQuery('state:all'), viewer: { login: 'x', role: 'agent', org: null, org_admin: false }, sort: 'queue', limit: 1, now: new Date() });
    expect(other.readers!.running).toBe(2);
    const inFlight = other.readers!.all('SELECT count(*) FROM tickets a, tickets b', []).then(
      () => 'answered',
      () => 'refused',
    );
    await other.close();
    expect(other.readers!.running).toBe(0);
    // a read in flight when the store closes ends one way or the other, never hangs
    expect(await Promise.race([inFlight, new Promise((r) => setTimeout(() => r('still waiting'), 10_000))])).not.toBe('still waiting');
    await expect(other.readers!.all('SELECT 1', [])).rejects.toThrow(/closed/);
  });

  it('see every write as soon as it is answered', async () => {
    for (let i = 0; i < 20; i++) {
      const t = await s.open('carol', { subject: `Fresh ticket ${i}`, description: 'listed at once' });
      expect(ids((await list(s, `"fresh ticket ${i}"`)).json().items)).toContain(t.id);
      const patched = await s.call('alice', 'PATCH', `/v1/tickets/${t.id}`, { subject: `Renamed ticket ${i}` });
      expect(patched.statusCode).toBe(200);
      expect(ids((await list(s, `"renamed ticket ${i}"`)).json().items)).toEqual([t.id]);
      expect(ids((await list(s, `"fresh ticket ${i}"`)).json().items)).not.toContain(t.id);
    }
  });

  it('see a batch as soon as it is answered', async () => {
    const a = await s.open('carol', { subject: 'Batch one', description: 'first' });
    const b = await s.open('carol', { subject: 'Batch two', description: 'second' });
    const r = await s.call('alice', 'POST', '/v1/batch', {
      operations: [
        { op: 'priority', id: a.id, body: { priority: 'critical', reason: 'site-wide outage confirmed by phone' } },
        { op: 'priority', id: b.id, body: { priority: 'critical', reason: 'site-wide outage confirmed by phone' } },
      ],
    });
    expect(r.statusCode).toBe(200);
    expect(ids((await list(s, 'priority:critical batch')).json().items)).toEqual(ids([a, b]));
  });

  it('find text changed by another connection, and text of tickets from before the index', async () => {
    const t = await s.open('carol', { subject: 'Plain subject', description: 'plain words' });
    const other = new Database(join(dir, 'tix.db'));
    try {
      other.prepare('UPDATE tickets SET description = ? WHERE id = ?').run('Mentions the Zeppelin hangar', t.id);
      expect(ids((await list(s, 'zeppelin')).json().items)).toEqual([t.id]);
      // a file from before the index took its current shape (schema 2): the next start indexes what it holds
      other.exec('DROP TABLE ticket_text');
      other.pragma('user_version = 2');
    } finally {
      other.close();
    }
    const reopened = new SqliteStore(join(dir, 'tix.db'));
    try {
      const page = await reopened.listTickets({ query: parseQuery('"zeppelin hangar"'), viewer: { login: 'alice', role: 'agent', org: null, org_admin: false }, sort: 'queue', limit: 10, now: new Date() });
      expect(page.items.map((x) => x.id)).toEqual([t.id]);
    } finally {
      await reopened.close();
    }
  });
});

describe('a costly list', () => {
  let dir: string;
  let s: TestServer<SqliteStore> | undefined;
  afterEach(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the server answering health while it runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tix-costly-'));
    const path = join(dir, 'tix.db');
    s = await startServer({ dbPath: path });
    const template = await s.open('carol', { subject: 'Copied ticket', description: 'Since the update the printer jams on every job.', tags: ['billing', 'vip'] });
    // fixture data straight into the file: 20,000 copies of one ticket
    const db = new Database(path);
    try {
      const columns = (db.prepare('PRAGMA table_info(tickets)').all() as Array<{ name: string }>).map((c) => c.name).filter((c) => c !== 'id');
      db.prepare(
        `INSERT INTO tickets (${columns.join(', ')}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         SELECT ${columns.map((c) => `t.${c}`).join(', ')} FROM n, tickets t WHERE t.id = ?`,
      ).run(template.id);
    } finally {
      db.close();
    }
    const readers = s.store.readers!;
    let settled = false;
    const costly = list(s, heaviestQuery()).finally(() => (settled = true));
    // wait for a reader to take the list (on the main connection none ever would, and the list ends first)
    while (readers.busy === 0 && !settled) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    const health = await s.call(null, 'GET', '/v1/health');
    expect(health.statusCode).toBe(200);
    // health was answered while the list was still being read
    expect(settled).toBe(false);
    expect((await costly).statusCode).toBe(200);
  });
});
