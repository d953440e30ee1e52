import { describe, expect, it } from 'vitest';
import { RUBRIC, defaultPriority, initialPriority, isValidJustification, priorityRank, suggestPriority } from '../../src/domain/policy.js';
import { CHANNELS, Justification, PRIORITIES, PriorityInput, PriorityBody } from '../../src/domain/schemas.js';

describe('priority order', () => {
  it('ranks critical above high above medium above low', () => expect([...PRIORITIES].sort((a, b) => priorityRank(b) - priorityRank(a))).toEqual(['critical', 'high', 'medium', 'low']));
  it('has a rubric line for every priority', () => expect(Object.keys(RUBRIC).sort()).toEqual([...PRIORITIES].sort()));
});

describe('PriorityInput', () => {
  it('accepts urgent as a synonym of critical', () => expect(PriorityInput.parse('urgent')).toBe('critical'));
  it.each(PRIORITIES)('accepts %s as itself', (p) => expect(PriorityInput.parse(p)).toBe(p));
  it('refuses a priority that does not exist', () => expect(PriorityInput.safeParse('blocker').success).toBe(false));
  it('maps urgent to critical in a priority change body too', () => expect(PriorityBody.parse({ priority: 'urgent', reason: 'customer is fully down' }).priority).toBe('critical'));
});

describe('defaultPriority', () => {
  it('gives email tickets low until they are qualified', () => expect(defaultPriority('email')).toBe('low'));
  it.each(CHANNELS.filter((c) => c !== 'email'))('gives %s tickets medium', (c) => expect(defaultPriority(c)).toBe('medium'));
});

describe('justification', () => {
  it('is valid at exactly 10 characters', () => expect(isValidJustification('0123456789')).toBe(true));
  it('is invalid at 9 characters', () => expect(isValidJustification('012345678')).toBe(false));
  it('does not count surrounding blanks towards the 10 characters', () => expect(isValidJustification('   short    ')).toBe(false));
  it('is invalid when blank', () => expect(isValidJustification('            ')).toBe(false));
  it('is invalid when missing', () => expect(isValidJustification(undefined)).toBe(false));
  it('is invalid when null', () => expect(isValidJustification(null)).toBe(false));
  it('is trimmed by the schema', () => expect(Justification.parse('  all users are down  ')).toBe('all users are down'));
  it('is required by a priority change body', () => expect(PriorityBody.safeParse({ priority: 'high' }).success).toBe(false));
  it('must be 10 characters in a priority change body', () => expect(PriorityBody.safeParse({ priority: 'high', reason: 'because' }).success).toBe(false));
});

describe('initialPriority', () => {
  it('defaults a portal ticket to medium', () => expect(initialPriority({ channel: 'portal', role: 'requester' })).toEqual({ priority: 'medium' }));
  it('defaults an email ticket to low', () => expect(initialPriority({ channel: 'email', role: 'agent' })).toEqual({ priority: 'low' }));
  it.each(['critical', 'high'] as const)('requalifies a requester asking for %s without a justification to medium', (asked) =>
    expect(initialPriority({ channel: 'portal', asked, role: 'requester' })).toMatchObject({ priority: 'medium', requalified: { asked } }));
  it('requalifies a requester whose justification is too short', () =>
    expect(initialPriority({ channel: 'portal', asked: 'critical', justification: 'asap!!', role: 'requester' }).priority).toBe('medium'));
  it('requalifies a requester whose justification is blank', () =>
    expect(initialPriority({ channel: 'portal', asked: 'high', justification: '              ', role: 'requester' }).priority).toBe('medium'));
  it('writes a note saying why the requester was requalified', () =>
    expect(initialPriority({ channel: 'portal', asked: 'critical', role: 'requester' }).requalified?.note).toMatch(/critical.*justification.*medium/));
  it('keeps critical for a requester who justifies it', () =>
    expect(initialPriority({ channel: 'portal', asked: 'critical', justification: 'checkout is down for all users', role: 'requester' })).toEqual({ priority: 'critical' }));
  it('gives a requester asking for low what they asked without a justification', () =>
    expect(initialPriority({ channel: 'portal', asked: 'low', role: 'requester' })).toEqual({ priority: 'low' }));
  it('gives a requester asking for medium on an email ticket medium', () =>
    expect(initialPriority({ channel: 'email', asked: 'medium', role: 'requester' })).toEqual({ priority: 'medium' }));
  it.each(['agent', 'admin'] as const)('gives an %s what they asked for, without a justification', (role) =>
    expect(initialPriority({ channel: 'email', asked: 'critical', role })).toEqual({ priority: 'critical' }));
});

describe('suggestPriority', () => {
  it.each([
    ['critical', 'Users cannot login since 9am'],
    ['critical', 'Customers cannot log in'],
    ["critical", "I can't login at all"],
    ["critical", "We can't log in"],
    ['critical', 'Checkout returns 503 for everyone'],
    ['critical', 'The API can return 502 on save'],
    ['critical', 'Possible data loss after the import'],
    ['high', 'Reports hit a timeout'],
    ['high', 'Reports hit timeouts'],
    ['high', 'An error on save'],
    ['high', 'Errors on save'],
    ['low', 'The logo color is off'],
    ['low', 'The logo colour is off'],
    ['low', 'Label alignment on the invoice'],
    ['medium', 'Please add a dark theme'],
  ])('suggests %s for "%s"', (expected, text) => expect(suggestPriority(text)).toBe(expected));
  it('states each level of the rubric in the desk\'s words', () => {
    expect(RUBRIC.critical).toMatch(/down .* security breach; no workaround/);
    expect(RUBRIC.high).toMatch(/badly degraded .* a workaround exists/);
    expect(RUBRIC.medium).toMatch(/moderate impact/);
    expect(RUBRIC.low).toMatch(/cosmetic or very narrow/);
  });
  it('suggests critical for an outage', () => expect(suggestPriority('The service is down for everyone')).toBe('critical'));
  it('suggests high for a degraded service', () => expect(suggestPriority('Search is slow and failing')).toBe('high'));
  it('suggests low for a cosmetic issue', () => expect(suggestPriority('Typo on the invoice page')).toBe('low'));
  it('suggests medium otherwise', () => expect(suggestPriority('How do I export my data?')).toBe('medium'));
});
