// The schemas of the operations OPERATIONS (enums.ts) names: what each takes and answers, and how the published API
// describes it. Routes, batch ops and MCP tools are built from both halves; the command line reads only the names.
import { z } from 'zod';
import { OPERATIONS } from './enums.js';
import type { OperationEntry, OperationName } from './registry.js';
import {
  AssignBody, CloseBody, Comment, CommentBody, EscalateBody, Escalation, EscalationId, Event, PatchTicketBody, PriorityBody, Problem, ReopenBody, StatusBody, Ticket, TicketId, TicketIdParam,
  TriageBody,
} from './schemas.js';

/** The errors an operation's own rules can answer, besides those every route may give. */
export type OperationFailure = 403 | 404 | 409 | 412;

export interface OperationSchemas {
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** What the route answers: for a change the ticket, for a list the whole page. */
  result?: z.ZodType;
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  fails?: OperationFailure[];
}

/** One operation whole: its names (enums.ts) and its schemas (here). */
export type Operation = OperationEntry & OperationSchemas;
export type Operations = Readonly<Record<string, Operation>>;

/** `{id}` of a ticket route. */
export const TicketPathParams = z.object({ id: TicketIdParam });
/** `{id}` of an escalation route. */
export const EscalationPathParams = z.object({ id: EscalationId });

/** A list answered whole: `next_cursor` is always null. */
export const whole = <T extends z.ZodType>(item: T, what: string) =>
  z.object({ items: z.array(item), next_cursor: z.null().describe(`always null: every ${what} comes in this one answer`) });
export const CommentList = whole(Comment, 'comment');
export const EventList = whole(Event, 'event');

const IF_MATCH = 'With If-Match, applies only on top of that version.';
const change = <B extends z.ZodType>(body: B, operationId: string, summary: string, description: string) =>
  ({ params: TicketPathParams, body, result: Ticket, operationId, tags: ['tickets'], summary, description: `${description} ${IF_MATCH}`, fails: [403, 404, 409, 412] as OperationFailure[] });

type Ops = typeof OPERATIONS;
/** Operations whose route and client method are derived: each needs its schemas. */
type Derived = { [K in OperationName]: Ops[K] extends { shape: string } ? K : never }[OperationName];
/** Operations of POST /v1/batch: each needs its body. */
type Batchable = { [K in OperationName]: Ops[K] extends { batch: string } ? K : never }[OperationName];

export const OPERATION_SCHEMAS = {
  triage: change(TriageBody, 'triageTicket', 'Triage a new ticket: to in_progress, with priority, team, type, level, assignee', 'Agents and admins only; only a ticket in status new is triaged (else 409). Changing the priority needs a justification of at least 10 characters.'),
  reprioritize: change(PriorityBody, 'setTicketPriority', 'Change priority, with a justification', 'Agents and admins only; the SLA due dates follow the new priority. A closed ticket is 409.'),
  assign: change(AssignBody, 'assignTicket', 'Assign to an agent, or unassign with null', 'Agents and admins only; `me` is the caller. Requesters cannot be assignees (400). A closed ticket is 409.'),
  setStatus: change(StatusBody, 'setTicketStatus', 'Move to another status', 'Agents and admins only. Refused with 409: from closed (reopen it), from escalated (advance the escalation), and to new, escalated or closed, which have their own operations; blocked needs `blocked_by`.'),
  escalate: change(EscalateBody, 'escalateTicket', 'Escalate to engineering; creates CP-<n>', 'Agents and admins only: the ticket becomes escalated and `escalation` names the new escalation. A ticket with a running escalation, or a closed one, is 409.'),
  closeTicket: change(CloseBody, 'closeTicket', 'Close, with the resolution; closing a closed ticket changes nothing', 'Requesters close only tickets they opened (403 otherwise). A ticket already closed answers 200 with Tix-Changed false.'),
  reopen: change(ReopenBody, 'reopenTicket', 'Reopen a done ticket to in_progress', 'Agents and admins only (a requester comments instead); a ticket that is not done is 409.'),
  escalation: { params: EscalationPathParams, result: Escalation, operationId: 'getEscalation', tags: ['escalations'], summary: 'One escalation with its timeline', description: 'The escalation with every step of its timeline; 404 for requesters, and when its ticket is out of your reach.', fails: [404] },
  comments: { params: TicketPathParams, result: CommentList, operationId: 'listComments', tags: ['comments'], summary: 'Comments, oldest first (requesters see public ones only)', description: "Every comment of the ticket in one answer, with its attachments' ids, names, sizes and types.", fails: [404] },
  events: { params: TicketPathParams, result: EventList, operationId: 'listTicketEvents', tags: ['comments'], summary: 'Audit trail, oldest first (requesters see public events only)', description: 'Every event of the ticket in one answer: who changed what, from what, to what, and when.', fails: [404] },
  editTicket: { body: PatchTicketBody },
  comment: { body: CommentBody },
} satisfies Record<Derived, OperationSchemas & Required<Pick<OperationSchemas, 'params' | 'result' | 'operationId' | 'summary' | 'description'>>> &
  Record<Batchable, OperationSchemas & Required<Pick<OperationSchemas, 'body'>>>;

/** Every operation of tix, names and schemas together. */
export const TIX_OPERATIONS: Operations = Object.fromEntries(
  Object.entries(OPERATIONS).map(([name, entry]) => [name, { ...entry, ...(OPERATION_SCHEMAS as Partial<Record<string, OperationSchemas>>)[name] }]),
);

// ---- batch ----------------------------------------------------------------

export const BATCH_LIMIT = 1000;

type BatchOpSchema<K extends Batchable> = z.ZodObject<
  { op: z.ZodLiteral<Ops[K]['batch']>; id: typeof TicketId; body: (typeof OPERATION_SCHEMAS)[K]['body'] },
  z.core.$strict
>;
type BatchOpSchemas = { [K in Batchable]: BatchOpSchema<K> }[Batchable];

/** One schema per batch op of the registry, each `{op, id, body}` with the operation's own body. */
function batchOperations(): [BatchOpSchemas, ...BatchOpSchemas[]] {
  const schemas = OPERATION_SCHEMAS as Partial<Record<string, OperationSchemas>>;
  const ops = Object.entries(OPERATIONS as Readonly<Record<string, OperationEntry>>)
    .filter(([, e]) => e.batch !== undefined)
    .map(([name, e]) => z.strictObject({ op: z.literal(e.batch!), id: TicketId, body: schemas[name]!.body! }));
  return ops as unknown as [BatchOpSchemas, ...BatchOpSchemas[]];
}

export const BatchOperation = z.discriminatedUnion('op', batchOperations());
export type BatchOperation = z.input<typeof BatchOperation>;
export const BatchBody = z.object({ operations: z.array(BatchOperation).min(1).max(BATCH_LIMIT) }).strict();
export const BatchResult = z.object({
  id: z.number().int(),
  op: z.string(),
  status: z.number().int().describe('the HTTP status this operation alone would have answered'),
  changed: z.boolean().describe('false when the ticket already was as asked, or on error'),
  changes: z
    .array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() }))
    .optional()
    .describe('the fields the operation changed, before and after'),
  ticket: Ticket.optional(),
  error: Problem.optional(),
});
export type BatchResult = z.infer<typeof BatchResult>;
export const BatchResponse = z.object({ results: z.array(BatchResult) });
export type BatchResponse = z.infer<typeof BatchResponse>;
