// The support-desk rules applied to the store: every change a route asks for is decided here.
import { checkAttachment, checkAttachmentContent, checkAttachmentCount } from '../domain/attachments.js';
import { initialPriority, isValidJustification } from '../domain/policy.js';
import { ESCALATION_LEVEL, ESCALATION_TEAM } from '../domain/enums.js';
import type { Query } from '../domain/query.js';
import type { Sort } from '../domain/queue.js';
import {
  AdvanceBody, AssignBody, CloseBody, CommentBody, CreateTicketBody, EscalateBody, PatchTicketBody, PriorityBody, ReopenBody,
  StatusBody, TriageBody, MAX_TAGS, type Escalation, type Priority, type Ticket, type User,
} from '../domain/schemas.js';
import { dueDates, isBreachedAt, type SlaPolicy } from '../domain/sla.js';
import { isDone, refuseAdvance, refuseEscalate, refuseReopen, refuseStatusChange, refuseTriage } from '../domain/transitions.js';
import type { z } from 'zod';
import { diffTickets } from '../domain/results.js';
import type { CreateUserBody, EscalationGroup } from '../domain/schemas.js';
import type { BatchBody, BatchResult } from '../domain/operations.js';
import { REGISTRY, serviceMethod } from '../domain/registry.js';
import { readFeed } from './feed.js';
import { problem } from './http.js';
import { hashToken, newToken } from './tokens.js';
import { DomainError, type ListFeedArgs, type Mutation, type NewEvent, type NewTicket, type Store, type TicketRecord, type Viewer } from './store/types.js';

export type { TicketRecord };

export const SYSTEM_ACTOR = 'tix';

export interface ServiceOptions {
  store: Store;
  now: () => Date;
  sla: SlaPolicy;
  /** Days a solution_provided ticket waits for its requester before it closes itself. */
  autoCloseDays?: number;
  /** Bytes of attachments one requester may store in all (0 = no limit). */
  requesterQuotaBytes?: number;
}

/** What a requester may store in attachments by default: ten comments of five full files. */
export const DEFAULT_REQUESTER_QUOTA_BYTES = 25 * 1024 * 1024;

export const DEFAULT_AUTO_CLOSE_DAYS = 7;
const SYSTEM_USER: User = { id: 0, login: SYSTEM_ACTOR, name: 'tix', email: null, role: 'admin', org: null, org_admin: false, created_at: new Date(0).toISOString() };

type Out<T extends z.ZodType> = z.output<T>;

/** A ticket as it is born: new, unassigned, its SLA clock started at `created_at`. */
export function newTicketRecord(f: Pick<NewTicket, 'subject' | 'description' | 'priority' | 'channel' | 'type' | 'requester' | 'org' | 'tags' | 'created_at'> & { sla?: SlaPolicy; status?: NewTicket['status'] }): NewTicket {
  const { sla, status, ...fields } = f;
  return {
    ...fields,
    status: status ?? 'new',
    team: null,
    level: null,
    assignee: null,
    blocked_by: null,
    root_cause: null,
    escalation: null,
    escalations: [],
    updated_at: f.created_at,
    first_response_at: null,
    done_at: null,
    ...dueDates(f.created_at, f.priority, sla),
  };
}

export function canSee(viewer: Viewer, t: Pick<TicketRecord, 'requester' | 'org'>): boolean {
  if (viewer.role !== 'requester') return true;
  if (t.requester === viewer.login) return true;
  return viewer.org_admin && viewer.org !== null && t.org === viewer.org;
}

type BatchMethod = (actor: User, id: number, body: unknown) => Promise<{ ticket: TicketRecord; changed?: boolean }>;
/** Batch op → the service method of its operation. */
const BATCH_METHODS = new Map(Object.entries(REGISTRY).flatMap(([name, e]) => (e.batch ? [[e.batch, serviceMethod(name, e)] as const] : [])));

const notFound = (id: number | string) => new DomainError('not_found', `ticket ${id} not found`);

function requireStaff(actor: User, what: string) {
  if (actor.role === 'requester') throw new DomainError('forbidden', `requesters cannot ${what}; ask a support agent`);
}

export class TicketService {
  constructor(private readonly opts: ServiceOptions) {}

  private lastMs = Number.NaN;
  private lastIso = '';

