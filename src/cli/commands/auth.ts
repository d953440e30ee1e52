// tix auth: the token comes from stdin (--with-token) or a hidden prompt, never from argv.
import { redactor, type Context } from '../context.js';
import type { TixClient } from '../../client/index.js';
import { ProtocolError } from '../../client/errors.js';
import type { User } from '../../domain/schemas.js';
import { AuthError, UsageError } from '../errors.js';
import { jsonText, messageText, multiLine, oneLine } from '../output/index.js';

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const chunk of stdin) s += chunk.toString();
  return s.trim();
}

/** GET /v1/me must answer a user: a profile is never saved on an answer that names nobody. */
async function confirmedUser(client: TixClient, url: string): Promise<User> {
  // the raw answer, not client.me(): the User schema is the check here, whatever shape came back
  const me = client.request<unknown>('GET', '/v1/me').then((r) => r.body);
  const [answer, { User: UserSchema }] = await Promise.all([me, import('../../domain/schemas.js')]);
  const parsed = UserSchema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.join('.') || 'the answer';
  throw new ProtocolError(`${url} answered GET /v1/me without a valid user (${where} is wrong); nothing was saved: check the URL points at a tix server`, url);
}

export async function login(ctx: Context, _args: string[], opts: Record<string, unknown>) {
  const config = await ctx.config();
  const profile = ctx.profileName(config);
  const url = ctx.globals.url ?? ctx.env.TIX_URL ?? config.profile(profile)?.url;
  if (!url) throw new UsageError('missing --url (the server to log in to)');
  let token: string;
  if (opts.withToken) token = await readStdin(ctx.io.stdin);
  else if (ctx.canPrompt) {
    const { password } = await import('@inquirer/prompts');
    token = (await password({ message: `Token for ${url}`, mask: true }, ctx.promptStreams)).trim();
  } else throw new UsageError('no token: pipe it with --with-token, or run on a terminal to be prompted');
  if (!token) throw new UsageError('empty token');
  const provider = ctx.provider({ provider: typeof opts.provider === 'string' ? opts.provider : config.profile(profile)?.provider });
  if (provider === 'rt') return loginRt(ctx, { profile, url, token, user: typeof opts.user === 'string' ? opts.user : undefined });
  if (opts.user !== undefined) throw new UsageError('--user goes with --provider rt: a tix server says who owns a token');
  const { TixClient } = await import('../../client/index.js');
  const hide = redactor(token);
  const client = new TixClient({
    baseUrl: url,
    token,
    timeoutMs: ctx.timeoutMs,
    debug: ctx.globals.debug ? (line) => ctx.io.stderr.write(`${messageText(hide(line))}\n`) : undefined,
  });
  try {
    const me = await confirmedUser(client, url);
    await config.saveProfile(profile, { url, user: me.login, provider: 'tix' });
    await ctx.saveToken(profile, token);
    if (!config.defaultProfile) await config.setDefaultProfile(profile);
    if (ctx.format === 'json') ctx.out(`${jsonText({ profile, url, user: me.login, role: me.role })}\n`);
    ctx.status(`✓ Logged in to ${url} as ${me.login} (${me.role}); saved as profile "${profile}"`);
  } finally {
    await client.dispose();
  }
}

/** Request Tracker: the token is checked on the instance, and the user (RT cannot name a token's owner) must exist there. */
async function loginRt(ctx: Context, a: { profile: string; url: string; token: string; user?: string }) {
  const config = await ctx.config();
  const { RtBackend } = await import('../../providers/rt/backend.js');
  const hide = redactor(a.token);
  const rt = new RtBackend({
    baseUrl: a.url,
    token: a.token,
    user: a.user,
    timeoutMs: ctx.timeoutMs,
    debug: ctx.globals.debug ? (line) => ctx.io.stderr.write(`${messageText(hide(line))}\n`) : undefined,
  });
  try {
    const { version } = await rt.health();
    const me = a.user ? await rt.me() : undefined;
    await config.saveProfile(a.profile, { url: a.url, provider: 'rt', ...(me ? { user: me.login } : {}) });
    await ctx.saveToken(a.profile, a.token);
    if (!config.defaultProfile) await config.setDefaultProfile(a.profile);
    if (ctx.format === 'json') ctx.out(`${jsonText({ profile: a.profile, url: a.url, provider: 'rt', user: me?.login ?? null, role: me?.role ?? null })}\n`);
    ctx.status(`✓ Logged in to ${version} at ${a.url}${me ? ` as ${me.login}` : ''}; saved as profile "${a.profile}"${me ? '' : ' (add --user LOGIN so "me" means you)'}`);
  } finally {
    await rt.dispose();
  }
}

export async function status(ctx: Context) {
  const { url, token, profile } = await ctx.target();
  if (!token) throw new AuthError(`not logged in (profile "${profile}"); run \`tix auth login\``);
  const client = await ctx.client();
  const me = await client.me();
  const store = (await ctx.config()).profile(profile)?.token_store;
  const source = ctx.env.TIX_TOKEN ? 'TIX_TOKEN' : store === 'keyring' ? 'OS keyring' : 'credentials file';
  const info = { profile, url, user: me.login, role: me.role, org: me.org, token_source: source };
  if (ctx.format === 'json') ctx.out(`${jsonText(info, 2)}\n`);
  else ctx.out(multiLine(`profile  ${profile}\nserver   ${url}\nuser     ${oneLine(me.login)} (${oneLine(`${me.role}${me.org ? `, ${me.org}` : ''}`)})\ntoken    from ${source} (hidden)\n`));
}

export async function logout(ctx: Context) {
  const config = await ctx.config();
  const profile = ctx.profileName(config);
  const removed = await config.removeToken(profile);
  ctx.status(removed ? `✓ Removed the token of profile "${profile}"` : `profile "${profile}" had no stored token`);
}

export async function token(ctx: Context) {
  const { token, profile } = await ctx.target();
  if (!token) throw new AuthError(`not logged in (profile "${profile}"); run \`tix auth login\``);
  if (ctx.isStdoutTTY) ctx.warn('printing a secret to the terminal');
  ctx.out(`${token}\n`);
}
