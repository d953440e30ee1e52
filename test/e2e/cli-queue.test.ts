// The queue through the real CLI: list order and output, show, create's priority policy, triage.
import { describe, expect, test } from 'vitest';
import {
  api, commentsOf, createTicket, eventsOf, getTicket, json, setCreatedAt, tix,
  type TixOptions, serverForFile } from '../helpers/tix.js';

const { server, users } = serverForFile();
const run = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts });


describe('tix list', () => {
  test('prints tickets in queue order: highest priority first, then oldest first, then lowest id', async () => {
    const tag = 'queue-order';
    const open = async (priority: string) => (await createTicket(server, { subject: `queue ${priority}`, priority, tags: [tag] })).id;
    // opened in an order that matches none of the sort keys
    const lowOldest = await open('low');
    const criticalNewer = await open('critical');
    const mediumTieFirst = await open('medium');
    const criticalOlder = await open('critical');
    const mediumTieSecond = await open('medium');
    const mediumOldest = await open('medium');
    await setCreatedAt(server, {
      [lowOldest]: '2026-01-01T00:00:00.000Z',
      [mediumOldest]: '2026-01-02T00:00:00.000Z',
      [mediumTieFirst]: '2026-01-03T08:00:00.000Z',
      [mediumTieSecond]: '2026-01-03T08:00:00.000Z',
      [criticalOlder]: '2026-01-05T09:00:00.000Z',
      [criticalNewer]: '2026-01-05T10:00:00.000Z',
    });
    const expected = [criticalOlder, criticalNewer, mediumOldest, mediumTieFirst, mediumTieSecond, lowOldest];

    const asJson = await run(['list', `tag:${tag}`, '--json', 'id']);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(json(asJson)).toEqual(expected.map((id) => ({ id })));

    const asIds = await run(['list', `tag:${tag}`, '--format', 'ids']);
    expect(asIds.code, asIds.stderr).toBe(0);
    expect(asIds.stdout).toBe(expected.map((id) => `${id}\n`).join(''));
  });

  test('piped, prints one tab-separated line per ticket with no header and no colour, even without NO_COLOR', async () => {
    const tag = 'piped-table';
    const a = await createTicket(server, { subject: 'Checkout fails for EU cards', priority: 'high', tags: [tag] });
    const b = await createTicket(server, { subject: 'Typo on the invoice page', priority: 'low', tags: [tag] });

    const r = await run(['list', `tag:${tag}`], { env: { NO_COLOR: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const rows = r.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
    expect(rows).toEqual([
      [String(a.id), 'high', 'new', '', '', a.created_at, a.subject],
      [String(b.id), 'low', 'new', '', '', b.created_at, b.subject],
    ]);
  });
});

describe('tix show', () => {
  test('prints one ticket with its subject, status and priority', async () => {
    const t = await createTicket(server, { subject: 'Reports load slowly', priority: 'high' });
    const other = await createTicket(server, { subject: 'Some other ticket' });
    const r = await run(['show', String(t.id)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`#${t.id} Reports load slowly`);
    expect(r.stdout).toMatch(/^status:\s+new$/m);
    expect(r.stdout).toMatch(/^priority:\s+high$/m);
    expect(r.stdout).not.toContain(other.subject as string);
  });

  test('--json status,priority prints only those two fields', async () => {
    const t = await createTicket(server, { subject: 'Only two fields', priority: 'high' });
    const r = await run(['show', String(t.id), '--json', 'status,priority']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual({ status: 'new', priority: 'high' });
  });

  test('--json with an unknown field exits 2 and lists the valid fields', async () => {
    const t = await createTicket(server, { subject: 'Unknown field' });
    const r = await run(['show', String(t.id), '--json', 'status,bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('usage');
    expect(error.message).toContain('"bogus"');
    for (const field of ['id', 'subject', 'status', 'priority', 'escalation']) expect(error.message).toContain(field);
  });
});

describe('tix create', () => {
  test('a ticket that arrives by email starts at low', async () => {
    const r = await run(['create', '--subject', 'Forwarded mail', '--description', 'from the inbox', '--channel', 'email', '--json'], { env: users.acmeRequester.env });
    expect(r.code, r.stderr).toBe(0);
    const t = json(r).results[0].ticket;
    expect(t).toMatchObject({ channel: 'email', priority: 'low', status: 'new', requester: users.acmeRequester.login });
    expect((await getTicket(server, t.id)).priority).toBe('low');
  });

  test('a ticket from the portal starts at medium', async () => {
    const r = await run(['create', '--subject', 'Portal ticket', '--description', 'typed in the portal', '--channel', 'portal', '--json'], { env: users.acmeRequester.env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).results[0]).toMatchObject({ outcome: 'changed', ticket: { channel: 'portal', priority: 'medium' } });
  });

  test("a requester's --priority high without a justification becomes medium, with an internal note and a requalified event the requester does not see", async () => {
    const requester = users.acmeRequester;
    const r = await run(['create', '--subject', 'Please hurry', '--description', 'it is important to us', '--priority', 'high', '--json'], { env: requester.env });
    expect(r.code, r.stderr).toBe(0);
    const t = json(r).results[0].ticket;
    expect(t.priority).toBe('medium');
    expect(json(r).results[0].reason).toMatch(/requalified to medium/);
    const text = await run(['create', '--subject', 'Please hurry too', '--description', 'it is important to us', '--priority', 'high'], { env: requester.env });
    expect(text.stderr).toMatch(/requalified to medium/);

    const events = await eventsOf(server, t.id, users.agent.token);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'requalified', from: 'high', to: 'medium', internal: true }));
    const comments = await commentsOf(server, t.id, users.agent.token);
    expect(comments).toContainEqual(expect.objectContaining({ public: false, body: expect.stringMatching(/requalified to medium/) }));

    const seen = await run(['show', String(t.id), '--comments', '--events', '--json'], { env: requester.env });
    expect(seen.code, seen.stderr).toBe(0);
    const view = json(seen);
    expect(view.priority).toBe('medium');
    expect(view.events.map((e: { kind: string }) => e.kind)).not.toContain('requalified');
    expect(view.events.every((e: { internal: boolean }) => !e.internal)).toBe(true);
    expect(view.comments.filter((c: { public: boolean }) => !c.public)).toEqual([]);
  });

  test("a requester's --priority high with a justification stays high", async () => {
    const r = await run(
      ['create', '--subject', 'EU checkout down', '--description', 'every card payment fails', '--priority', 'high', '--justification', 'all EU customers cannot pay', '--json'],
      { env: users.acmeRequester.env },
    );
    expect(r.code, r.stderr).toBe(0);
    const t = json(r).results[0].ticket;
    expect(t.priority).toBe('high');
    expect((await eventsOf(server, t.id, users.agent.token)).map((e) => e.kind)).not.toContain('requalified');
  });
});

describe('tix triage', () => {
  test('takes a new ticket to in_progress with the given team, level and assignee, and records a triaged event', async () => {
    const t = await createTicket(server, { subject: 'Needs triage' });
    const r = await run(['triage', String(t.id), '--team', 'engineering', '--level', '2', '--assignee', users.agent.login], { env: users.agent.env });
    expect(r.code, r.stderr).toBe(0);
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'in_progress', team: 'engineering', level: 2, assignee: users.agent.login });
    expect(await eventsOf(server, t.id)).toContainEqual(expect.objectContaining({ kind: 'triaged', from: 'new', to: 'in_progress', actor: users.agent.login }));
  });

  test('of a ticket that is no longer new exits 5 and changes nothing', async () => {
    const t = await createTicket(server, { subject: 'Already triaged' });
    await api(server, 'POST', `/v1/tickets/${t.id}/triage`, { body: {} });
    const before = await getTicket(server, t.id);
    const r = await run(['triage', String(t.id), '--team', 'support'], { env: users.agent.env });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/only new tickets/);
    const after = await getTicket(server, t.id);
    expect(after).toMatchObject({ status: 'in_progress', team: null, version: before.version });
  });
});
