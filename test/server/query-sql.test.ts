// The server's SQL for the query language agrees with the query language's own evaluator,
// term by term and in random combinations (negation, unset fields, case, text of any length and
// script) over varied tickets, read on the main connection and on the reader threads of a file, and on
// PostgreSQL when TIX_TEST_DATABASE_URL names one; and the compiler writes nothing of a database but through its dialect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery } from '../../src/domain/query.js';
import type { Ticket } from '../../src/domain/schemas.js';
import { buildApp, hashToken } from '../../src/server/app.js';
import { newTicketRecord } from '../../src/server/service.js';
import { compileQuery, visibility, type SqlDialect } from '../../src/server/store/sql.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/types.js';
import { openTestStore, type TestStore } from './helpers.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const token = 'tix_query_sql_admin';
const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;

const SUBJECTS = ['Checkout fails', 'VPN drops', 'Invoice typo', 'Slow reports', 'ÉCOLE Straße offline', 'Отчёт не грузится', 'a"b "quoted" 100%_done'];
const DESCRIPTIONS = ['all users affected', 'one user', 'Billing team asks', 'école: ÜBER café, 報告', 'x_y%z \\ back'];

const TERMS = [
  'status:new', 'status:closed,blocked', 'state:open', 'state:done', 'priority:high,critical', 'priority:urgent', 'team:support',
  'team:engineering', 'assignee:alice', 'assignee:none', 'assignee:me', 'assignee:alice,none', 'requester:dave', 'requester:CAROL',
  'org:acme', 'org:GLOBEX', 'org:ÉTÉ', 'org:été', 'channel:email', 'type:incident', 'level:2', 'level:1,3', 'escalated:true', 'escalated:false',
  'sla:breached', 'sla:ok', 'tag:billing', 'tag:VIP', 'age:>24h', 'age:<3d', 'idle:>2d', 'created:>=2026-11-10', 'created:2026-11-19',
  'checkout', '"all users"', 'billing', 'FAILS', 'vp', 'e', '"s "', 'école', 'ÉCOLE', 'École', 'straße', 'STRASSE', 'отчёт', 'Отчёт',
  '報告', '報', 'café', 'über', '100%', '%_', '_', '\\', '"s t"', '"users affected"', 'typo', 'ypo', 'yp', '"ls "',
];

const STORES = [
  { where: 'on the main connection', kind: 'memory' },
  { where: 'on reader threads', kind: 'file' },
  ...(process.env.TIX_TEST_DATABASE_URL ? [{ where: 'on PostgreSQL', kind: 'postgres' }] : []),
];

