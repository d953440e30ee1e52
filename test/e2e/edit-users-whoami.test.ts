// The commands an agent went looking for: tix edit after triage, tix user for admins, tix whoami
// (even when the token is refused or the server is down), and the escalations a ticket keeps.
import { describe, expect, it } from 'vitest';
import { api, closedPortUrl, createTicket, eventsOf, getTicket, json, serverForFile, tix, type Ticket, type TixOptions } from '../helpers/tix.js';

const { server, users } = serverForFile();
const asAgent = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts, env: { ...users.agent.env, ...opts.env } });
/** As the admin, through the profile `tix serve` saved: no TIX_TOKEN, no TIX_URL. */
const asAdmin = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts });

async function triaged(subject: string, body: Record<string, unknown> = {}): Promise<Ticket> {
  const t = await createTicket(server, { subject, ...body });
  await api(server, 'POST', `/v1/tickets/${t.id}/triage`, { body: { team: 'support', type: 'question', level: 1 } });
  return getTicket(server, t.id);
}

describe('tix edit', () => {
  it('changes type, team and level of a triaged ticket', async () => {
    const t = await triaged('Edit the triage fields');
    const r = await asAgent(['edit', String(t.id), '--type', 'incident', '--team', 'engineering', '--level', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'in_progress', type: 'incident', team: 'engineering', level: 3 });
  });

  it('--tag +a,-b adds and removes, keeping the other tags', async () => {
    const t = await triaged('Retag me', { tags: ['billing', 'vip'] });
    const r = await asAgent(['edit', String(t.id), '--tag', '+eu,-vip']);
    expect(r.code, r.stderr).toBe(0);
    expect((await getTicket(server, t.id)).tags).toEqual(['billing', 'eu']);
    const removeOnly = await asAgent(['edit', String(t.id), '--tag', '-billing']);
    expect(removeOnly.code, removeOnly.stderr).toBe(0);
    expect((await getTicket(server, t.id)).tags).toEqual(['eu']);
  });

  it('--root-cause links the problem ticket, and none unlinks it', async () => {
    const problem = await triaged('The root problem');
    const incident = await triaged('An incident caused by it');
    expect((await asAgent(['edit', String(incident.id), '--root-cause', String(problem.id)])).code).toBe(0);
    expect((await getTicket(server, incident.id)).root_cause).toBe(problem.id);
    expect((await asAgent(['edit', String(incident.id), '--root-cause', 'none'])).code).toBe(0);
    expect((await getTicket(server, incident.id)).root_cause).toBeNull();
  });

  it('--priority with a justification changes the priority with its event', async () => {
    const t = await triaged('Worse than it looked');
    const r = await asAgent(['edit', String(t.id), '--priority', 'high', '--justification', 'many users affected since the release', '--subject', 'Worse than it looked: all EU users']);
    expect(r.code, r.stderr).toBe(0);
    expect(await getTicket(server, t.id)).toMatchObject({ priority: 'high', subject: 'Worse than it looked: all EU users' });
    expect((await eventsOf(server, t.id)).at(-1)).toMatchObject({ kind: 'priority_changed', from: 'medium', to: 'high', actor: users.agent.login });
  });

  it('--priority with a short or no justification exits 2 and changes nothing', async () => {
    const t = await triaged('No justification');
    const r = await asAgent(['edit', String(t.id), '--priority', 'high', '--justification', 'short']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/10 characters/);
    const missing = await asAgent(['edit', String(t.id), '--priority', 'critical']);
    expect(missing.code).toBe(2);
    expect(await getTicket(server, t.id)).toMatchObject({ priority: 'medium', version: t.version });
  });

  it('several ids go through the bulk engine; a dry run previews and changes nothing', async () => {
    const a = await triaged('Bulk edit a', { tags: ['old'] });
    const b = await triaged('Bulk edit b');
    const dry = await asAgent(['edit', String(a.id), String(b.id), '--team', 'configuration', '--tag', '+eu,-old', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`#${a.id}\\t.*team: support → configuration.*tags: \\[old\\] → \\[eu\\]`));
    expect((await getTicket(server, a.id)).version).toBe(a.version);
    const real = await asAgent(['edit', String(a.id), String(b.id), '--team', 'configuration', '--tag', '+eu,-old']);
    expect(real.code, real.stderr).toBe(0);
    for (const id of [a.id, b.id]) expect(await getTicket(server, id)).toMatchObject({ team: 'configuration', tags: ['eu'] });
  });

  it('reads ids from stdin and takes --query with --yes', async () => {
    const a = await triaged('Edit from stdin', { tags: ['edit-query-x'] });
    const piped = await asAgent(['edit', '-', '--level', '2'], { input: `${a.id}\n` });
    expect(piped.code, piped.stderr).toBe(0);
    expect((await getTicket(server, a.id)).level).toBe(2);
    const q = await asAgent(['edit', '--query', 'tag:edit-query-x', '--team', 'implementation', '--yes']);
    expect(q.code, q.stderr).toBe(0);
    expect((await getTicket(server, a.id)).team).toBe('implementation');
  });

  it('with nothing to change is a usage error naming the flags', async () => {
    const r = await asAgent(['edit', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to change: give --subject, --type, --team, --level, --tag, --root-cause or --priority/);
  });

  it('a requester may not edit: exit 4, nothing changed', async () => {
    const t = await createTicket(server, { subject: 'My own ticket' }, users.acmeRequester.token);
    const r = await tix(['edit', String(t.id), '--team', 'engineering'], { server, env: users.acmeRequester.env });
    expect(r.code).toBe(4);
    expect((await getTicket(server, t.id)).version).toBe(t.version);
  });

  it('with --json answers the result envelope with the edited ticket', async () => {
    const t = await triaged('JSON edit');
    const r = await asAgent(['edit', String(t.id), '--type', 'task', '--json', 'id,type']);
    expect(r.code, r.stderr).toBe(0);
    const envelope = JSON.parse(r.stdout) as { ok: boolean; results: Array<{ id: number; outcome: string; ticket: Record<string, unknown> }> };
    expect(envelope.ok).toBe(true);
    expect(envelope.results).toEqual([expect.objectContaining({ id: t.id, outcome: 'changed', ticket: { id: t.id, type: 'task' } })]);
  });
});

describe('tix show lists every escalation the ticket had', () => {
  it('after it is resolved, in the human view and in --json', async () => {
    const t = await triaged('Escalated twice');
    const first = await api<Ticket>(server, 'POST', `/v1/tickets/${t.id}/escalate`, { body: { reason: 'needs a patch' } });
    await api(server, 'POST', `/v1/escalations/${first.escalation}/advance`, { body: { to: 'resolved' } });
    const second = await api<Ticket>(server, 'POST', `/v1/tickets/${t.id}/escalate`, { body: { reason: 'regressed in 2.5' } });
    await api(server, 'POST', `/v1/escalations/${second.escalation}/advance`, { body: { to: 'resolved' } });
    const shown = await asAgent(['show', String(t.id)]);
    expect(shown.stdout).toMatch(new RegExp(`^escalations: +${first.escalation}, ${second.escalation}$`, 'm'));
    const asJson = await asAgent(['show', String(t.id), '--json', 'escalation,escalations']);
    expect(json(asJson)).toEqual({ escalation: null, escalations: [first.escalation, second.escalation] });
  });
});

describe('tix user', () => {
  it('list shows every user; --json picks fields', async () => {
    const r = await asAdmin(['user', 'list', '--json', 'login,role']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual(expect.arrayContaining([{ login: 'admin', role: 'admin' }, { login: users.agent.login, role: 'agent' }]));
    const piped = await asAdmin(['user', 'list']);
    expect(piped.stdout).toMatch(new RegExp(`^\\d+\\t${users.acmeOrgAdmin.login}\\trequester \\(org admin\\)\\tacme\\t`, 'm'));
  });

  it('create, token, whoami with that token, revoke: the token then no longer works', async () => {
    const created = await asAdmin(['user', 'create', 'nina.ops', '--role', 'agent', '--name', 'Nina Ops', '--email', 'nina@example.com', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(json(created)).toMatchObject({ login: 'nina.ops', role: 'agent', name: 'Nina Ops', email: 'nina@example.com', org: null });

    const issued = await asAdmin(['user', 'token', 'nina.ops']);
    expect(issued.code, issued.stderr).toBe(0);
    // stdout holds the token and nothing else; the note is on stderr
    expect(issued.stdout).toMatch(/^tix_[A-Za-z0-9_-]{16,}\n$/);
    expect(issued.stderr).toMatch(/shown once/);
    const token = issued.stdout.trim();
    const tokenId = /token (\d+) for nina\.ops/.exec(issued.stderr)![1]!;
    expect(issued.stderr).not.toContain(token);

    const who = await tix(['whoami', '--json'], { server, env: { TIX_TOKEN: token } });
    expect(who.code, who.stderr).toBe(0);
    expect(json(who)).toMatchObject({ user: 'nina.ops', role: 'agent', token_source: 'env', server: 'ok' });

    const revoked = await asAdmin(['user', 'revoke', tokenId]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await tix(['list'], { server, env: { TIX_TOKEN: token } });
    expect(refused.code).toBe(4);
  });

  it('create of a requester with --org and --org-admin', async () => {
    const r = await asAdmin(['user', 'create', 'omar.initech', '--role', 'requester', '--org', 'initech', '--org-admin', '--json', 'login,org,org_admin']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual({ login: 'omar.initech', org: 'initech', org_admin: true });
  });

  it('usage errors: a bad role lists the roles, --org-admin needs --org, a bad login, a missing role', async () => {
    const badRole = await asAdmin(['user', 'create', 'x.y', '--role', 'boss']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/admin, agent, requester/);
    expect((await asAdmin(['user', 'create', 'x.y', '--role', 'requester', '--org-admin'])).stderr).toMatch(/--org-admin needs --org/);
    expect((await asAdmin(['user', 'create', 'Not A Login', '--role', 'agent'])).code).toBe(2);
    expect((await asAdmin(['user', 'create', 'x.y'])).stderr).toMatch(/missing --role/);
  });

  it('an existing login is a conflict (5); an unknown user for token is not found (3); an unknown token id is 3', async () => {
    expect((await asAdmin(['user', 'create', users.agent.login, '--role', 'agent'])).code).toBe(5);
    const unknown = await asAdmin(['user', 'token', 'nobody.here']);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toBe('');
    expect((await asAdmin(['user', 'revoke', '999999'])).code).toBe(3);
  });

  it('an agent is refused with exit 4', async () => {
    const r = await asAgent(['user', 'list']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/only admins/);
  });
});

describe('tix whoami', () => {
  it('says the profile, server, user and role, and that URL and token came from the profile', async () => {
    const r = await asAdmin(['whoami']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^profile +local \(the default profile\)$/m);
    expect(r.stdout).toMatch(new RegExp(`^server +${server.url} \\(from profile "local"\\)$`, 'm'));
    expect(r.stdout).toMatch(/^token +from profile "local" \(credentials file; hidden\)$/m);
    expect(r.stdout).toMatch(/^user +admin \(admin\)$/m);
    expect(r.stdout + r.stderr).not.toContain(server.token);
  });

  it('--json names the sources: TIX_URL and TIX_TOKEN are env, --url is flag', async () => {
    const env = await asAgent(['whoami', '--json'], { env: { TIX_URL: server.url } });
    expect(json(env)).toMatchObject({ profile: 'local', url: server.url, url_source: 'env', token_source: 'env', token_store: null, server: 'ok', user: users.agent.login, role: 'agent', org: null });
    const flag = await asAgent(['whoami', '--json', '--url', server.url]);
    expect(json(flag)).toMatchObject({ url_source: 'flag', token_source: 'env' });
  });

  it('a refused token: exit 4, and stdout still says profile, server and why', async () => {
    const r = await tix(['whoami', '--json'], { server, env: { TIX_TOKEN: 'tix_revokedrevokedrevokedrevoked' } });
    expect(r.code).toBe(4);
    expect(json(r)).toMatchObject({ profile: 'local', url: server.url, url_source: 'profile', token_source: 'env', server: 'unauthenticated', user: null, error: { code: 'unauthenticated' } });
    expect(r.stdout + r.stderr).not.toContain('tix_revokedrevokedrevokedrevoked');
    const text = await tix(['whoami'], { server, env: { TIX_TOKEN: 'tix_revokedrevokedrevokedrevoked' } });
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(new RegExp(`^server +${server.url}`, 'm'));
    expect(text.stdout).toMatch(/^user +unknown: invalid or revoked token/m);
  });

  it('a server that is down: exit 6, and stdout still says profile and server', async () => {
    const down = await closedPortUrl();
    const r = await asAgent(['whoami', '--json', '--url', down]);
    expect(r.code).toBe(6);
    expect(json(r)).toMatchObject({ url: down, url_source: 'flag', server: 'unavailable', error: { code: 'unavailable' } });
  });

  it('no token anywhere: exit 4, saying so', async () => {
    const down = await closedPortUrl();
    const r = await tix(['whoami', '--json', '--url', down], { server });
    expect(r.code).toBe(4);
    expect(json(r)).toMatchObject({ token_source: 'none', server: 'no_token' });
  });

  it('tix auth status keeps working', async () => {
    const r = await asAdmin(['auth', 'status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ profile: 'local', url: server.url, user: 'admin', role: 'admin' });
  });
});
