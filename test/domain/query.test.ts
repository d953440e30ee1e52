import { describe, it, expect } from 'vitest';
import { FIELD_DOCS, QUERY_FIELDS, QUERY_LIMITS, QueryError, hasStateTerm, matchesQuery, parseQuery } from '../../src/domain/query.js';
import type { Ticket } from '../../src/domain/schemas.js';

const terms = (input: string) => parseQuery(input).terms;
const term = (input: string) => terms(input)[0];

function errorOf(input: string): QueryError {
  try {
    parseQuery(input);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`expected "${input}" to be refused`);
}

const NOW = new Date('2026-11-10T12:00:00Z');
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 1,
    subject: 'Login page is slow',
    description: 'Since Monday the portal takes 30s to load.',
    status: 'new',
    priority: 'medium',
    channel: 'portal',
    type: null,
    team: null,
    level: null,
    assignee: null,
    requester: 'carol',
    org: 'Acme',
    tags: [],
    blocked_by: null,
    root_cause: null,
    escalation: null,
    escalations: [],
    created_at: ago(HOUR),
    updated_at: ago(HOUR),
    first_response_at: null,
    response_due_at: ago(-23 * HOUR),
    resolution_due_at: ago(-119 * HOUR),
    sla_breached: false,
    version: 1,
    ...overrides,
  };
}

const ctx = { now: NOW, me: 'alice' };
const matches = (q: string, overrides: Partial<Ticket> = {}) => matchesQuery(ticket(overrides), parseQuery(q), ctx);

describe('parseQuery: layout', () => {
  it('an empty input has no terms', () => expect(terms('')).toEqual([]));
  it('a blank input has no terms', () => expect(terms('  \t \n ')).toEqual([]));
  it('terms are split on any whitespace', () => expect(terms(' status:new \t team:support ')).toHaveLength(2));
  it('QUERY_FIELDS lists every field of the language', () =>
    expect([...QUERY_FIELDS].sort()).toEqual(
      ['age', 'assignee', 'channel', 'created', 'escalated', 'idle', 'level', 'org', 'priority', 'requester',
        'sla', 'state', 'status', 'tag', 'team', 'type', 'updated'],
    ));
});

describe('parseQuery: list fields', () => {
  it('status takes one value', () =>
    expect(term('status:new')).toEqual({ kind: 'in', field: 'status', values: ['new'], negate: false }));
  it('commas mean any of', () => expect(term('status:new,in_progress')).toMatchObject({ values: ['new', 'in_progress'] }));
  it('a leading dash negates a field term', () => expect(term('-status:closed')).toMatchObject({ values: ['closed'], negate: true }));
  it('enum values are lowercased', () => expect(term('STATUS:New')).toMatchObject({ field: 'status', values: ['new'] }));
  it('urgent is read as critical', () => expect(term('priority:urgent,high')).toMatchObject({ values: ['critical', 'high'] }));
  it('team takes its enum values', () => expect(term('team:engineering')).toMatchObject({ field: 'team', values: ['engineering'] }));
  it('channel takes its enum values', () => expect(term('channel:email,phone')).toMatchObject({ values: ['email', 'phone'] }));
  it('type takes its enum values', () => expect(term('type:incident')).toMatchObject({ field: 'type', values: ['incident'] }));
  it('level takes 1, 2 or 3', () => expect(term('level:1,3')).toMatchObject({ field: 'level', values: ['1', '3'] }));
  it('assignee keeps me and none literally', () => expect(term('assignee:me,none,bob')).toMatchObject({ values: ['me', 'none', 'bob'] }));
  it('requester takes any value as typed', () => expect(term('requester:Carol')).toMatchObject({ field: 'requester', values: ['Carol'] }));
  it('org takes a quoted value with spaces and commas', () => expect(term('org:"Acme, Inc"')).toMatchObject({ values: ['Acme, Inc'] }));
  it('tag takes any value', () => expect(term('tag:billing,sso')).toMatchObject({ field: 'tag', values: ['billing', 'sso'] }));
});

describe('parseQuery: single-valued fields', () => {
  it('state takes open, done or all', () => expect(term('state:done')).toEqual({ kind: 'state', value: 'done', negate: false }));
  it('state can be negated', () => expect(term('-state:open')).toMatchObject({ value: 'open', negate: true }));
  it('escalated takes true or false', () => expect(term('escalated:false')).toEqual({ kind: 'escalated', value: false, negate: false }));
  it('sla takes breached or ok', () => expect(term('sla:Breached')).toEqual({ kind: 'sla', value: 'breached', negate: false }));
});

