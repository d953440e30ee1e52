// tix show: one ticket, optionally with comments and the audit trail.
import { TICKET_FIELDS } from '../../domain/fields.js';
import { parseId } from '../bulk.js';
import type { Context } from '../context.js';
import { parseFields, pick, renderTicketDetail } from '../output/index.js';

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
    ctx.out(renderTicketDetail(ticket, { comments, events }, output));
    return;
  }
  const full = { ...ticket, ...(comments ? { comments } : {}), ...(events ? { events } : {}) };
  const value = pick(full, fields);
  ctx.out(output.format === 'ndjson' ? `${JSON.stringify(value)}\n` : output.format === 'ids' ? `${ticket.id}\n` : `${JSON.stringify(value, null, 2)}\n`);
}
