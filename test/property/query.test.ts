// Property tests of the query language (docs/query-language.md): whatever is typed, parseQuery answers a Query or a QueryError naming the term.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUERY_FIELDS, QUERY_LIMITS, QueryError, parseQuery, type Query } from '../../src/domain/query.js';

// TIX_PROPERTY_RUNS raises the count for a deeper hunt; the default keeps the suite fast
const RUNS = Number(process.env.TIX_PROPERTY_RUNS ?? 200);

/** Either the parsed query or the QueryError; anything else thrown fails the property. */
function attempt(input: string): { query: Query } | { error: QueryError } {
  try {
    return { query: parseQuery(input) };
  } catch (err) {
    if (err instanceof QueryError) return { error: err };
    throw new Error(`parseQuery(${JSON.stringify(input)}) threw ${String(err)}`, { cause: err });
  }
}

/** A QueryError names a term the user actually typed, in its message. */
function expectNamesTerm(input: string, error: QueryError) {
  expect(input).toContain(error.term);
  expect(error.message.length).toBeGreaterThan(0);
  if (error.term.trim() !== '') expect(error.message).toContain(error.term.length > 60 ? error.term.slice(0, 20) : error.term);
}

const VALID_VALUES: Record<string, string[]> = {
  status: ['new', 'in_progress', 'closed', 'pending_customer', 'blocked'],
  state: ['open', 'done', 'all'],
  priority: ['high', 'critical', 'urgent', 'low', 'medium'],
  team: ['engineering', 'support', 'configuration', 'implementation'],
  assignee: ['alice', 'me', 'none', 'bob.smith'],
  requester: ['rita.acme', 'Gil'],
  org: ['acme', 'globex'],
  channel: ['email', 'portal', 'phone', 'chat', 'conference'],
  type: ['incident', 'problem', 'question', 'configuration', 'task'],
  level: ['1', '2', '3'],
  escalated: ['true', 'false'],
  sla: ['breached', 'ok'],
  tag: ['billing', 'vpn'],
  age: ['>4h', '<=3d', '>=15m', '<2w'],
  idle: ['>3d', '<1h'],
  created: ['>=2026-11-01', '2026-02-28', '<2026-11-02T10:00:00Z', '>2026-01-01T00:00:00.5+02:00'],
  updated: ['<=2026-12-31', '>2026-11-01'],
};

/** Pieces that are almost, but not quite, a valid value. */
const nearMissValue = fc.oneof(
  fc.constantFrom(
    '', ',', ',,', 'open,', ',high', '"', '""', '" "', '"a', 'a"', '"a"b', '>', '>=', '=', '<>', '>=>4h', '=4h', '>4', '4h', '>4x', '>-4h', '>4.5h', '>1e3h',
    '>99999999999999999999d', '>9007199254740993m', '2026-02-30', '2026-13-01', '2026-1-1', '0000-00-00', '>=2026-11-01T25:00:00Z', '2026-11-01T10:00:00Z',
    '<2026-11-01T10:00Z', '<2026-11-01T10:00:00', '<2026-11-01T10:00:00+99:99', 'TRUE', 'yes', 'Breached', 'URGENT', 'in-progress', 'In_Progress', '4', '0', '-1',
    'me,none', 'ME', 'Alice', 'a b', '\u0000', '\u00e9t\u00e9', '🙂', 'null', 'undefined', '__proto__', 'constructor', 'toString',
  ),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
);

const field = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...QUERY_FIELDS) },
  fc.constantFrom(...QUERY_FIELDS).map((f) => f.toUpperCase()),
  fc.constantFrom('statu', 'prio', 'assigned', 'from', '', '-', '"', 'constructor', '__proto__', 'hasOwnProperty', 'created_at', 'due'),
);

const validTerm = fc
  .constantFrom(...Object.keys(VALID_VALUES))
  .chain((f) => fc.tuple(fc.constant(f), fc.subarray(VALID_VALUES[f]!, { minLength: 1, maxLength: f === 'status' || f === 'priority' ? 3 : 1 }), fc.boolean()))
  .map(([f, values, negate]) => `${negate ? '-' : ''}${f}:${values.join(',')}`);

const nearMissTerm = fc
  .tuple(fc.constantFrom('', '-', '--', '"'), field, fc.constantFrom(':', '::', ''), fc.array(fc.oneof(nearMissValue, fc.constantFrom(...Object.values(VALID_VALUES).flat())), { minLength: 1, maxLength: 3 }), fc.constantFrom(',', ', ', ':'))
  .map(([sign, f, colon, values, sep]) => `${sign}${f}${colon}${values.join(sep)}`);

const bareWord = fc.oneof(fc.constantFrom('vpn', 'login', '"payment page"', '"unterminated', '-', '-"', '""', '" "', 'a"b"'), fc.string({ maxLength: 8 }));
const separator = fc.constantFrom(' ', '  ', '\t', '\n', ' \u00a0 ', '\u3000');