  /** This moment as ISO 8601: formatted once per millisecond, however many requests ask within it. */
  nowIso(): string {
    const d = this.opts.now();
    const ms = d.getTime();
    if (ms !== this.lastMs) {
      this.lastIso = d.toISOString();
      this.lastMs = ms;
    }
    return this.lastIso;
  }

  private get store() {
    return this.opts.store;
  }

  /**
   * The API view of a stored ticket: SLA state computed at `now` (ISO 8601; this moment by default).
   * Built field by field: a rest-and-spread copy of the record cost four times as much.
   */
  present(t: TicketRecord, now: string = this.nowIso()): Ticket {
    return {
      id: t.id,
      subject: t.subject,
      description: t.description,
      status: t.status,
      priority: t.priority,
      channel: t.channel,
      type: t.type,
      team: t.team,
      level: t.level,
      assignee: t.assignee,
      requester: t.requester,
      org: t.org,
      tags: t.tags,
      blocked_by: t.blocked_by,
      root_cause: t.root_cause,
      escalation: t.escalation,
      escalations: t.escalations,
      created_at: t.created_at,
      updated_at: t.updated_at,
      first_response_at: t.first_response_at,
      response_due_at: t.response_due_at,
      resolution_due_at: t.resolution_due_at,
      sla_breached: isBreachedAt(t, now),
      version: t.version,
    };
  }

  async visibleTicket(actor: User, id: number): Promise<TicketRecord> {
    const t = await this.store.getTicket(id);
    if (!t || !canSee(actor, t)) throw notFound(id);
    return t;
  }

  private async resolveAssignee(actor: User, assignee: string | null | undefined): Promise<string | null | undefined> {
    if (assignee === undefined || assignee === null) return assignee;
    const login = assignee === 'me' ? actor.login : assignee;
    const user = await this.store.getUserByLogin(login);
    if (!user) throw new DomainError('validation', `unknown user ${login}; list users with \`tix user list\``);
    if (user.role === 'requester') throw new DomainError('validation', `${login} is a requester; tickets are assigned to agents`);
    return login;
  }

  async create(actor: User, body: Out<typeof CreateTicketBody>): Promise<TicketRecord> {
    let requester = actor;
    if (body.requester && body.requester !== actor.login) {
      requireStaff(actor, 'open tickets for someone else');
      const known = await this.store.getUserByLogin(body.requester);
      if (!known) throw new DomainError('validation', `unknown requester ${body.requester}: only users the server knows can open tickets`);
      requester = known;
    }
    const channel = body.channel ?? 'portal';
    const decided = initialPriority({ channel, asked: body.priority, justification: body.justification, role: actor.role });
    const created_at = this.opts.now().toISOString();
    const events: NewEvent[] = [
      { actor: actor.login, kind: 'created', from: null, to: 'new', note: `priority ${decided.priority}, channel ${channel}`, internal: false },
    ];
    const comments = [];
    if (decided.requalified) {
      events.push({ actor: SYSTEM_ACTOR, kind: 'requalified', from: decided.requalified.asked, to: decided.priority, note: decided.requalified.note, internal: true });
      comments.push({ author: SYSTEM_ACTOR, body: decided.requalified.note, public: false });
    } else if (body.priority && body.justification) {
      comments.push({ author: actor.login, body: `Priority ${decided.priority} requested: ${body.justification}`, public: false });
    }
    return this.store.createTicket(
      newTicketRecord({
        subject: body.subject,
        description: body.description,
        priority: decided.priority,
        channel,
        type: body.type ?? null,
        requester: requester.login,
        org: requester.org,
        tags: body.tags ?? [],
        created_at,
        sla: this.opts.sla,
      }),
      events,
      comments,
    );
  }

