// Demo data: agents, requesters in several organizations, and tickets in every state.
import { DEFAULT_SLA } from '../domain/sla.js';
import type { Channel, Priority, Status, Team, TicketType, User } from '../domain/schemas.js';
import { TicketService, newTicketRecord } from './service.js';
import type { Store } from './store/types.js';

const HOUR = 3_600_000;

const PEOPLE = [
  { login: 'alice', name: 'Alice Moreau', role: 'agent', org: null, org_admin: false },
  { login: 'bob', name: 'Bob Okafor', role: 'agent', org: null, org_admin: false },
  { login: 'chen', name: 'Chen Wei', role: 'agent', org: null, org_admin: false },
  { login: 'dana', name: 'Dana Kowalski', role: 'requester', org: 'acme', org_admin: true },
  { login: 'eli', name: 'Eli Haddad', role: 'requester', org: 'acme', org_admin: false },
  { login: 'fatima', name: 'Fatima Diallo', role: 'requester', org: 'globex', org_admin: false },
  { login: 'gus', name: 'Gus Lindqvist', role: 'requester', org: 'globex', org_admin: true },
  { login: 'hana', name: 'Hana Sato', role: 'requester', org: 'initech', org_admin: false },
] as const;

interface Seed {
  ageHours: number;
  by: string;
  subject: string;
  description: string;
  channel: Channel;
  type?: TicketType;
  ask?: Priority;
  justification?: string;
  /** What the desk did with it afterwards. */
  then?: { priority?: Priority; team?: Team; level?: 1 | 2 | 3; assignee?: string; status?: Status; blockedBy?: number; escalate?: string; close?: string };
}

const SEEDS: Seed[] = [
  { ageHours: 0.5, by: 'eli', subject: 'Checkout page returns 500 for every customer', description: 'Since 09:10 UTC every checkout attempt fails with a 500. Revenue is stopped; no workaround.', channel: 'phone', type: 'incident', ask: 'critical', justification: 'All checkouts failing, production down' },
  { ageHours: 1, by: 'fatima', subject: 'Suspicious logins from unknown IPs on admin accounts', description: 'Our audit log shows admin logins from IPs we do not own. Possible breach.', channel: 'portal', type: 'incident', ask: 'critical', justification: 'Possible security breach on admin accounts' },
  { ageHours: 2, by: 'hana', subject: 'Please make this urgent: export button label typo', description: 'The export button says "Exprot".', channel: 'portal', type: 'problem', ask: 'high' },
  { ageHours: 3, by: 'dana', subject: 'Reports take 40 seconds to load for all users', description: 'Dashboard reports are very slow since the last release; CSV export still works as a workaround.', channel: 'chat', type: 'problem' },
  { ageHours: 5, by: 'gus', subject: 'How do I add a second billing contact?', description: 'We want invoices to go to finance as well.', channel: 'email', type: 'question' },
  { ageHours: 6, by: 'eli', subject: 'Dark mode colours are slightly off in settings', description: 'Cosmetic: the toggle is grey on grey.', channel: 'portal', type: 'problem' },
  { ageHours: 8, by: 'fatima', subject: 'Configure SSO with our Okta tenant', description: 'Please enable SAML SSO for globex.example.', channel: 'portal', type: 'configuration', then: { team: 'configuration', level: 2, assignee: 'bob', status: 'customer_testing' } },
  { ageHours: 12, by: 'dana', subject: 'Webhook deliveries delayed by up to an hour', description: 'Order webhooks arrive late; many integrations affected. Polling works as a workaround.', channel: 'email', type: 'problem', then: { priority: 'high', team: 'engineering', level: 3, assignee: 'alice', escalate: 'Queue backlog in the webhook dispatcher; needs an engineering fix' } },
  { ageHours: 20, by: 'hana', subject: 'Invoice PDF shows wrong VAT number', description: 'Our VAT number changed in October; invoices still show the old one.', channel: 'email', type: 'configuration', then: { priority: 'medium', team: 'configuration', assignee: 'chen', status: 'pending_customer' } },
  { ageHours: 26, by: 'gus', subject: 'API rate limit too low for nightly sync', description: 'Our nightly sync hits 429 after 10 minutes.', channel: 'portal', type: 'question', then: { team: 'support', assignee: 'alice', status: 'pending_engineering' } },
  { ageHours: 30, by: 'eli', subject: 'Revert the tax rounding change', description: 'The rounding change broke our reconciliation; we could not finish testing.', channel: 'phone', type: 'configuration', then: { team: 'configuration', assignee: 'bob', status: 'pending_reversion' } },
  { ageHours: 36, by: 'fatima', subject: 'Bulk import stuck behind data migration', description: 'Import cannot run until the migration ticket finishes.', channel: 'chat', type: 'task', then: { team: 'implementation', assignee: 'chen', status: 'blocked', blockedBy: 7 } },
  { ageHours: 48, by: 'dana', subject: 'Password reset emails not arriving', description: 'Several users never receive reset emails.', channel: 'portal', type: 'problem', then: { priority: 'high', team: 'support', assignee: 'alice', status: 'solution_provided' } },
  { ageHours: 60, by: 'hana', subject: 'Enable EU data residency', description: 'Move our tenant to the EU region.', channel: 'conference', type: 'configuration', then: { team: 'configuration', assignee: 'bob', status: 'resolved' } },
  { ageHours: 72, by: 'gus', subject: 'Cancel the custom field rollout', description: 'We no longer need the custom field change.', channel: 'email', type: 'configuration', then: { team: 'configuration', assignee: 'chen', status: 'expired' } },
  { ageHours: 96, by: 'eli', subject: 'Cannot upload attachments larger than 1 MB', description: 'Uploads over 1 MB fail silently.', channel: 'portal', type: 'problem', then: { team: 'support', assignee: 'alice', close: 'Raised the upload limit to 500 KB per file per policy; customer confirmed.' } },
  { ageHours: 120, by: 'fatima', subject: 'Onboarding call for new team', description: 'Schedule an onboarding session for 12 new agents.', channel: 'conference', type: 'task', then: { team: 'implementation', assignee: 'bob', close: 'Onboarding held on Tuesday.' } },
  { ageHours: 4, by: 'gus', subject: 'Search results missing archived orders', description: 'Archived orders no longer appear in search.', channel: 'chat', type: 'problem' },
  { ageHours: 9, by: 'hana', subject: 'Mobile app crashes on login for iOS 19 users', description: 'Many iOS users cannot log in; web login works.', channel: 'phone', type: 'incident', ask: 'high', justification: 'Many mobile users blocked; web is the workaround' },
  { ageHours: 14, by: 'dana', subject: 'Add Portuguese translation', description: 'Request to add pt-BR to the customer portal.', channel: 'email', type: 'task' },
];