describe('parseQuery under arbitrary input', () => {
  it('arbitrary strings parse, or fail with a QueryError that names a term as typed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (input) => {
        const r = attempt(input);
        if ('error' in r) expectNamesTerm(input, r.error);
      }),
      { numRuns: RUNS },
    );
  });

  it('near-miss terms mixed with valid ones parse, or fail with a QueryError naming a term', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(validTerm, nearMissTerm, bareWord), { minLength: 1, maxLength: 5 }), separator, (terms, sep) => {
        const input = terms.join(sep);
        const r = attempt(input);
        if ('error' in r) expectNamesTerm(input, r.error);
      }),
      { numRuns: RUNS },
    );
  });

  it('a query made only of valid terms always parses, one term per term typed', () => {
    fc.assert(
      fc.property(fc.array(validTerm, { minLength: 1, maxLength: 6 }), separator, (terms, sep) => {
        const r = attempt(terms.join(sep));
        if ('error' in r) throw r.error;
        expect(r.query.terms).toHaveLength(terms.length);
        expect(r.query.terms.map((t) => t.negate)).toEqual(terms.map((t) => t.startsWith('-')));
      }),
      { numRuns: RUNS },
    );
  });

  it('one near-miss term spoils the query: the error names that term, whatever valid terms surround it', () => {
    const spoiler = fc.oneof(
      fc.constantFrom('statu:new', 'priority:hihg', 'age:4x', 'age:=4h', 'created:2026-02-30', 'level:4', 'state:open,done', 'sla:late', 'escalated:yes', 'assignee:b@d', '-', 'team:"support'),
      fc.constantFrom(...QUERY_FIELDS).map((f) => `${f}:`),
    );
    fc.assert(
      fc.property(fc.array(validTerm, { maxLength: 3 }), spoiler, fc.array(validTerm, { maxLength: 3 }), (before, bad, after) => {
        const input = [...before, bad, ...after].join(' ');
        const r = attempt(input);
        expect('error' in r, input).toBe(true);
        if ('error' in r) expect(r.error.term.split(' ')[0], input).toBe(bad);
      }),
      { numRuns: RUNS },
    );
  });

  it('parsing is deterministic and never depends on earlier calls', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(validTerm, nearMissTerm, bareWord), { maxLength: 4 }), (terms) => {
        const input = terms.join(' ');
        const once = attempt(input);
        const twice = attempt(input);
        if ('error' in once) expect('error' in twice && twice.error.message).toBe(once.error.message);
        else expect(twice).toEqual(once);
      }),
      { numRuns: RUNS },
    );
  });

  it('a query of valid terms parses exactly when it keeps within every limit, and else names the limit it passes', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const phrase = fc.integer({ min: 1, max: QUERY_LIMITS.textLength + 20 }).map((n) => `"${'p'.repeat(n)}"`);
    const tagTerm = fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: QUERY_LIMITS.valuesPerTerm + 5 }).map((vs) => `tag:${vs.join(',')}`);
    const term = fc.oneof(validTerm, word, phrase, tagTerm);
    // short queries, and long ones spread evenly up to past the term limit (a plain array is mostly short)
    const queries = fc.oneof(fc.array(term, { minLength: 1, maxLength: 8 }), fc.array(term, { minLength: 1, maxLength: QUERY_LIMITS.terms + 10, size: 'max' }));
    // each limit exactly met, and passed by one, whatever the random runs reach (run first, on top of the random ones)
    const L = QUERY_LIMITS;
    const tag6 = `tag:${Array.from({ length: L.valuesPerTerm }, (_, i) => `v${String(i).padStart(4, '0')}`).join(',')}`;
    const edges: string[][] = [
      Array(L.terms).fill('status:new'),
      Array(L.terms + 1).fill('status:new'),
      Array(L.textTerms).fill('vpn'),
      Array(L.textTerms + 1).fill('vpn'),
      [tag6],
      [`${tag6},extra`],
      [`"${'p'.repeat(L.textLength)}"`],
      [`"${'p'.repeat(L.textLength + 1)}"`],
    ];
    // the whole length: tag terms, then one phrase that brings it to the limit exactly, or one past it
    const tags = Array<string>(Math.floor(L.length / (tag6.length + 1)) - 1).fill(tag6);
    const fill = L.length - (tags.join(' ').length + 1) - 2;
    edges.push([...tags, `"${'p'.repeat(fill)}"`], [...tags, `"${'p'.repeat(fill + 1)}"`]);
    expect(edges.at(-2)!.join(' ')).toHaveLength(L.length);
    fc.assert(
      fc.property(queries, (terms) => {
        const input = terms.join(' ');
        const texts = terms.filter((t) => !t.includes(':'));
        const values = terms.filter((t) => t.startsWith('tag:')).map((t) => t.split(',').length);
        const longest = Math.max(0, ...texts.map((t) => t.replace(/"/g, '').length));
        const within =
          input.length <= QUERY_LIMITS.length &&
          terms.length <= QUERY_LIMITS.terms &&
          texts.length <= QUERY_LIMITS.textTerms &&
          values.every((n) => n <= QUERY_LIMITS.valuesPerTerm) &&
          longest <= QUERY_LIMITS.textLength;
        const r = attempt(input);
        expect('query' in r, input).toBe(within);
        if ('error' in r) {
          expectNamesTerm(input, r.error);
          expect(r.error.message).toMatch(/at most \d+/);
        }
      }),
      { numRuns: RUNS + edges.length, examples: edges.map((e) => [e]) },
    );
  });
});
