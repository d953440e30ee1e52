// tix api: any path, credentials added.
import { readFileSync } from 'node:fs';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonText, multiLine } from '../output/index.js';

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

async function readBody(ctx: Context, raw: string): Promise<unknown> {
  let text = raw;
  if (raw === '-') {
    text = '';
    for await (const chunk of ctx.io.stdin) text += chunk.toString();
  } else if (raw.startsWith('@')) text = readFileSync(raw.slice(1), 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('--data is not valid JSON');
  }
}

export async function run(ctx: Context, [method, path]: string[], opts: Record<string, unknown>) {
  const m = method!.toUpperCase();
  if (!METHODS.includes(m)) throw new UsageError(`invalid method "${method}"; use ${METHODS.join(', ')}`);
  if (!path!.startsWith('/')) throw new UsageError(`path must start with /, e.g. /v1/tickets`);
  const body = typeof opts.data === 'string' ? await readBody(ctx, opts.data) : undefined;
  const client = await ctx.client();
  const [p, qs] = path!.split('?', 2) as [string, string | undefined];
  const query = Object.fromEntries(new URLSearchParams(qs ?? ''));
  const r = await client.request<unknown>(m, p, { body, query });
  if (r.body === '' || r.body === undefined) return;
  if (typeof r.body !== 'string') ctx.out(`${jsonText(r.body, 2)}\n`);
  // piped, a text answer stays byte for byte what the server sent; a terminal gets no raw control character
  else ctx.out(`${ctx.isStdoutTTY ? multiLine(r.body) : r.body}\n`);
}
