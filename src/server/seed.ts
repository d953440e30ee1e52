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
  { login: 'ivan', name: 'Ivan Petrov', role: 'requester', org: 'umbrella', org_admin: true },
  { login: 'jade', name: 'Jade Nguyen', role: 'requester', org: 'umbrella', org_admin: false },
  { login: 'kofi', name: 'Kofi Mensah', role: 'requester', org: 'initech', org_admin: true },
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

/** A new ticket, waiting in the queue: [hours ago, requester, channel, type, subject, description, asked priority?, justification?]. */
type Fresh = [number, string, Channel, TicketType, string, string, Priority?, string?];

const FRESH: Fresh[] = [
  [0.2, 'ivan', 'phone', 'incident', 'Payment terminal sync failing in all 40 stores', 'Since the 06:00 deploy no store terminal uploads its sales; tills still take cards offline but end-of-day reconciliation is blocked.', 'critical', 'Every store is affected and reconciliation is blocked'],
  [0.4, 'jade', 'chat', 'question', 'Where do I change the language of notification emails?', 'Our Vietnamese team receives notifications in English. Is there a per-user setting?'],
  [0.7, 'kofi', 'portal', 'problem', 'CSV export drops rows with accented names', 'Exporting the customer list loses every row whose name contains é, ü or ñ. 312 of 4,100 rows are missing.', 'high', 'Finance reconciles from this export every day'],
  [0.9, 'dana', 'email', 'question', 'Can we get a copy of the SOC 2 report?', 'Our security team asks for the latest SOC 2 Type II report before the renewal.'],
  [1.3, 'gus', 'portal', 'incident', 'API returns 503 for about 10% of requests', 'Our integration logs show intermittent 503s from /v2/orders since 10:20 UTC; retries usually succeed.', 'high', 'Order sync is degraded for all our shops; retries help'],
  [1.6, 'eli', 'chat', 'problem', 'Calendar widget shows dates in US format', 'Our users in France see MM/DD/YYYY in the booking calendar although their locale is fr-FR.'],
  [2.2, 'fatima', 'email', 'configuration', 'Add three new cost centres to invoicing', 'Please add cost centres GLX-410, GLX-411 and GLX-412 to our invoicing setup from next month.'],
  [2.5, 'hana', 'portal', 'problem', 'Two-factor codes rejected for some users', 'About 15 users say their TOTP codes are refused; their phones show the right time. Others log in fine.', 'high', 'Fifteen users locked out; SMS fallback works for now'],
  [3.1, 'ivan', 'email', 'task', 'Offboard 12 leavers before Friday', 'Attached list of 12 accounts to deactivate; their open tickets should move to Jade.'],
  [3.4, 'jade', 'portal', 'question', 'Is there an API endpoint for bulk tag updates?', 'We want to retag about 2,000 tickets after a reorganisation. Can it be done in one call?'],
  [4.2, 'kofi', 'phone', 'incident', 'Warehouse scanners cannot reach the inventory service', 'All handheld scanners at the Leeds warehouse show "service unreachable". Picking has stopped.', 'critical', 'Warehouse operations stopped, no workaround'],
  [4.8, 'dana', 'portal', 'problem', 'Search is slow when filtering by date range', 'Filtering tickets by a date range takes 20 to 30 seconds; other filters answer at once.'],
  [5.5, 'eli', 'email', 'problem', 'Duplicate invoices sent to some customers', 'Six customers got the November invoice twice, with two different numbers. We have not paid either.'],
  [6.1, 'fatima', 'chat', 'question', 'How long are audit logs kept?', 'Compliance asks how many months of audit logs we can export, and in which format.'],
  [7.3, 'gus', 'portal', 'configuration', 'Enable the new approval workflow for purchase orders', 'We would like orders above 5,000 EUR to need a second approval, as discussed in the QBR.'],
  [8.6, 'hana', 'email', 'problem', 'Password reset link expires immediately', 'Users who click the reset link within a minute still see "link expired".'],
  [9.4, 'ivan', 'portal', 'incident', 'Customer portal shows another company\'s logo', 'Since this morning our portal header shows the Globex logo instead of ours. Data looks correct.', 'high', 'Customer-facing branding error, possible data mix-up'],
  [10.2, 'jade', 'chat', 'problem', 'Mobile push notifications arrive hours late', 'Push notifications for new messages arrive two to four hours after the message on Android.'],
  [11.5, 'kofi', 'email', 'question', 'Which IP ranges should we allow-list?', 'Our firewall team needs the outbound IP ranges your webhooks come from.'],
  [12.7, 'dana', 'conference', 'task', 'Prepare a training session for the new support leads', 'Four new team leads start on Monday; we would like a 90-minute session on reporting.'],
  [14.0, 'eli', 'portal', 'problem', 'Report totals differ between dashboard and export', 'The monthly revenue widget says 48,210 EUR while the export sums to 47,950 EUR.'],
  [15.3, 'fatima', 'phone', 'incident', 'Single sign-on down for the whole company', 'Okta login to the app fails with "invalid audience" for every user since the certificate rotation.', 'critical', 'Nobody at Globex can log in'],
  [16.8, 'gus', 'email', 'question', 'Can we change the billing currency to CHF?', 'We are moving our headquarters to Zurich and would like invoices in CHF from January.'],
  [18.1, 'hana', 'portal', 'problem', 'Attachments open as blank pages in Safari', 'PDF attachments open as a blank tab in Safari 19; Chrome shows them fine.'],
  [19.9, 'ivan', 'chat', 'configuration', 'Set up a sandbox tenant for our integrators', 'Our partner needs a sandbox with anonymised data to build the ERP connector.'],
  [21.4, 'jade', 'email', 'problem', 'Weekly digest email is empty', 'The Monday digest arrived with no content for everyone in our team.'],
  [23.0, 'kofi', 'portal', 'task', 'Import 3,000 historical tickets from our old desk', 'We exported our previous helpdesk to CSV and would like the tickets imported with their dates.'],
  [25.5, 'dana', 'phone', 'problem', 'Agents logged out every 15 minutes', 'Since Tuesday our agents are logged out every quarter hour, losing drafts.', 'high', 'All 30 agents lose work several times an hour'],
  [27.2, 'eli', 'portal', 'question', 'How do we merge two customer accounts?', 'A customer registered twice with different emails; we want one account with both histories.'],
  [29.8, 'fatima', 'email', 'problem', 'Time zone wrong on scheduled reports', 'Reports scheduled for 08:00 Paris time arrive at 07:00 since the clocks changed.'],
  [32.5, 'gus', 'chat', 'problem', 'Dark mode makes chart labels unreadable', 'In dark mode the labels on the pie charts are black on dark grey.'],
  [35.1, 'hana', 'conference', 'configuration', 'Review our data retention settings', 'Legal asked us to keep closed tickets for 3 years instead of 7. Can we review the settings together?'],
  [38.6, 'ivan', 'email', 'question', 'Is there a status page we can subscribe to?', 'We would like to be notified of incidents by email or RSS.'],
  [41.0, 'jade', 'portal', 'problem', 'Custom field values lost after editing a ticket', 'Editing the subject of a ticket clears our "Contract ID" custom field.'],
  [44.3, 'kofi', 'phone', 'problem', 'Voice calls to support drop after 5 minutes', 'Calls through the click-to-call button drop at exactly five minutes.'],
];

