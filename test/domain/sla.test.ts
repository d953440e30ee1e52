import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA, dueDates, isBreached } from '../../src/domain/sla.js';

const CREATED = '2026-11-02T09:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(CREATED) + hours * 3_600_000).toISOString();
const sla = (over: Partial<{ first_response_at: string | null; done_at: string | null }> = {}) => ({
  ...dueDates(CREATED, 'medium'),
  first_response_at: null,
  done_at: null,
  ...over,
});

describe('dueDates', () => {
  it('gives critical 1h to respond and 4h to resolve', () => expect(dueDates(CREATED, 'critical')).toEqual({ response_due_at: at(1), resolution_due_at: at(4) }));
  it('gives high 4h to respond and 24h to resolve', () => expect(dueDates(CREATED, 'high')).toEqual({ response_due_at: at(4), resolution_due_at: at(24) }));
  it('gives medium 24h to respond and 5 days to resolve', () => expect(dueDates(CREATED, 'medium')).toEqual({ response_due_at: at(24), resolution_due_at: at(120) }));
  it('gives low 72h to respond and 10 days to resolve', () => expect(dueDates(CREATED, 'low')).toEqual({ response_due_at: at(72), resolution_due_at: at(240) }));
  it('follows a policy the server configures', () =>
    expect(dueDates(CREATED, 'low', { ...DEFAULT_SLA, low: { responseMs: 3_600_000, resolutionMs: 7_200_000 } })).toEqual({ response_due_at: at(1), resolution_due_at: at(2) }));
});

describe('isBreached', () => {
  it('is not breached before the response is due', () => expect(isBreached(sla(), new Date(at(23)))).toBe(false));
  it('is not breached at the very moment the response is due', () => expect(isBreached(sla(), new Date(at(24)))).toBe(false));
  it('is breached once the response is overdue', () => expect(isBreached(sla(), new Date(at(24.01)))).toBe(true));
  it('is not breached after a timely first response, before resolution is due', () => expect(isBreached(sla({ first_response_at: at(2) }), new Date(at(100)))).toBe(false));
  it('stays breached when the first response came late', () => expect(isBreached(sla({ first_response_at: at(30) }), new Date(at(31)))).toBe(true));
  it('is breached once resolution is overdue', () => expect(isBreached(sla({ first_response_at: at(2) }), new Date(at(121)))).toBe(true));
  it('is not breached when done in time, however long ago', () => expect(isBreached(sla({ first_response_at: at(2), done_at: at(50) }), new Date(at(10_000)))).toBe(false));
  it('is breached when done after the resolution was due', () => expect(isBreached(sla({ first_response_at: at(2), done_at: at(130) }), new Date(at(131)))).toBe(true));
  it('a first response at the very moment it is due is in time', () => expect(isBreached(sla({ first_response_at: at(24) }), new Date(at(25)))).toBe(false));
  it('done at the very moment resolution is due is in time', () => expect(isBreached(sla({ first_response_at: at(2), done_at: at(120) }), new Date(at(500)))).toBe(false));
  it('is not breached at the very moment resolution is due', () => expect(isBreached(sla({ first_response_at: at(2) }), new Date(at(120)))).toBe(false));
  it('counts being done in time as the response', () => expect(isBreached(sla({ done_at: at(3) }), new Date(at(500)))).toBe(false));
});
