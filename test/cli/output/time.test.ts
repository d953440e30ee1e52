import { describe, expect, it } from 'vitest';
import { relativeTime } from '../../../src/cli/output/index.js';
import { NOW } from './fixtures.js';

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('relativeTime', () => {
  it.each([
    [30_000, 'just now'],
    [5 * MIN, '5m ago'],
    [3 * HOUR, '3h ago'],
    [2 * DAY, '2d ago'],
    [65 * DAY, '2mo ago'],
    [400 * DAY, '1y ago'],
  ])('reads %i ms in the past as "%s"', (ms, text) => {
    expect(relativeTime(ago(ms), NOW)).toBe(text);
  });

  it('reads a future due date as "in …"', () => {
    expect(relativeTime(ago(-2 * HOUR), NOW)).toBe('in 2h');
  });

  it('leaves a value that is not a time as it is', () => {
    expect(relativeTime('soon', NOW)).toBe('soon');
  });
});