/** A ticket waiting on its requester, or answered: [hours ago, requester, channel, type, subject, description, status, team, agent, priority?]. */
type Waiting = [number, string, Channel, TicketType, string, string, 'pending_customer' | 'solution_provided', Team, string, Priority?];

const WAITING: Waiting[] = [
  [6.5, 'ivan', 'portal', 'problem', 'Order confirmation emails missing the VAT line', 'Confirmation emails for B2B orders no longer show VAT.', 'pending_customer', 'support', 'alice'],
  [9.0, 'jade', 'chat', 'question', 'How do I export my saved filters?', 'I want to share my saved filters with a colleague.', 'solution_provided', 'support', 'bob', 'low'],
  [13.0, 'kofi', 'email', 'problem', 'Login page loops back to itself', 'After entering the password the page reloads to the login form.', 'pending_customer', 'support', 'chen'],
  [17.5, 'dana', 'portal', 'configuration', 'Change the reply-to address of notifications', 'Replies should go to support@acme.example instead of noreply.', 'solution_provided', 'configuration', 'bob'],
  [22.0, 'eli', 'phone', 'problem', 'Printer labels cut off at the bottom', 'Shipping labels lose their last line on the Zebra printers.', 'pending_customer', 'support', 'alice', 'medium'],
  [26.0, 'fatima', 'email', 'question', 'Where is the API changelog?', 'We need to know what changed in v2.3 before upgrading.', 'solution_provided', 'support', 'chen', 'low'],
  [31.0, 'gus', 'portal', 'incident', 'Nightly sync job failed twice this week', 'The 02:00 sync ended with "lock timeout" on Monday and Wednesday.', 'pending_customer', 'engineering', 'alice', 'high'],
  [34.0, 'hana', 'chat', 'problem', 'Emoji shown as question marks in ticket titles', 'Titles with emoji display as ??? in the list view.', 'solution_provided', 'support', 'bob'],
  [40.0, 'ivan', 'conference', 'task', 'Plan the rollout of the new agent console', 'We want a phased rollout across our three sites.', 'pending_customer', 'implementation', 'chen'],
  [46.0, 'jade', 'email', 'problem', 'Attachments over 400 KB rejected', 'Our customers cannot attach 450 KB screenshots.', 'solution_provided', 'support', 'alice', 'low'],
  [52.0, 'kofi', 'portal', 'configuration', 'Add a "Warehouse" category to the ticket form', 'We need a category for warehouse issues, routed to the ops team.', 'pending_customer', 'configuration', 'bob'],
  [58.0, 'dana', 'phone', 'problem', 'Reports missing last day of the month', 'Monthly reports stop at the 30th for months with 31 days.', 'solution_provided', 'engineering', 'chen', 'medium'],
  [64.0, 'eli', 'chat', 'question', 'Can requesters see internal notes?', 'A customer says they saw our internal comment. Is that possible?', 'pending_customer', 'support', 'alice', 'high'],
  [70.0, 'fatima', 'portal', 'problem', 'Bulk close button greyed out', 'The bulk close action is disabled for our team leads.', 'solution_provided', 'support', 'bob'],
  [76.0, 'gus', 'email', 'configuration', 'Update the SLA targets for premium customers', 'Premium customers should get a 2-hour first response.', 'pending_customer', 'configuration', 'chen'],
  [82.0, 'hana', 'portal', 'incident', 'Webhook signatures fail verification', 'Since the key rotation our endpoint rejects every webhook signature.', 'solution_provided', 'engineering', 'alice', 'high'],
  [90.0, 'ivan', 'email', 'question', 'Do you support SCIM provisioning?', 'Our IT team wants to provision users from Azure AD.', 'pending_customer', 'support', 'bob', 'low'],
  [100.0, 'jade', 'phone', 'problem', 'Search ignores words with hyphens', 'Searching "e-mail" finds nothing, "email" finds everything.', 'solution_provided', 'support', 'chen'],
  [110.0, 'kofi', 'chat', 'task', 'Schedule the annual account review', 'Please book the annual review with our account manager in January.', 'pending_customer', 'implementation', 'alice'],
];

