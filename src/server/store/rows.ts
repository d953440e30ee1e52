// Rows read back as records, the same for every store: only how a boolean and a JSON column come back differs.
import type { Comment, Escalation, Event, User } from '../../domain/schemas.js';
import type { TicketRecord } from './types.js';

type Row = Record<string, unknown>;

/** How a store's driver returns a boolean and a JSON column. */
export interface ColumnDecoding {
  bool(value: unknown): boolean;
  json<T>(value: unknown): T;
}

export function rowReaders(d: ColumnDecoding) {
  /** A ticket from a row, read column by column through `r` (a keyed row, or an array row by column index). */
  const ticketFrom = (r: (column: string) => unknown): TicketRecord => ({
    id: r('id') as number,
    subject: r('subject') as string,
    description: r('description') as string,
    status: r('status') as TicketRecord['status'],
    priority: r('priority') as TicketRecord['priority'],
    channel: r('channel') as TicketRecord['channel'],
    type: (r('type') ?? null) as TicketRecord['type'],
    team: (r('team') ?? null) as TicketRecord['team'],
    level: (r('level') ?? null) as TicketRecord['level'],
    assignee: (r('assignee') ?? null) as string | null,
    requester: r('requester') as string,
    org: (r('org') ?? null) as string | null,
    tags: d.json<string[]>(r('tags')),
    blocked_by: (r('blocked_by') ?? null) as number | null,
    root_cause: (r('root_cause') ?? null) as number | null,
    escalation: (r('escalation') ?? null) as string | null,
    escalations: r('escalations') == null ? [] : d.json<string[]>(r('escalations')),
    created_at: r('created_at') as string,
    updated_at: r('updated_at') as string,
    first_response_at: (r('first_response_at') ?? null) as string | null,
    done_at: (r('done_at') ?? null) as string | null,
    response_due_at: r('response_due_at') as string,
    resolution_due_at: r('resolution_due_at') as string,
    version: r('version') as number,
  });
  return {
    ticketFrom,
    toTicket: (row: Row): TicketRecord => ticketFrom((c) => row[c]),
    toUser: (r: Row): User => ({
      id: r.id as number,
      login: r.login as string,
      name: r.name as string,
      email: (r.email ?? null) as string | null,
      role: r.role as User['role'],
      org: (r.org ?? null) as string | null,
      org_admin: d.bool(r.org_admin),
      created_at: r.created_at as string,
    }),
    toEscalation: (r: Row): Escalation => ({
      id: `CP-${r.id as number}`,
      ticket_id: r.ticket_id as number,
      reason: r.reason as string,
      team: (r.team ?? null) as Escalation['team'],
      level: (r.level ?? null) as Escalation['level'],
      state: r.state as Escalation['state'],
      estimated_resolution: (r.estimated_resolution ?? null) as string | null,
      created_by: r.created_by as string,
      created_at: r.created_at as string,
      timeline: d.json<Escalation['timeline']>(r.timeline),
    }),
    // PostgreSQL returns a bigserial id as text
    toEvent: (r: Row): Event => ({
      id: Number(r.id),
      ticket_id: r.ticket_id as number,
      at: r.at as string,
      actor: r.actor as string,
      kind: r.kind as Event['kind'],
      from: (r.from_value ?? null) as string | null,
      to: (r.to_value ?? null) as string | null,
      note: (r.note ?? null) as string | null,
      internal: d.bool(r.internal),
    }),
    toComment: (r: Row): Comment => ({
      id: r.id as number,
      ticket_id: r.ticket_id as number,
      author: r.author as string,
      body: r.body as string,
      public: d.bool(r.public),
      attachments: d.json<Comment['attachments']>(r.attachments),
      created_at: r.created_at as string,
    }),
  };
}
