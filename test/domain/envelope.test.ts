import { describe, expect, it } from 'vitest';
import { ErrorEnvelope, ResultEnvelope, diffTickets, envelopeJsonSchemas, isFailedOutcome, summarize } from '../../src/domain/envelope.js';

describe('result envelope', () => {
  it('calls failed and would_fail the failed outcomes, no other', () => {
    expect((['changed', 'unchanged', 'failed', 'would_change', 'would_fail'] as const).filter(isFailedOutcome)).toEqual(['failed', 'would_fail']);
  });

  it('counts dry-run outcomes as changed and failed, and is not ok when anything would fail', () => {
    const envelope = summarize(
      [
        { id: 1, outcome: 'would_change', changes: [{ field: 'level', from: null, to: 3 }] },
        { id: 2, outcome: 'unchanged', changes: [], reason: 'already closed' },
        { id: 3, outcome: 'would_fail', changes: [], error: { code: 'not_found', message: 'ticket 3 not found', status: 404 } },
      ],
      true,
    );
    expect(envelope).toMatchObject({ ok: false, dry_run: true, summary: { changed: 1, unchanged: 1, failed: 1 } });
    expect(ResultEnvelope.safeParse(envelope).success).toBe(true);
  });

  it('is ok when nothing failed', () => {
    expect(summarize([{ id: 'CP-1', outcome: 'changed', changes: [] }], false).ok).toBe(true);
  });

  it('accepts a ticket cut down to some fields but refuses an unknown outcome', () => {
    expect(ResultEnvelope.safeParse(summarize([{ id: 4, outcome: 'changed', changes: [], ticket: { id: 4, status: 'closed' } }], false)).success).toBe(true);
    const bad = { ok: true, dry_run: false, summary: { changed: 0, unchanged: 0, failed: 0 }, results: [{ id: 4, outcome: 'succeeded', changes: [] }] };
    expect(ResultEnvelope.safeParse(bad).success).toBe(false);
  });

  it('publishes both as JSON Schema', () => {
    const { result, error } = envelopeJsonSchemas();
    expect(Object.keys(result.properties as object)).toEqual(['ok', 'dry_run', 'summary', 'results']);
    expect(JSON.stringify(result)).toContain('would_fail');
    expect((error.properties as { error: { required: string[] } }).error.required).toEqual(['code', 'message']);
    expect(ErrorEnvelope.safeParse({ error: { code: 'usage', message: "unknown option '--bogus'" } }).success).toBe(true);
  });
});

describe('diffTickets', () => {
  it('lists the fields people set that differ, nulls and lists included, in a stable order', () => {
    const before = { status: 'new', team: null, tags: ['vpn'], level: null, version: 3, updated_at: 'then' };
    const after = { status: 'in_progress', team: 'support', tags: ['vpn', 'eu'], level: null, version: 4, updated_at: 'now' };
    expect(diffTickets(before, after)).toEqual([
      { field: 'status', from: 'new', to: 'in_progress' },
      { field: 'team', from: null, to: 'support' },
      { field: 'tags', from: ['vpn'], to: ['vpn', 'eu'] },
    ]);
  });

  it('a field the change does not name is not compared', () => {
    expect(diffTickets({ status: 'new', priority: 'low' }, { status: 'new' })).toEqual([]);
  });
});
