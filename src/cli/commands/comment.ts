// tix comment: internal by default; customer-visible text needs --public.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { checkAttachment, checkAttachmentCount } from '../../domain/attachments.js';
import type { Backend } from '../../providers/types.js';
import type { CommentBody } from '../../domain/schemas.js';
import { parseId, required } from '../args.js';
import { oneChange, reportOne, type ChangeOutcome } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

/** Adds the comment (or, in a dry run, checks the ticket is there) and answers the envelope, the comment in its result. */
export function commentTicket(client: Backend, id: number, body: CommentBody, opts: { dryRun?: boolean } = {}): Promise<ChangeOutcome> {
  const changes = [{ field: 'comments', from: null, to: body.public ? 'public comment' : 'internal comment' }];
  return oneChange(id, Boolean(opts.dryRun), async () => {
    if (opts.dryRun) return { id, outcome: 'would_change', changes, ticket: await client.getTicket(id) };
    return { id, outcome: 'changed', changes, comment: await client.comment(id, body) };
  });
}

export async function run(ctx: Context, [rawId]: string[], opts: Record<string, unknown>) {
  const id = parseId(rawId!);
  const attachments = readAttachments(Array.isArray(opts.attach) ? (opts.attach as string[]) : []);
  const body = await required(ctx, opts.body, '--body', opts.public ? 'Public comment (the requester will read it)' : 'Internal comment');
  const comment = { body, public: Boolean(opts.public), ...(attachments.length ? { attachments } : {}) };
  await reportOne(ctx, async () => commentTicket(await ctx.client(), id, comment, { dryRun: Boolean(opts.dryRun) }), (r, outcome) => {
    if (outcome.envelope.dry_run) ctx.status(`dry run: would add ${opts.public ? 'a public' : 'an internal'} comment to #${id}; nothing was added`);
    else ctx.status(`✓ ${r.comment?.public ? 'Public' : 'Internal'} comment added to #${id}`);
  });
}

/** Checks the files here first, so a refused one costs no upload. */
function readAttachments(paths: string[]): { name: string; data: string }[] {
  const tooMany = checkAttachmentCount(paths.length);
  if (tooMany) throw new UsageError(`--attach: ${tooMany}`);
  return paths.map((path) => {
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      throw new UsageError(`--attach: cannot read ${path} (not a readable file)`);
    }
    const verdict = checkAttachment(basename(path), size);
    if (!verdict.ok) throw new UsageError(`--attach: ${verdict.reason}`);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      throw new UsageError(`--attach: cannot read ${path} (not a readable file)`);
    }
    return { name: basename(path), data: data.toString('base64') };
  });
}