describe('parseQuery: durations', () => {
  it('age:>4h means older than four hours', () =>
    expect(term('age:>4h')).toEqual({ kind: 'duration', field: 'age', op: '>', ms: 4 * HOUR, negate: false }));
  it('a duration without a comparison means more than', () => expect(term('idle:3d')).toMatchObject({ op: '>', ms: 72 * HOUR }));
  it('minutes and weeks are units', () => expect(terms('age:<=30m idle:>=2w').map((t) => 'ms' in t && t.ms)).toEqual([1_800_000, 1_209_600_000]));
  it('a duration can be negated', () => expect(term('-idle:<1d')).toMatchObject({ field: 'idle', op: '<', negate: true }));
});

describe('FIELD_DOCS, the table `tix help query` is printed from', () => {
  it('documents exactly the fields the parser knows', () => expect(Object.keys(FIELD_DOCS).sort()).toEqual([...QUERY_FIELDS].sort()));
  it.each([...QUERY_FIELDS])('the example of %s parses as a term of that field', (field) => {
    const [t] = terms(FIELD_DOCS[field].example);
    expect(t).toBeDefined();
    expect('field' in t! ? t.field : t!.kind).toBe(field);
  });
  it.each([...QUERY_FIELDS].filter((f) => FIELD_DOCS[f].takes === 'enum' || FIELD_DOCS[f].takes === 'one'))('every value documented for %s is accepted', (field) => {
    for (const v of FIELD_DOCS[field].values!) expect(() => parseQuery(`${field}:${v}`)).not.toThrow();
  });
});

describe('parseQuery: dates', () => {
  it('a date-only >= starts at that UTC midnight', () =>
    expect(term('created:>=2026-11-01')).toEqual({ kind: 'date', field: 'created', op: '>=', at: '2026-11-01T00:00:00.000Z', negate: false }));
  it('a date without a comparison means that whole UTC day', () => expect(term('updated:2026-11-01')).toMatchObject({ op: '=', at: '2026-11-01T00:00:00.000Z' }));
  it('a date-only > starts after that whole day', () => expect(term('created:>2026-11-01')).toMatchObject({ op: '>=', at: '2026-11-02T00:00:00.000Z' }));
  it('a date-only <= includes that whole day', () => expect(term('created:<=2026-11-30')).toMatchObject({ op: '<', at: '2026-12-01T00:00:00.000Z' }));
  it('a date-only < ends before that day', () => expect(term('created:<2026-11-01')).toMatchObject({ op: '<', at: '2026-11-01T00:00:00.000Z' }));
  it('a timestamp with an offset is kept exact, in UTC', () => expect(term('created:>2026-11-01T10:00:00+02:00')).toMatchObject({ op: '>', at: '2026-11-01T08:00:00.000Z' }));
  it('a timestamp without seconds is read to the minute', () => expect(term('updated:>2026-12-01T20:05Z')).toMatchObject({ op: '>', at: '2026-12-01T20:05:00.000Z' }));
  it('a timestamp without a zone is UTC', () => expect(term('updated:>2026-12-01T20:05')).toMatchObject({ op: '>', at: '2026-12-01T20:05:00.000Z' }));
  it('a timestamp with seconds and no zone is UTC', () => expect(term('created:<=2026-11-01T10:00:30')).toMatchObject({ op: '<=', at: '2026-11-01T10:00:30.000Z' }));
  it('a timestamp with a negative offset and no seconds', () => expect(term('created:>=2026-11-01T22:30-03:00')).toMatchObject({ op: '>=', at: '2026-11-02T01:30:00.000Z' }));
  it('a lowercase t and z are read as T and Z', () => expect(term('created:>2026-11-01t10:00z')).toMatchObject({ at: '2026-11-01T10:00:00.000Z' }));
  it.each(['created:>2026-11-01T25:00', 'created:>2026-11-01T10:60', 'created:>2026-11-01T10', 'created:>2026-11-01T10:00:00+2', 'created:>2026-02-30T10:00'])(
    '%s is a bad date',
    (input) => expect(errorOf(input).message).toMatch(/bad date .*YYYY-MM-DDTHH:MM\[:SS\]/),
  );
  it('a timestamp without a zone matches by UTC time', () => {
    expect(matches('updated:>2026-11-10T10:59', { updated_at: '2026-11-10T11:00:00Z' })).toBe(true);
    expect(matches('updated:>2026-11-10T11:01', { updated_at: '2026-11-10T11:00:00Z' })).toBe(false);
  });
});

