// What each tix change asks of RT, decided from the ticket as it is: the fields to set, the note written
// with them, or why it is refused. Pure: the backend sends the plan and reads the ticket back to check it.
import type { BatchOperation, Priority, Status, Ticket } from '../../domain/schemas.js';
import { ESCALATION_LEVEL, ESCALATION_TEAM } from '../../domain/enums.js';
import { isValidJustification } from '../../domain/policy.js';
import { refuseEscalate, refuseReopen, refuseStatusChange, refuseTriage } from '../../domain/transitions.js';
import { CF, PRIORITY_TO_RT, STATUS_TO_RT } from './mapping.js';

/** An RT update of one ticket: core fields, custom fields, links. */
export interface RtUpdate {
  Status?: string;
  Priority?: number;
  Owner?: string;
  CustomFields?: Record<string, string>;
  AddDependsOn?: number;
  AddRefersTo?: number;
}

export interface Plan {
  /** What the ticket will read as afterwards (tix fields), checked on the ticket read back. */
  expect: Partial<Ticket>;
  update?: RtUpdate;
  /** An internal note (RT comment) written with the change. */
  note?: string;
  /** An escalation to open first: its engineering ticket, then the link. */
  escalation?: { reason: string; team: string; level: number; eta?: string };
  /** The engineering ticket to resolve along (closing an escalated ticket). */
  resolveEscalation?: number;
}

export type Decision = { refused: string; status: number; code: 'conflict' | 'validation' } | { unchanged: true } | { plan: Plan };

const conflict = (refused: string): Decision => ({ refused, status: 409, code: 'conflict' });
const invalid = (refused: string): Decision => ({ refused, status: 422, code: 'validation' });

const statusFields = (s: Status): RtUpdate => ({ Status: STATUS_TO_RT[s], CustomFields: { [CF.status]: s } });
const normal = (p: string): Priority => (p === 'urgent' ? 'critical' : (p as Priority));
const escalationNumber = (cp: string | null) => (cp ? Number(cp.replace(/^CP-/, '')) : undefined);

/** The plan for one operation on one ticket; `me` is the login behind the token, for `assign me`. */
export function decide(op: BatchOperation, t: Ticket, me: string | undefined): Decision {
  switch (op.op) {
    case 'priority': {
      if (t.status === 'closed') return conflict('ticket is closed; reopen it first');
      const to = normal(op.body.priority);
      if (to === t.priority) return { unchanged: true };
      if (!isValidJustification(op.body.reason)) return invalid('a priority change needs a justification of at least 10 characters');
      return { plan: { expect: { priority: to }, update: { Priority: PRIORITY_TO_RT[to] }, note: `Priority changed from ${t.priority} to ${to}. Justification: ${op.body.reason.trim()}` } };
    }
    case 'assign': {
      if (t.status === 'closed') return conflict('ticket is closed; reopen it first');
      const who = op.body.assignee === 'me' ? me : op.body.assignee;
      if (who === undefined) return invalid('"me" is unknown: Request Tracker cannot say who owns a token; log in with `tix auth login --provider rt --user LOGIN` or set TIX_RT_USER');
      if (who === t.assignee) return { unchanged: true };
      return { plan: { expect: { assignee: who }, update: { Owner: who ?? 'Nobody' } } };
    }
    case 'status': {
      const to = op.body.status;
      if (t.status === to && (to !== 'blocked' || t.blocked_by === (op.body.blocked_by ?? t.blocked_by))) return { unchanged: true };
      const refused = refuseStatusChange(t.status, to, op.body.blocked_by);
      if (refused) return conflict(refused);
      const update: RtUpdate = statusFields(to);
      if (to === 'blocked') update.AddDependsOn = op.body.blocked_by;
      return { plan: { expect: { status: to }, update, note: op.body.note } };
    }
    case 'close': {
      if (t.status === 'closed') return { unchanged: true };
      const running = t.status === 'escalated' ? escalationNumber(t.escalation) : undefined;
      const update: RtUpdate = statusFields('closed');
      if (t.escalation) update.CustomFields![CF.escalation] = '';
      return { plan: { expect: { status: 'closed', escalation: null }, update, note: `Closed. Resolution: ${op.body.resolution}`, resolveEscalation: running } };
    }
    case 'reopen': {
      const refused = refuseReopen(t.status);
      if (refused) return conflict(refused);
      return { plan: { expect: { status: 'in_progress' }, update: statusFields('in_progress'), note: `Reopened: ${op.body.comment}` } };
    }
    case 'escalate': {
      const refused = refuseEscalate(t.escalation, t.status);
      if (refused) return conflict(refused);
      const team = op.body.team ?? ESCALATION_TEAM;
      const level = op.body.level ?? ESCALATION_LEVEL;
      return {
        plan: {
          expect: { status: 'escalated', team, level },
          update: { ...statusFields('escalated'), CustomFields: { [CF.status]: 'escalated', [CF.team]: team, [CF.level]: String(level) } },
          escalation: { reason: op.body.reason, team, level, eta: op.body.estimated_resolution },
        },
      };
    }
    case 'triage': {
      const refused = refuseTriage(t.status);
      if (refused) return conflict(refused);
      const b = op.body;
      const update: RtUpdate = statusFields('in_progress');
      const expect: Partial<Ticket> = { status: 'in_progress' };
      let note: string | undefined;
      if (b.priority !== undefined && normal(b.priority) !== t.priority) {
        const to = normal(b.priority);
        if (!isValidJustification(b.justification)) return invalid('a priority change needs a justification of at least 10 characters (--justification)');
        update.Priority = PRIORITY_TO_RT[to];
        expect.priority = to;
        note = `Priority changed from ${t.priority} to ${to} at triage. Justification: ${b.justification!.trim()}`;
      }
      if (b.team) (update.CustomFields![CF.team] = b.team), (expect.team = b.team);
      if (b.type) (update.CustomFields![CF.type] = b.type), (expect.type = b.type);
      if (b.level) (update.CustomFields![CF.level] = String(b.level)), (expect.level = b.level);
      if (b.assignee !== undefined) {
        const who = b.assignee === 'me' ? me : b.assignee;
        if (who === undefined) return invalid('"me" is unknown: Request Tracker cannot say who owns a token; log in with `tix auth login --provider rt --user LOGIN` or set TIX_RT_USER');
        update.Owner = who ?? 'Nobody';
        expect.assignee = who;
      }
      return { plan: { expect, update, note } };
    }
    case 'comment':
    case 'patch':
      return invalid(`"${op.op}" in a batch is not available on Request Tracker; run it one ticket at a time`);
  }
}

/** Whether the ticket read back holds what the plan expected. */
export function holds(expect: Partial<Ticket>, t: Ticket): boolean {
  return Object.entries(expect).every(([k, v]) => JSON.stringify(t[k as keyof Ticket] ?? null) === JSON.stringify(v ?? null));
}

/** RT's messages that say a change did not happen (it answers 200 either way). */
const FAILURE = /does not exist|isn't a valid|is not a valid|invalid value|permission denied|no permission|couldn't|could not|illegal|not allowed|can't|cannot|failed/i;

export const failureMessages = (messages: unknown[]): string[] => messages.filter((m): m is string => typeof m === 'string' && FAILURE.test(m));
