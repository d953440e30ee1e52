// A ticket's life through the real CLI: reprioritize with a reason, escalate and advance, close, reopen, move.
import { describe, expect, test } from 'vitest';
import {
  api, commentsOf, createTicket, eventsOf, getTicket, json, tix,
  type TixOptions, serverForFile } from '../helpers/tix.js';

const { server, users } = serverForFile();
// every command here runs as the agent, so `actor` on events is checkable
const run = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts, env: { ...users.agent.env, ...opts.env } });


const closeViaApi = (id: number) => api(server, 'POST', `/v1/tickets/${id}/close`, { body: { resolution: 'set up by the test' } });

describe('tix reprioritize', () => {
  test('without --reason exits 2 when stdin is not a terminal, and changes nothing', async () => {
    const t = await createTicket(server, { subject: 'No reason given' });
    const r = await run(['reprioritize', String(t.id), '--to', 'high']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reason');
    expect(await getTicket(server, t.id)).toMatchObject({ priority: 'medium', version: t.version });
  });

  test('with a reason shorter than 10 characters exits 2 and changes nothing', async () => {
    const t = await createTicket(server, { subject: 'Short reason' });
    const r = await run(['reprioritize', String(t.id), '--to', 'high', '--reason', 'too short']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/10 characters/);
    expect(await getTicket(server, t.id)).toMatchObject({ priority: 'medium', version: t.version });
  });

  test('stores the reason as an internal comment and a priority_changed event with from, to and actor', async () => {
    const t = await createTicket(server, { subject: 'Checkout failing in the EU' });
    const reason = 'every EU checkout fails since 09:10, no workaround';
    const r = await run(['reprioritize', String(t.id), '--to', 'critical', '--reason', reason]);
    expect(r.code, r.stderr).toBe(0);
    expect((await getTicket(server, t.id)).priority).toBe('critical');
    expect(await eventsOf(server, t.id)).toContainEqual(
      expect.objectContaining({ kind: 'priority_changed', from: 'medium', to: 'critical', actor: users.agent.login, note: reason, internal: true }),
    );
    expect(await commentsOf(server, t.id)).toContainEqual(expect.objectContaining({ author: users.agent.login, public: false, body: expect.stringContaining(reason) }));
  });
});

describe('tix escalate and tix escalation advance', () => {
  test('escalate opens an escalation CP-<n> and sets the ticket to escalated; a second escalate exits 5', async () => {
    const t = await createTicket(server, { subject: 'Webhooks dropped under load' });
    const r = await run(['escalate', String(t.id), '--reason', 'the webhook dispatcher drops events under load', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const escalated = json(r).results[0].ticket;
    expect(escalated.status).toBe('escalated');
    expect(escalated.escalation).toMatch(/^CP-[1-9]\d*$/);
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'escalated', escalation: escalated.escalation });

    const eventsBefore = await eventsOf(server, t.id);
    const again = await run(['escalate', String(t.id), '--reason', 'escalating twice by mistake']);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain(escalated.escalation);
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'escalated', escalation: escalated.escalation });
    expect(await eventsOf(server, t.id)).toHaveLength(eventsBefore.length);
  });

  test('an escalation moves forward step by step to resolved, never backwards, each step timestamped, and the ticket returns to in_progress', async () => {
    const t = await createTicket(server, { subject: 'Data export times out' });
    const { escalation: cp } = await api(server, 'POST', `/v1/tickets/${t.id}/escalate`, { body: { reason: 'export job needs an engineering fix' } });
    const advance = (to: string) => run(['escalation', 'advance', cp, '--to', to, '--note', `now ${to}`]);

    for (const to of ['under_evaluation', 'engineering_in_progress']) {
      const r = await advance(to);
      expect(r.code, `${to}: ${r.stderr}`).toBe(0);
    }
    const backwards = await advance('under_evaluation');
    expect(backwards.code).toBe(5);
    expect(backwards.stderr).toMatch(/forward only/);
    for (const to of ['resolution_verification', 'resolved']) {
      const r = await advance(to);
      expect(r.code, `${to}: ${r.stderr}`).toBe(0);
    }

    const shown = await run(['escalation', 'show', cp, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const e = json(shown);
    expect(e.state).toBe('resolved');
    expect(e.timeline.map((s: { state: string }) => s.state)).toEqual([
      'submitted', 'under_evaluation', 'engineering_in_progress', 'resolution_verification', 'resolved',
    ]);
    const times = e.timeline.map((s: { at: string }) => Date.parse(s.at));
    for (const ms of times) expect(Number.isNaN(ms)).toBe(false);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'in_progress', escalation: null });
  });
});

describe('tix close, reopen and move', () => {
  test('close without --resolution exits 2 and leaves the ticket open', async () => {
    const t = await createTicket(server, { subject: 'Close me without a word' });
    const r = await run(['close', String(t.id)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resolution');
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'new', version: t.version });
  });

  test('close closes the ticket; closing it again succeeds and records no new event', async () => {
    const t = await createTicket(server, { subject: 'Fixed by the 2.4.1 release' });
    const first = await run(['close', String(t.id), '--resolution', 'Fixed in 2.4.1']);
    expect(first.code, first.stderr).toBe(0);
    const closed = await getTicket(server, t.id);
    expect(closed.status).toBe('closed');
    const eventsBefore = await eventsOf(server, t.id);
    expect(eventsBefore).toContainEqual(expect.objectContaining({ kind: 'closed', note: 'Fixed in 2.4.1' }));

    const again = await run(['close', String(t.id), '--resolution', 'Fixed in 2.4.1']);
    expect(again.code, again.stderr).toBe(0);
    expect(await eventsOf(server, t.id)).toEqual(eventsBefore);
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'closed', version: closed.version });
  });

  test('reopen brings a closed ticket back to in_progress', async () => {
    const t = await createTicket(server, { subject: 'It came back' });
    await closeViaApi(t.id);
    const r = await run(['reopen', String(t.id), '--comment', 'customer reports it again on 2.4.1']);
    expect(r.code, r.stderr).toBe(0);
    expect((await getTicket(server, t.id)).status).toBe('in_progress');
    expect(await eventsOf(server, t.id)).toContainEqual(expect.objectContaining({ kind: 'reopened', from: 'closed', to: 'in_progress' }));
  });

  test('move --to in_progress of a closed ticket exits 5 and leaves it closed', async () => {
    const t = await createTicket(server, { subject: 'Closed for good' });
    await closeViaApi(t.id);
    const r = await run(['move', String(t.id), '--to', 'in_progress']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/reopen/);
    expect((await getTicket(server, t.id)).status).toBe('closed');
  });

  test('move --to blocked without --blocked-by exits 2 and changes nothing', async () => {
    const t = await createTicket(server, { subject: 'Waiting on the migration' });
    const r = await run(['move', String(t.id), '--to', 'blocked']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--blocked-by');
    expect(await getTicket(server, t.id)).toMatchObject({ status: 'new', blocked_by: null, version: t.version });
  });
});
