// POST /v1/batch says, per operation, which fields it changed, from what to what.
import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../src/domain/schemas.js';
import { serverPerTest } from './helpers.js';

const s = serverPerTest();

const batch = async (operations: unknown[], query = '') => {
  const res = await s.call('alice', 'POST', `/v1/batch${query}`, { operations });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { results: BatchResult[] }).results;
};

describe('batch changes', () => {
  it('a triage lists every field it set, before and after, and leaves derived fields out', async () => {
    const t = await s.open('carol');
    const [r] = await batch([{ op: 'triage', id: t.id, body: { team: 'engineering', level: 2, priority: 'high', justification: 'many users affected' } }]);
    expect(r!.changes).toEqual([
      { field: 'status', from: 'new', to: 'in_progress' },
      { field: 'priority', from: t.priority, to: 'high' },
      { field: 'team', from: null, to: 'engineering' },
      { field: 'level', from: null, to: 2 },
    ]);
  });

  it('a change that changes nothing lists nothing, and says so with changed: false', async () => {
    const t = await s.open('carol');
    await batch([{ op: 'close', id: t.id, body: { resolution: 'first close' } }]);
    const [again] = await batch([{ op: 'close', id: t.id, body: { resolution: 'second close' } }], '?return=minimal');
    expect(again).toMatchObject({ changed: false, changes: [] });
  });

  it('a refused operation carries its error and no changes', async () => {
    const [r] = await batch([{ op: 'triage', id: 987654, body: {} }]);
    expect(r!.error?.code).toBe('not_found');
    expect(r!.changes).toBeUndefined();
  });
});