const toSeed = ([ageHours, by, channel, type, subject, description, ask, justification]: Fresh): Seed => ({ ageHours, by, channel, type, subject, description, ask, justification });
const waitingSeed = ([ageHours, by, channel, type, subject, description, status, team, assignee, priority]: Waiting): Seed => ({
  ageHours, by, channel, type, subject, description, then: { status, team, assignee, priority, level: team === 'engineering' ? 2 : 1 },
});

/** Everything `tix serve --demo` seeds: the hand-made stories first (their numbers are referred to), then the queue to practise on. */
const ALL_SEEDS: Seed[] = [...SEEDS, ...FRESH.map(toSeed), ...WAITING.map(waitingSeed)];

export async function seedDemo(store: Store, now: () => Date): Promise<void> {
  const users = new Map<string, User>();
  for (const p of PEOPLE) users.set(p.login, await store.createUser({ ...p, email: `${p.login}@example.com` }, now()));
  const base = now().getTime();
  let clock = base;
  const service = new TicketService({ store, now: () => new Date(clock), sla: DEFAULT_SLA });
  const agent = users.get('alice')!;
  // oldest first so ids follow creation time, as in a real desk
  const ordered = ALL_SEEDS.map((s, i) => ({ s, i })).sort((a, b) => b.s.ageHours - a.s.ageHours);
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
    if (th.status === 'blocked') await service.setStatus(actor, id, { status: 'blocked', blocked_by: idOf.get(th.blockedBy!) });
    else if (th.status) await service.setStatus(actor, id, { status: th.status });
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
