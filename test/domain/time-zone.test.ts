// The machine's time zone changes nothing the query language means. Setting TZ takes effect in a process's main thread
// only: the suite runs test files in forked processes (never worker threads), and each test checks the zone did change.
import { afterEach, describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery } from '../../src/domain/query.js';
import type { Ticket } from '../../src/domain/schemas.js';

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

// a zone behind UTC and one ahead, with the instant their local midnight of 1 December is
const ZONES = [
  ['America/New_York', '2026-12-01T05:00:00.000Z'],
  ['Asia/Tokyo', '2026-11-30T15:00:00.000Z'],
] as const;

const moveTo = (name: string, midnight: string) => {
  process.env.TZ = name;
  expect(new Date(2026, 11, 1).toISOString(), 'the zone really changed').toBe(midnight);
};

describe.each(ZONES)('on a machine in %s', (name, midnight) => {
  it('a timestamp without a zone is read as UTC', () => {
    moveTo(name, midnight);
    expect(parseQuery('updated:>2026-12-01T20:05').terms[0]).toMatchObject({ op: '>', at: '2026-12-01T20:05:00.000Z' });
    expect(parseQuery('created:<=2026-11-01T10:00:30').terms[0]).toMatchObject({ op: '<=', at: '2026-11-01T10:00:30.000Z' });
  });
  it('a bare date is the whole UTC day', () => {
    moveTo(name, midnight);
    const query = parseQuery('created:2026-11-01');
    expect(query.terms[0]).toMatchObject({ op: '=', at: '2026-11-01T00:00:00.000Z' });
    const on = (created_at: string) => matchesQuery({ created_at } as Ticket, query, { now: new Date('2026-11-10T00:00:00Z'), me: 'alice' });
    expect(['2026-10-31T23:30:00Z', '2026-11-01T00:30:00Z', '2026-11-01T23:30:00Z', '2026-11-02T00:30:00Z'].map(on)).toEqual([false, true, true, false]);
  });
});
