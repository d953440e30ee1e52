// tix list: the queue, in queue order, streamed page by page.
import { TICKET_FIELDS } from '../../domain/fields.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { parseFields, ticketListWriter } from '../output/index.js';

/** The query sent to the server: terms, then flags as terms, then the default state:open. */
export function buildQuery(terms: string[], opts: Record<string, unknown>): string {
  const parts = [...terms];
  for (const field of ['status', 'priority', 'team', 'assignee'] as const) {
    const v = opts[field];
    if (typeof v === 'string' && v !== '') parts.push(`${field}:${v}`);
  }
  if (typeof opts.state === 'string') parts.push(`state:${opts.state}`);
  const q = parts.join(' ');
  // the queue means open tickets unless the query speaks of status or state
  return /(^|\s)-?(state|status):/.test(q) ? q : `${q} state:open`.trim();
}

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
  const client = await ctx.client();
  const writer = ticketListWriter(ctx.io.stdout, { ...output, fields });
  let n = 0;
  for await (const t of client.allTickets({ q, sort: String(opts.sort ?? 'queue'), max, pageSize: Math.min(max, 1000) })) {
    writer.write(t);
    n++;
  }
  writer.end();
  if (n === 0 && output.format === 'table') ctx.status(`no tickets match "${q}"`);
}
