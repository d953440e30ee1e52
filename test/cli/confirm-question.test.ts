// The question a --query run asks before it changes anything names the command's own verb.
import { describe, expect, it } from 'vitest';
import { confirmQuestion } from '../../src/cli/bulk.js';
import { operations } from '../../src/cli/commands/mutate.js';
import { triageOperation } from '../../src/cli/commands/triage.js';

describe('confirmQuestion', () => {
  it.each([
    ['reprioritize', operations.reprioritize('high', 'many users affected'), 'Reprioritize'],
    ['assign', operations.assign('bob'), 'Assign'],
    ['move', operations.move('pending_customer'), 'Move'],
    ['escalate', operations.escalate({ reason: 'needs a patch' }), 'Escalate'],
    ['close', operations.close('fixed'), 'Close'],
    ['reopen', operations.reopen('back again'), 'Reopen'],
    ['triage', triageOperation({ team: 'support' }), 'Triage'],
  ])('%s asks "the verb, then N tickets matching …?"', (_name, op, verb) => {
    expect(confirmQuestion(op, 12, 'team:support')).toBe(`${verb} 12 tickets matching "team:support"?`);
  });

  it('one ticket is a ticket', () => {
    expect(confirmQuestion(operations.assign(null), 1, 'tag:vip')).toBe('Assign 1 ticket matching "tag:vip"?');
  });
});
