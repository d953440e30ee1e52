// The single source of tix's types: every request, response and record is a zod schema here.
import { z } from 'zod';
import { MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES } from './attachments.js';
import { CHANNELS, DONE_STATUSES, JUSTIFICATION_MIN, LOGIN_PATTERN, ESCALATION_GROUPS, ESCALATION_STATES, EVENT_KINDS, OPEN_STATUSES, PRIORITIES, PROBLEM_CODES, ROLES, STATUSES, TEAMS, TICKET_TYPES } from './enums.js';

export { CHANNELS, DONE_STATUSES, ESCALATION_STATES, EVENT_KINDS, OPEN_STATUSES, PRIORITIES, PROBLEM_CODES, ROLES, STATUSES, TEAMS, TICKET_TYPES };

export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

/** Input accepts `urgent` as a synonym of `critical`. */
export const PriorityInput = z
  .enum([...PRIORITIES, 'urgent'])
  .transform((p): Priority => (p === 'urgent' ? 'critical' : p));

export const Status = z.enum(STATUSES);
export type Status = z.infer<typeof Status>;
export const StateGroup = z.enum(['open', 'done', 'all']);
export type StateGroup = z.infer<typeof StateGroup>;

export const Team = z.enum(TEAMS);
export type Team = z.infer<typeof Team>;

export const TicketType = z.enum(TICKET_TYPES);
export type TicketType = z.infer<typeof TicketType>;

export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const SupportLevel = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type SupportLevel = z.infer<typeof SupportLevel>;

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const EscalationState = z.enum(ESCALATION_STATES);
export type EscalationState = z.infer<typeof EscalationState>;
/** Which escalations a listing covers: running (not yet resolved), resolved, or all. */
export const EscalationGroup = z.enum(ESCALATION_GROUPS);
export type EscalationGroup = z.infer<typeof EscalationGroup>;

/** A ticket id in a body: a JSON integer, never a string, boolean or array that looks like one. */
export const TicketId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A canonical decimal of at most 16 digits: no sign, no leading zero, no exponent, no other digits. */
export const DECIMAL_PATTERN = /^[1-9][0-9]{0,15}$/;
/** A positive integer written as a canonical decimal (`42`; never `042`, `+42`, `4.2e1`, `0x2a`). */
export const DecimalString = (what: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(DECIMAL_PATTERN, `${what} must be a positive integer written in decimal, such as 42`)
    .transform(Number)
    .pipe(z.number().int().positive().max(max));
/** A ticket id in a path segment. */
export const TicketIdParam = DecimalString('a ticket id');
export const EscalationId = z
  .string()
  .regex(/^CP-[1-9]\d{0,15}$/, 'an escalation id looks like CP-12')
  // past 2^53 two spellings would name one number, so one escalation
  .refine((id) => Number(id.slice(3)) <= Number.MAX_SAFE_INTEGER, 'an escalation id looks like CP-12');
export const Timestamp = z.string().describe('ISO 8601 UTC timestamp');
/** A user's login name: lowercase letters, digits, dot, dash, underscore. */
export const Login = z.string().regex(LOGIN_PATTERN, 'a login is lowercase letters, digits, . _ -');
/** A justification for a priority change: required, non-blank, at least 10 characters. */
export const Justification = z
  .string()
  .trim()
  .min(JUSTIFICATION_MIN, `a justification needs at least ${JUSTIFICATION_MIN} characters`)
  .max(4000);
const Text = (max: number) => z.string().trim().min(1).max(max);

export const User = z.object({
  id: z.number().int(),
  login: Login,
  name: z.string(),
  email: z.string().nullable(),
  role: Role,
  org: z.string().nullable(),
  org_admin: z.boolean(),
  created_at: Timestamp,
});
export type User = z.infer<typeof User>;

export const Ticket = z.object({
  id: z.number().int(),
  subject: z.string(),
  description: z.string(),
  status: Status,
  priority: Priority,
  channel: Channel,
  type: TicketType.nullable(),
  team: Team.nullable(),
  level: SupportLevel.nullable(),
  assignee: z.string().nullable(),
  requester: z.string(),
  org: z.string().nullable(),
  tags: z.array(z.string()),
  blocked_by: z.number().int().nullable(),
  root_cause: z.number().int().nullable(),
  escalation: z.string().nullable().describe('the running escalation, CP-<n>'),
  escalations: z.array(z.string()).describe('every escalation the ticket ever had, CP-<n>, oldest first'),
  created_at: Timestamp,
  updated_at: Timestamp,
  first_response_at: Timestamp.nullable(),
  response_due_at: Timestamp,
  resolution_due_at: Timestamp,
  sla_breached: z.boolean(),
  version: z.number().int(),
});
export type Ticket = z.infer<typeof Ticket>;

export const Attachment = z.object({
  id: z.number().int(),
  name: z.string(),
  size: z.number().int(),
  content_type: z.string(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Comment = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  author: z.string(),
  body: z.string(),
  public: z.boolean(),
  attachments: z.array(Attachment),
  created_at: Timestamp,
});
export type Comment = z.infer<typeof Comment>;

export const EventKind = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKind>;

export const Event = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  at: Timestamp,
  actor: z.string(),
  kind: EventKind,
  from: z.string().nullable(),
  to: z.string().nullable(),
  note: z.string().nullable(),
  internal: z.boolean(),
});
export type Event = z.infer<typeof Event>;

export const TimelineStep = z.object({
  state: EscalationState,
  at: Timestamp,
  by: z.string(),
  note: z.string().nullable(),
});
export type TimelineStep = z.infer<typeof TimelineStep>;

