// The result envelope every change answers, and the error object every failure is, for the CLI and MCP alike.
import { z } from 'zod';
import { PROBLEM_CODES } from './enums.js';
import { Comment, Escalation, EscalationId, Ticket } from './schemas.js';

// the pure helpers live apart, so a command that builds envelopes does not load zod
export { CHANGE_FIELDS, diffTickets, isFailedOutcome, summarize } from './results.js';

/** The server's problem codes plus the ones the client itself reports. */
export const ERROR_CODES = [...PROBLEM_CODES, 'usage', 'unavailable', 'interrupted', 'not_sent'] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorObject = z
  .object({
    code: ErrorCode,
    message: z.string().describe('one line: what failed and what to do'),
    status: z.number().int().optional().describe('the HTTP status, when the server answered'),
    id: z.union([z.number().int(), z.string()]).optional().describe('the ticket or escalation the error is about'),
    hint: z.string().optional().describe('what to try next'),
    retry_after: z.number().nonnegative().optional().describe('seconds to wait before trying again'),
  })
  .describe('a failure, as data');
export type ErrorObject = z.infer<typeof ErrorObject>;

/** What a failed command prints on stderr when JSON output was asked for. */
export const ErrorEnvelope = z.object({ error: ErrorObject });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export const OUTCOMES = ['changed', 'unchanged', 'failed', 'would_change', 'would_fail'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const FieldChange = z.object({
  field: z.string(),
  from: z.unknown().describe('the value before (null when unset)'),
  to: z.unknown().describe('the value after'),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** A ticket as printed: `--json FIELDS` keeps only some fields, and new fields may appear. */
export const TicketView = Ticket.partial().loose();

export const ResultItem = z
  .object({
    id: z
      .union([z.number().int().positive(), EscalationId])
      .nullable()
      .describe('the ticket (the new one for create) or, for escalation advance, the escalation; null only when create failed'),
    outcome: Outcome,
    changes: z.array(FieldChange).describe('every field changed, or that a dry run would change'),
    reason: z.string().optional().describe('why nothing changed ("already closed", "done in an earlier run"), or a note on what the server did instead (create: requalified)'),
    ticket: TicketView.optional(),
    comment: Comment.loose().optional().describe('the comment added (comment)'),
    escalation: Escalation.loose().optional().describe('the escalation (escalation advance); escalate names it in ticket.escalation'),
    error: ErrorObject.optional().describe('why it failed, or why a dry run would fail'),
  })
  .describe('one ticket (or escalation) of a change');
export type ResultItem = z.infer<typeof ResultItem>;

export const Summary = z.object({
  changed: z.number().int().nonnegative().describe('changed, or would change in a dry run'),
  unchanged: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative().describe('failed, or would fail in a dry run'),
});
export type Summary = z.infer<typeof Summary>;

export const ResultEnvelope = z
  .object({
    ok: z.boolean().describe('false when anything failed (or would fail)'),
    dry_run: z.boolean(),
    summary: Summary,
    results: z.array(ResultItem),
  })
  .describe('the answer of every command that changes something, for one ticket or many, real or dry run');
export type ResultEnvelope = z.infer<typeof ResultEnvelope>;

/** JSON Schemas of the envelope and the error object, for agents and tool definitions. */
export function envelopeJsonSchemas(): { result: Record<string, unknown>; error: Record<string, unknown> } {
  return {
    result: z.toJSONSchema(ResultEnvelope, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>,
    error: z.toJSONSchema(ErrorEnvelope, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>,
  };
}

export const resultEnvelopeJsonSchema = () => envelopeJsonSchemas().result;
export const errorJsonSchema = () => envelopeJsonSchemas().error;
