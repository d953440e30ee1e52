// Who sees what, through the real CLI acting as each user (TIX_TOKEN = their token).
import { beforeAll, expect, test } from 'vitest';
import { api, commentsOf, createTicket, eventsOf, getTicket, json, serverForFile, tix, type TixOptions } from '../helpers/tix.js';

const { server, users } = serverForFile();
const run = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts });

const PUBLIC_REPLY = 'Thanks, we are looking into it.';
const INTERNAL_NOTE = 'Internal: suspect the new rate limiter, see runbook 12.';
let ritaTicket: number; // acme, opened by the plain acme requester
let olgaTicket: number; // acme, opened by the acme org admin
let globexTicket: number;

beforeAll(async () => {
  // asking for high without a justification leaves an internal note and an internal event
  ritaTicket = (await createTicket(server, { subject: 'Exports fail', priority: 'high' }, users.acmeRequester.token)).id;
  await api(server, 'POST', `/v1/tickets/${ritaTicket}/comments`, { token: users.agent.token, body: { body: PUBLIC_REPLY, public: true } });
  await api(server, 'POST', `/v1/tickets/${ritaTicket}/comments`, { token: users.agent.token, body: { body: INTERNAL_NOTE, public: false } });
  await api(server, 'POST', `/v1/tickets/${ritaTicket}/escalate`, { token: users.agent.token, body: { reason: 'needs engineering: exporter crashes' } });
  olgaTicket = (await createTicket(server, { subject: 'Add a billing contact' }, users.acmeOrgAdmin.token)).id;
  globexTicket = (await createTicket(server, { subject: 'Globex SSO' }, users.globexRequester.token)).id;
});

test('a requester showing their own ticket with --comments --events sees public ones only, never internal comments or events', async () => {
  // the agent's view proves there is something internal to hide
  expect((await commentsOf(server, ritaTicket, users.agent.token)).filter((c) => !c.public).length).toBeGreaterThanOrEqual(2);
  expect((await eventsOf(server, ritaTicket, users.agent.token)).filter((e) => e.internal).length).toBeGreaterThanOrEqual(2);

  const r = await run(['show', String(ritaTicket), '--comments', '--events', '--json'], { env: users.acmeRequester.env });
  expect(r.code, r.stderr).toBe(0);
  const view = json(r);
  expect(view.id).toBe(ritaTicket);
  expect(view.comments.map((c: { body: string }) => c.body)).toEqual([PUBLIC_REPLY]);
  expect(view.events.length).toBeGreaterThan(0);
  expect(view.events.filter((e: { internal: boolean }) => e.internal)).toEqual([]);
  const kinds = view.events.map((e: { kind: string }) => e.kind);
  expect(kinds).not.toContain('requalified');
  expect(kinds).not.toContain('escalated');
  expect(r.stdout).not.toContain(INTERNAL_NOTE);
  expect(r.stdout).not.toContain('exporter crashes');
});

test('a requester of globex gets exit 3 for an acme ticket, as if it did not exist', async () => {
  const r = await run(['show', String(ritaTicket)], { env: users.globexRequester.env });
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`ticket ${ritaTicket} not found`);
});

test('an acme org_admin lists every acme ticket and no globex one', async () => {
  const r = await run(['list', '--json', 'id'], { env: users.acmeOrgAdmin.env });
  expect(r.code, r.stderr).toBe(0);
  const ids = json<{ id: number }[]>(r).map((t) => t.id);
  expect(ids.sort((a, b) => a - b)).toEqual([ritaTicket, olgaTicket].sort((a, b) => a - b));
  expect(ids).not.toContain(globexTicket);
});

test('a plain acme requester lists only their own tickets, not the rest of acme', async () => {
  const r = await run(['list', '--json', 'id'], { env: users.acmeRequester.env });
  expect(r.code, r.stderr).toBe(0);
  expect(json(r)).toEqual([{ id: ritaTicket }]);
});

test('a requester who tries to change priority exits 4 and the priority stays', async () => {
  const before = await getTicket(server, olgaTicket);
  const r = await run(['reprioritize', String(olgaTicket), '--to', 'critical', '--reason', 'we really need this today'], { env: users.acmeOrgAdmin.env });
  expect(r.code).toBe(4);
  expect(await getTicket(server, olgaTicket)).toMatchObject({ priority: before.priority, version: before.version });
});
