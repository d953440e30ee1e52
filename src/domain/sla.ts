// SLA targets per priority (first response, resolution) and the due dates they give.
import type { Priority } from './schemas.js';

const HOUR = 3_600_000;
export interface SlaTarget { responseMs: number; resolutionMs: number }
export type SlaPolicy = Record<Priority, SlaTarget>;

export const DEFAULT_SLA: SlaPolicy = {
  critical: { responseMs: 1 * HOUR, resolutionMs: 4 * HOUR },
  high: { responseMs: 4 * HOUR, resolutionMs: 24 * HOUR },
  medium: { responseMs: 24 * HOUR, resolutionMs: 5 * 24 * HOUR },
  low: { responseMs: 72 * HOUR, resolutionMs: 10 * 24 * HOUR },
};

export function dueDates(createdAt: string, priority: Priority, policy: SlaPolicy = DEFAULT_SLA) {
  const t = Date.parse(createdAt);
  return {
    response_due_at: new Date(t + policy[priority].responseMs).toISOString(),
    resolution_due_at: new Date(t + policy[priority].resolutionMs).toISOString(),
  };
}

/** Breached: no first response by its due time, or not done by the resolution due time. */
export function isBreached(
  t: { response_due_at: string; resolution_due_at: string; first_response_at: string | null; done_at: string | null },
  now: Date,
): boolean {
  return isBreachedAt(t, now.toISOString());
}

/** isBreached at a moment given as an ISO 8601 UTC string: many tickets, one clock reading. */
export function isBreachedAt(
  t: { response_due_at: string; resolution_due_at: string; first_response_at: string | null; done_at: string | null },
  n: string,
): boolean {
  const responded = t.first_response_at ?? (t.done_at ?? null);
  const respondedLate = responded ? responded > t.response_due_at : n > t.response_due_at;
  const resolvedLate = t.done_at ? t.done_at > t.resolution_due_at : n > t.resolution_due_at;
  return respondedLate || resolvedLate;
}
