// tix show: one ticket, optionally with comments and the audit trail.
import { TICKET_FIELDS } from '../../domain/fields.js';
import { parseId } from '../args.js';
import type { Context } from '../context.js';
import { jsonText, oneLine, parseFields, pick, renderTicketDetail } from '../output/index.js';

export async function run(ctx: Context, [rawId]: string[], opts: Record<string, unknown>) {
  const id = parseId(rawId!);
  const fields = parseFields(ctx.globals.json as string | true | undefined, [...TICKET_FIELDS, 'comments', 'events']);
  const output = ctx.outputOptions();
  const client = await ctx.client();
  const [ticket, comments, events] = await Promise.all([
    client.getTicket(id),
    opts.comments ? client.comments(id) : undefined,
    opts.events ? client.events(id) : undefined,
  ]);
  if (output.format === 'table') {
    // the running escalation's state and estimate belong in the human view; requesters cannot read it
    const escalation = ticket.escalation ? await client.escalation(ticket.escalation).catch(() => null) : null;
    ctx.out(renderTicketDetail(ticket, { comments, events, escalation }, output));
    return;
  }
  const full = { ...ticket, ...(comments ? { comments } : {}), ...(events ? { events } : {}) };
  const value = pick(full, fields);
  ctx.out(output.format === 'ndjson' ? `${jsonText(value)}\n` : output.format === 'ids' ? `${oneLine(String(ticket.id))}\n` : `${jsonText(value, 2)}\n`);
}
