// The priority policy and rubric of the support desk (docs/domain.md).
import { JUSTIFICATION_MIN, PRIORITIES } from './enums.js';
import type { Channel, Priority, Role } from './schemas.js';

export const RUBRIC: Record<Priority, string> = {
  critical: 'the service is down or a core function is unusable, or a security breach; no workaround',
  high: 'service badly degraded or a major function broken, or many users affected; a workaround exists',
  medium: 'moderate impact, fewer users or non-core functions; minor bugs, UI or performance annoyances',
  low: 'cosmetic or very narrow; usage not affected',
};

/** Higher number = more urgent. */
export const priorityRank = (p: Priority): number => PRIORITIES.length - PRIORITIES.indexOf(p);

/** Tickets default to medium; email tickets to low until qualified. */
export function defaultPriority(channel: Channel): Priority {
  return channel === 'email' ? 'low' : 'medium';
}

/** Required, non-blank, at least 10 characters (the same rule as the Justification schema). */
export function isValidJustification(text: string | undefined | null): boolean {
  return (text ?? '').trim().length >= JUSTIFICATION_MIN;
}

export interface InitialPriority {
  priority: Priority;
  /** Set when the request was requalified: the internal note saying why. */
  requalified?: { asked: Priority; note: string };
}

/**
 * The priority a new ticket starts with. A requester asking for critical/high without a
 * justification gets medium, and the requalification is recorded.
 */
export function initialPriority(input: {
  channel: Channel;
  asked?: Priority;
  justification?: string;
  role: Role;
}): InitialPriority {
  const { asked, channel, role, justification } = input;
  if (!asked) return { priority: defaultPriority(channel) };
  const raisesAboveMedium = asked === 'critical' || asked === 'high';
  if (role === 'requester' && raisesAboveMedium && !isValidJustification(justification)) {
    return {
      priority: 'medium',
      requalified: {
        asked,
        note: `Requested priority ${asked} without a justification (at least 10 characters); requalified to medium per the priority policy.`,
      },
    };
  }
  return { priority: asked };
}

/** Best guess from the rubric, offered as the suggestion in interactive triage. */
export function suggestPriority(text: string): Priority {
  const t = text.toLowerCase();
  if (/\b(down|outage|breach|hacked|security|cannot log ?in|can't log ?in|data loss|unusable|no workaround|every (customer|user)|all (customers|checkouts)|returns? 5\d\d)\b/.test(t)) return 'critical';
  if (/\b(degraded|broken|many users|all users|slow|timeouts?|failing|errors?)\b/.test(t)) return 'high';
  if (/\b(typo|cosmetic|colou?r|alignment|wording|spelling)\b/.test(t)) return 'low';
  return 'medium';
}
