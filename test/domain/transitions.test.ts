import { describe, expect, it } from 'vitest';
import { DONE_STATUSES, ESCALATION_STATES, OPEN_STATUSES, STATUSES } from '../../src/domain/schemas.js';
import { ADVANCE_STATES, MOVE_STATUSES } from '../../src/domain/enums.js';
import { isDone, isOpen, refuseAdvance, refuseEscalate, refuseReopen, refuseStatusChange, refuseTriage, statusesOf } from '../../src/domain/transitions.js';

describe('status groups', () => {
  it('puts the eight working statuses in open', () => expect([...OPEN_STATUSES]).toEqual(['new', 'in_progress', 'pending_customer', 'pending_engineering', 'customer_testing', 'pending_reversion', 'blocked', 'escalated']));
  it('puts solution_provided, resolved, expired and closed in done', () => expect([...DONE_STATUSES]).toEqual(['solution_provided', 'resolved', 'expired', 'closed']));
  it('puts every status in exactly one group', () => expect(STATUSES.every((s) => isOpen(s) !== isDone(s))).toBe(true));
  it('calls new, in progress and escalated open, resolved and closed not', () => {
    expect(STATUSES.filter((s) => isOpen(s) === true)).toEqual(STATUSES.filter((s) => isDone(s) === false));
    expect([isOpen('new'), isOpen('escalated'), isOpen('closed')]).toEqual([true, true, false]);
  });
  it('lists the open group for state open', () => expect(statusesOf('open')).toEqual(OPEN_STATUSES));
  it('lists the done group for state done', () => expect(statusesOf('done')).toEqual(DONE_STATUSES));
  it('lists every status for state all', () => expect([...statusesOf('all')].sort()).toEqual([...STATUSES].sort()));
});

describe('refuseStatusChange', () => {
  it.each(STATUSES.filter((s) => s !== 'closed'))('refuses closed → %s', (to) => expect(refuseStatusChange('closed', to, 1)).toMatch(/closed.*reopen/));
  it('refuses blocked without the blocking ticket', () => expect(refuseStatusChange('in_progress', 'blocked')).toMatch(/blocked/));
  it('refuses blocked with a null blocking ticket', () => expect(refuseStatusChange('in_progress', 'blocked', null)).not.toBeNull());
  it('allows blocked with the blocking ticket', () => expect(refuseStatusChange('in_progress', 'blocked', 7)).toBeNull());
  it('refuses escalated, which only escalate reaches', () => expect(refuseStatusChange('in_progress', 'escalated')).toMatch(/escalate/));
  it('refuses closed, which only close reaches', () => expect(refuseStatusChange('in_progress', 'closed')).toMatch(/close/));
  it('refuses going back to new', () => expect(refuseStatusChange('in_progress', 'new')).toMatch(/new/));
  it.each(['in_progress', 'pending_customer', 'pending_engineering', 'customer_testing', 'pending_reversion', 'solution_provided', 'resolved', 'expired'] as const)(
    'allows in_progress → %s', (to) => expect(refuseStatusChange('in_progress', to)).toBeNull());
  it('allows a done ticket other than closed to move back to work', () => expect(refuseStatusChange('solution_provided', 'in_progress')).toBeNull());
});

describe('the choice lists offered by move and escalation advance', () => {
  it('MOVE_STATUSES holds exactly the statuses a working ticket may be moved to', () =>
    expect(MOVE_STATUSES).toEqual(STATUSES.filter((to) => refuseStatusChange('in_progress', to, 1) === null)));
  it('ADVANCE_STATES holds exactly the states a just-submitted escalation may reach', () =>
    expect(ADVANCE_STATES).toEqual(ESCALATION_STATES.filter((to) => refuseAdvance('submitted', to) === null)));
});

describe('refuseTriage', () => {
  it('allows triage of a new ticket', () => expect(refuseTriage('new')).toBeNull());
  it.each(STATUSES.filter((s) => s !== 'new'))('refuses triage of a %s ticket', (s) => expect(refuseTriage(s)).toContain(s));
});

describe('refuseReopen', () => {
  it.each(DONE_STATUSES)('allows reopening a %s ticket', (s) => expect(refuseReopen(s)).toBeNull());
  it.each(OPEN_STATUSES)('refuses reopening a %s ticket', (s) => expect(refuseReopen(s)).toContain(s));
});

describe('refuseEscalate', () => {
  it('allows escalating a ticket without a running escalation', () => expect(refuseEscalate(null, 'in_progress')).toBeNull());
  it('refuses escalating a ticket with a running escalation, naming it', () => expect(refuseEscalate('CP-3', 'escalated')).toContain('CP-3'));
  it('refuses escalating a closed ticket', () => expect(refuseEscalate(null, 'closed')).toMatch(/closed/));
});

describe('refuseAdvance', () => {
  const pairs = ESCALATION_STATES.flatMap((from, i) => ESCALATION_STATES.map((to, j) => ({ from, to, forward: j > i })));
  it.each(pairs.filter((p) => p.forward))('allows $from → $to', ({ from, to }) => expect(refuseAdvance(from, to)).toBeNull());
  it.each(pairs.filter((p) => !p.forward))('refuses $from → $to', ({ from, to }) => expect(refuseAdvance(from, to)).not.toBeNull());
  it('says a resolved escalation is already resolved', () => expect(refuseAdvance('resolved', 'resolved')).toMatch(/already resolved/));
  it('says escalations only move forward', () => expect(refuseAdvance('engineering_in_progress', 'submitted')).toMatch(/forward/));
});

describe('leaving escalated', () => {
  it.each(['in_progress', 'pending_customer', 'solution_provided', 'resolved'] as const)('refuses escalated → %s while the escalation runs', (to) =>
    expect(refuseStatusChange('escalated', to)).toMatch(/escalation/));
});
