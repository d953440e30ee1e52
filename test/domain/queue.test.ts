import { describe, expect, it } from 'vitest';
import { queueOrder } from '../../src/domain/queue.js';
import type { Priority } from '../../src/domain/schemas.js';

const t = (id: number, priority: Priority, created_at: string) => ({ id, priority, created_at });
const ids = (list: ReturnType<typeof t>[]) => [...list].sort(queueOrder).map((x) => x.id);

describe('queueOrder', () => {
  it('puts higher priority first', () => expect(ids([t(1, 'low', '2026-01-01'), t(2, 'critical', '2026-01-02'), t(3, 'medium', '2026-01-03'), t(4, 'high', '2026-01-04')])).toEqual([2, 4, 3, 1]));
  it('puts the oldest first within a priority', () => expect(ids([t(1, 'high', '2026-01-03T00:00:00Z'), t(2, 'high', '2026-01-01T00:00:00Z'), t(3, 'high', '2026-01-02T00:00:00Z')])).toEqual([2, 3, 1]));
  it('breaks a tie of priority and time by id', () => expect(ids([t(9, 'medium', '2026-01-01T00:00:00Z'), t(3, 'medium', '2026-01-01T00:00:00Z'), t(5, 'medium', '2026-01-01T00:00:00Z')])).toEqual([3, 5, 9]));
  it('ranks priority above age', () => expect(ids([t(1, 'low', '2020-01-01T00:00:00Z'), t(2, 'high', '2026-01-01T00:00:00Z')])).toEqual([2, 1]));
  it('ranks age above id', () => expect(ids([t(1, 'low', '2026-01-02T00:00:00Z'), t(2, 'low', '2026-01-01T00:00:00Z')])).toEqual([2, 1]));
  it('says two entries with the same id, priority and time are equal', () => expect(queueOrder(t(1, 'low', 'x'), t(1, 'low', 'x'))).toBe(0));
  it('compares the older of two tickets of one priority as first, whichever side it is on', () => {
    expect(queueOrder(t(7, 'high', '2026-01-01T00:00:00Z'), t(2, 'high', '2026-01-02T00:00:00Z'))).toBeLessThan(0);
    expect(queueOrder(t(2, 'high', '2026-01-02T00:00:00Z'), t(7, 'high', '2026-01-01T00:00:00Z'))).toBeGreaterThan(0);
  });
  it('is antisymmetric', () => expect(Math.sign(queueOrder(t(1, 'high', 'a'), t(2, 'low', 'b')))).toBe(-Math.sign(queueOrder(t(2, 'low', 'b'), t(1, 'high', 'a')))));
});