describe('parseQuery: text', () => {
  it('a bare word is text', () => expect(term('timeout')).toEqual({ kind: 'text', value: 'timeout', negate: false }));
  it('a quoted phrase keeps spaces and colons', () => expect(term('"error: gateway timeout"')).toMatchObject({ kind: 'text', value: 'error: gateway timeout' }));
  it('a dash negates a phrase', () => expect(term('-"foo bar"')).toEqual({ kind: 'text', value: 'foo bar', negate: true }));
  it('a dash negates a word', () => expect(term('-spam')).toEqual({ kind: 'text', value: 'spam', negate: true }));
  it('a quoted url is text', () => expect(term('"http://x"')).toMatchObject({ kind: 'text', value: 'http://x' }));
  it('text keeps its case', () => expect(term('SSO')).toMatchObject({ value: 'SSO' }));
  it('terms mix freely', () => expect(terms('status:new "a b" c -tag:x').map((t) => t.kind)).toEqual(['in', 'text', 'text', 'in']));
});

describe('parseQuery: malformed input is refused naming the term', () => {
  it.each([
    ['colour:red', 'colour:red', /unknown field "colour".*fields: status, state/],
    ['status:new http://x', 'http://x', /unknown field "http"/],
    [':foo', ':foo', /unknown field ""/],
    ['status:', 'status:', /empty value/],
    ['status:new,,closed', 'status:new,,closed', /empty value/],
    ['status:new,', 'status:new,', /empty value/],
    ['status:reopened', 'status:reopened', /unknown status "reopened".*new, in_progress/],
    ['status:open', 'status:open', /did you mean state:open/],
    ['priority:asap', 'priority:asap', /unknown priority "asap"/],
    ['team:sales', 'team:sales', /unknown team/],
    ['channel:fax', 'channel:fax', /unknown channel/],
    ['type:bug', 'type:bug', /unknown type/],
    ['level:4', 'level:4', /unknown level/],
    ['assignee:Not_A@login', 'assignee:Not_A@login', /not a login/],
    ['state:closed', 'state:closed', /unknown state "closed"/],
    ['state:open,done', 'state:open,done', /takes one value/],
    ['escalated:yes', 'escalated:yes', /unknown escalated "yes"/],
    ['sla:late', 'sla:late', /unknown sla "late"/],
    ['age:4', 'age:4', /bad duration/],
    ['age:>4y', 'age:>4y', /bad duration/],
    ['age:>1.5h', 'age:>1.5h', /bad duration/],
    ['idle:=3d', 'idle:=3d', /compare a duration/],
    ['age:>>4h', 'age:>>4h', /bad duration/],
    ['created:>=2026-13-01', 'created:>=2026-13-01', /bad date/],
    ['created:2026-02-30', 'created:2026-02-30', /bad date/],
    ['created:>=yesterday', 'created:>=yesterday', /bad date/],
    ['created:>=2026-11-01T10:00:00ZZ', 'created:>=2026-11-01T10:00:00ZZ', /bad date/],
    ['created:2026-11-01T10:00:00Z', 'created:2026-11-01T10:00:00Z', /timestamp needs/],
    ['a "unterminated phrase', '"unterminated phrase', /unterminated quote/],
    ['-"', '-"', /unterminated quote/],
    ['""', '""', /empty phrase/],
    ['-', '-', /must be followed by a term/],
    ['foo"bar"', 'foo"bar"', /quotes must surround/],
    ['"a"b', '"a"b', /quotes must surround/],
    ['org:"a"b', 'org:"a"b', /quotes must surround/],
  ])('%s is refused, naming %s', (input, named, message) => {
    const error = errorOf(input);
    expect(error.term).toBe(named);
    expect(error.message).toContain(`"${named}"`);
    expect(error.message).toMatch(message);
  });
  it('a QueryError is an Error named QueryError', () => {
    const thrown = (() => {
      try {
        parseQuery('x:y');
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(QueryError);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('QueryError');
  });
  it('the first malformed term is the one reported', () => expect(errorOf('team:x type:y').term).toBe('team:x'));
});

describe('hasStateTerm', () => {
  it('is true with a state term', () => expect(hasStateTerm(parseQuery('state:all'))).toBe(true));
  it('is true with a status term', () => expect(hasStateTerm(parseQuery('bug status:new'))).toBe(true));
  it('is true with a negated status term', () => expect(hasStateTerm(parseQuery('-status:closed'))).toBe(true));
  it('is true with a negated state term', () => expect(hasStateTerm(parseQuery('-state:open'))).toBe(true));
  it('is false otherwise', () => expect(hasStateTerm(parseQuery('team:support "state:open"'))).toBe(false));
});

describe('matchesQuery', () => {
  it('an empty query matches every ticket', () => expect(matches('')).toBe(true));
  it('every term must hold', () => expect(matches('status:new team:support')).toBe(false));
  it('any value of a list may hold', () => expect(matches('status:closed,new')).toBe(true));
  it('a negated term holds when the term does not', () => expect(matches('-status:new')).toBe(false));
  it('priority:urgent finds critical tickets', () => expect(matches('priority:urgent', { priority: 'critical' })).toBe(true));
  it('team matches the ticket team', () => expect(matches('team:engineering', { team: 'engineering' })).toBe(true));
  it('a negated team matches tickets with no team', () => expect(matches('-team:engineering')).toBe(true));
  it('channel matches the ticket channel', () => expect(matches('channel:email')).toBe(false));
  it('type matches the ticket type', () => expect(matches('type:incident', { type: 'incident' })).toBe(true));
  it('level matches the support level', () => expect(matches('level:3', { level: 3 })).toBe(true));
  it('level does not match an unset level', () => expect(matches('level:1')).toBe(false));
  it('tag matches any of the ticket tags, ignoring case', () => expect(matches('tag:billing', { tags: ['sso', 'Billing'] })).toBe(true));
  it('tag does not match an untagged ticket', () => expect(matches('tag:billing')).toBe(false));
  it('assignee:me matches tickets assigned to ctx.me', () => expect(matches('assignee:me', { assignee: 'alice' })).toBe(true));
  it('assignee:me does not match someone else', () => expect(matches('assignee:me', { assignee: 'bob' })).toBe(false));
  it('assignee:none matches unassigned tickets', () => expect(matches('assignee:none')).toBe(true));
  it('-assignee:none matches assigned tickets', () => expect(matches('-assignee:none', { assignee: 'bob' })).toBe(true));
  it('assignee by login matches that login', () => expect(matches('assignee:bob', { assignee: 'bob' })).toBe(true));
  it('requester matches ignoring case', () => expect(matches('requester:CAROL')).toBe(true));
  it('org matches ignoring case', () => expect(matches('org:acme')).toBe(true));
  it('org does not match a ticket without org', () => expect(matches('org:acme', { org: null })).toBe(false));
  it('state:open matches open statuses', () => expect(matches('state:open', { status: 'blocked' })).toBe(true));
  it('state:open does not match done statuses', () => expect(matches('state:open', { status: 'solution_provided' })).toBe(false));
  it('state:done matches done statuses', () => expect(matches('state:done', { status: 'expired' })).toBe(true));
  it('state:all matches any status', () => expect(matches('state:all', { status: 'closed' })).toBe(true));
  it('escalated:true matches a running escalation', () => expect(matches('escalated:true', { escalation: 'CP-1' })).toBe(true));
  it('escalated:true does not match without an escalation', () => expect(matches('escalated:true')).toBe(false));
  it('escalated:false matches without an escalation', () => expect(matches('escalated:false')).toBe(true));
  it('sla:breached matches breached tickets', () => expect(matches('sla:breached', { sla_breached: true })).toBe(true));
  it('sla:ok matches tickets within SLA', () => expect(matches('sla:ok')).toBe(true));
  it('age:>4h matches a ticket created five hours ago', () => expect(matches('age:>4h', { created_at: ago(5 * HOUR) })).toBe(true));
  it('age:>4h does not match a ticket created an hour ago', () => expect(matches('age:>4h')).toBe(false));
  it('age:<=1h includes exactly one hour', () => expect(matches('age:<=1h')).toBe(true));
  it('idle:>3d matches a ticket not updated for four days', () => expect(matches('idle:>3d', { updated_at: ago(96 * HOUR) })).toBe(true));
  it('idle looks at updated_at, not created_at', () => expect(matches('idle:>3d', { created_at: ago(96 * HOUR) })).toBe(false));
  it('a bare date matches any time that UTC day', () => expect(matches('created:2026-11-01', { created_at: '2026-11-01T23:59:59Z' })).toBe(true));
  it('a bare date does not match the next day', () => expect(matches('created:2026-11-01', { created_at: '2026-11-02T00:00:00Z' })).toBe(false));
  it('a negated bare date matches other days', () => expect(matches('-created:2026-11-01', { created_at: '2026-11-02T00:00:00Z' })).toBe(true));
  it('created:<=D includes the evening of D', () => expect(matches('created:<=2026-11-01', { created_at: '2026-11-01T20:00:00Z' })).toBe(true));
  it('created:>D excludes the evening of D', () => expect(matches('created:>2026-11-01', { created_at: '2026-11-01T20:00:00Z' })).toBe(false));
  it('created:>=D includes midnight of D', () => expect(matches('created:>=2026-11-01', { created_at: '2026-11-01T00:00:00Z' })).toBe(true));
  it('updated compares updated_at', () => expect(matches('updated:<2026-11-01', { updated_at: '2026-10-31T12:00:00Z' })).toBe(true));
  it('a timestamp compares exactly', () => expect(matches('created:>2026-11-01T10:00:00Z', { created_at: '2026-11-01T10:00:01Z' })).toBe(true));
  it('a word matches the subject ignoring case', () => expect(matches('LOGIN')).toBe(true));
  it('a word matches the description', () => expect(matches('monday')).toBe(true));
  it('a word found nowhere does not match', () => expect(matches('invoice')).toBe(false));
  it('a phrase matches as a whole', () => expect(matches('"page is slow"')).toBe(true));
  it('a phrase does not match its words apart', () => expect(matches('"slow page"')).toBe(false));
  it('a negated word excludes tickets that mention it', () => expect(matches('-portal')).toBe(false));
});

describe('parseQuery: each limit at its edge', () => {
  const list = (n: number, item: (i: number) => string, sep = ' ') => Array.from({ length: n }, (_, i) => item(i)).join(sep);
  it(`takes ${QUERY_LIMITS.length} characters and refuses one more, saying how long the query is`, () => {
    const longest = `org:"${'a'.repeat(QUERY_LIMITS.length - 6)}"`;
    expect(longest).toHaveLength(QUERY_LIMITS.length);
    expect(term(longest)).toMatchObject({ field: 'org' });
    const error = errorOf(`org:"${'a'.repeat(QUERY_LIMITS.length - 5)}"`);
    expect(error.message).toBe(`the query is ${QUERY_LIMITS.length + 1} characters long; a query takes at most ${QUERY_LIMITS.length}`);
    expect(error.term).toBe('');
  });
  it(`takes ${QUERY_LIMITS.terms} terms and refuses one more, naming the first term too many`, () => {
    expect(terms(list(QUERY_LIMITS.terms, (i) => `tag:t${i}`))).toHaveLength(QUERY_LIMITS.terms);
    const error = errorOf(list(QUERY_LIMITS.terms + 2, (i) => `tag:t${i}`));
    expect(error.message).toBe(`the query has ${QUERY_LIMITS.terms + 2} terms, from "tag:t${QUERY_LIMITS.terms}" on too many; a query takes at most ${QUERY_LIMITS.terms}`);
    expect(error.term).toBe(`tag:t${QUERY_LIMITS.terms}`);
  });
  it(`takes ${QUERY_LIMITS.textTerms} words or phrases among other terms and refuses one more, naming it`, () => {
    // words between field terms: the one named is counted among the words only
    const mixed = (n: number) => list(n, (i) => `status:new w${i}`);
    expect(terms(mixed(QUERY_LIMITS.textTerms)).filter((t) => t.kind === 'text')).toHaveLength(QUERY_LIMITS.textTerms);
    const error = errorOf(mixed(QUERY_LIMITS.textTerms + 1));
    expect(error.message).toBe(`the query has ${QUERY_LIMITS.textTerms + 1} words or phrases, from "w${QUERY_LIMITS.textTerms}" on too many; a query takes at most ${QUERY_LIMITS.textTerms}`);
    expect(error.term).toBe(`w${QUERY_LIMITS.textTerms}`);
  });
  it(`takes ${QUERY_LIMITS.valuesPerTerm} values in a term and refuses one more, showing a long term by its start`, () => {
    expect(term(`tag:${list(QUERY_LIMITS.valuesPerTerm, (i) => `v${i}`, ',')}`)).toMatchObject({ values: expect.arrayContaining(['v0', `v${QUERY_LIMITS.valuesPerTerm - 1}`]) });
    const tooMany = `tag:${list(QUERY_LIMITS.valuesPerTerm + 1, (i) => `v${i}`, ',')}`;
    const error = errorOf(tooMany);
    expect(error.message).toBe(`"${tooMany.slice(0, 40)}…" has ${QUERY_LIMITS.valuesPerTerm + 1} values; a term takes at most ${QUERY_LIMITS.valuesPerTerm}`);
    expect(error.term).toBe(tooMany);
  });
  it('shows a term of 60 characters whole in a message, and one of 61 by its first 40', () => {
    // 21 values: 15 of two letters and 6 of one, then one letter more
    const values = list(QUERY_LIMITS.valuesPerTerm + 1, (i) => (i < 15 ? `v${String.fromCharCode(97 + i)}` : String.fromCharCode(97 + i)), ',');
    const sixty = `tag:${values}`;
    const sixtyOne = `tag:${values}z`;
    expect([sixty.length, sixtyOne.length]).toEqual([60, 61]);
    expect(errorOf(sixty).message).toMatch(new RegExp(`^"${sixty}" has 21 values`));
    expect(errorOf(sixtyOne).message).toMatch(new RegExp(`^"${sixtyOne.slice(0, 40)}…" has 21 values`));
  });
});

describe('parseQuery: the words of each refusal', () => {
  it.each([
    ['status:reopened', 'unknown status "reopened" in "status:reopened"; expected one of: new, in_progress, pending_customer, pending_engineering, customer_testing, pending_reversion, blocked, escalated, solution_provided, resolved, expired, closed'],
    ['team:open', 'unknown team "open" in "team:open"; expected one of: support, configuration, engineering, implementation'],
    ['state:closed', 'unknown state "closed" in "state:closed"; expected one of: open, done, all'],
    ['age:>4y', 'bad duration in "age:>4y": a duration is a whole number and m, h, d or w, e.g. age:>4h'],
    ['idle:=3d', 'bad duration in "idle:=3d": compare a duration with >, >=, < or <=, e.g. idle:>4h'],
    ['created:>=yesterday', 'bad date in "created:>=yesterday": use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] (UTC unless a zone is given), e.g. created:>=2026-11-01'],
  ])('%s is refused saying exactly why', (input, message) => expect(errorOf(input).message).toBe(message));
  it.each(['open', 'done', 'all'])('status:%s asks whether the state term of that value was meant', (v) =>
    expect(errorOf(`status:${v}`).message).toContain(`"status:${v}" (did you mean state:${v}?); expected one of: new,`));
  it('a duration takes nothing after its unit', () => expect(errorOf('age:>4hours').message).toMatch(/bad duration in "age:>4hours"/));
  it.each(['"   "', 'org:" "'])('%s is an empty phrase', (input) => expect(errorOf(input).message).toBe(`empty phrase in "${input}"`));
  it.each(['<', '<=', '>', '>=', '=', '==', '≤', '≥', '-<='])('a comparison sign standing alone (%s) is refused, not searched for as a word', (sign) => {
    const err = errorOf(`priority:critical ${sign} 0`);
    expect(err.term).toBe(sign);
    expect(err.message).toBe(
      `"${sign}" alone is not a comparison: compare inside a term (age:<4h, created:>=2026-11-01); a check's limit goes in --max (max in a rules file or MCP); quote the sign to search for it`,
    );
  });
  it('a quoted sign, or a sign inside a word, is text', () =>
    expect(terms('"<=" a<b =>').map((t) => t.kind === 'text' && t.value)).toEqual(['<=', 'a<b', '=>']));
});

describe('matchesQuery: comparisons at their edge', () => {
  // the ticket was created an hour ago; each comparison is against one hour
  it.each([
    ['>', [false, false, true]],
    ['>=', [false, true, true]],
    ['<', [true, false, false]],
    ['<=', [true, true, false]],
  ])('age:%s1h for tickets 30 minutes, one hour and two hours old', (op, expected) =>
    expect([HOUR / 2, HOUR, 2 * HOUR].map((age) => matches(`age:${op}1h`, { created_at: ago(age) }))).toEqual(expected));
  it('state:all matches an open ticket as well as a done one', () =>
    expect(['new', 'closed'].map((status) => matches('state:all', { status: status as Ticket['status'] }))).toEqual([true, true]));
  it('-state:all matches no ticket', () => expect(matches('-state:all')).toBe(false));
});
