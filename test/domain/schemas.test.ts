// The rules written into the request schemas themselves: which escalation ids exist, and which edits go together.
import { describe, expect, it } from 'vitest';
import { EscalationId, PatchTicketBody } from '../../src/domain/schemas.js';

const issuesOf = (result: { success: boolean; error?: { issues: Array<{ message: string; path: PropertyKey[] }> } }) =>
  result.success ? [] : result.error!.issues.map(({ message, path }) => ({ message, path }));

describe('EscalationId', () => {
  it.each(['CP-1', 'CP-12', `CP-${Number.MAX_SAFE_INTEGER}`])('takes %s', (id) => expect(EscalationId.parse(id)).toBe(id));
  it.each([`CP-${Number.MAX_SAFE_INTEGER + 1}`, 'CP-9999999999999999'])('refuses %s, past the last number one spelling names', (id) =>
    expect(issuesOf(EscalationId.safeParse(id))).toEqual([{ message: 'an escalation id looks like CP-12', path: [] }]));
});

describe('PatchTicketBody', () => {
  const tagsNotBoth = { message: 'give tags, or add_tags and remove_tags, not both', path: ['tags'] };
  const justificationAlone = { message: 'a justification goes with a priority', path: ['justification'] };
  it.each([
    ['nothing', {}],
    ['tags', { tags: ['vpn'] }],
    ['add_tags', { add_tags: ['vpn'] }],
    ['remove_tags', { remove_tags: ['vpn'] }],
    ['add_tags with remove_tags', { add_tags: ['vpn'], remove_tags: ['sso'] }],
    ['a priority', { priority: 'high' }],
    ['a priority with its justification', { priority: 'high', justification: 'the whole floor is offline' }],
  ])('takes %s', (_, body) => expect(issuesOf(PatchTicketBody.safeParse(body))).toEqual([]));
  it.each([
    ['tags with add_tags', { tags: ['vpn'], add_tags: ['sso'] }],
    ['tags with remove_tags', { tags: ['vpn'], remove_tags: ['sso'] }],
  ])('refuses %s', (_, body) => expect(issuesOf(PatchTicketBody.safeParse(body))).toEqual([tagsNotBoth]));
  it('refuses a justification without a priority', () =>
    expect(issuesOf(PatchTicketBody.safeParse({ justification: 'the whole floor is offline' }))).toEqual([justificationAlone]));
});
