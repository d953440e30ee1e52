// The everyday commands against a real Request Tracker 5: the same flags, output and exit codes as on
// tix's own server, and in RT the records its own users see (status, priority, comments, links).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyOf, marker, messagesOf, openTickets, rt, rtCliForFile } from './helpers.js';

const cli = rtCliForFile();

async function create(subject: string, extra: string[] = []): Promise<number> {
  const r = await cli.run(['create', '--subject', subject, '--description', 'the printer prints nothing', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

const ticket = async (id: number) => rt<{ Status: string; Priority: string; Owner: { id: string }; CustomFields: { name: string; values: string[] }[]; _hyperlinks: { ref: string; id: string }[] }>('GET', `/ticket/${id}`);
const cf = (t: Awaited<ReturnType<typeof ticket>>, name: string) => t.CustomFields.find((c) => c.name === name)?.values[0];

describe('reading', () => {
  it('lists a query in queue order: priority highest first, then oldest first', async () => {
    const m = marker('queue');
    // opened in this order: two medium, one critical, one high, one low
    const ids = await openTickets(5, (i) => ({ Subject: `${m} ${i}`, Priority: [50, 50, 150, 100, 0][i] }));
    const r = await cli.run(['list', m, 'priority:medium,high,critical', '--json', 'id,priority']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: ids[2], priority: 'critical' },
      { id: ids[3], priority: 'high' },
      { id: ids[0], priority: 'medium' },
      { id: ids[1], priority: 'medium' },
    ]);
    // pages of RT's page/per_page: --all walks them, --limit stops early
    const all = await cli.run(['list', m, '--all', '--format', 'ids']);
    expect(all.stdout.trim().split('\n').map(Number)).toEqual([ids[2], ids[3], ids[0], ids[1], ids[4]]);
    const two = await cli.run(['list', m, '--limit', '2', '--format', 'ids']);
    expect(two.stdout.trim().split('\n').map(Number)).toEqual([ids[2], ids[3]]);
  });

  it('a query term RT cannot answer is a usage error naming it (exit 2)', async () => {
    const r = await cli.run(['list', 'tag:billing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"tag:billing" has no equivalent on Request Tracker/);
    const sla = await cli.run(['check', '--sla']);
    expect(sla.code).toBe(2);
    expect(sla.stderr).toMatch(/"sla:breached"/);
  });

  it('shows a ticket with its history, in tix words', async () => {
    const id = await create(marker('show'));
    expect((await cli.run(['reprioritize', String(id), '--to', 'high', '--reason', 'many users are affected'])).code).toBe(0);
    const r = await cli.run(['show', String(id), '--events', '--comments', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t).toMatchObject({ id, status: 'new', priority: 'high', description: 'the printer prints nothing', requester: 'root' });
    expect(t.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'priority_changed', 'commented']);
    expect(t.events[1]).toMatchObject({ from: 'medium', to: 'high', actor: 'root', note: 'many users are affected', internal: true });
    expect(t.comments).toHaveLength(1);
    const text = await cli.run(['show', String(id), '--events']);
    expect(text.stdout).toMatch(/priority_changed\s+medium → high\s+by root/);
  });

  it('commands RT has no counterpart for are usage errors that say so (exit 2)', async () => {
    for (const args of [['user', 'list'], ['events'], ['escalation', 'list']]) {
      const r = await cli.run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/not available on Request Tracker/);
    }
  });
});

describe('changing', () => {
  it('creates a ticket in RT with its priority as a number and its type and channel as custom fields', async () => {
    const r = await cli.run(['create', '--subject', marker('create'), '--description', 'cannot log in', '--priority', 'high', '--type', 'incident', '--channel', 'phone', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const envelope = JSON.parse(r.stdout);
    expect(envelope.summary).toEqual({ changed: 1, unchanged: 0, failed: 0 });
    const id = envelope.results[0].id;
    const t = await ticket(id);
    expect(t.Status).toBe('new');
    expect(t.Priority).toBe('100');
    expect([cf(t, 'tix type'), cf(t, 'tix channel'), cf(t, 'tix status')]).toEqual(['incident', 'phone', 'new']);
  });

  it('triages: open in RT, team, type and level as custom fields, the owner set, the justification an internal comment', async () => {
    const id = await create(marker('triage'));
    const r = await cli.run(['triage', String(id), '--priority', 'critical', '--justification', 'the whole office is down', '--team', 'support', '--type', 'incident', '--level', '2', '--assignee', 'me']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ Triaged #/);
    const t = await ticket(id);
    expect([t.Status, t.Priority, t.Owner.id]).toEqual(['open', '150', 'root']);
    expect([cf(t, 'tix status'), cf(t, 'tix team'), cf(t, 'tix type'), cf(t, 'tix level')]).toEqual(['in_progress', 'support', 'incident', '2']);
    const notes = (await messagesOf(id)).filter((m) => m.type === 'Comment');
    expect(notes.map((n) => n.body)).toEqual(['Priority changed from medium to critical at triage. Justification: the whole office is down']);
    // triage is for new tickets only, as on tix's server: a conflict, exit 5
    const again = await cli.run(['triage', String(id), '--team', 'configuration']);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/only new tickets are triaged/);
  });

  it('reprioritizes: the number changes and the justification is an internal comment in RT history, written with it', async () => {
    const id = await create(marker('prio'));
    const r = await cli.run(['reprioritize', String(id), '--to', 'low', '--reason', 'cosmetic only, per the screenshot']);
    expect(r.code, r.stderr).toBe(0);
    const h = await historyOf(id);
    const set = h.findIndex((t) => t.Type === 'Set' && t.Field === 'Priority');
    expect(h[set]).toMatchObject({ OldValue: '50', NewValue: '0' });
    // the very next transaction is the internal comment (Comment, not Correspond) holding the reason
    expect(h[set + 1]!.Type).toBe('Comment');
    const notes = (await messagesOf(id)).filter((m) => m.type === 'Comment');
    expect(notes.map((n) => n.body)).toEqual(['Priority changed from medium to low. Justification: cosmetic only, per the screenshot']);
    // already low: unchanged, and no second comment
    const again = await cli.run(['reprioritize', String(id), '--to', 'low', '--reason', 'cosmetic only, per the screenshot']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already low; nothing changed/);
    expect((await messagesOf(id)).filter((m) => m.type === 'Comment')).toHaveLength(1);
  });

  it('assigns to a login, to me, and to none (RT\'s Nobody)', async () => {
    const id = await create(marker('assign'));
    expect((await cli.run(['assign', String(id), '--to', 'me'])).code).toBe(0);
    expect((await ticket(id)).Owner.id).toBe('root');
    expect((await cli.run(['assign', String(id), '--to', 'none'])).code).toBe(0);
    expect((await ticket(id)).Owner.id).toBe('Nobody');
  });

  it('an RT answer of "200 with failure messages" is a failure: an unknown owner is named and nothing is said to have changed', async () => {
    const id = await create(marker('unknown-owner'));
    const r = await cli.run(['assign', String(id), '--to', 'no.such.agent', '--json']);
    expect(r.code).not.toBe(0);
    const envelope = JSON.parse(r.stdout);
    expect(envelope.results[0]).toMatchObject({ id, outcome: 'failed' });
    expect(envelope.results[0].error.message).toMatch(/did not apply the change to ticket \d+: .*That user does not exist/);
    expect((await ticket(id)).Owner.id).toBe('Nobody');
  });

  it('moves between statuses RT holds in one lifecycle status, the tix status kept in its custom field', async () => {
    const id = await create(marker('move'));
    expect((await cli.run(['move', String(id), '--to', 'pending_customer', '--note', 'asked for the logs'])).code).toBe(0);
    let t = await ticket(id);
    expect([t.Status, cf(t, 'tix status')]).toEqual(['stalled', 'pending_customer']);
    expect((await cli.run(['move', String(id), '--to', 'pending_engineering'])).code).toBe(0);
    t = await ticket(id);
    expect([t.Status, cf(t, 'tix status')]).toEqual(['stalled', 'pending_engineering']);
    const shown = await cli.run(['show', String(id), '--json', 'status']);
    expect(JSON.parse(shown.stdout)).toEqual({ status: 'pending_engineering' });
    const listed = await cli.run(['list', 'status:pending_engineering', '--all', '--format', 'ids']);
    expect(listed.stdout.split('\n')).toContain(String(id));
    expect((await messagesOf(id)).filter((m) => m.type === 'Comment').map((m) => m.body)).toEqual(['asked for the logs']);
    // blocked names its blocker as an RT DependsOn link
    const blocker = await create(marker('blocker'));
    expect((await cli.run(['move', String(id), '--to', 'blocked', '--blocked-by', String(blocker)])).code).toBe(0);
    expect((await ticket(id))._hyperlinks.filter((l) => l.ref === 'depends-on').map((l) => Number(l.id))).toEqual([blocker]);
    const b = await cli.run(['show', String(id), '--json', 'status,blocked_by']);
    expect(JSON.parse(b.stdout)).toEqual({ status: 'blocked', blocked_by: blocker });
  });

  it('escalates: a linked ticket in the Engineering queue, its number the escalation id; closing resolves both', async () => {
    const id = await create(marker('escalate'));
    const r = await cli.run(['escalate', String(id), '--reason', 'needs a patch from engineering', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse(r.stdout).results[0].ticket;
    expect(after).toMatchObject({ status: 'escalated', team: 'engineering', level: 3 });
    const eng = Number(/^CP-(\d+)$/.exec(after.escalation)?.[1]);
    const e = await rt<{ Queue: { id: string }; _hyperlinks: { ref: string; id: string }[] }>('GET', `/ticket/${eng}`);
    const queue = await rt<{ Name: string }>('GET', `/queue/${e.Queue.id}`);
    expect(queue.Name).toBe('Engineering');
    expect(e._hyperlinks.filter((l) => l.ref === 'referred-to-by').map((l) => Number(l.id))).toEqual([id]);
    expect((await messagesOf(eng))[0]!.body).toBe('needs a patch from engineering');
    // a second escalation while one runs is refused, as on tix's server
    const twice = await cli.run(['escalate', String(id), '--reason', 'again please']);
    expect(twice.code).toBe(5);
    const shown = await cli.run(['escalation', 'show', after.escalation, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: after.escalation, ticket_id: id, reason: 'needs a patch from engineering', state: 'submitted' });
    expect((await cli.run(['close', String(id), '--resolution', 'patched in 2.4.1'])).code).toBe(0);
    expect((await rt<{ Status: string }>('GET', `/ticket/${eng}`)).Status).toBe('resolved');
    const closed = await cli.run(['show', String(id), '--json', 'status,escalation,escalations']);
    expect(JSON.parse(closed.stdout)).toEqual({ status: 'closed', escalation: null, escalations: [after.escalation] });
  });

  it('closes (resolved in RT, the resolution an internal comment), re-closes as a no-op, and reopens', async () => {
    const id = await create(marker('close'));
    const r = await cli.run(['close', String(id), '--resolution', 'replaced the toner']);
    expect(r.code, r.stderr).toBe(0);
    let t = await ticket(id);
    expect([t.Status, cf(t, 'tix status')]).toEqual(['resolved', 'closed']);
    const again = await cli.run(['close', String(id), '--resolution', 'replaced the toner', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).results[0]).toMatchObject({ id, outcome: 'unchanged', reason: 'already closed' });
    expect((await messagesOf(id)).filter((m) => m.body.includes('replaced the toner'))).toHaveLength(1);
    const reopened = await cli.run(['reopen', String(id), '--comment', 'it jams again']);
    expect(reopened.code, reopened.stderr).toBe(0);
    t = await ticket(id);
    expect([t.Status, cf(t, 'tix status')]).toEqual(['open', 'in_progress']);
    // reopening an open ticket is refused, exit 5
    expect((await cli.run(['reopen', String(id), '--comment', 'still open'])).code).toBe(5);
  });

  it('comments: internal by default (an RT comment), public with --public (RT correspondence), files attached', async () => {
    const id = await create(marker('comment'));
    const dir = cli.env.HOME!;
    const file = join(dir, 'trace.txt');
    writeFileSync(file, 'GET /login 500\n');
    const internal = await cli.run(['comment', String(id), '--body', 'looks like the cache', '--attach', file]);
    expect(internal.code, internal.stderr).toBe(0);
    expect(internal.stderr).toMatch(/Internal comment added/);
    const pub = await cli.run(['comment', String(id), '--body', 'We are on it.', '--public', '--json']);
    expect(pub.code, pub.stderr).toBe(0);
    expect(JSON.parse(pub.stdout).results[0].comment).toMatchObject({ public: true, body: 'We are on it.', author: 'root' });
    const msgs = (await messagesOf(id)).filter((m) => m.type !== 'Create');
    expect(msgs).toEqual([
      { type: 'Comment', body: 'looks like the cache', files: ['trace.txt'] },
      { type: 'Correspond', body: 'We are on it.', files: [] },
    ]);
    const shown = await cli.run(['show', String(id), '--comments', '--json', 'comments']);
    const comments = JSON.parse(shown.stdout).comments;
    expect(comments.map((c: { public: boolean; attachments: { name: string }[] }) => [c.public, c.attachments.map((a) => a.name)])).toEqual([
      [false, ['trace.txt']],
      [true, []],
    ]);
  });
});