  /** Apply one decision to one ticket the actor can see; a refusal throws a DomainError. */
  private async mutate(actor: User, id: number, decide: (t: TicketRecord, running: Escalation | null) => Mutation, ifMatch?: number) {
    try {
      return await this.store.mutateTicket(id, this.opts.now(), decide, { reach: (t) => canSee(actor, t), version: ifMatch });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'precondition_failed') throw err;
      // say what changed and who changed it, as far as this actor may know
      const last = (await this.store.listEvents(id, actor.role !== 'requester')).at(-1);
      const what = last ? `: ${last.kind}${last.from || last.to ? ` ${last.from ?? '-'} → ${last.to ?? '-'}` : ''} by ${last.actor} at ${last.at}` : '';
      throw new DomainError('precondition_failed', `${err.message.replace(/\)$/, '')}${what}); re-run to apply on top`);
    }
  }

  private priorityChange(actor: User, t: TicketRecord, to: Priority, reason: string): Pick<Mutation, 'patch' | 'events' | 'comments'> {
    return {
      patch: { priority: to, ...dueDates(t.created_at, to, this.opts.sla) },
      events: [{ actor: actor.login, kind: 'priority_changed', from: t.priority, to, note: reason, internal: true }],
      comments: [{ author: actor.login, body: `Priority ${t.priority} → ${to}: ${reason}`, public: false }],
    };
  }

  async triage(actor: User, id: number, body: Out<typeof TriageBody>, ifMatch?: number) {
    // reach and role first: who may not triage learns nothing about other users
    await this.visibleTicket(actor, id);
    requireStaff(actor, 'triage tickets');
    const assignee = await this.resolveAssignee(actor, body.assignee);
    return this.mutate(actor, id, (t) => {
      requireStaff(actor, 'triage tickets');
      const refusal = refuseTriage(t.status);
      if (refusal) throw new DomainError('conflict', `ticket ${id}: ${refusal}`);
      const m: Mutation = { patch: { status: 'in_progress' }, events: [], comments: [] };
      if (body.priority && body.priority !== t.priority) {
        if (!isValidJustification(body.justification)) {
          throw new DomainError('validation', `changing priority ${t.priority} → ${body.priority} needs a justification of at least 10 characters`);
        }
        const change = this.priorityChange(actor, t, body.priority, body.justification!.trim());
        Object.assign(m.patch, change.patch);
        m.events.push(...change.events);
        m.comments!.push(...change.comments!);
      }
      if (body.team) m.patch.team = body.team;
      if (body.type) m.patch.type = body.type;
      if (body.level) m.patch.level = body.level;
      if (assignee !== undefined && assignee !== t.assignee) {
        m.patch.assignee = assignee;
        m.events.push({ actor: actor.login, kind: 'assigned', from: t.assignee, to: assignee, note: null, internal: false });
      }
      const what = [body.team && `team ${body.team}`, body.type && `type ${body.type}`, body.level && `level ${body.level}`].filter(Boolean).join(', ');
      m.events.unshift({ actor: actor.login, kind: 'triaged', from: 'new', to: 'in_progress', note: what || null, internal: false });
      return m;
    }, ifMatch);
  }

  async reprioritize(actor: User, id: number, body: Out<typeof PriorityBody>, ifMatch?: number) {
    return this.mutate(actor, id, (t) => {
      requireStaff(actor, 'change priority');
      if (t.status === 'closed') throw new DomainError('conflict', `ticket ${id} is closed; reopen it first`);
      if (t.priority === body.priority) return { patch: {}, events: [], noop: true };
      return this.priorityChange(actor, t, body.priority, body.reason);
    }, ifMatch);
  }

  async assign(actor: User, id: number, body: Out<typeof AssignBody>, ifMatch?: number) {
    await this.visibleTicket(actor, id);
    requireStaff(actor, 'assign tickets');
    const assignee = (await this.resolveAssignee(actor, body.assignee)) ?? null;
    return this.mutate(actor, id, (t) => {
      requireStaff(actor, 'assign tickets');
      if (t.status === 'closed') throw new DomainError('conflict', `ticket ${id} is closed; reopen it first`);
      if (t.assignee === assignee) return { patch: {}, events: [], noop: true };
      return {
        patch: { assignee },
        events: [{ actor: actor.login, kind: 'assigned', from: t.assignee, to: assignee, note: null, internal: false }],
      };
    }, ifMatch);
  }

  async setStatus(actor: User, id: number, body: Out<typeof StatusBody>, ifMatch?: number) {
    if (body.blocked_by !== undefined) {
      // who may not see the ticket must not learn whether the blocking one exists
      await this.visibleTicket(actor, id);
      requireStaff(actor, 'change the status');
      if (body.blocked_by === id) throw new DomainError('validation', 'a ticket cannot block itself');
      if (!(await this.store.getTicket(body.blocked_by))) throw new DomainError('validation', `blocking ticket ${body.blocked_by} not found`);
    }
    return this.mutate(actor, id, (t) => {
      requireStaff(actor, 'change the status');
      if (t.status === body.status && (body.status !== 'blocked' || t.blocked_by === (body.blocked_by ?? t.blocked_by))) {
        return { patch: {}, events: [], noop: true };
      }
      const refusal = refuseStatusChange(t.status, body.status, body.blocked_by);
      if (refusal) throw new DomainError('conflict', `ticket ${id}: ${refusal}`);
      const now = this.opts.now().toISOString();
      return {
        patch: {
          status: body.status,
          blocked_by: body.status === 'blocked' ? body.blocked_by! : null,
          // the auto-close clock starts when the solution is given, whatever status came before
          done_at: body.status === 'solution_provided' ? now : isDone(body.status) ? (t.done_at ?? now) : null,
        },
        // the requester sees the move; an agent's note stays internal, as every agent text does
        events: [{ actor: actor.login, kind: 'status_changed', from: t.status, to: body.status, note: null, internal: false }],
        comments: body.note ? [{ author: actor.login, body: `${t.status} → ${body.status}: ${body.note}`, public: false }] : [],
      };
    }, ifMatch);
  }

  async escalate(actor: User, id: number, body: Out<typeof EscalateBody>, ifMatch?: number) {
    const t0 = await this.visibleTicket(actor, id);
    requireStaff(actor, 'escalate tickets');
    const pre = refuseEscalate(t0.escalation, t0.status);
    if (pre) throw new DomainError('conflict', `ticket ${id}: ${pre}`);
    const n = await this.store.nextEscalationNumber();
    const at = this.opts.now().toISOString();
    const escalationId = `CP-${n}`;
    return this.mutate(actor, id, (t) => {
      const refusal = refuseEscalate(t.escalation, t.status);
      if (refusal) throw new DomainError('conflict', `ticket ${id}: ${refusal}`);
      const escalation: Escalation = {
        id: escalationId,
        ticket_id: id,
        reason: body.reason,
        team: body.team ?? ESCALATION_TEAM,
        level: body.level ?? ESCALATION_LEVEL,
        state: 'submitted',
        estimated_resolution: body.estimated_resolution ?? null,
        created_by: actor.login,
        created_at: at,
        timeline: [{ state: 'submitted', at, by: actor.login, note: body.reason }],
      };
      return {
        patch: { status: 'escalated', escalation: escalationId, escalations: [...t.escalations, escalationId], team: escalation.team, level: escalation.level, done_at: null },
        createEscalation: escalation,
        events: [
          { actor: actor.login, kind: 'status_changed', from: t.status, to: 'escalated', note: `escalated as ${escalationId}`, internal: false },
          { actor: actor.login, kind: 'escalated', from: null, to: escalationId, note: body.reason, internal: true },
        ],
      };
    }, ifMatch);
  }

  async getEscalation(actor: User, id: string): Promise<Escalation> {
    // an escalation's reason and timeline are the desk's internal business
    if (actor.role === 'requester') throw new DomainError('not_found', `escalation ${id} not found`);
    const e = await this.store.getEscalation(id);
    if (!e) throw new DomainError('not_found', `escalation ${id} not found`);
    const t = await this.store.getTicket(e.ticket_id);
    if (!t || !canSee(actor, t)) throw new DomainError('not_found', `escalation ${id} not found`);
    return e;
  }

  async advance(actor: User, id: string, body: Out<typeof AdvanceBody>) {
    const e0 = await this.getEscalation(actor, id);
    requireStaff(actor, 'advance escalations');
    const at = this.opts.now().toISOString();
    let escalation: Escalation | undefined;
    const result = await this.mutate(actor, e0.ticket_id, (t, running) => {
      const e = running?.id === id ? running : e0;
      const refusal = refuseAdvance(e.state, body.to);
      if (refusal) throw new DomainError('conflict', `${id}: ${refusal}`);
      escalation = { ...e, state: body.to, timeline: [...e.timeline, { state: body.to, at, by: actor.login, note: body.note ?? null }] };
      const m: Mutation = {
        patch: {},
        updateEscalation: { id, state: body.to, timeline: escalation.timeline },
        events: [{ actor: actor.login, kind: 'escalation_advanced', from: e.state, to: body.to, note: body.note ?? null, internal: true }],
      };
      if (body.to === 'resolved' && t.escalation === id) {
        // a resolved escalation hands the ticket back to support
        m.patch = { status: t.status === 'escalated' ? 'in_progress' : t.status, escalation: null };
        if (t.status === 'escalated') {
          m.events.push({ actor: actor.login, kind: 'status_changed', from: 'escalated', to: 'in_progress', note: `${id} resolved`, internal: false });
        }
      }
      return m;
    });
    return { escalation: escalation!, ticket: result.ticket };
  }

  async close(actor: User, id: number, body: Out<typeof CloseBody>, ifMatch?: number) {
    return this.mutate(actor, id, (t, running) => {
      if (actor.role === 'requester' && t.requester !== actor.login) {
        throw new DomainError('forbidden', `ticket ${id} was opened by ${t.requester}; requesters close only their own tickets`);
      }
      if (t.status === 'closed') return { patch: {}, events: [], noop: true };
      const at = this.opts.now().toISOString();
      const m: Mutation = {
        patch: { status: 'closed', done_at: t.done_at ?? at, blocked_by: null },
        events: [{ actor: actor.login, kind: 'closed', from: t.status, to: 'closed', note: body.resolution, internal: false }],
      };
      if (running && running.state !== 'resolved') {
        // closing ends the escalation too, so a reopened ticket can be escalated afresh
        m.patch.escalation = null;
        m.updateEscalation = { id: running.id, state: 'resolved', timeline: [...running.timeline, { state: 'resolved', at, by: actor.login, note: `ticket closed: ${body.resolution}` }] };
        m.events.push({ actor: actor.login, kind: 'escalation_advanced', from: running.state, to: 'resolved', note: 'ticket closed', internal: true });
      }
      return m;
    }, ifMatch);
  }

  async reopen(actor: User, id: number, body: Out<typeof ReopenBody>, ifMatch?: number) {
    return this.mutate(actor, id, (t) => {
      requireStaff(actor, 'reopen tickets (comment on the ticket instead)');
      const refusal = refuseReopen(t.status);
      if (refusal) throw new DomainError('conflict', `ticket ${id}: ${refusal}`);
      return {
        patch: { status: 'in_progress', done_at: null },
        // the why is an internal comment; the public event only says it happened
        events: [{ actor: actor.login, kind: 'reopened', from: t.status, to: 'in_progress', note: null, internal: false }],
        comments: [{ author: actor.login, body: body.comment, public: false }],
      };
    }, ifMatch);
  }

  async comment(actor: User, id: number, body: Out<typeof CommentBody>) {
    // requesters only write public comments, whatever they ask for
    const isRequester = actor.role === 'requester';
    const tooMany = checkAttachmentCount(body.attachments?.length ?? 0);
    if (tooMany) throw new DomainError('validation', tooMany);
    const attachments = (body.attachments ?? []).map((a) => {
      const data = Buffer.from(a.data, 'base64');
      const verdict = checkAttachment(a.name, data.length);
      if (!verdict.ok) throw new DomainError('validation', verdict.reason);
      const mismatch = checkAttachmentContent(a.name, data);
      if (mismatch) throw new DomainError('validation', mismatch);
      return { name: a.name, content_type: verdict.contentType, data };
    });
    const quota = this.opts.requesterQuotaBytes ?? DEFAULT_REQUESTER_QUOTA_BYTES;
    const limited = isRequester && quota > 0 && attachments.length > 0;
    const result = await this.mutate(actor, id, (t) => {
      const publicComment = isRequester ? true : body.public;
      const m: Mutation = {
        patch: {},
        events: [{ actor: actor.login, kind: 'commented', from: null, to: null, note: publicComment ? 'public comment' : 'internal comment', internal: !publicComment }],
        comments: [{ author: actor.login, body: body.body, public: publicComment, attachments }],
        ...(limited ? { storageLimit: { author: actor.login, bytes: quota } } : {}),
      };
      if (isRequester && isDone(t.status)) {
        // a requester's reply brings a done ticket back (and stops its auto-close clock)
        m.patch = { status: 'in_progress', done_at: null };
        m.events.push({ actor: actor.login, kind: 'reopened', from: t.status, to: 'in_progress', note: 'requester commented', internal: false });
      }
      if (!isRequester && publicComment && !t.first_response_at) m.patch.first_response_at = this.opts.now().toISOString();
      return m;
    });
    return { ticket: result.ticket, comment: result.comments[0]! };
  }

  async patch(actor: User, id: number, body: Out<typeof PatchTicketBody>, ifMatch?: number) {
    if (body.root_cause !== undefined && body.root_cause !== null) {
      await this.visibleTicket(actor, id);
      requireStaff(actor, 'edit tickets');
      if (body.root_cause === id) throw new DomainError('validation', 'a ticket cannot be its own root cause');
      if (!(await this.store.getTicket(body.root_cause))) throw new DomainError('validation', `root cause ticket ${body.root_cause} not found`);
    }
    const { add_tags, remove_tags, priority, justification, ...fields } = body;
    return this.mutate(actor, id, (t) => {
      requireStaff(actor, 'edit tickets');
      const wanted: Record<string, unknown> = { ...fields };
      if (add_tags || remove_tags) {
        // added and removed against the stored tags, inside the write: no edit made meanwhile is lost
        const gone = new Set((remove_tags ?? []).map((x) => x.toLowerCase()));
        const tags = t.tags.filter((x) => !gone.has(x.toLowerCase()));
        for (const x of add_tags ?? []) if (!tags.some((y) => y.toLowerCase() === x.toLowerCase())) tags.push(x);
        if (tags.length > MAX_TAGS) throw new DomainError('validation', `ticket ${id} would have ${tags.length} tags; at most ${MAX_TAGS}`);
        wanted.tags = tags;
      }
      const changed = Object.entries(wanted).filter(([k, v]) => JSON.stringify((t as Record<string, unknown>)[k]) !== JSON.stringify(v));
      const m: Mutation = {
        patch: Object.fromEntries(changed) as Mutation['patch'],
        events: changed.map(([k, v]) => ({
          actor: actor.login,
          kind: 'updated' as const,
          from: k === 'description' ? null : JSON.stringify((t as Record<string, unknown>)[k]),
          to: k === 'description' ? null : JSON.stringify(v),
          note: k,
          internal: false,
        })),
        comments: [],
      };
      if (priority !== undefined && priority !== t.priority) {
        if (t.status === 'closed') throw new DomainError('conflict', `ticket ${id} is closed; reopen it first`);
        if (!isValidJustification(justification)) {
          throw new DomainError('validation', `changing priority ${t.priority} → ${priority} needs a justification of at least 10 characters`);
        }
        const change = this.priorityChange(actor, t, priority, justification!.trim());
        Object.assign(m.patch, change.patch);
        m.events.push(...change.events);
        m.comments!.push(...change.comments!);
      }
      if (m.events.length === 0) return { patch: {}, events: [], noop: true };
      return m;
    }, ifMatch);
  }

  /** Closes solution_provided tickets whose requester stayed silent for the configured days; the ids closed. Stops between two tickets once `signal` aborts. */
  async sweepAutoClose(signal?: AbortSignal): Promise<number[]> {
    const days = this.opts.autoCloseDays ?? DEFAULT_AUTO_CLOSE_DAYS;
    const before = new Date(this.opts.now().getTime() - days * 86_400_000).toISOString();
    const closed: number[] = [];
    for (;;) {
      const ids = await this.store.ticketsInStatusSince('solution_provided', before, 500);
      if (ids.length === 0) return closed;
      for (const id of ids) {
        if (signal?.aborted) return closed;
        const r = await this.mutate(SYSTEM_USER, id, (t) => {
          if (t.status !== 'solution_provided') return { patch: {}, events: [], noop: true };
          return {
            patch: { status: 'closed' },
            events: [{ actor: SYSTEM_ACTOR, kind: 'closed', from: t.status, to: 'closed', note: `auto-closed: no reply from the requester for ${days} days after the solution`, internal: false }],
          };
        });
        if (r.changed) closed.push(id);
      }
    }
  }

  /** Comments of a ticket the actor can see; requesters see the public ones only. */
  async comments(actor: User, id: number) {
    await this.visibleTicket(actor, id);
    return this.store.listComments(id, actor.role !== 'requester');
  }

  /** The audit trail of a ticket the actor can see; requesters see the public events only. */
  async events(actor: User, id: number) {
    await this.visibleTicket(actor, id);
    return this.store.listEvents(id, actor.role !== 'requester');
  }

  /** One attachment with its content: of a ticket the actor can see, and for requesters of a public comment. */
  async attachment(actor: User, id: number) {
    const a = await this.store.getAttachment(id);
    const t = a ? await this.store.getTicket(a.ticket_id) : null;
    if (!a || !t || !canSee(actor, t) || (!a.public && actor.role === 'requester')) throw new DomainError('not_found', `attachment ${id} not found`);
    return a;
  }

  /** Escalations of the tickets the actor can see; requesters see none (reason and timeline are internal). */
  async listEscalations(actor: User, args: { state?: EscalationGroup; limit: number; cursor?: string }) {
    if (actor.role === 'requester') return { items: [], next_cursor: null };
    return this.store.listEscalations({ viewer: actor, ...args });
  }

  /** A page of the change feed as the actor may see it, held up to `waitMs` for an event; `since` starts at a time. */
  async feed(actor: User, args: Omit<ListFeedArgs, 'viewer' | 'now'> & { since?: string }, waitMs: number, release: AbortSignal) {
    // out of reach is "not found", as on every route that names a ticket
    if (args.ticketId !== undefined) await this.visibleTicket(actor, args.ticketId);
    const { since, ...rest } = args;
    const after = since === undefined ? rest.after : Math.max(rest.after, await this.store.feedPositionAt(since));
    return readFeed(this.store, { ...rest, after, viewer: actor, now: this.opts.now() }, waitMs, release);
  }

  /**
   * Many operations in one commit, each atomic on its own (a savepoint): one result per operation, with
   * the fields it changed, in order. A refusal is that operation's result; anything else fails the batch.
   */
  async applyBatch(actor: User, operations: Out<typeof BatchBody>['operations'], withTickets: boolean): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    await this.store.batch(async () => {
      // a store may run the batch again from the start (after a deadlock): only the last run's results stand
      results.length = 0;
      for (const o of operations) {
        try {
          // read inside the batch's transaction, so the changes reported are exactly the ones applied
          const before = await this.store.getTicket(o.id);
          const r = await this.batchOperation(actor, o);
          const after = this.present(r.ticket);
          // an operation that succeeded could see the ticket, so its before state is the actor's to know
          const changes = before && r.changed ? diffTickets(this.present(before), after) : [];
          results.push({ id: o.id, op: o.op, status: 200, changed: r.changed, changes, ...(withTickets ? { ticket: after } : {}) });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          const p = problem(err.code, err.message);
          results.push({ id: o.id, op: o.op, status: p.status, changed: false, error: p });
        }
      }
    }, { tickets: operations.map((o) => o.id) });
    return results;
  }

  /** One batch op through the service method its operation names; a comment always changes the ticket. */
  private async batchOperation(actor: User, o: Out<typeof BatchBody>['operations'][number]): Promise<{ ticket: TicketRecord; changed: boolean }> {
    const method = (this as unknown as Record<string, BatchMethod>)[BATCH_METHODS.get(o.op)!]!;
    const r = await method.call(this, actor, o.id, o.body);
    return { ticket: r.ticket, changed: r.changed ?? true };
  }

  private requireAdmin(actor: User) {
    if (actor.role !== 'admin') throw new DomainError('forbidden', 'only admins manage users and tokens');
  }

  async listUsers(actor: User) {
    this.requireAdmin(actor);
    return this.store.listUsers();
  }

  async createUser(actor: User, b: Out<typeof CreateUserBody>) {
    this.requireAdmin(actor);
    if (b.org_admin && !b.org) throw new DomainError('validation', 'an org admin needs an org');
    return this.store.createUser({ login: b.login, name: b.name, email: b.email ?? null, role: b.role, org: b.org ?? null, org_admin: b.org_admin }, this.opts.now());
  }

  /** A new token for a user: the plaintext is in this answer only; the store keeps its hash. */
  async issueToken(actor: User, userId: number, name: string) {
    this.requireAdmin(actor);
    const user = await this.store.getUser(userId);
    if (!user) throw new DomainError('not_found', `user ${userId} not found`);
    const token = newToken();
    const rec = await this.store.createToken(user.id, name, hashToken(token), this.opts.now());
    return { ...rec, token };
  }

  async revokeToken(actor: User, tokenId: number) {
    this.requireAdmin(actor);
    if (!(await this.store.deleteToken(tokenId))) throw new DomainError('not_found', `token ${tokenId} not found`);
  }

  async list(actor: User, args: { query: Query; sort: Sort; limit: number; cursor?: string }) {
    const page = await this.store.listTickets({ ...args, viewer: actor, now: this.opts.now() });
    const now = this.nowIso();
    return { items: page.items.map((t) => this.present(t, now)), next_cursor: page.next_cursor };
  }
}
