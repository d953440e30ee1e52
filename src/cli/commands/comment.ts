// tix comment: internal by default; customer-visible text needs --public.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { checkAttachment, checkAttachmentCount } from '../../domain/attachments.js';
import { parseId, required } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

export async function run(ctx: Context, [rawId]: string[], opts: Record<string, unknown>) {
  const id = parseId(rawId!);
  const attachments = readAttachments(Array.isArray(opts.attach) ? (opts.attach as string[]) : []);
  const body = await required(ctx, opts.body, '--body', opts.public ? 'Public comment (the requester will read it)' : 'Internal comment');
  const client = await ctx.client();
  const c = await client.comment(id, { body, public: Boolean(opts.public), ...(attachments.length ? { attachments } : {}) });
  if (ctx.format !== 'table') ctx.out(`${JSON.stringify(c, null, 2)}\n`);
  ctx.status(`✓ ${c.public ? 'Public' : 'Internal'} comment added to #${id}`);
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
