// The query language (docs/query-language.md): one parser and one in-memory evaluator, shared by CLI and server.
//
// Representation choices callers (e.g. a SQL translator) rely on:
// - Date terms are normalised to exact instants: a date-only `created:>2026-11-01` becomes
//   `>= 2026-11-02T00:00:00.000Z` and `<=D` becomes `< D+1`, so a day is always included whole.
//   `op: '='` only ever comes from a date-only value and means "during the UTC day starting at `at`".
// - Duration terms never use `=` (an exact age in milliseconds never matches anything).
// - assignee keeps `me` and `none` literally; requester, org, tag and text compare case-insensitively
//   for the ASCII letters A-Z only (foldCase), as SQL's lower() does, so every store can agree.
// - A query's cost is bounded (QUERY_LIMITS): the parser refuses what exceeds a limit, naming it.
// plain constants, not the zod schemas: the CLI parses queries too, and must not load zod for it
import { CHANNELS, DONE_STATUSES, LOGIN_PATTERN, OPEN_STATUSES, PRIORITIES, STATUSES, TEAMS, TICKET_TYPES } from './enums.js';
import type { Ticket } from './schemas.js';

export type Cmp = '>' | '>=' | '<' | '<=' | '=';
/** The comparisons compare() orders by: a duration never takes `=`, and a date's `=` means a whole day, matched apart. */
type Order = Exclude<Cmp, '='>;
type InField =
  | 'status' | 'priority' | 'team' | 'channel' | 'type' | 'level' | 'tag' | 'assignee' | 'requester' | 'org';
export type QueryTerm =
  | { kind: 'in'; field: InField; values: string[]; negate: boolean }
  | { kind: 'state'; value: 'open' | 'done' | 'all'; negate: boolean }
  | { kind: 'escalated'; value: boolean; negate: boolean }
  | { kind: 'sla'; value: 'breached' | 'ok'; negate: boolean }
  /** age: time since created_at; idle: time since updated_at. */
  | { kind: 'duration'; field: 'age' | 'idle'; op: Order; ms: number; negate: boolean }
  /** `at` is ISO 8601 UTC; see the header for what `=` means. */
  | { kind: 'date'; field: 'created' | 'updated'; op: Cmp; at: string; negate: boolean }
  /** Substring of subject or description, case-insensitive as foldCase says. */
  | { kind: 'text'; value: string; negate: boolean };
export interface Query {
  terms: QueryTerm[];
}

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    /** The offending term exactly as typed. */
    readonly term: string,
  ) {
    super(message);
  }
}

/** What one query may hold: generous for people, bounded for the server. */
export const QUERY_LIMITS = {
  /** characters in the whole query */
  length: 2000,
  terms: 50,
  /** comma-separated values in one field term */
  valuesPerTerm: 20,
  /** bare words and "quoted phrases": each reads the text of every ticket it may match */
  textTerms: 10,
  /** characters in one bare word or "quoted phrase" */
  textLength: 200,
} as const;

