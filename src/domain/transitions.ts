// Status groups and the transitions the server refuses (docs/domain.md).
import { DONE_STATUSES, ESCALATION_STATES, OPEN_STATUSES } from './enums.js';
import type { EscalationState, StateGroup, Status } from './schemas.js';

export const isOpen = (s: Status): boolean => (OPEN_STATUSES as readonly string[]).includes(s);
export const isDone = (s: Status): boolean => (DONE_STATUSES as readonly string[]).includes(s);
export const statusesOf = (group: StateGroup): readonly Status[] =>
  group === 'open' ? OPEN_STATUSES : group === 'done' ? DONE_STATUSES : [...OPEN_STATUSES, ...DONE_STATUSES];

/** Why a status change is refused, or null when it is allowed. */
export function refuseStatusChange(from: Status, to: Status, blockedBy?: number | null): string | null {
  if (from === 'closed') return 'ticket is closed; reopen it first (`tix reopen ID --comment ...`)';
  if (from === 'escalated') return 'its escalation is running; advance it to resolved first (`tix escalation advance CP-N --to resolved`)';
  if (to === 'blocked' && !blockedBy) return 'moving to blocked needs the blocking ticket (`--blocked-by ID`)';
  if (to === 'escalated') return 'a ticket becomes escalated only through `tix escalate`';
  if (to === 'closed') return 'close a ticket with `tix close ID --resolution ...`';
  if (to === 'new') return 'a ticket cannot go back to new';
  return null;
}

export function refuseTriage(from: Status): string | null {
  return from === 'new' ? null : `only new tickets are triaged; this one is ${from} (change its fields with \`tix edit ID --type ... --team ... --level ...\`)`;
}

export function refuseReopen(from: Status): string | null {
  return isDone(from) ? null : `ticket is ${from}, not done; nothing to reopen`;
}

export function refuseEscalate(runningEscalation: string | null, from: Status): string | null {
  if (runningEscalation) return `ticket already has a running escalation (${runningEscalation})`;
  if (from === 'closed') return 'ticket is closed; reopen it first';
  return null;
}

export const escalationRank = (s: EscalationState): number => ESCALATION_STATES.indexOf(s);

/** Escalations only move forward through their timeline. */
export function refuseAdvance(from: EscalationState, to: EscalationState): string | null {
  if (from === 'resolved') return 'escalation is already resolved';
  if (escalationRank(to) <= escalationRank(from)) return `an escalation moves forward only: it is ${from}, cannot go to ${to}`;
  return null;
}
