// tix create: open a ticket.
import { CHANNELS, TICKET_TYPES } from '../../domain/enums.js';
import { required } from '../bulk.js';
import type { Context } from '../context.js';
import { parseChoice, parsePriority } from './mutate.js';

export async function run(ctx: Context, _args: string[], opts: Record<string, unknown>) {
  const subject = await required(ctx, opts.subject, '--subject', 'Subject');
  const description = await required(ctx, opts.description, '--description', 'Description');
  const priority = opts.priority === undefined ? undefined : parsePriority(opts.priority, '--priority');
  const client = await ctx.client();
  const t = await client.createTicket({
    subject,
    description,
    priority,
    justification: typeof opts.justification === 'string' ? opts.justification : undefined,
    channel: parseChoice(opts.channel, '--channel', CHANNELS),
    type: parseChoice(opts.type, '--type', TICKET_TYPES),
    requester: typeof opts.requester === 'string' ? opts.requester : undefined,
    tags: Array.isArray(opts.tag) ? (opts.tag as string[]) : undefined,
  });
  if (ctx.format === 'table') ctx.out(`${t.id}\n`);
  else ctx.out(`${JSON.stringify(t, null, 2)}\n`);
  ctx.status(`✓ Opened #${t.id} (${t.priority})${priority && priority !== t.priority ? `: requested ${priority}, requalified to ${t.priority} (see the internal note)` : ''}`);
}