/** Lower-cases A-Z and nothing else: the case-insensitivity of every comparison in the language. */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export const QUERY_FIELDS = [
  'status', 'state', 'priority', 'team', 'assignee', 'requester', 'org', 'channel',
  'type', 'level', 'escalated', 'sla', 'tag', 'age', 'idle', 'created', 'updated',
] as const;
type Field = (typeof QUERY_FIELDS)[number];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const UNIT_MS: Record<string, number> = { m: MINUTE, h: 60 * MINUTE, d: DAY, w: 7 * DAY };
/** Duration units, for `age:>4h` and `idle:>3d`. */
export const DURATION_UNITS = Object.keys(UNIT_MS);
/** Comparisons a duration or a date may start with. */
export const COMPARISONS = ['>', '>=', '<', '<='] as const;
const STATE_VALUES = ['open', 'done', 'all'] as const;
const BOOLEAN_VALUES = ['true', 'false'] as const;
const SLA_VALUES = ['breached', 'ok'] as const;
const PRIORITY_VALUES = [...PRIORITIES, 'urgent'] as const;
const ENUMS: Partial<Record<InField, readonly string[]>> = {
  status: STATUSES,
  team: TEAMS,
  channel: CHANNELS,
  type: TICKET_TYPES,
  level: ['1', '2', '3'],
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// seconds and zone are optional; a timestamp without a zone is UTC
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
/** The date forms the parser accepts, as `tix help query` shows them. */
export const DATE_FORMS = ['YYYY-MM-DD', 'YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]'] as const;

/** What a field's values are, in the parser's own terms: `tix help query` is printed from this table. */
export interface FieldDoc {
  /** enum: one of `values` (several with commas); free: any text; one: exactly one of `values`; duration; date. */
  takes: 'enum' | 'free' | 'one' | 'duration' | 'date';
  values?: readonly string[];
  meaning: string;
  example: string;
}

/** One entry per field: a field the parser learns without an entry here does not compile. */
export const FIELD_DOCS: Record<Field, FieldDoc> = {
  status: { takes: 'enum', values: STATUSES, meaning: 'the ticket status', example: 'status:new,in_progress' },
  state: { takes: 'one', values: STATE_VALUES, meaning: 'status group: open, done or every ticket', example: 'state:done' },
  priority: { takes: 'enum', values: PRIORITY_VALUES, meaning: 'priority (urgent = critical)', example: 'priority:high,critical' },
  team: { takes: 'enum', values: TEAMS, meaning: 'the team working it', example: 'team:engineering' },
  assignee: { takes: 'free', values: ['me', 'none', '<login>'], meaning: 'assigned agent; me = you, none = unassigned', example: 'assignee:none' },
  requester: { takes: 'free', values: ['<login>'], meaning: 'who opened it (any case)', example: 'requester:dana' },
  org: { takes: 'free', values: ['<org>'], meaning: "the requester's organization (any case; quote names with spaces)", example: 'org:acme' },
  channel: { takes: 'enum', values: CHANNELS, meaning: 'how it arrived', example: 'channel:email' },
  type: { takes: 'enum', values: TICKET_TYPES, meaning: 'the ticket type', example: 'type:incident' },
  level: { takes: 'enum', values: ['1', '2', '3'], meaning: 'support level', example: 'level:3' },
  escalated: { takes: 'one', values: BOOLEAN_VALUES, meaning: 'an escalation is running', example: 'escalated:true' },
  sla: { takes: 'one', values: SLA_VALUES, meaning: 'past a response or resolution target, or not', example: 'sla:breached' },
  tag: { takes: 'free', values: ['<tag>'], meaning: 'has this tag (any case)', example: 'tag:billing' },
  age: { takes: 'duration', meaning: 'time since created (> when no comparison is given)', example: 'age:>4h' },
  idle: { takes: 'duration', meaning: 'time since last updated (> when no comparison is given)', example: 'idle:>3d' },
  created: { takes: 'date', meaning: 'when it was created; a bare date means that whole UTC day', example: 'created:>=2026-11-01' },
  updated: { takes: 'date', meaning: 'when it last changed; a bare date means that whole UTC day', example: 'updated:>2026-12-01T20:05' },
};

/** Everything the field parsers need to know about one `field:value` term. */
interface Raw {
  term: string;
  field: Field;
  values: string[];
  negate: boolean;
}

export function parseQuery(input: string): Query {
  if (input.length > QUERY_LIMITS.length) {
    throw new QueryError(`the query is ${input.length} characters long; a query takes at most ${QUERY_LIMITS.length}`, '');
  }
  const tokens = tokenize(input);
  if (tokens.length > QUERY_LIMITS.terms) {
    const extra = tokens[QUERY_LIMITS.terms]!;
    throw new QueryError(`the query has ${tokens.length} terms, from "${shorten(extra)}" on too many; a query takes at most ${QUERY_LIMITS.terms}`, extra);
  }
  const terms = tokens.map(parseTerm);
  const texts = terms.flatMap((t, i) => (t.kind === 'text' ? [tokens[i]!] : []));
  if (texts.length > QUERY_LIMITS.textTerms) {
    const extra = texts[QUERY_LIMITS.textTerms]!;
    throw new QueryError(
      `the query has ${texts.length} words or phrases, from "${shorten(extra)}" on too many; a query takes at most ${QUERY_LIMITS.textTerms}`,
      extra,
    );
  }
  return { terms };
}

/** A term as it may appear in a message: whole, or its start when long. */
const shorten = (term: string) => (term.length > 60 ? `${term.slice(0, 40)}…` : term);

export function hasStateTerm(query: Query): boolean {
  return query.terms.some((t) => t.kind === 'state' || (t.kind === 'in' && t.field === 'status'));
}

/** Splits on whitespace outside double quotes; quotes stay in the token for parseTerm. */
function tokenize(input: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of input) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (current) tokens.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) throw new QueryError(`unterminated quote in "${current}"`, current);
  if (current) tokens.push(current);
  return tokens;
}