export async function seedDemo(store: Store, now: () => Date): Promise<void> {
  const users = new Map<string, User>();
  for (const p of PEOPLE) users.set(p.login, await store.createUser({ ...p, email: `${p.login}@example.com` }, now()));
  const base = now().getTime();
  let clock = base;
  const service = new TicketService({ store, now: () => new Date(clock), sla: DEFAULT_SLA });
  const agent = users.get('alice')!;
  // oldest first so ids follow creation time, as in a real desk
  const ordered = SEEDS.map((s, i) => ({ s, i })).sort((a, b) => b.s.ageHours - a.s.ageHours);
  const idOf = new Map<number, number>();
  for (const { s, i } of ordered) {
    clock = base - s.ageHours * HOUR;
    const t = await service.create(users.get(s.by)!, { subject: s.subject, description: s.description, channel: s.channel, type: s.type, priority: s.ask, justification: s.justification });
    idOf.set(i + 1, t.id);
  }
  for (const { s, i } of ordered) {
    if (!s.then) continue;
    const id = idOf.get(i + 1)!;
    const th = s.then;
    clock = base - s.ageHours * HOUR + 0.4 * HOUR;
    const actor = th.assignee ? users.get(th.assignee)! : agent;
    const current = (await store.getTicket(id))!;
    await service.triage(actor, id, {
      priority: th.priority,
      justification: th.priority && th.priority !== current.priority ? 'Qualified on the first call with the customer' : undefined,
      team: th.team,
      level: th.level,
      assignee: th.assignee,
    });
    await service.comment(actor, id, { body: 'Thanks, we are on it and will update you here.', public: true });
    await service.comment(actor, id, { body: 'Internal: checked the logs, see runbook 12.', public: false });
    if (th.escalate) await service.escalate(actor, id, { reason: th.escalate, team: 'engineering', level: 3 });
    if (th.status === 'blocked') await service.changeStatus(actor, id, { status: 'blocked', blocked_by: idOf.get(th.blockedBy!) });
    else if (th.status) await service.changeStatus(actor, id, { status: th.status });
    if (th.close) await service.close(actor, id, { resolution: th.close });
  }
}

/** Many plain tickets at once, for load tests and benchmarks: one transaction per ticket, as the API would. */
export async function seedTickets(store: Store, count: number, opts: { requester: string; org?: string | null; now?: Date; status?: 'new' | 'in_progress' }): Promise<number[]> {
  const ids: number[] = [];
  const base = (opts.now ?? new Date()).getTime();
  const priorities: Priority[] = ['critical', 'high', 'medium', 'low'];
  for (let i = 0; i < count; i++) {
    const created_at = new Date(base - (count - i) * 1000).toISOString();
    const priority = priorities[i % 4]!;
    const t = await store.createTicket(
      newTicketRecord({ subject: `Load ticket ${i + 1}`, description: 'seeded for a bulk run', status: opts.status ?? 'new', priority, channel: 'portal', type: 'problem', requester: opts.requester, org: opts.org ?? null, tags: [], created_at }),
      [{ actor: opts.requester, kind: 'created', from: null, to: 'new', note: null, internal: false }],
      [],
    );
    ids.push(t.id);
  }
  return ids;
}
