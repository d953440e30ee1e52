// How a change reads for people on a dry run's ticket line: `field: before → after`, one after another.
import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../src/cli/bulk.js';

describe('describeChanges', () => {
  it('no value reads as none, a list in brackets, changes joined by commas', () => {
    expect(
      describeChanges([
        { field: 'assignee', from: null, to: 'bob' },
        { field: 'team', from: undefined, to: 'support' },
        { field: 'tags', from: [], to: ['vip', 'eu'] },
        { field: 'level', from: 1, to: 2 },
      ]),
    ).toBe('assignee: none → bob, team: none → support, tags: [] → [vip, eu], level: 1 → 2');
  });

  it('no change reads as nothing', () => {
    expect(describeChanges([])).toBe('');
  });
});
