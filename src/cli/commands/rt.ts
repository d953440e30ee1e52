// tix rt setup: the custom fields and queue an RT instance needs for tix, created where missing.
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonText } from '../output/index.js';

export async function setup(ctx: Context) {
  const { url, token, provider } = await ctx.target();
  if (provider !== 'rt') throw new UsageError('tix rt setup prepares a Request Tracker instance: use a profile logged in with --provider rt, or set TIX_PROVIDER=rt');
  const [{ RtHttp }, { setupRt }] = await Promise.all([import('../../providers/rt/http.js'), import('../../providers/rt/setup.js')]);
  const http = new RtHttp({ baseUrl: url, token: token ?? ctx.env.TIX_TOKEN, timeoutMs: ctx.timeoutMs });
  try {
    const steps = await setupRt(http);
    if (ctx.format === 'json') ctx.out(`${jsonText({ url, steps }, ctx.isStdoutTTY ? 2 : undefined)}\n`);
    else for (const s of steps) ctx.status(`${s.outcome === 'existed' ? '·' : '✓'} ${s.what}: ${s.outcome}`);
  } finally {
    await http.close();
  }
}
