// tix user list | create | token | revoke: the admin routes of the API, for people and scripts.
import { LOGIN_PATTERN } from '../../domain/enums.js';
import { USER_FIELDS } from '../../domain/fields.js';
import type { User } from '../../domain/schemas.js';
import { ApiError } from '../../client/errors.js';
import { required } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { genericListWriter, jsonText, parseFields, printObject } from '../output/index.js';

const fieldsOf = (ctx: Context) => parseFields(ctx.globals.json as string | true | undefined, USER_FIELDS);

const human = (u: User) =>
  [
    `${u.login}  (id ${u.id})`,
    `name      ${u.name}`,
    `role      ${u.role}${u.org_admin ? ' (org admin)' : ''}`,
    `org       ${u.org ?? '-'}`,
    `email     ${u.email ?? '-'}`,
    `created   ${u.created_at}`,
    '',
  ].join('\n');

function login(raw: string | undefined): string {
  const s = String(raw ?? '');
  if (!LOGIN_PATTERN.test(s)) throw new UsageError(`invalid login "${s}"; a login is lowercase letters, digits, . _ - (at most 64)`);
  return s;
}

export async function list(ctx: Context) {
  const fields = fieldsOf(ctx);
  const client = await ctx.client();
  const users = await client.users();
  const writer = genericListWriter<User>(ctx.io.stdout, { ...ctx.outputOptions(), fields }, [
    { header: 'ID', get: (u) => String(u.id) },
    { header: 'LOGIN', get: (u) => u.login },
    { header: 'ROLE', get: (u) => (u.org_admin ? `${u.role} (org admin)` : u.role) },
    { header: 'ORG', get: (u) => u.org ?? '' },
    { header: 'NAME', get: (u) => u.name },
    { header: 'EMAIL', get: (u) => u.email ?? '' },
  ]);
  for (const u of users) writer.write(u);
  writer.end();
}

export async function create(ctx: Context, [raw]: string[], opts: Record<string, unknown>) {
  const name = login(raw);
  const fields = fieldsOf(ctx);
  const role = (await required(ctx, opts.role, '--role', 'Role (admin, agent or requester)')) as User['role'];
  if (opts.orgAdmin && opts.org === undefined) throw new UsageError('--org-admin needs --org (the organization they see)');
  const client = await ctx.client();
  const user = await client.createUser({
    login: name,
    name: typeof opts.name === 'string' ? opts.name : name,
    role,
    ...(typeof opts.email === 'string' ? { email: opts.email } : {}),
    ...(typeof opts.org === 'string' ? { org: opts.org } : {}),
    org_admin: Boolean(opts.orgAdmin),
  });
  printObject(ctx.io.stdout, user, { ...ctx.outputOptions(), fields }, human);
  ctx.status(`✓ Created ${user.role} ${user.login}; issue a token with \`tix user token ${user.login}\``);
}

export async function token(ctx: Context, [raw]: string[], opts: Record<string, unknown>) {
  const name = login(raw);
  const client = await ctx.client();
  const user = (await client.users()).find((u) => u.login === name);
  if (!user) throw new ApiError({ type: 'about:blank', title: 'Not Found', status: 404, detail: `user ${name} not found; see \`tix user list\``, code: 'not_found' });
  const issued = await client.createToken(user.id, typeof opts.name === 'string' ? opts.name : 'cli');
  if (ctx.format === 'json') ctx.out(`${jsonText(issued)}\n`);
  else ctx.out(`${issued.token}\n`);
  ctx.warn(`token ${issued.id} for ${user.login} is shown once and never again; revoke it with \`tix user revoke ${issued.id}\``);
}

export async function revoke(ctx: Context, [raw]: string[]) {
  const s = String(raw ?? '').trim();
  if (!/^[1-9]\d{0,15}$/.test(s)) throw new UsageError(`invalid token id "${raw}"; token ids are positive integers`);
  const client = await ctx.client();
  await client.revokeToken(Number(s));
  if (ctx.format === 'json') ctx.out(`${JSON.stringify({ revoked: Number(s) })}\n`);
  ctx.status(`✓ Revoked token ${s}; it no longer authenticates`);
}
