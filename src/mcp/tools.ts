// The MCP tools: one per tix operation, input schemas composed from the domain's request schemas,
// results as the same JSON the CLI prints (reads their data, changes the result envelope).
import { z } from 'zod';
import type { Backend } from '../providers/types.js';
import { UsageError } from '../cli/errors.js';
import { buildQuery } from '../cli/query.js';
import type { BulkOperation } from '../cli/bulk.js';
import { evaluateRules, ruleOf, SLA_RULE, type Rule } from '../cli/commands/check.js';
import { advanceEscalation } from '../cli/commands/escalation.js';
import { operations } from '../cli/commands/mutate.js';
import { triageOperation } from '../cli/commands/triage.js';
import { commentTicket } from '../cli/commands/comment.js';
import { createTicket } from '../cli/commands/create.js';
import { ResultEnvelope } from '../domain/envelope.js';
import { TIX_OPERATIONS, type Operation, type Operations } from '../domain/operations.js';
import { pathParams, routeOf } from '../domain/registry.js';
import { JUSTIFICATION_MIN, PRIORITIES } from '../domain/enums.js';
import { RUBRIC } from '../domain/policy.js';
import { QUERY_FIELDS } from '../domain/query.js';
import {
  AdvanceBody, AssignBody, CloseBody, Comment, CommentBody, CreateTicketBody, EscalateBody, Escalation, EscalationId, Event, PatchTicketBody, PriorityBody,
  ReopenBody, Status, StatusBody, Ticket, TicketId, TriageBody, page,
} from '../domain/schemas.js';
import { envelopeOf, runChange, runEdit, type Selection as Targets } from './change.js';
import { renderEnvelope, renderEscalation, renderTicket, renderTickets } from './text.js';

export interface Deps {
  client(): Promise<Backend>;
  /** Removes the token from any text. */
  redact(s: string): string;
}

export interface ToolAnswer {
  data: Record<string, unknown>;
  text: string;
  /** A change with any failed ticket: the result is marked isError, its envelope still attached. */
  failed?: boolean;
}

export interface Tool {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  output: z.ZodObject;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: false };
  run(deps: Deps, input: never): Promise<ToolAnswer>;
}

/** Checks at compile time that a tool's run takes what its input schema gives. */
const tool = <I extends z.ZodObject, O extends z.ZodObject>(t: Omit<Tool, 'input' | 'output' | 'run'> & { input: I; output: O; run(deps: Deps, input: z.output<I>): Promise<ToolAnswer> }): Tool =>
  t as unknown as Tool;

// Reads change nothing and answer the same for the same call. A change is destructive when it
// replaces a value someone set or cannot be taken back; idempotent when repeating it changes nothing more.
const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const change = (destructiveHint: boolean, idempotentHint: boolean) => ({ readOnlyHint: false, destructiveHint, idempotentHint, openWorldHint: false }) as const;

const QUERY_HELP = `the query language: space-separated terms, all must hold; commas mean any of; a leading - negates; fields ${QUERY_FIELDS.join(', ')}; e.g. "status:new priority:high,critical age:>4h", "assignee:me sla:breached", "tag:billing -status:closed"; bare words match subject and description`;
const RUBRIC_TEXT = PRIORITIES.map((p) => `${p}: ${RUBRIC[p]}`).join('; ');
const JUSTIFY = `a justification of at least ${JUSTIFICATION_MIN} characters, stored as an internal note`;

const Selection = z.object({
  ids: z.array(TicketId).min(1).optional().describe('the tickets to change'),
  query: z.string().trim().min(1).optional().describe(`every ticket matching this query, in any state unless it names one (${QUERY_HELP}); needs dry_run or confirm`),
  dry_run: z.boolean().default(false).describe('answer what would change, in the same envelope; change nothing'),
  confirm: z.boolean().default(false).describe('apply a change selected by query (without it, and without dry_run, a query-selected change is refused)'),
});
const SELECTION_RULE = 'Name the tickets by ids, or by query with dry_run: true (preview) or confirm: true (apply).';

const OneTicket = z.object({ id: TicketId.describe('ticket id') });

