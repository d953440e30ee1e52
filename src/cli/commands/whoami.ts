// tix whoami: which profile, server and user are in use, and where each came from; what is known is
// printed even when the server refuses the token or cannot be reached, and the exit code says why.
import { ApiError, UnavailableError } from '../../client/errors.js';
import type { Context } from '../context.js';
import { jsonText } from '../output/text.js';
import { describeError } from '../errors.js';

type Source = 'flag' | 'env' | 'profile' | 'none';

export interface WhoAmI {
  profile: string;
  /** flag (--profile), env (TIX_PROFILE), default (the saved default) or fallback ("local"). */
  profile_source: 'flag' | 'env' | 'default' | 'fallback';
  url: string | null;
  url_source: Source;
  token_source: Source;
  /** Where the profile keeps its token; null when the token came from TIX_TOKEN or there is none. */
  token_store: 'keyring' | 'file' | null;
  /** ok, or why no user is known: no_server, no_token, unauthenticated (token refused), forbidden, unavailable. */
  server: 'ok' | 'no_server' | 'no_token' | 'unauthenticated' | 'forbidden' | 'unavailable' | 'error';
  user: string | null;
  role: string | null;
  org: string | null;
  error?: { code: string; message: string };
}

function render(w: WhoAmI): string {
  const urlFrom = { flag: ' (from --url)', env: ' (from TIX_URL)', profile: ` (from profile "${w.profile}")`, none: '' }[w.url_source];
  const profileFrom = { flag: 'from --profile', env: 'from TIX_PROFILE', default: 'the default profile', fallback: 'no profile chosen' }[w.profile_source];
  const token =
    w.token_source === 'none' ? 'none' : w.token_source === 'env' ? 'from TIX_TOKEN (hidden)' : `from profile "${w.profile}" (${w.token_store === 'keyring' ? 'OS keyring' : 'credentials file'}; hidden)`;
  const user = w.user ? `${w.user} (${w.role}${w.org ? `, ${w.org}` : ''})` : `unknown: ${w.error?.message ?? w.server}`;
  return [`profile  ${w.profile} (${profileFrom})`, `server   ${w.url ?? 'none'}${urlFrom}`, `token    ${token}`, `user     ${user}`, ''].join('\n');
}

export async function run(ctx: Context) {
  const config = await ctx.config();
  const profile = ctx.profileName(config);
  const saved = config.profile(profile);
  const info: WhoAmI = {
    profile,
    profile_source: ctx.globals.profile ? 'flag' : ctx.env.TIX_PROFILE ? 'env' : config.defaultProfile ? 'default' : 'fallback',
    url: ctx.globals.url ?? ctx.env.TIX_URL ?? saved?.url ?? null,
    url_source: ctx.globals.url ? 'flag' : ctx.env.TIX_URL ? 'env' : saved?.url ? 'profile' : 'none',
    token_source: 'none',
    token_store: null,
    server: 'ok',
    user: null,
    role: null,
    org: null,
  };
  const show = () => ctx.out(ctx.format === 'json' ? `${jsonText(info, 2)}\n` : render(info));
  /** Prints what is known, then lets the error decide the exit code (4, 6, ...). */
  const fail = (err: unknown, server: WhoAmI['server']): never => {
    const d = describeError(err);
    info.server = server;
    info.error = { code: d.code, message: ctx.redact(d.message) };
    show();
    throw err;
  };

  let token: string | undefined;
  try {
    ({ token } = await ctx.target());
  } catch (err) {
    fail(err, 'no_server');
  }
  if (token) {
    info.token_source = ctx.env.TIX_TOKEN ? 'env' : 'profile';
    info.token_store = info.token_source === 'profile' ? (saved?.token_store ?? 'file') : null;
  }
  try {
    const me = await (await ctx.client()).me();
    Object.assign(info, { user: me.login, role: me.role, org: me.org });
  } catch (err) {
    if (err instanceof UnavailableError) fail(err, 'unavailable');
    if (err instanceof ApiError && (err.code === 'unauthenticated' || err.code === 'forbidden')) fail(err, err.code);
    fail(err, token ? 'error' : 'no_token');
  }
  show();
}