describe.each(STORES)('query language: SQL and evaluator agree, $where', ({ kind }) => {
  const file = kind === 'file';
  let store: Store;
  let pgStore: TestStore | undefined;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let all: Ticket[];
  let dir: string | undefined;

  beforeAll(async () => {
    dir = file ? mkdtempSync(join(tmpdir(), 'tix-query-sql-')) : undefined;
    if (kind === 'postgres') {
      pgStore = await openTestStore();
      store = pgStore.store;
    } else {
      store = new SqliteStore(dir ? join(dir, 'tix.db') : ':memory:', { readers: 2 });
    }
    const admin = await store.createUser({ login: 'admin', name: 'Admin', email: null, role: 'admin', org: null, org_admin: false }, NOW);
    await store.createToken(admin.id, 't', hashToken(token), NOW);
    for (let i = 0; i < 80; i++) {
      const created = new Date(NOW.getTime() - (i * 7 + 1) * HOUR).toISOString();
      const t = await store.createTicket(
        newTicketRecord({
          subject: pick(SUBJECTS, i),
          description: pick(DESCRIPTIONS, i),
          priority: pick(['critical', 'high', 'medium', 'low'] as const, i),
          channel: pick(['portal', 'email', 'phone', 'chat'] as const, i),
          type: pick(['incident', 'problem', null, 'question'] as const, i),
          requester: pick(['carol', 'Dave', 'erin'], i),
          org: pick(['acme', 'Globex', null, 'été', 'ÉTÉ'], i),
          tags: pick([[], ['billing'], ['Billing', 'vip'], ['vip']], i),
          created_at: created,
        }),
        [],
        [],
      );
      const updated = new Date(NOW.getTime() - ((i * 5) % 90) * HOUR);
      await store.mutateTicket(t.id, updated, () => ({
        patch: {
          status: pick(['new', 'in_progress', 'blocked', 'closed', 'solution_provided', 'escalated'] as const, i),
          team: pick(['support', null, 'engineering'] as const, i),
          level: pick([1, 2, null, 3] as const, i),
          assignee: pick(['alice', null, 'bob', 'admin'], i),
          escalation: i % 6 === 5 ? `CP-${i}` : null,
          first_response_at: i % 3 === 0 ? new Date(Date.parse(created) + (i % 4) * HOUR).toISOString() : null,
        },
        events: [],
      }));
    }
    app = await buildApp({ store, now: () => NOW, rateLimit: { limit: 0, windowSeconds: 60 } });
    const r = await app.inject({ method: 'GET', url: '/v1/tickets?q=state:all&limit=1000', headers: { authorization: `Bearer ${token}` } });
    all = r.json().items;
    expect(all).toHaveLength(80);
    // the file's lists really were read by the reader threads
    if (store instanceof SqliteStore) expect(store.readers?.running ?? 0).toBe(file ? 2 : 0);
  });
  afterAll(async () => {
    await app?.close();
    if (pgStore) await pgStore.close();
    else await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function serverIds(q: string): Promise<number[]> {
    const r = await app.inject({ method: 'GET', url: `/v1/tickets?limit=1000&q=${encodeURIComponent(q)}`, headers: { authorization: `Bearer ${token}` } });
    expect(r.statusCode, q).toBe(200);
    return (r.json().items as Ticket[]).map((t) => t.id).sort((a, b) => a - b);
  }
  const evaluatorIds = (q: string) =>
    all.filter((t) => matchesQuery(t, parseQuery(q), { now: NOW, me: 'admin' })).map((t) => t.id).sort((a, b) => a - b);

  it.each(TERMS.flatMap((t) => [t, `-${t}`]))('%s', async (term) => {
    expect(await serverIds(term)).toEqual(evaluatorIds(term));
  });

  it("for any word or phrase cut from the tickets' own text, in any case", async () => {
    const texts = [...SUBJECTS, ...DESCRIPTIONS].map((t) => t.replace(/"/g, ''));
    const cut = fc
      .tuple(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 1, max: 12 }), fc.constantFrom('as is', 'upper', 'lower'), fc.boolean())
      .map(([text, at, length, kase, negate]) => {
        const chars = [...text];
        const start = at % chars.length;
        let piece = chars.slice(start, start + length).join('');
        if (kase === 'upper') piece = piece.toUpperCase();
        if (kase === 'lower') piece = piece.toLowerCase();
        const term = /\s/.test(piece) ? `"${piece}"` : piece;
        return `${negate ? '-' : ''}${term}`;
      })
      .filter((t) => !/^-?"?\s*"?$/.test(t) && !/^-?"?-/.test(t) && !t.includes(':'));
    await fc.assert(
      fc.asyncProperty(cut, async (q) => {
        expect(await serverIds(q)).toEqual(evaluatorIds(q));
      }),
      { numRuns: 150 },
    );
  });

  it('in random combinations of terms', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...TERMS), fc.boolean()), { minLength: 1, maxLength: 4 }), async (terms) => {
        const q = terms.map(([t, neg]) => (neg ? `-${t}` : t)).join(' ');
        expect(await serverIds(q)).toEqual(evaluatorIds(q));
      }),
      { numRuns: 150 },
    );
  });
});

describe('the query compiler', () => {
  // a dialect of markers: whatever a database writes its own way must come through these
  const MARKED: SqlDialect = {
    always: '<all rows>',
    false: '<none>',
    fold: (expr) => `<fold ${expr}>`,
    textParam: '<text ?>',
    intParam: '<int ?>',
    jsonStrings: (column) => ({ from: `<elements ${column}>`, value: '<element>' }),
    containsText: (needle) => ({ sql: '<contains ?>', params: [needle] }),
  };
  const OWN_WORDS = /json_each|jsonb|COLLATE|::|1=1|\btrue\b|\bfalse\b|lower\(|instr\(|MATCH|LIKE|ticket_text/i;

  it.each([...TERMS, 'state:all'].flatMap((t) => [t, `-${t}`]))('writes %s with no database\'s own words, one parameter per placeholder', (term) => {
    const { sql, params } = compileQuery(parseQuery(term), { now: NOW, me: 'admin' }, MARKED);
    expect(sql).not.toMatch(OWN_WORDS);
    expect(sql.split('?').length - 1).toBe(params.length);
  });

  it('writes visibility with no database\'s own words', () => {
    for (const viewer of [
      { login: 'alice', role: 'agent' as const, org: null, org_admin: false },
      { login: 'erin', role: 'requester' as const, org: 'acme', org_admin: true },
      { login: 'carol', role: 'requester' as const, org: 'acme', org_admin: false },
    ]) {
      const { sql, params } = visibility(viewer, MARKED, 't.');
      expect(sql).not.toMatch(OWN_WORDS);
      expect(sql.split('?').length - 1).toBe(params.length);
    }
  });
});
