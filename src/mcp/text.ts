// The short text beside each structured result, for clients that show text only.
import { oneLine } from '../cli/output/text.js';
import type { ResultEnvelope } from '../domain/envelope.js';
import type { Comment, Escalation, Event, Ticket } from '../domain/schemas.js';

const value = (v: unknown) => (v === null || v === undefined ? 'none' : typeof v === 'string' ? oneLine(v) : JSON.stringify(v));

export const ticketLine = (t: Ticket) =>
  `#${t.id} ${t.priority} ${t.status}${t.team ? ` ${t.team}` : ''} ${t.assignee ? `@${t.assignee}` : 'unassigned'}${t.sla_breached ? ' SLA-BREACHED' : ''}: ${oneLine(t.subject)}`;

export function renderTickets(items: Ticket[], next: string | null, query: string): string {
  if (items.length === 0) return `no tickets match "${query}"`;
  return [...items.map(ticketLine), next ? `${items.length} tickets; more with cursor ${next}` : `${items.length} tickets`].join('\n');
}

export function renderTicket(t: Ticket, comments?: Comment[], events?: Event[]): string {
  const lines = [
    ticketLine(t),
    `requester ${t.requester}${t.org ? ` (${t.org})` : ''} · channel ${t.channel} · type ${t.type ?? 'none'} · level ${t.level ?? 'none'}${t.escalation ? ` · escalation ${t.escalation}` : ''}`,
    `created ${t.created_at} · response due ${t.response_due_at} · resolution due ${t.resolution_due_at}`,
    oneLine(t.description).slice(0, 500),
  ];
  for (const c of comments ?? []) lines.push(`comment ${c.created_at} ${c.author} (${c.public ? 'public' : 'internal'}): ${oneLine(c.body).slice(0, 300)}`);
  for (const e of events ?? []) lines.push(`event ${e.at} ${e.actor} ${e.kind}${e.from || e.to ? ` ${value(e.from)} → ${value(e.to)}` : ''}${e.note ? `: ${oneLine(e.note)}` : ''}`);
  return lines.join('\n');
}

export function renderEscalation(e: Escalation, timeline: boolean): string {
  const head = `${e.id} ticket #${e.ticket_id} ${e.state} team ${e.team ?? 'none'} level ${e.level ?? 'none'}${e.estimated_resolution ? ` estimate ${e.estimated_resolution}` : ''}: ${oneLine(e.reason)}`;
  if (!timeline) return head;
  return [head, ...e.timeline.map((s) => `  ${s.at} ${s.state} by ${s.by}${s.note ? `: ${oneLine(s.note)}` : ''}`)].join('\n');
}

export function renderEnvelope(env: ResultEnvelope): string {
  const { changed, unchanged, failed } = env.summary;
  const head = env.dry_run
    ? `dry run, nothing changed: would change ${changed}, unchanged ${unchanged}, would fail ${failed}`
    : `changed ${changed}, unchanged ${unchanged}, failed ${failed}`;
  const lines = env.results.slice(0, 50).map((r) => {
    const who = r.id === null ? 'new ticket' : typeof r.id === 'number' ? `#${r.id}` : r.id;
    const what = r.error ? r.error.message : r.changes.length ? r.changes.map((c) => `${c.field}: ${value(c.from)} → ${value(c.to)}`).join(', ') : (r.reason ?? '');
    return `${who} ${r.outcome}${what ? `: ${what}` : ''}`;
  });
  if (env.results.length > 50) lines.push(`… and ${env.results.length - 50} more in the structured result`);
  return [head, ...lines].join('\n');
}
