// Property tests of the HTTP API: arbitrary JSON, wrong types, near-valid bodies, odd ids, headers and query strings
// never make the server answer 500; every answer is a success or a 4xx application/problem+json.
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError, parseQuery } from '../../src/domain/query.js';
import { PROBLEM_CODES, type Role } from '../../src/domain/schemas.js';
import { buildApp, hashToken } from '../../src/server/app.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/types.js';
import { execOn, openTestStore, type TestStore } from '../server/helpers.js';

// TIX_PROPERTY_RUNS raises the count for a deeper hunt; the default keeps the suite fast
const RUNS = Number(process.env.TIX_PROPERTY_RUNS ?? 200);
const T0 = new Date('2026-11-02T09:00:00.000Z');

let app: FastifyInstance;
let opened: TestStore;
let store: Store;
const tokens: Record<string, string> = {};
/** Tickets in several states (new, in progress, closed, escalated), opened by carol of acme. */
const ticketIds: number[] = [];

beforeAll(async () => {
  opened = await openTestStore();
  store = opened.store;
  let clock = T0.getTime();
  // the clock moves a little on every read, so SLA and idempotency timestamps vary as they would
  app = await buildApp({ store, now: () => new Date((clock += 1000)), bodyLimit: 64 * 1024, rateLimit: { limit: 0, windowSeconds: 60 } });
  const cast: Array<[string, Role, string | null]> = [['root', 'admin', null], ['alice', 'agent', null], ['carol', 'requester', 'acme'], ['zed', 'requester', 'globex']];
  // fuzzed DELETE /v1/tokens/:id calls favour small ids: a placeholder row puts the cast's tokens far above them
  const placeholder = await store.createUser({ login: 'placeholder', name: 'placeholder', email: null, role: 'requester', org: null, org_admin: false }, T0);
  await execOn(store, `INSERT INTO tokens (id, user_id, name, hash, created_at) VALUES (7340000, ${placeholder.id}, 'placeholder', 'not-a-hash', '${T0.toISOString()}')`);
  // PostgreSQL numbers from a sequence, which an explicit id does not move
  if (!(store instanceof SqliteStore)) await execOn(store, `SELECT setval(pg_get_serial_sequence('tokens', 'id'), 7340000)`);
  for (const [login, role, org] of cast) {
    const u = await store.createUser({ login, name: login, email: null, role, org, org_admin: false }, T0);
    tokens[login] = `tix_property_${login}`;
    await store.createToken(u.id, 'property', hashToken(tokens[login]!), T0);
  }
  const ok = async (res: Promise<LightMyRequestResponse>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`setup: ${r.statusCode} ${r.body}`);
    return r.json() as { id: number };
  };
  for (let i = 0; i < 4; i++) {
    const t = await ok(call('carol', 'POST', '/v1/tickets', { json: { subject: `Ticket ${i}`, description: 'Opened for the property tests.' } }));
    ticketIds.push(t.id);
  }
  await ok(call('alice', 'POST', `/v1/tickets/${ticketIds[1]}/triage`, { json: { team: 'support' } }));
  await ok(call('alice', 'POST', `/v1/tickets/${ticketIds[2]}/close`, { json: { resolution: 'done' } }));
  await ok(call('alice', 'POST', `/v1/tickets/${ticketIds[3]}/escalate`, { json: { reason: 'needs engineering' } }));
});
afterAll(async () => {
  await app?.close();
  await opened?.close();
});

interface Send {
  /** A value sent as JSON. */
  json?: unknown;
  /** Raw text sent as the body, with a JSON content type. */
  raw?: string;
  headers?: Record<string, string>;
}

function call(as: string | null, method: string, url: string, send: Send = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...send.headers };
  const options: InjectOptions = { method: method as InjectOptions['method'], url, headers };
  if (send.raw !== undefined) {
    options.payload = send.raw;
    headers['content-type'] = 'application/json';
  } else if (send.json !== undefined) {
    options.payload = JSON.stringify(send.json);
    headers['content-type'] = 'application/json';
  }
  return app.inject(options);
}

