// How tix's desk maps onto Request Tracker 5 (docs/providers.md): statuses, priorities, custom fields,
// and RT's records read back as tix tickets. Pure functions: no HTTP here.
import { DONE_STATUSES, STATUSES } from '../../domain/enums.js';
import type { Channel, Priority, Status, SupportLevel, Team, Ticket, TicketType } from '../../domain/schemas.js';
import { dueDates, isBreachedAt } from '../../domain/sla.js';

/** RT's stock lifecycle. */
export type RtStatus = 'new' | 'open' | 'stalled' | 'resolved' | 'rejected' | 'deleted';

/** Where each tix status lives in RT's lifecycle; the exact tix status is kept in the `tix status` custom field. */
export const STATUS_TO_RT: Record<Status, RtStatus> = {
  new: 'new',
  in_progress: 'open',
  pending_customer: 'stalled',
  pending_engineering: 'stalled',
  customer_testing: 'open',
  pending_reversion: 'open',
  blocked: 'stalled',
  escalated: 'open',
  solution_provided: 'resolved',
  resolved: 'resolved',
  expired: 'rejected',
  closed: 'resolved',
};

/** The tix status of a ticket whose custom field is empty or disagrees with RT (changed in RT itself). */
export const RT_DEFAULT_STATUS: Record<RtStatus, Status> = {
  new: 'new',
  open: 'in_progress',
  stalled: 'pending_customer',
  resolved: 'closed',
  rejected: 'expired',
  deleted: 'closed',
};

/** RT labels its numbers Low=0, Medium=50, High=100; critical sits above High. */
export const PRIORITY_TO_RT: Record<Priority, number> = { low: 0, medium: 50, high: 100, critical: 150 };

/** Any RT number read back: bands around the four values, so a number set in RT still reads as a level. */
export const PRIORITY_BANDS: { priority: Priority; min: number; below: number | null }[] = [
  { priority: 'low', min: Number.NEGATIVE_INFINITY, below: 25 },
  { priority: 'medium', min: 25, below: 75 },
  { priority: 'high', min: 75, below: 125 },
  { priority: 'critical', min: 125, below: null },
];

export function priorityFromRt(n: number): Priority {
  for (const b of PRIORITY_BANDS) if (b.below === null || n < b.below) return b.priority;
  return 'critical';
}

/** The custom fields `tix rt setup` creates, by what they hold. */
export const CF = {
  status: 'tix status',
  team: 'tix team',
  level: 'tix level',
  type: 'tix type',
  channel: 'tix channel',
  escalation: 'tix escalation',
} as const;

/** The queue escalations open their engineering ticket in. */
export const ENGINEERING_QUEUE = 'Engineering';
/** The queue new tickets open in, unless TIX_RT_QUEUE says otherwise. */
export const DEFAULT_QUEUE = 'General';

export function statusFromRt(rt: string, cf: string | undefined): Status {
  const rtStatus = (rt in RT_DEFAULT_STATUS ? rt : 'open') as RtStatus;
  if (cf && (STATUSES as readonly string[]).includes(cf) && STATUS_TO_RT[cf as Status] === rtStatus) return cf as Status;
  return RT_DEFAULT_STATUS[rtStatus];
}

/** A record RT gives for a user, queue or ticket: `{id, type, _url}`. */
interface RtRef {
  id: string | number;
  type?: string;
}

export interface RtTicket {
  id: string | number;
  Subject?: string;
  Status?: string;
  Priority?: string | number;
  Owner?: RtRef;
  Creator?: RtRef;
  Requestor?: RtRef[];
  Created?: string;
  LastUpdated?: string;
  Resolved?: string;
  Started?: string;
  Queue?: RtRef;
  CustomFields?: { name: string; values: string[] }[];
  _hyperlinks?: { ref: string; id?: string | number; type?: string }[];
}

const UNSET = '1970-01-01T00:00:00Z';

export const cfValue = (t: RtTicket, name: string): string | undefined => t.CustomFields?.find((c) => c.name === name)?.values[0] || undefined;

const oneOf = <T extends string>(v: string | undefined, allowed: readonly T[]): T | null => (v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : null);

/** RT's dates without a time zone are UTC here; its "unset" is the epoch. */
const isoOf = (d: string | undefined): string | null => (d && d !== UNSET ? new Date(d).toISOString() : null);

/** An RT ticket as a tix ticket. `version` is RT's ETag (its newest transaction), when it came with the record. */
export function ticketFromRt(t: RtTicket, extra: { version?: number; description?: string; now: string }): Ticket {
  const status = statusFromRt(String(t.Status ?? 'open'), cfValue(t, CF.status));
  const priority = priorityFromRt(Number(t.Priority ?? 0));
  const created = isoOf(t.Created) ?? extra.now;
  const links = t._hyperlinks ?? [];
  const dependsOn = links.find((l) => l.ref === 'depends-on' && l.type === 'ticket');
  const escalation = cfValue(t, CF.escalation) ?? null;
  const escalations = links.filter((l) => l.ref === 'refers-to' && l.type === 'ticket').map((l) => `CP-${l.id}`);
  const owner = t.Owner?.id === undefined || t.Owner.id === 'Nobody' ? null : String(t.Owner.id);
  const due = dueDates(created, priority);
  const doneAt = (DONE_STATUSES as readonly string[]).includes(status) ? isoOf(t.Resolved) ?? isoOf(t.LastUpdated) : null;
  const firstResponse = isoOf(t.Started);
  return {
    id: Number(t.id),
    subject: t.Subject ?? '',
    description: extra.description ?? '',
    status,
    priority,
    channel: oneOf(cfValue(t, CF.channel), ['portal', 'email', 'phone', 'chat', 'conference'] as const) ?? ('portal' satisfies Channel),
    type: oneOf(cfValue(t, CF.type), ['question', 'problem', 'incident', 'configuration', 'task'] as const) as TicketType | null,
    team: oneOf(cfValue(t, CF.team), ['support', 'configuration', 'engineering', 'implementation'] as const) as Team | null,
    level: (Number(cfValue(t, CF.level)) || null) as SupportLevel | null,
    assignee: owner,
    requester: String(t.Requestor?.[0]?.id ?? t.Creator?.id ?? ''),
    org: null,
    tags: [],
    blocked_by: status === 'blocked' && dependsOn ? Number(dependsOn.id) : null,
    root_cause: null,
    escalation: status === 'escalated' ? escalation : null,
    escalations: escalation && !escalations.includes(escalation) ? [...escalations, escalation] : escalations,
    created_at: created,
    updated_at: isoOf(t.LastUpdated) ?? created,
    first_response_at: firstResponse,
    ...due,
    sla_breached: isBreachedAt({ ...due, first_response_at: firstResponse, done_at: doneAt }, extra.now),
    version: extra.version ?? 0,
  };
}

/** The fields a search asks RT for, so each item reads as a ticket. */
export const SEARCH_FIELDS = 'Subject,Status,Priority,Owner,Creator,Requestor,Created,LastUpdated,Resolved,Started,Queue,CustomFields';