const Envelope = ResultEnvelope;
type Envelope = z.output<typeof ResultEnvelope>;
const ShownTicket = Ticket.extend({ comments: z.array(Comment).optional(), events: z.array(Event).optional() });
const CheckResult = z.object({
  passed: z.boolean().describe('true when every rule holds'),
  rules: z.array(
    z.object({
      name: z.string(),
      query: z.string().describe('the query as sent'),
      max: z.number().int(),
      passed: z.boolean(),
      count: z.number().int().describe('tickets matching'),
      offending: z.array(z.number().int()).describe('up to 20 matching ticket ids, when the rule is violated'),
    }),
  ),
});

/** Runs one of the CLI's bulk operations through its change engine and answers the envelope. */
async function changeAnswer(deps: Deps, sel: Targets, op: BulkOperation): Promise<ToolAnswer> {
  return answerOf(await runChange(await deps.client(), sel, op));
}

const answerOf = (envelope: Envelope): ToolAnswer => ({ data: envelope, text: renderEnvelope(envelope), failed: !envelope.ok });

/** The caller's login, for an assignee given as `me`. */
async function login(deps: Deps, assignee: string | null | undefined): Promise<string | null | undefined> {
  return assignee === 'me' ? (await (await deps.client()).me()).login : assignee;
}

const MOVABLE = Status.exclude(['new', 'escalated', 'closed']);
const EDITABLE = Object.keys(PatchTicketBody.shape).filter((k) => k !== 'justification');

