// The pure parts of tix events / watch / wait: where a feed starts, how long wait waits, and when
// the clock alone could make a ticket match.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/domain/query.js';
import type { Ticket } from '../../src/domain/schemas.js';
import { feedQuery, parseSince } from '../../src/cli/commands/events.js';
import { nextClockChange, parseWaitTimeout } from '../../src/cli/commands/wait.js';
import { UsageError } from '../../src/cli/errors.js';

describe('--since', () => {
  it('takes an event id, a duration or an ISO date or timestamp', () => {
    expect(parseSince('0')).toEqual({ after: '0' });
    expect(parseSince('1042')).toEqual({ after: '1042' });
    expect(parseSince('30m')).toEqual({ since: '30m' });
    expect(parseSince('2w')).toEqual({ since: '2w' });
    expect(parseSince('2026-11-01')).toEqual({ since: '2026-11-01' });
    expect(parseSince('2026-11-01T09:30Z')).toEqual({ since: '2026-11-01T09:30Z' });
  });
  it.each(['yesterday', '01', '0x10', '-5', '4 h', '2026-13-45', '1e3', '3y'])('refuses %s as a usage error', (raw) => {
    expect(() => parseSince(raw)).toThrow(UsageError);
  });
});

describe('the query of tix events', () => {
  it('is checked before any request and absent when empty', () => {
    expect(feedQuery([])).toBeUndefined();
    expect(feedQuery(['team:engineering', '-status:closed'])).toBe('team:engineering -status:closed');
    expect(() => feedQuery(['colour:red'])).toThrow(/unknown field "colour"/);
  });
});

describe('--timeout of tix wait', () => {
  it('is a duration, or milliseconds when bare', () => {
    expect(parseWaitTimeout('10m')).toBe(600_000);
    expect(parseWaitTimeout('90s')).toBe(90_000);
    expect(parseWaitTimeout('2h')).toBe(7_200_000);
    expect(parseWaitTimeout('1d')).toBe(86_400_000);
    expect(parseWaitTimeout('1500')).toBe(1500);
  });
  it.each(['0', '0s', 'soon', '-1m', '1.5h', ''])('refuses %j', (raw) => expect(() => parseWaitTimeout(raw)).toThrow(UsageError));
});

describe('when the clock alone could make a ticket match', () => {
  const ticket = {
    created_at: '2026-11-02T09:00:00.000Z',
    updated_at: '2026-11-02T10:00:00.000Z',
    response_due_at: '2026-11-03T09:00:00.000Z',
    resolution_due_at: '2026-11-07T09:00:00.000Z',
  } as Ticket;
  const now = new Date('2026-11-02T10:30:00.000Z');
  const at = (iso: string) => Date.parse(iso) + 1;

  it('is never, for terms that only a change can turn', () => {
    expect(nextClockChange(parseQuery('status:closed team:engineering escalated:false'), ticket, now)).toBeUndefined();
  });
  it('is when an age or idle threshold is crossed', () => {
    expect(nextClockChange(parseQuery('age:>4h'), ticket, now)).toBe(at('2026-11-02T13:00:00.000Z'));
    expect(nextClockChange(parseQuery('idle:>1h'), ticket, now)).toBe(at('2026-11-02T11:00:00.000Z'));
  });
  it('is when an SLA target passes, the earlier first', () => {
    expect(nextClockChange(parseQuery('sla:breached'), ticket, now)).toBe(at('2026-11-03T09:00:00.000Z'));
  });
  it('skips instants already past', () => {
    expect(nextClockChange(parseQuery('age:>1h'), ticket, now)).toBeUndefined();
    expect(nextClockChange(parseQuery('age:>1h idle:>2h'), ticket, now)).toBe(at('2026-11-02T12:00:00.000Z'));
  });
});