/** Comparison signs, which compare only inside a term's value. */
const LONE_COMPARISON = new Set(['<', '<=', '>', '>=', '=', '==', '≤', '≥']);

function parseTerm(term: string): QueryTerm {
  const negate = term.startsWith('-');
  const body = negate ? term.slice(1) : term;
  if (body === '') throw new QueryError(`"-" must be followed by a term`, term);
  const colon = body.indexOf(':');
  const quote = body.indexOf('"');
  if (colon === -1 || (quote !== -1 && quote < colon)) {
    // "priority:critical <= 0" would search for the words "<=" and "0", match nothing, and a check on it always hold
    if (quote === -1 && LONE_COMPARISON.has(body)) {
      throw new QueryError(
        `"${term}" alone is not a comparison: compare inside a term (age:<4h, created:>=2026-11-01); a check's limit goes in --max (max in a rules file or MCP); quote the sign to search for it`,
        term,
      );
    }
    const value = quote === -1 ? body : unquote(body, term);
    const length = [...value].length;
    if (length > QUERY_LIMITS.textLength) {
      throw new QueryError(`"${shorten(term)}" is ${length} characters long; a word or phrase takes at most ${QUERY_LIMITS.textLength}`, term);
    }
    return { kind: 'text', value, negate };
  }
  const field = body.slice(0, colon).toLowerCase();
  if (!isField(field)) {
    throw new QueryError(`unknown field "${field}" in "${term}"; fields: ${QUERY_FIELDS.join(', ')}`, term);
  }
  const rest = body.slice(colon + 1);
  // A quoted value is one value, so an org name may contain spaces or commas.
  const values = rest.includes('"') ? [unquote(rest, term)] : rest.split(',');
  if (values.some((v) => v === '')) throw new QueryError(`empty value in "${term}"`, term);
  if (values.length > QUERY_LIMITS.valuesPerTerm) {
    throw new QueryError(`"${shorten(term)}" has ${values.length} values; a term takes at most ${QUERY_LIMITS.valuesPerTerm}`, term);
  }
  return parseField({ term, field, values, negate });
}

function isField(name: string): name is Field {
  return (QUERY_FIELDS as readonly string[]).includes(name);
}

function unquote(text: string, term: string): string {
  const match = /^"([^"]*)"$/.exec(text);
  if (!match) throw new QueryError(`quotes must surround a whole phrase or value in "${term}"`, term);
  if (match[1]!.trim() === '') throw new QueryError(`empty phrase in "${term}"`, term);
  return match[1]!;
}

function parseField(raw: Raw): QueryTerm {
  const { field, negate } = raw;
  switch (field) {
    case 'state':
      return { kind: 'state', value: oneOf(raw, STATE_VALUES), negate };
    case 'escalated':
      return { kind: 'escalated', value: oneOf(raw, BOOLEAN_VALUES) === 'true', negate };
    case 'sla':
      return { kind: 'sla', value: oneOf(raw, SLA_VALUES), negate };
    case 'age':
    case 'idle':
      return { kind: 'duration', field, ...parseDuration(raw), negate };
    case 'created':
    case 'updated':
      return { kind: 'date', field, ...parseDate(raw), negate };
    default:
      return { kind: 'in', field, values: raw.values.map((v) => parseValue(raw, field, v)), negate };
  }
}

function parseValue(raw: Raw, field: InField, value: string): string {
  if (field === 'requester' || field === 'org' || field === 'tag') return value;
  const v = value.toLowerCase();
  if (field === 'priority') {
    if (v === 'urgent') return 'critical';
    if ((PRIORITIES as readonly string[]).includes(v)) return v;
    throw bad(raw, value, PRIORITY_VALUES);
  }
  if (field === 'assignee') {
    if (v === 'me' || v === 'none' || LOGIN_PATTERN.test(v)) return v;
    throw new QueryError(`"${value}" in "${raw.term}" is not a login, "me" or "none"`, raw.term);
  }
  const allowed = ENUMS[field]!;
  if (allowed.includes(v)) return v;
  const hint = field === 'status' && ['open', 'done', 'all'].includes(v) ? ` (did you mean state:${v}?)` : '';
  throw bad(raw, value, allowed, hint);
}

function oneOf<T extends string>(raw: Raw, allowed: readonly T[]): T {
  const v = single(raw).toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw bad(raw, v, allowed);
}

function single(raw: Raw): string {
  if (raw.values.length > 1) throw new QueryError(`${raw.field} takes one value in "${raw.term}"`, raw.term);
  return raw.values[0]!;
}

