// tix list: the queue, in queue order, streamed page by page.
import { TICKET_FIELDS } from '../../domain/fields.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { buildQuery } from '../query.js';
import { parseFields, ticketListWriter } from '../output/index.js';

export function parseLimit(raw: unknown): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid --limit "${String(raw)}"; give a positive number, or --all`);
  return n;
}

export async function run(ctx: Context, args: string[], opts: Record<string, unknown>) {
  const q = buildQuery(args, opts);
  const max = opts.all ? Infinity : parseLimit(opts.limit ?? 50);
  const output = ctx.outputOptions();
  const fields = parseFields(ctx.globals.json as string | true | undefined, TICKET_FIELDS);
  // a listing of everything pages on through a rate limit; a page of 50 fails fast like any one-shot
  const client = await ctx.client({ patient: max === Infinity });
  const writer = ticketListWriter(ctx.io.stdout, { ...output, fields });
  let n = 0;
  for await (const t of client.allTickets({ q, sort: String(opts.sort ?? 'queue'), max, pageSize: Math.min(max, 1000) })) {
    writer.write(t);
    n++;
  }
  writer.end();
  if (n === 0 && output.format === 'table') ctx.status(`no tickets match "${q}"`);
}
