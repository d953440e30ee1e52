// tix create: open a ticket.
import type { Backend } from '../../providers/types.js';
import { CHANNELS, TICKET_TYPES } from '../../domain/enums.js';
import type { ResultItem } from '../../domain/envelope.js';
import { diffTickets } from '../../domain/results.js';
import type { CreateTicketBody, Ticket } from '../../domain/schemas.js';
import { parseChoice, parsePriority, required } from '../args.js';
import { oneChange, reportOne, type ChangeOutcome } from '../bulk.js';
import type { Context } from '../context.js';

/** What a new ticket sets: every field given a value, from nothing. */
const born = (fields: Partial<Ticket>) =>
  diffTickets({}, fields).filter((c) => c.to !== null && !(Array.isArray(c.to) && c.to.length === 0));

const requalifiedNote = (asked: string, given: string) => `requested ${asked}, requalified to ${given} (see the internal note)`;

/** Opens the ticket (or, in a dry run, says what it would open) and answers the envelope. */
export function createTicket(client: Backend, body: CreateTicketBody, opts: { dryRun?: boolean } = {}): Promise<ChangeOutcome> {
  return oneChange(null, Boolean(opts.dryRun), async (): Promise<ResultItem> => {
    if (opts.dryRun) {
      const fields = { subject: body.subject, description: body.description, status: 'new' as const, priority: body.priority === 'urgent' ? 'critical' : body.priority, channel: body.channel ?? 'portal', type: body.type, requester: body.requester, tags: body.tags };
      return { id: null, outcome: 'would_change', changes: born(fields as Partial<Ticket>) };
    }
    const t = await client.createTicket(body);
    const asked = body.priority === 'urgent' ? 'critical' : body.priority;
    // the server may open it at another priority than asked (requesters need a justification for high)
    const requalified = asked !== undefined && asked !== t.priority ? { reason: requalifiedNote(asked, t.priority) } : {};
    return { id: t.id, outcome: 'changed', changes: born(t), ticket: t, ...requalified };
  });
}

export async function run(ctx: Context, _args: string[], opts: Record<string, unknown>) {
  const subject = await required(ctx, opts.subject, '--subject', 'Subject');
  const description = await required(ctx, opts.description, '--description', 'Description');
  const priority = opts.priority === undefined ? undefined : parsePriority(opts.priority, '--priority');
  const body: CreateTicketBody = {
    subject,
    description,
    priority,
    justification: typeof opts.justification === 'string' ? opts.justification : undefined,
    channel: parseChoice(opts.channel, '--channel', CHANNELS),
    type: parseChoice(opts.type, '--type', TICKET_TYPES),
    requester: typeof opts.requester === 'string' ? opts.requester : undefined,
    tags: Array.isArray(opts.tag) ? (opts.tag as string[]) : undefined,
  };
  await reportOne(ctx, async () => createTicket(await ctx.client(), body, { dryRun: Boolean(opts.dryRun) }), (r, outcome) => {
    if (outcome.envelope.dry_run) {
      ctx.out(`${r.changes.map((c) => `${c.field}: ${String(c.to)}`).join('\n')}\n`);
      ctx.status('dry run: nothing was created');
      return;
    }
    const t = r.ticket as Ticket;
    ctx.out(`${t.id}\n`);
    ctx.status(`✓ Opened #${t.id} (${t.priority})${r.reason ? `: ${r.reason}` : ''}`);
  });
}