/** The contract every answer keeps: never 5xx; an error is problem+json whose status matches. */
function expectWellFormed(res: LightMyRequestResponse, what: string) {
  const context = `${what} → ${res.statusCode} ${res.body.slice(0, 500)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  expect(res.statusCode, context).toBeGreaterThanOrEqual(200);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
    const p = res.json() as { status: number; code: string; detail: unknown; title: unknown; type: unknown };
    expect(p.status, context).toBe(res.statusCode);
    expect(PROBLEM_CODES, context).toContain(p.code);
    expect(typeof p.detail, context).toBe('string');
  } else if (String(res.headers['content-type']).startsWith('application/json')) {
    expect(() => JSON.parse(res.body), context).not.toThrow();
  }
  seen.push(res.statusCode);
}

/** Statuses answered during the current property, to check it reached past validation. */
let seen: number[] = [];
const successes = () => seen.filter((s) => s < 300).length;

// ---- arbitraries ----------------------------------------------------------------

const json = fc.jsonValue({ maxDepth: 3 });
/** A value that is wrong for most fields: every JSON type, and strings that look almost right. */
const oddValue = fc.oneof(
  json,
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', 'urgent', 'CRITICAL', 'critical ', 'me', 'none', 'Alice', 'closed', 'escalated', 'blocked', 'resolved', '2026-02-30', '2026-12-01', '9'.repeat(30), '1e3', '-1', '0', 'NaN', '__proto__', 'x'.repeat(5000)),
  fc.constantFrom(0, -1, 1, 2, 3, 4, 1.5, 2 ** 53, -(2 ** 53), 1e308, true, false, null, [], {}, [1], ['a'], { a: 1 }),
);

const FIELDS: Record<string, string[]> = {
  ticket: ['subject', 'description', 'priority', 'justification', 'channel', 'type', 'requester', 'tags'],
  patch: ['subject', 'description', 'type', 'team', 'level', 'tags', 'root_cause'],
  triage: ['priority', 'justification', 'team', 'type', 'level', 'assignee'],
  priority: ['priority', 'reason'],
  assign: ['assignee'],
  status: ['status', 'note', 'blocked_by'],
  escalate: ['reason', 'team', 'level', 'estimated_resolution'],
  close: ['resolution'],
  reopen: ['comment'],
  comment: ['body', 'public', 'attachments'],
  advance: ['to', 'note'],
  user: ['login', 'name', 'email', 'role', 'org', 'org_admin'],
  token: ['name'],
};

const VALID: Record<string, Record<string, unknown>> = {
  ticket: { subject: 'Printer offline', description: 'The office printer is offline.', priority: 'high', justification: 'the whole floor cannot print', channel: 'email', type: 'incident', tags: ['printing'] },
  patch: { subject: 'Printer offline (2nd floor)', team: 'support', level: 2, tags: ['printing'], root_cause: 1 },
  triage: { priority: 'low', justification: 'only one user affected here', team: 'support', type: 'problem', level: 1, assignee: 'alice' },
  priority: { priority: 'critical', reason: 'the whole office cannot work' },
  assign: { assignee: 'me' },
  status: { status: 'blocked', note: 'waiting for ticket 1', blocked_by: 1 },
  escalate: { reason: 'needs a patch', team: 'engineering', level: 3, estimated_resolution: '2026-12-01' },
  close: { resolution: 'replaced the toner' },
  reopen: { comment: 'printing fails again' },
  comment: { body: 'log attached', public: true, attachments: [{ name: 'log.txt', data: Buffer.from('hello').toString('base64') }] },
  advance: { to: 'under_evaluation', note: 'looking' },
  user: { login: 'new.user', name: 'New User', email: 'new@example.com', role: 'requester', org: 'acme', org_admin: false },
  token: { name: 'laptop' },
};

/** Bodies of one kind: arbitrary JSON, objects of the right fields with wrong values, a valid body with one field spoiled. */
function bodyFor(kind: string): fc.Arbitrary<Send> {
  const fields = FIELDS[kind]!;
  const valid = VALID[kind]!;
  const wrongTypes = fc.dictionary(fc.constantFrom(...fields, 'extra', 'id', 'version', '__proto__', 'constructor'), oddValue, { maxKeys: fields.length + 1 });
  const spoiled = fc.tuple(fc.subarray(Object.keys(valid)), fc.constantFrom(...fields), oddValue).map(([keep, field, value]) => ({
    ...Object.fromEntries(keep.map((k) => [k, valid[k]])),
    [field]: value,
  }));
  const raw = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{', '{"a":', '[', 'nul', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '""', '1e999', '{"subject":"a","subject":1}'));
  return fc.oneof(
    json.map((j) => ({ json: j })),
    wrongTypes.map((j) => ({ json: j })),
    { weight: 3, arbitrary: spoiled.map((j) => ({ json: j })) },
    { weight: 2, arbitrary: fc.subarray(Object.keys(valid)).map((keep) => ({ json: Object.fromEntries(keep.map((k) => [k, valid[k]])) })) },
    { weight: 2, arbitrary: fc.constant({ json: valid }) },
    raw.map((r) => ({ raw: r })),
  );
}

/** Headers the write endpoints read, with odd values (printable ASCII: what an HTTP client can send). */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 });
const oddHeaders = fc.record(
  {
    'if-match': fc.oneof(printable, fc.constantFrom('"1"', 'W/"2"', '*', '"999999999999999999999"', '"-1"', '1', '')),
    'idempotency-key': fc.oneof(printable, fc.constantFrom('', 'a'.repeat(201), 'same-key')),
  },
  { requiredKeys: [] },
);
const writeHeaders = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, oddHeaders);

const caller = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('root', 'alice') },
  { weight: 2, arbitrary: fc.constantFrom('carol', 'zed') },
  { weight: 1, arbitrary: fc.constant(null) },
);
const ticketId = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) }, // one of the fixture tickets
  { weight: 1, arbitrary: fc.constantFrom('0', '-1', '1.5', '1e3', '0x1F', ' 1', '9007199254740993', '99999999999999999999999', 'NaN', 'Infinity', 'CP-1', '%00', '..', '1;DROP TABLE tickets') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
);
const pathId = (raw: string | null, pick: number) => (raw === null ? String(ticketIds[pick % ticketIds.length]) : encodeURIComponent(raw));

/** `reaches`: a valid body there succeeds whatever the ticket's state, so some runs must get a 2xx (the property is not vacuous). */
const WRITES: Array<{ kind: string; method: string; url: (id: string) => string; reaches?: true }> = [
  { kind: 'ticket', method: 'POST', url: () => '/v1/tickets', reaches: true },
  { kind: 'patch', method: 'PATCH', url: (id) => `/v1/tickets/${id}`, reaches: true },
  { kind: 'triage', method: 'POST', url: (id) => `/v1/tickets/${id}/triage` },
  { kind: 'priority', method: 'POST', url: (id) => `/v1/tickets/${id}/priority` },
  { kind: 'assign', method: 'POST', url: (id) => `/v1/tickets/${id}/assign` },
  { kind: 'status', method: 'POST', url: (id) => `/v1/tickets/${id}/status` },
  { kind: 'escalate', method: 'POST', url: (id) => `/v1/tickets/${id}/escalate` },
  { kind: 'close', method: 'POST', url: (id) => `/v1/tickets/${id}/close`, reaches: true },
  { kind: 'reopen', method: 'POST', url: (id) => `/v1/tickets/${id}/reopen` },
  { kind: 'comment', method: 'POST', url: (id) => `/v1/tickets/${id}/comments`, reaches: true },
  { kind: 'advance', method: 'POST', url: (id) => `/v1/escalations/${/^\d+$/.test(id) ? `CP-${id}` : id}/advance` },
  { kind: 'user', method: 'POST', url: () => '/v1/users' },
  { kind: 'token', method: 'POST', url: (id) => `/v1/users/${id}/tokens`, reaches: true },
];

describe('every write endpoint under arbitrary bodies', () => {
  it.each(WRITES.map((w) => [w.method, w.url(':id'), w] as const))('%s %s never answers 500', async (_m, _u, w) => {
    seen = [];
    await fc.assert(
      fc.asyncProperty(caller, ticketId, fc.nat(), bodyFor(w.kind), writeHeaders, async (as, rawId, pick, body, headers) => {
        const url = w.url(pathId(rawId, pick));
        const res = await call(as, w.method, url, { ...body, headers: headers as Record<string, string> });
        expectWellFormed(res, `${as ?? 'anonymous'} ${w.method} ${url} ${JSON.stringify(body).slice(0, 300)} ${JSON.stringify(headers)}`);
      }),
      { numRuns: RUNS },
    );
    if (w.reaches) expect(successes(), `no run of ${w.kind} got past validation: ${seen.join(' ')}`).toBeGreaterThan(0);
  });

  it('POST /v1/batch never answers 500, and answers one result per operation with a 2xx or 4xx status', async () => {
    const KINDS = ['triage', 'priority', 'assign', 'status', 'escalate', 'close', 'reopen', 'comment'] as const;
    const operation = fc.oneof(
      fc.constantFrom(...KINDS).chain((op) =>
        fc.record({ op: fc.constant(op), id: fc.oneof(fc.constantFrom(...ticketIds), oddValue), body: bodyFor(op).map((b) => b.json ?? b.raw) }, { requiredKeys: ['op'] }),
      ),
      fc.record({ op: oddValue, id: oddValue, body: oddValue }, { requiredKeys: [] }),
      json,
    );
    const batch = fc.oneof(
      fc.array(operation, { maxLength: 6 }).map((operations) => ({ json: { operations } })),
      fc.array(fc.constantFrom(...KINDS).map((op) => ({ op, id: ticketIds[0]!, body: VALID[op] })), { minLength: 1, maxLength: 8 }).map((operations) => ({ json: { operations } })),
      bodyFor('close'),
    );
    const query = fc.oneof(fc.constant(''), fc.constantFrom('?return=minimal', '?return=full', '?return=none', '?return=', '?return=minimal&return=full'));
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(caller, batch, query, writeHeaders, async (as, body, q, headers) => {
        const res = await call(as, 'POST', `/v1/batch${q}`, { ...body, headers: headers as Record<string, string> });
        expectWellFormed(res, `${as} POST /v1/batch${q} ${JSON.stringify(body).slice(0, 400)}`);
        if (res.statusCode === 200 && res.headers['idempotent-replayed'] === undefined) {
          answered++;
          const { results } = res.json() as { results: Array<{ status: number }> };
          expect(results).toHaveLength((body.json as { operations: unknown[] }).operations.length);
          for (const r of results) expect(r.status === 200 || (r.status >= 400 && r.status < 500), JSON.stringify(r)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // the per-operation checks above ran on real batch answers, not only on refusals
    expect(answered).toBeGreaterThan(0);
  });
});

describe('every read endpoint under arbitrary ids and query strings', () => {
  const READS: Array<(id: string) => string> = [
    (id) => `/v1/tickets/${id}`,
    (id) => `/v1/tickets/${id}/comments`,
    (id) => `/v1/tickets/${id}/events`,
    (id) => `/v1/escalations/${id}`,
    (id) => `/v1/escalations/CP-${id}`,
    (id) => `/v1/attachments/${id}`,
    (id) => `/v1/tokens/${id}`,
  ];
  const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('0', '-1', '1001', '1000', '1.5', '1e2', 'all', 'queue', 'created', 'running', 'eyJ4IjoxfQ', 'WzEsMiwzLDRd', 'WyJhIiwiYiIsImMiLCJkIl0', 'W251bGxd', 'WzFlNDAwLDEsMSwxXQ'));
  const queryString = fc
    .array(fc.tuple(fc.constantFrom('q', 'sort', 'limit', 'cursor', 'state', 'return', 'x', 'q[]', 'limit[a]'), queryValue), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ''));

  it('GET of a ticket, its comments, events or attachments, or an escalation, with any id, never answers 500', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(caller, fc.constantFrom(...READS), ticketId, fc.nat(), queryString, fc.constantFrom('GET', 'DELETE', 'POST', 'PUT', 'HEAD'), async (as, read, rawId, pick, qs, method) => {
        const url = `${read(pathId(rawId, pick))}${qs}`;
        const res = await call(as, method, url);
        seen.add(method === 'HEAD' ? 'head' : 'body');
        // a HEAD answer has no body to check: its status is all there is
        if (method === 'HEAD') expect(res.statusCode, url).toBeLessThan(500);
        else expectWellFormed(res, `${as} ${method} ${url}`);
      }),
      { numRuns: RUNS },
    );
    expect([...seen].sort()).toEqual(['body', 'head']);
  });

  it('GET /v1/tickets and /v1/escalations with any query string never answer 500', async () => {
    await fc.assert(
      fc.asyncProperty(caller, fc.constantFrom('/v1/tickets', '/v1/escalations', '/v1/users', '/v1/me'), queryString, async (as, path, qs) => {
        const res = await call(as, 'GET', `${path}${qs}`);
        expectWellFormed(res, `${as} GET ${path}${qs}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('the server accepts exactly the queries the shared parser accepts: ?q= is 200 when parseQuery succeeds, 400 when it throws', async () => {
    const term = fc.oneof(
      fc.constantFrom('status:new', 'priority:high,critical', 'state:all', 'assignee:me', 'assignee:none', 'age:>4h', 'idle:<3d', 'created:>=2026-11-01', 'created:2026-11-02',
        'updated:<2026-11-02T10:00:00Z', 'escalated:true', 'sla:breached', 'tag:billing', 'level:3', 'org:acme', 'requester:carol', '"office printer"', 'printer', '-status:closed',
        'statu:new', 'priority:hihg', 'age:=4h', 'created:2026-02-30', 'level:4', '"unterminated', 'team:', '-', 'age:>99999999999999999999d', 'created:>9999-12-31', 'created:<0001-01-01'),
      fc.string({ maxLength: 10 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('root', 'alice', 'carol'), fc.array(term, { minLength: 1, maxLength: 4 }), async (as, terms) => {
        const q = terms.join(' ');
        let parses = true;
        try {
          parseQuery(q);
        } catch (err) {
          if (!(err instanceof QueryError)) throw err;
          parses = false;
        }
        const res = await call(as, 'GET', `/v1/tickets?${new URLSearchParams({ q, limit: '1000' }).toString()}`);
        expectWellFormed(res, `q=${q}`);
        expect(res.statusCode, `q=${q} → ${res.body.slice(0, 300)}`).toBe(parses ? 200 : 400);
      }),
      { numRuns: RUNS },
    );
  });
});