export const Escalation = z.object({
  id: EscalationId,
  ticket_id: z.number().int(),
  reason: z.string(),
  team: Team.nullable(),
  level: SupportLevel.nullable(),
  state: EscalationState,
  estimated_resolution: z.string().nullable(),
  created_by: z.string(),
  created_at: Timestamp,
  timeline: z.array(TimelineStep),
});
export type Escalation = z.infer<typeof Escalation>;

export const Token = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  name: z.string(),
  created_at: Timestamp,
});
export const NewToken = Token.extend({ token: z.string().describe('shown once; stored hashed') });
export type NewToken = z.infer<typeof NewToken>;

export const Me = User.extend({ token_id: z.number().int() });
export type Me = z.infer<typeof Me>;

export const Health = z.object({ status: z.literal('ok'), version: z.string() });

export const ProblemCode = z.enum(PROBLEM_CODES);
export type ProblemCode = z.infer<typeof ProblemCode>;
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: ProblemCode,
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() });

// ---- request bodies -------------------------------------------------------

export const CreateTicketBody = z.strictObject({
  subject: Text(200),
  description: Text(20000),
  priority: PriorityInput.optional(),
  justification: z.string().trim().max(4000).optional(),
  channel: Channel.optional(),
  type: TicketType.optional(),
  requester: Login.optional().describe('open on behalf of a known user (agents only)'),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
});
export type CreateTicketBody = z.input<typeof CreateTicketBody>;

const Tag = z.string().trim().min(1).max(40);
/** Most tags a ticket carries. */
export const MAX_TAGS = 20;
export const PatchTicketBody = z
  .object({
    subject: Text(200),
    description: Text(20000),
    type: TicketType,
    team: Team,
    level: SupportLevel,
    tags: z.array(Tag).max(MAX_TAGS).describe('replaces every tag'),
    add_tags: z.array(Tag).max(MAX_TAGS).describe('tags to add, keeping the others'),
    remove_tags: z.array(Tag).max(MAX_TAGS).describe('tags to remove, keeping the others'),
    root_cause: TicketId.nullable(),
    priority: PriorityInput,
    justification: z.string().trim().max(4000).describe('why the priority changes (at least 10 characters)'),
  })
  .partial()
  .strict()
  .refine((b) => b.tags === undefined || (b.add_tags === undefined && b.remove_tags === undefined), {
    message: 'give tags, or add_tags and remove_tags, not both',
    path: ['tags'],
  })
  .refine((b) => b.justification === undefined || b.priority !== undefined, { message: 'a justification goes with a priority', path: ['justification'] });
export type PatchTicketBody = z.input<typeof PatchTicketBody>;

export const TriageBody = z
  .object({
    priority: PriorityInput.optional(),
    justification: z.string().trim().max(4000).optional(),
    team: Team.optional(),
    type: TicketType.optional(),
    level: SupportLevel.optional(),
    assignee: z.union([Login, z.literal('me')]).nullable().optional(),
  })
  .strict();
export type TriageBody = z.input<typeof TriageBody>;

export const PriorityBody = z.object({ priority: PriorityInput, reason: Justification }).strict();
export type PriorityBody = z.input<typeof PriorityBody>;

export const AssignBody = z.object({ assignee: z.union([Login, z.literal('me')]).nullable() }).strict();
export type AssignBody = z.input<typeof AssignBody>;

export const StatusBody = z
  .object({
    status: Status,
    note: z.string().trim().min(1).max(4000).optional(),
    blocked_by: TicketId.optional(),
  })
  .strict();
export type StatusBody = z.input<typeof StatusBody>;

export const EscalateBody = z
  .object({
    reason: Text(4000),
    team: Team.optional(),
    level: SupportLevel.optional(),
    estimated_resolution: z.iso.date().optional(),
  })
  .strict();
export type EscalateBody = z.input<typeof EscalateBody>;

export const AdvanceBody = z
  .object({ to: EscalationState, note: z.string().trim().min(1).max(4000).optional() })
  .strict();
export type AdvanceBody = z.input<typeof AdvanceBody>;

export const CloseBody = z.object({ resolution: Text(4000) }).strict();
export type CloseBody = z.input<typeof CloseBody>;

export const ReopenBody = z.object({ comment: Text(4000) }).strict();
export type ReopenBody = z.input<typeof ReopenBody>;

export const AttachmentUpload = z
  .object({
    name: z.string().min(1).max(255).regex(/^[^/\\]+$/, 'a file name, without folders'),
    data: z.base64().max(Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 4).describe('file content, base64'),
  })
  .strict();
export type AttachmentUpload = z.infer<typeof AttachmentUpload>;

export const CommentBody = z
  .object({
    body: Text(20000),
    public: z.boolean().default(false),
    attachments: z.array(AttachmentUpload).max(MAX_ATTACHMENTS, `at most ${MAX_ATTACHMENTS} files per comment`).optional(),
  })
  .strict();
export type CommentBody = z.input<typeof CommentBody>;

export const CreateUserBody = z
  .object({
    login: Login,
    name: Text(200),
    email: z.email().optional(),
    role: Role,
    org: z.string().trim().min(1).max(100).optional(),
    org_admin: z.boolean().default(false),
  })
  .strict();
export type CreateUserBody = z.input<typeof CreateUserBody>;

export const CreateTokenBody = z.object({ name: Text(100).default('cli') }).strict();

// The batch ops are the registry's: operations.ts builds them from each operation's body.
export type { BatchOperation, BatchResponse, BatchResult } from './operations.js';
