// Building result envelopes: pure functions without zod, so the commands that use them load fast.
import type { FieldChange, Outcome, ResultEnvelope, ResultItem } from './envelope.js';

/** The fields a change reports: what people set, not what the server derives (due dates, version, times). */
export const CHANGE_FIELDS = [
  'subject', 'description', 'status', 'priority', 'channel', 'type', 'team', 'level', 'assignee',
  'requester', 'org', 'tags', 'blocked_by', 'root_cause', 'escalation',
] as const;

/** Every reported field that differs between two states of a ticket, in a stable order. */
export function diffTickets(before: Partial<Record<string, unknown>>, after: Partial<Record<string, unknown>>): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of CHANGE_FIELDS) {
    if (!(field in after)) continue;
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
  }
  return changes;
}

const FAILED: ReadonlySet<Outcome> = new Set(['failed', 'would_fail']);
const CHANGED: ReadonlySet<Outcome> = new Set(['changed', 'would_change']);

export const isFailedOutcome = (outcome: Outcome) => FAILED.has(outcome);

/** Counts the results into an envelope. */
export function summarize(results: ResultItem[], dryRun: boolean): ResultEnvelope {
  const summary = { changed: 0, unchanged: 0, failed: 0 };
  for (const result of results) {
    if (FAILED.has(result.outcome)) summary.failed++;
    else if (CHANGED.has(result.outcome)) summary.changed++;
    else summary.unchanged++;
  }
  return { ok: summary.failed === 0, dry_run: dryRun, summary, results };
}