function bad(raw: Raw, value: string, allowed: readonly string[], hint = ''): QueryError {
  const msg = `unknown ${raw.field} "${value}" in "${raw.term}"${hint}; expected one of: ${allowed.join(', ')}`;
  return new QueryError(msg, raw.term);
}

function splitCmp(value: string): { op: Cmp | undefined; rest: string } {
  const m = /^(>=|<=|>|<|=)?(.*)$/s.exec(value)!;
  return { op: m[1] as Cmp | undefined, rest: m[2]! };
}

function parseDuration(raw: Raw): { op: Order; ms: number } {
  const { op = '>', rest } = splitCmp(single(raw).toLowerCase());
  const m = /^(\d+)([mhdw])$/.exec(rest);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!Number.isSafeInteger(ms) || op === '=') {
    const why = op === '=' ? 'compare a duration with >, >=, < or <=' : 'a duration is a whole number and m, h, d or w';
    throw new QueryError(`bad duration in "${raw.term}": ${why}, e.g. ${raw.field}:>4h`, raw.term);
  }
  return { op, ms };
}

function parseDate(raw: Raw): { op: Cmp; at: string } {
  const { op = '=', rest } = splitCmp(single(raw).toUpperCase());
  if (ISO_DATE.test(rest) && isCalendarDate(rest)) {
    const start = Date.parse(`${rest}T00:00:00Z`);
    const iso = (ms: number) => new Date(ms).toISOString();
    // Whole-day semantics for date-only values, expressed as exact instants.
    if (op === '>') return { op: '>=', at: iso(start + DAY) };
    if (op === '<=') return { op: '<', at: iso(start + DAY) };
    return { op, at: iso(start) };
  }
  const stamp = ISO_DATETIME.exec(rest);
  const utc = stamp && !stamp[4] ? `${rest}Z` : rest;
  if (stamp && isCalendarDate(stamp[1]!) && !Number.isNaN(Date.parse(utc))) {
    if (op === '=') {
      throw new QueryError(`a timestamp needs >, >=, < or <= in "${raw.term}"; "=" takes a date (YYYY-MM-DD)`, raw.term);
    }
    return { op, at: new Date(utc).toISOString() };
  }
  throw new QueryError(
    `bad date in "${raw.term}": use ${DATE_FORMS.join(' or ')} (UTC unless a zone is given), e.g. ${raw.field}:>=2026-11-01`,
    raw.term,
  );
}

/** Rejects 2026-02-30, which Date would silently roll over into March. */
function isCalendarDate(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(day);
}

// ---- evaluation -------------------------------------------------------------

export function matchesQuery(ticket: Ticket, query: Query, ctx: { now: Date; me: string }): boolean {
  return query.terms.every((term) => holds(ticket, term, ctx) !== term.negate);
}

function holds(ticket: Ticket, term: QueryTerm, ctx: { now: Date; me: string }): boolean {
  switch (term.kind) {
    case 'in':
      return term.values.some((v) => fieldIs(ticket, term.field, v, ctx.me));
    case 'state':
      if (term.value === 'all') return true;
      return (term.value === 'open' ? OPEN_STATUSES : DONE_STATUSES).some((s) => s === ticket.status);
    case 'escalated':
      return (ticket.escalation !== null) === term.value;
    case 'sla':
      return ticket.sla_breached === (term.value === 'breached');
    case 'duration': {
      const since = term.field === 'age' ? ticket.created_at : ticket.updated_at;
      return compare(ctx.now.getTime() - Date.parse(since), term.op, term.ms);
    }
    case 'date': {
      const t = Date.parse(term.field === 'created' ? ticket.created_at : ticket.updated_at);
      const at = Date.parse(term.at);
      return term.op === '=' ? t >= at && t < at + DAY : compare(t, term.op, at);
    }
    case 'text': {
      const needle = foldCase(term.value);
      return foldCase(ticket.subject).includes(needle) || foldCase(ticket.description).includes(needle);
    }
  }
}

function fieldIs(ticket: Ticket, field: InField, value: string, me: string): boolean {
  const same = (a: string | null) => a !== null && foldCase(a) === foldCase(value);
  switch (field) {
    case 'assignee':
      if (value === 'none') return ticket.assignee === null;
      return ticket.assignee === (value === 'me' ? me : value);
    case 'level':
      return String(ticket.level) === value;
    case 'tag':
      return ticket.tags.some(same);
    case 'requester':
    case 'org':
      return same(ticket[field]);
    default:
      return ticket[field] === value;
  }
}

function compare(a: number, op: Order, b: number): boolean {
  switch (op) {
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}
