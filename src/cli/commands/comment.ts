// tix comment: internal by default; customer-visible text needs --public.
import { parseId, required } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

export async function run(ctx: Context, [rawId]: string[], opts: Record<string, unknown>) {
  const id = parseId(rawId!);
  if (opts.attach) throw new UsageError('--attach: this server does not accept attachments yet');
  const body = await required(ctx, opts.body, '--body', opts.public ? 'Public comment (the requester will read it)' : 'Internal comment');
  const client = await ctx.client();
  const c = await client.comment(id, { body, public: Boolean(opts.public) });
  if (ctx.format !== 'table') ctx.out(`${JSON.stringify(c, null, 2)}\n`);
  ctx.status(`✓ ${c.public ? 'Public' : 'Internal'} comment added to #${id}`);
}