/** The tools written by hand: each runs its operation through the CLI's engine (the envelope, dry runs, queries). */
const HAND_TOOLS: Tool[] = [
  tool({
    name: 'list',
    title: 'List tickets',
    description: `List tickets in queue order (priority highest first, then oldest first). Open tickets only unless the query names a status or state (state:all for every ticket). Query: ${QUERY_HELP}. Pages: pass next_cursor back as cursor.`,
    input: z
      .object({
        query: z.string().default('').describe(QUERY_HELP),
        limit: z.number().int().min(1).max(1000).default(50).describe('tickets per page'),
        cursor: z.string().min(1).optional().describe('next_cursor of the previous page, with the same query'),
        sort: z.enum(['queue', 'created', 'updated', 'priority']).default('queue'),
      })
      .strict(),
    output: page(Ticket).extend({ query: z.string().describe('the query as sent, with the state:open default when it applied') }),
    annotations: READ,
    async run(deps, input) {
      const q = buildQuery(input.query ? [input.query] : [], {});
      const p = await (await deps.client()).listTickets({ q, sort: input.sort, limit: input.limit, cursor: input.cursor });
      return { data: { ...p, query: q }, text: renderTickets(p.items, p.next_cursor, q) };
    },
  }),
  tool({
    name: 'show',
    title: 'Show a ticket',
    description: 'One ticket with every field; with comments: true its comments (internal ones included, for agents), with events: true its audit trail.',
    input: OneTicket.extend({ comments: z.boolean().default(false), events: z.boolean().default(false) }).strict(),
    output: ShownTicket,
    annotations: READ,
    async run(deps, input) {
      const client = await deps.client();
      const [ticket, comments, events] = await Promise.all([client.getTicket(input.id), input.comments ? client.comments(input.id) : undefined, input.events ? client.events(input.id) : undefined]);
      const data = { ...ticket, ...(comments ? { comments } : {}), ...(events ? { events } : {}) };
      return { data, text: renderTicket(ticket, comments, events) };
    },
  }),
  tool({
    name: 'create',
    title: 'Open a ticket',
    description: `Open a ticket. New tickets default to medium priority (email ones to low). A requester asking for critical or high without a justification gets medium. Priority rubric: ${RUBRIC_TEXT}. Answers the result envelope with the new ticket.`,
    input: CreateTicketBody.extend({ dry_run: Selection.shape.dry_run }).strict(),
    output: Envelope,
    annotations: change(false, false),
    async run(deps, { dry_run, ...body }) {
      return answerOf(envelopeOf(await createTicket(await deps.client(), body, { dryRun: dry_run })));
    },
  }),
  tool({
    name: 'triage',
    title: 'Triage new tickets',
    description: `Triage new tickets (new → in_progress), setting any of priority, team, type, level and assignee. A priority that differs from the current one needs ${JUSTIFY}. Priority rubric: ${RUBRIC_TEXT}. Only new tickets are triaged; use edit, reprioritize or assign afterwards. ${SELECTION_RULE}`,
    input: TriageBody.extend(Selection.shape),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { ids, query, dry_run, confirm, ...body }) {
      // only a preview needs to know who `me` is; the server answers what it set
      const shown = dry_run && body.assignee === 'me' ? { ...body, assignee: await login(deps, body.assignee) } : body;
      return changeAnswer(deps, { ids, query, dry_run, confirm }, triageOperation(shown));
    },
  }),
  tool({
    name: 'edit',
    title: 'Edit ticket fields',
    description: `Change fields after triage: ${EDITABLE.join(', ')} (root_cause: an incident's root-cause problem ticket, null to unlink).${'priority' in PatchTicketBody.shape ? ` A priority change needs ${JUSTIFY} (justification).` : ''} Each ticket is written with If-Match, so one changed meanwhile is reported failed (precondition_failed) rather than overwritten. ${SELECTION_RULE}`,
    // safeExtend keeps the body's own refinements (which fields go together)
    input: PatchTicketBody.safeExtend(Selection.shape),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { ids, query, dry_run, confirm, ...body }) {
      if (Object.keys(body).length === 0) throw new UsageError(`nothing to edit: give at least one of ${EDITABLE.join(', ')}`);
      return answerOf(await runEdit(await deps.client(), { ids, query, dry_run, confirm }, body));
    },
  }),
  tool({
    name: 'reprioritize',
    title: 'Change priority',
    description: `Change the priority of tickets. Requires reason: ${JUSTIFY}; a shorter or missing reason is refused. Rubric: ${RUBRIC_TEXT}. urgent means critical. ${SELECTION_RULE}`,
    input: PriorityBody.extend(Selection.shape),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { ids, query, dry_run, confirm, priority, reason }) {
      return changeAnswer(deps, { ids, query, dry_run, confirm }, operations.reprioritize(priority, reason));
    },
  }),
  tool({
    name: 'assign',
    title: 'Assign tickets',
    description: `Assign tickets to an agent by login, to yourself with "me", or unassign with null. ${SELECTION_RULE}`,
    input: AssignBody.extend(Selection.shape),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { ids, query, dry_run, confirm, assignee }) {
      // only a preview needs to know who `me` is; the server answers what it set
      return changeAnswer(deps, { ids, query, dry_run, confirm }, operations.assign((dry_run ? await login(deps, assignee) : assignee) ?? null));
    },
  }),
  tool({
    name: 'move',
    title: 'Move tickets to another status',
    description: `Move tickets to another status. blocked needs blocked_by (the ticket that must finish first). Closing goes through close (it records a resolution), escalating through escalate; a closed ticket is reopened with reopen; an escalated one leaves escalated only when its escalation is advanced to resolved. The note is internal. ${SELECTION_RULE}`,
    input: StatusBody.extend({ status: MOVABLE }).extend(Selection.shape),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { ids, query, dry_run, confirm, status, note, blocked_by }) {
      return changeAnswer(deps, { ids, query, dry_run, confirm }, operations.move(status, note, blocked_by));
    },
  }),
  tool({
    name: 'escalate',
    title: 'Escalate to engineering',
    description: `Escalate tickets to engineering: opens an escalation CP-<n> with the reason (internal: requesters never see escalations) and sets the ticket escalated; team defaults to engineering, level to 3; estimated_resolution is an estimate (YYYY-MM-DD), never a promise. A ticket with a running escalation cannot be escalated again. Follow it with escalation_show and escalation_advance. ${SELECTION_RULE}`,
    input: EscalateBody.extend(Selection.shape),
    output: Envelope,
    annotations: change(false, false),
    async run(deps, { ids, query, dry_run, confirm, ...body }) {
      return changeAnswer(deps, { ids, query, dry_run, confirm }, operations.escalate(body));
    },
  }),
  tool({
    name: 'escalation_list',
    title: 'List escalations',
    description: 'Escalations: running (default), resolved, or all, each with its timeline.',
    input: z.object({ state: z.enum(['running', 'resolved', 'all']).default('running') }).strict(),
    output: z.object({ items: z.array(Escalation) }),
    annotations: READ,
    async run(deps, input) {
      const items = await (await deps.client()).escalations(input.state);
      return { data: { items }, text: items.length ? items.map((e) => renderEscalation(e, false)).join('\n') : `no ${input.state === 'all' ? '' : `${input.state} `}escalations` };
    },
  }),
  tool({
    name: 'escalation_show',
    title: 'Show an escalation',
    description: 'One escalation (CP-<n>): its ticket, reason, team, level, state, estimated resolution and timeline.',
    input: z.object({ id: EscalationId }).strict(),
    output: Escalation,
    annotations: READ,
    async run(deps, input) {
      const e = await (await deps.client()).escalation(input.id);
      return { data: e, text: renderEscalation(e, true) };
    },
  }),
  tool({
    name: 'escalation_advance',
    title: 'Advance an escalation',
    description:
      'Move an escalation forward: submitted → under_evaluation → engineering_in_progress → resolution_verification → resolved. Steps may be skipped forward, never taken back. Reaching resolved returns the ticket to in_progress. The note is internal.',
    input: AdvanceBody.extend({ id: EscalationId, dry_run: Selection.shape.dry_run }).strict(),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { id, dry_run, ...body }) {
      return answerOf(envelopeOf(await advanceEscalation(await deps.client(), id, body, { dryRun: dry_run })));
    },
  }),
  tool({
    name: 'close',
    title: 'Close tickets',
    description: `Close tickets. Requires resolution: what fixed it (the requester sees that the ticket closed). Closing a closed ticket changes nothing; closing an escalated ticket resolves its escalation. ${SELECTION_RULE}`,
    input: CloseBody.extend(Selection.shape),
    output: Envelope,
    annotations: change(true, true),
    async run(deps, { ids, query, dry_run, confirm, resolution }) {
      return changeAnswer(deps, { ids, query, dry_run, confirm }, operations.close(resolution));
    },
  }),
  tool({
    name: 'reopen',
    title: 'Reopen tickets',
    description: `Reopen done tickets (solution_provided, resolved, expired, closed) back to in_progress. Requires comment: why it is reopened (internal). ${SELECTION_RULE}`,
    input: ReopenBody.extend(Selection.shape),
    output: Envelope,
    annotations: change(false, true),
    async run(deps, { ids, query, dry_run, confirm, comment }) {
      return changeAnswer(deps, { ids, query, dry_run, confirm }, operations.reopen(comment));
    },
  }),
  tool({
    name: 'comment',
    title: 'Comment on a ticket',
    description:
      'Add a comment to a ticket. INTERNAL by default: only agents read it. Pass public: true only for text the requester (the customer) should read. Attachments: at most 5 files of 500 KB, base64, of types csv tsv xlsx doc docx pdf txt jpg png gif mp4 mov har.',
    input: CommentBody.extend(OneTicket.shape).extend({ dry_run: Selection.shape.dry_run }),
    output: Envelope,
    annotations: change(false, false),
    async run(deps, { id, dry_run, ...body }) {
      return answerOf(envelopeOf(await commentTicket(await deps.client(), id, body, { dryRun: dry_run })));
    },
  }),
  tool({
    name: 'check',
    title: 'Check ticket states',
    description: `Assert rules on ticket states, as CI does: each rule is "tickets matching QUERY ≤ max" (open tickets unless the query names a status or state); sla: true adds "no open ticket past its SLA". passed is false when a rule is violated. Query: ${QUERY_HELP}.`,
    input: z
      .object({
        query: z.string().trim().min(1).optional().describe('tickets that must not exceed max'),
        max: z.number().int().min(0).default(0).describe('most tickets allowed to match the query'),
        name: z.string().trim().min(1).optional().describe('name of the rule given by query'),
        sla: z.boolean().default(false).describe('add the rule "no open ticket past its SLA"'),
        rules: z
          .array(z.object({ name: z.string().trim().min(1).optional(), query: z.string().trim().min(1).optional(), max: z.number().int().min(0).default(0), sla: z.boolean().default(false) }).strict())
          .optional()
          .describe('named rules, each a query with its max, or sla: true'),
      })
      .strict(),
    output: CheckResult,
    annotations: READ,
    async run(deps, input) {
      const rules: Rule[] = [];
      for (const [i, r] of (input.rules ?? []).entries()) {
        if (r.sla) rules.push(SLA_RULE(r.name));
        else if (r.query) rules.push(ruleOf(r.query, r.name ?? `rule ${i + 1}`, r.max, `rules[${i}]`));
        else throw new UsageError(`rules[${i}]: needs query (or sla: true)`);
      }
      if (input.query) rules.push(ruleOf(input.query, input.name ?? input.query, input.max, 'query'));
      if (input.sla) rules.push(SLA_RULE());
      if (rules.length === 0) throw new UsageError('nothing to check: give query, sla: true or rules');
      const results = await evaluateRules(await deps.client(), rules);
      const passed = results.every((r) => r.passed);
      const text = results.map((r) => (r.passed ? `✓ ${r.name}: ${r.count} ≤ ${r.max}` : `✗ ${r.name}: ${r.count} tickets match "${r.query}" (max ${r.max}): ${r.offending.map((id) => `#${id}`).join(' ')}`)).join('\n');
      return { data: { passed, rules: results }, text };
    },
  }),
  tool({
    name: 'events',
    title: 'Follow changes',
    description: `The change feed: every event you may see, oldest first, after event id "after" (0 or absent: from the start), optionally only for tickets matching query (${QUERY_HELP}). To follow, pass next_cursor as after on the next call; wait holds the call until something happens.`,
    input: z
      .object({
        after: z.number().int().min(0).optional().describe('the last event id already seen'),
        query: z.string().trim().min(1).optional().describe('only events of tickets matching this query'),
        limit: z.number().int().min(1).max(1000).default(100),
        wait: z.number().int().min(0).max(60).optional().describe('seconds to hold the call until an event arrives (at most 60); none: an empty page at the same cursor'),
      })
      .strict(),
    output: z.object({ items: z.array(Event.loose()), next_cursor: z.string().nullable().describe('pass it as after on the next call') }),
    annotations: READ,
    async run(deps, input) {
      const r = await (await deps.client()).request<{ items: z.output<typeof Event>[]; next_cursor: string | null }>('GET', '/v1/events', {
        query: { after: input.after, q: input.query, limit: input.limit, wait: input.wait },
      });
      const { items, next_cursor } = r.body;
      const text = items.length
        ? items.map((e) => `${e.id} ${e.at} #${e.ticket_id} ${e.kind}${e.from || e.to ? ` ${e.from ?? '-'} → ${e.to ?? '-'}` : ''} by ${e.actor}`).join('\n')
        : 'no new events';
      return { data: { items, next_cursor }, text };
    },
  }),
];

/** A read of the registry offered as it is: its path and query parameters in, its answer out. */
function derivedTool(op: Operation): Tool | undefined {
  if ((op.shape !== 'record' && op.shape !== 'list') || !op.result || !op.tool) return undefined;
  const route = routeOf(op)!;
  const names = pathParams(route.path);
  const input = (op.params ?? z.object({})).extend(op.query?.shape ?? {}).strict();
  const output = op.shape === 'list' ? z.object({ items: (op.result as z.ZodObject).shape.items as z.ZodType }) : (op.result as z.ZodObject);
  return tool({
    name: op.tool,
    title: op.summary ?? op.tool,
    description: op.description ?? op.summary ?? op.tool,
    input,
    output,
    annotations: READ,
    async run(deps, given) {
      const values = given as Record<string, unknown>;
      const query = Object.fromEntries(Object.entries(values).filter(([k]) => !names.includes(k)));
      const args = [...names.map((n) => values[n]), ...(op.query ? [query] : [])];
      const value = await (await deps.client()).invoke(op, args);
      const data = op.shape === 'list' ? { items: value } : (value as Record<string, unknown>);
      return { data, text: JSON.stringify(data, null, 2) };
    },
  });
}

/**
 * The tools of a registry's operations, in its order: the one written by hand where there is one, else the derived
 * read. Whether a tool only reads is the registry's word; a hand tool that says otherwise is a fault found at load.
 */
export function toolsFor(operations: Operations): Tool[] {
  return Object.entries(operations).flatMap(([name, op]) => {
    if (!op.tool) return [];
    const made = HAND_TOOLS.find((t) => t.name === op.tool) ?? derivedTool(op);
    if (!made) throw new Error(`operation ${name}: no MCP tool ${op.tool} is written, and only reads are derived`);
    if (made.annotations.readOnlyHint !== op.readOnly) throw new Error(`MCP tool ${op.tool}: readOnlyHint ${made.annotations.readOnlyHint}, but operation ${name} is ${op.readOnly ? '' : 'not '}read-only`);
    return [made];
  });
}

export const TOOLS: Tool[] = toolsFor(TIX_OPERATIONS);

/** Tools that change nothing. */
export const isReadOnly = (t: Tool) => t.annotations.readOnlyHint;

