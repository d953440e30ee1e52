// Request Tracker 5 as a tix backend, through REST 2.0: the same methods and shapes as the tix client,
// with tix's rules applied here (RT allows almost any change) and every write read back to check it,
// since RT answers 200 with messages whether a change applied or not.
import type { ApiResponse, FeedPage, Page, RequestOptions, WriteResult } from '../../client/index.js';
import { ApiError } from '../../client/errors.js';
import { UsageError } from '../../cli/errors.js';
import { checkAttachment } from '../../domain/attachments.js';
import { defaultPriority, isValidJustification } from '../../domain/policy.js';
import { parseQuery, QueryError } from '../../domain/query.js';
import { clientMethod, REGISTRY, type OperationEntry } from '../../domain/registry.js';
import { diffTickets } from '../../domain/results.js';
import type {
  AdvanceBody, AssignBody, BatchOperation, BatchResult, CloseBody, Comment, CommentBody, CreateTicketBody, EscalateBody, Escalation, Event, Me, NewToken,
  PriorityBody, Problem, ReopenBody, StatusBody, Ticket, TriageBody, User,
} from '../../domain/schemas.js';
import type { Backend, BackendOptions, WriteOptions } from '../types.js';
import { decide, failureMessages, holds, type Plan, type RtUpdate } from './changes.js';
import { eventsFromHistory, commentsFromHistory, type RtAttachment, type RtTransaction } from './history.js';
import { RtHttp } from './http.js';
import { CF, DEFAULT_QUEUE, ENGINEERING_QUEUE, PRIORITY_TO_RT, SEARCH_FIELDS, ticketFromRt, type RtTicket } from './mapping.js';
import { orderFor, toTicketSql, UntranslatableTerm } from './ticketsql.js';

/** RT's largest page. */
const PAGE = 100;

interface RtPage<T> {
  items: T[];
  page: number;
  pages: number;
  total?: number;
}

const unsupported = (what: string, instead = ''): UsageError => new UsageError(`${what} is not available on Request Tracker${instead ? `; ${instead}` : ''}`);

const problem = (status: number, code: Problem['code'], detail: string): Problem => ({ type: 'about:blank', title: code, status, detail, code });

export class RtBackend implements Backend {
  readonly baseUrl: string;
  private readonly http: RtHttp;
  private readonly user: string | undefined;

  constructor(opts: BackendOptions) {
    this.http = new RtHttp(opts);
    this.baseUrl = this.http.baseUrl;
    this.user = opts.user;
  }

  async dispose(): Promise<void> {
    await this.http.close();
  }

  private now = () => new Date().toISOString();

  /** `tix api` on RT: paths of REST 2.0 (`/tickets`, `/ticket/12/history`). */
  async request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<ApiResponse<T>> {
    if (path.startsWith('/v1/')) throw unsupported(`the tix API path ${path}`, 'give a REST 2.0 path instead, e.g. /tickets?query=Status=\'new\' or /ticket/12');
    const r = await this.http.call<T>(method, path, { query: ro.query, body: ro.body, ifMatch: ro.ifMatch });
    return { status: r.status, body: r.body, headers: r.headers };
  }

  async health() {
    const r = await this.http.call<{ Version?: string }>('GET', '/rt');
    return { status: 'ok', version: `Request Tracker ${r.body.Version ?? '?'}` };
  }

  async me(): Promise<Me> {
    if (!this.user) {
      // the token is still checked: a refused one says so before anything else
      await this.http.call('GET', '/rt');
      throw new UsageError('Request Tracker cannot say who owns a token; name the user with `tix auth login --provider rt --user LOGIN`, or set TIX_RT_USER');
    }
    const r = await this.http.call<{ id: number | string; Name: string; RealName?: string; EmailAddress?: string; Privileged?: number; Created?: string }>('GET', `/user/${encodeURIComponent(this.user)}`, { about: `user ${this.user}` });
    const u = r.body;
    return {
      id: Number(u.id),
      login: u.Name,
      name: u.RealName || u.Name,
      email: u.EmailAddress || null,
      role: u.Privileged ? 'agent' : 'requester',
      org: null,
      org_admin: false,
      created_at: u.Created ? new Date(u.Created).toISOString() : this.now(),
      token_id: 0,
    };
  }

  // ---- reading ----

  private ticketSql(q: string | undefined): string {
    try {
      return toTicketSql(parseQuery(q ?? ''), { now: Date.now() });
    } catch (err) {
      if (err instanceof QueryError || err instanceof UntranslatableTerm) throw new UsageError(err.message);
      throw err;
    }
  }

  private async search(sql: string, page: number, perPage: number, sort?: string, items?: number): Promise<RtPage<RtTicket>> {
    const { orderby, order } = orderFor(sort);
    // a page of tickets with their custom fields costs RT ~2.5 ms a ticket idle: a busy RT gets the time of a tenth of a request each
    const r = await this.http.call<RtPage<RtTicket>>('GET', '/tickets', { query: { query: sql, page, per_page: perPage, fields: SEARCH_FIELDS, orderby, order }, items: Math.ceil((items ?? perPage) / 10) });
    return { items: r.body.items ?? [], page: Number(r.body.page) || page, pages: Number(r.body.pages) || 0 };
  }

  /** One page; the cursor is RT's page number (pages keep their size: `limit`, at most 100). */
  async listTickets(params: { q?: string; sort?: string; limit?: number; cursor?: string }): Promise<Page<Ticket>> {
    const sql = this.ticketSql(params.q);
    const perPage = Math.min(params.limit ?? 50, PAGE);
    const page = params.cursor ? Number(params.cursor) : 1;
    if (!Number.isInteger(page) || page < 1) throw new UsageError(`invalid cursor "${params.cursor}" for Request Tracker; it is a page number`);
    const r = await this.search(sql, page, perPage, params.sort);
    const now = this.now();
    return { items: r.items.map((t) => ticketFromRt(t, { now })), next_cursor: r.page < r.pages ? String(r.page + 1) : null };
  }

  async *allTickets(params: { q?: string; sort?: string; pageSize?: number; max?: number }): AsyncGenerator<Ticket> {
    const sql = this.ticketSql(params.q);
    const max = params.max ?? Infinity;
    let seen = 0;
    for (let page = 1; ; page++) {
      const r = await this.search(sql, page, PAGE, params.sort);
      const now = this.now();
      for (const t of r.items) {
        yield ticketFromRt(t, { now });
        if (++seen >= max) return;
      }
      if (r.page >= r.pages || r.items.length === 0) return;
    }
  }

  private async rawTicket(id: number): Promise<{ raw: RtTicket; version: number }> {
    const r = await this.http.call<RtTicket>('GET', `/ticket/${id}`, { about: `ticket ${id}` });
    const etag = String([r.headers.etag].flat()[0] ?? '').replace(/"/g, '');
    return { raw: r.body, version: Number(etag) || 0 };
  }

  /** The first message of a ticket: its description. */
  private async description(id: number): Promise<string> {
    const r = await this.http.call<RtPage<RtAttachment>>('GET', `/ticket/${id}/attachments`, { query: { fields: 'Content,ContentType,Filename', per_page: 5, orderby: 'id', order: 'ASC' } });
    const first = r.body.items?.find((a) => !a.Filename && String(a.ContentType).startsWith('text/'));
    return first?.Content ?? '';
  }

  async getTicket(id: number): Promise<Ticket> {
    const [{ raw, version }, description] = await Promise.all([this.rawTicket(id), this.description(id)]);
    return ticketFromRt(raw, { version, description, now: this.now() });
  }

  /** Many tickets by id, a search per hundred; those RT does not hold are left out. */
  private async ticketsById(ids: number[]): Promise<Map<number, Ticket>> {
    const found = new Map<number, Ticket>();
    const now = this.now();
    for (let i = 0; i < ids.length; i += PAGE) {
      const chunk = ids.slice(i, i + PAGE);
      const r = await this.search(chunk.map((id) => `id = ${id}`).join(' OR '), 1, PAGE, undefined, chunk.length);
      for (const t of r.items) found.set(Number(t.id), ticketFromRt(t, { now }));
    }
    return found;
  }

  // ---- writing ----

  async createTicket(body: CreateTicketBody): Promise<Ticket> {
    const channel = body.channel ?? 'portal';
    const priority = body.priority === 'urgent' ? 'critical' : (body.priority ?? defaultPriority(channel));
    if ((priority === 'critical' || priority === 'high') && body.priority !== undefined && body.justification !== undefined && !isValidJustification(body.justification)) {
      throw new UsageError('--justification: a justification needs at least 10 characters');
    }
    if (body.tags?.length) throw unsupported('tags (--tag)', 'RT tickets carry no tix tags');
    const customFields: Record<string, string> = { [CF.status]: 'new', [CF.channel]: channel };
    if (body.type) customFields[CF.type] = body.type;
    const r = await this.http.call<{ id: string | number }>('POST', '/ticket', {
      body: {
        Queue: process.env.TIX_RT_QUEUE || DEFAULT_QUEUE,
        Subject: body.subject,
        Content: body.description,
        ContentType: 'text/plain',
        Priority: PRIORITY_TO_RT[priority],
        ...(body.requester ? { Requestor: [body.requester] } : {}),
        CustomFields: customFields,
      },
    });
    const id = Number(r.body.id);
    if (body.justification && body.priority !== undefined) await this.note(id, `Priority ${priority} at creation. Justification: ${body.justification.trim()}`);
    const t = await this.getTicket(id);
    // RT opens a ticket even when it refuses a custom field value: read back, say what did not hold
    if (t.channel !== channel || (body.type && t.type !== body.type)) {
      throw new ApiError(problem(422, 'validation', `Request Tracker opened ticket ${id} without its channel or type; run \`tix rt setup\` so its custom fields exist`));
    }
    return t;
  }

  private async note(id: number, content: string, extra: { Status?: string; CustomFields?: Record<string, string> } = {}, ifMatch?: number): Promise<string[]> {
    const r = await this.http.call<unknown[]>('POST', `/ticket/${id}/comment`, { body: { Content: content, ContentType: 'text/plain', ...extra }, ifMatch, about: `ticket ${id}` });
    return Array.isArray(r.body) ? r.body.map(String) : [];
  }

  /** Opens the escalation's engineering ticket, linked back to the support ticket; its number is the escalation's. */
  private async openEscalation(t: Ticket, e: NonNullable<Plan['escalation']>): Promise<number> {
    const r = await this.http.call<{ id: string | number }>('POST', '/ticket', {
      body: {
        Queue: ENGINEERING_QUEUE,
        Subject: `Escalation of #${t.id}: ${t.subject}`,
        Content: `${e.reason}${e.eta ? `\n\nEstimated resolution: ${e.eta}` : ''}`,
        ContentType: 'text/plain',
        Priority: PRIORITY_TO_RT[t.priority],
        ReferredToBy: t.id,
        CustomFields: { [CF.team]: e.team, [CF.level]: String(e.level) },
      },
      about: `the escalation of ticket ${t.id}`,
    });
    return Number(r.body.id);
  }

  /** Completes a plan's update and note for the escalation it opens or resolves. */
  private async prepare(t: Ticket, plan: Plan): Promise<{ update?: RtUpdate; note?: string }> {
    let { update, note } = plan;
    if (plan.escalation) {
      const eng = await this.openEscalation(t, plan.escalation);
      update = { ...update, AddRefersTo: eng, CustomFields: { ...update?.CustomFields, [CF.escalation]: `CP-${eng}` } };
      note = `Escalated to engineering as CP-${eng} (RT ticket ${eng}): ${plan.escalation.reason}`;
      plan.expect = { ...plan.expect, escalation: `CP-${eng}` };
    }
    if (plan.resolveEscalation !== undefined) {
      await this.http.call('PUT', `/ticket/${plan.resolveEscalation}`, { body: { Status: 'resolved' }, about: `escalation CP-${plan.resolveEscalation}` });
    }
    return { update, note };
  }

  /** One change of one ticket with If-Match: what the single-ticket commands (and a terminal's prompts) use. */
  private async writeOne(id: number, op: BatchOperation, ifMatch?: number): Promise<WriteResult> {
    const { raw, version } = await this.rawTicket(id);
    const before = ticketFromRt(raw, { version, now: this.now() });
    const d = decide(op, before, this.user);
    if ('refused' in d) throw new ApiError(problem(d.status, d.code, d.refused));
    if ('unchanged' in d) return { ticket: await this.getTicket(id), changed: false };
    const { update, note } = await this.prepare(before, d.plan);
    const messages: string[] = [];
    try {
      if (update) messages.push(...(await this.put(id, update, ifMatch)));
    } catch (err) {
      if (err instanceof ApiError && err.status === 412 && ifMatch !== undefined) throw this.stale(id, ifMatch, (await this.rawTicket(id)).version);
      throw err;
    }
    let after = await this.getTicket(id);
    // the note is written only once the change held: RT keeps a refused change's note otherwise
    if (!holds(d.plan.expect, after)) throw new ApiError(problem(422, 'validation', this.notApplied(id, messages)));
    if (note) {
      await this.note(id, note);
      after = await this.getTicket(id);
    }
    return { ticket: after, changed: true };
  }

  private stale(id: number, was: number, now: number): ApiError {
    return new ApiError(problem(412, 'precondition_failed', `ticket ${id} changed since you read it (version ${was}, now ${now}); re-run to apply on top`));
  }

  private notApplied(id: number, messages: string[]): string {
    const said = failureMessages(messages);
    return `Request Tracker did not apply the change to ticket ${id}: ${said.length ? said.join('; ') : messages.join('; ') || 'no reason given'}`;
  }

  private async put(id: number, update: RtUpdate, ifMatch?: number): Promise<string[]> {
    const r = await this.http.call<unknown[]>('PUT', `/ticket/${id}`, { body: update, ifMatch, about: `ticket ${id}` });
    return Array.isArray(r.body) ? r.body.map(String) : [];
  }

  triage = (id: number, body: TriageBody, o?: WriteOptions) => this.writeOne(id, { op: 'triage', id, body }, o?.ifMatch);
  reprioritize = (id: number, body: PriorityBody, o?: WriteOptions) => this.writeOne(id, { op: 'priority', id, body }, o?.ifMatch);
  assign = (id: number, body: AssignBody, o?: WriteOptions) => this.writeOne(id, { op: 'assign', id, body }, o?.ifMatch);
  setStatus = (id: number, body: StatusBody, o?: WriteOptions) => this.writeOne(id, { op: 'status', id, body }, o?.ifMatch);
  escalate = (id: number, body: EscalateBody, o?: WriteOptions) => this.writeOne(id, { op: 'escalate', id, body }, o?.ifMatch);
  closeTicket = (id: number, body: CloseBody, o?: WriteOptions) => this.writeOne(id, { op: 'close', id, body }, o?.ifMatch);
  reopen = (id: number, body: ReopenBody, o?: WriteOptions) => this.writeOne(id, { op: 'reopen', id, body }, o?.ifMatch);

  /**
   * Many changes: the tickets read in searches of a hundred, tix's rules applied to each, the field
   * changes sent in one PUT /tickets/bulk and the notes in one POST /tickets/bulk/comment, then every
   * ticket read back. Never re-sent: RT keeps no idempotency key, so the journal guards a resumed run
   * and a ticket already as asked is left alone (no second note).
   */
  async batch(operations: BatchOperation[], o: { idempotencyKey?: string; minimal?: boolean } = {}): Promise<BatchResult[]> {
    const other = operations.find((op) => op.op === 'patch' || op.op === 'comment');
    if (other) throw unsupported(other.op === 'patch' ? 'tix edit' : 'commenting in a batch', other.op === 'patch' ? 'change priority, team, type or level with tix reprioritize or tix triage' : 'comment one ticket at a time');
    const ids = [...new Set(operations.map((op) => op.id))];
    const before = await this.ticketsById(ids);
    const results = new Map<number, BatchResult>();
    const planned: { op: BatchOperation; plan: Plan; update?: RtUpdate; note?: string }[] = [];
    for (const op of operations) {
      const t = before.get(op.id);
      if (!t) {
        results.set(op.id, { id: op.id, op: op.op, status: 404, changed: false, error: problem(404, 'not_found', `ticket ${op.id} not found on Request Tracker`) });
        continue;
      }
      const d = decide(op, t, this.user);
      if ('refused' in d) results.set(op.id, { id: op.id, op: op.op, status: d.status, changed: false, error: problem(d.status, d.code, d.refused) });
      else if ('unchanged' in d) results.set(op.id, { id: op.id, op: op.op, status: 200, changed: false, ...(o.minimal ? {} : { ticket: t }) });
      else planned.push({ op, plan: d.plan });
    }
    // escalations open their engineering tickets one by one: RT has no bulk link
    for (const p of planned) Object.assign(p, await this.prepare(before.get(p.op.id)!, p.plan));
    const messages = new Map<number, string[]>();
    const said = (id: number, m: unknown[]) => messages.set(id, [...(messages.get(id) ?? []), ...m.map(String)]);
    const updates = planned.filter((p) => p.update).map((p) => ({ id: p.op.id, ...p.update }));
    for (let i = 0; i < updates.length; i += PAGE) {
      const chunk = updates.slice(i, i + PAGE);
      const r = await this.http.call<unknown[][]>('PUT', '/tickets/bulk', { body: chunk, items: chunk.length });
      for (const [id, ...m] of r.body) said(Number(id), m);
    }
    // RT answers 200 whether a change held or not: every ticket is read back, and only those that hold get their note
    const after = planned.length ? await this.ticketsById(planned.map((p) => p.op.id)) : new Map<number, Ticket>();
    const held = planned.filter((p) => after.has(p.op.id) && holds(p.plan.expect, after.get(p.op.id)!));
    const notes = held.filter((p) => p.note).map((p) => ({ id: p.op.id, Content: p.note, ContentType: 'text/plain' }));
    for (let i = 0; i < notes.length; i += PAGE) {
      const chunk = notes.slice(i, i + PAGE);
      const r = await this.http.call<unknown[][]>('POST', '/tickets/bulk/comment', { body: chunk, items: chunk.length });
      for (const [id, ...m] of r.body) said(Number(id), m);
    }
    const heldIds = new Set(held.map((p) => p.op.id));
    for (const p of planned) {
      const id = p.op.id;
      const t = after.get(id);
      if (!t || !heldIds.has(id)) {
        results.set(id, { id, op: p.op.op, status: 422, changed: false, error: problem(422, 'validation', this.notApplied(id, messages.get(id) ?? [])), ...(t && !o.minimal ? { ticket: t } : {}) });
        continue;
      }
      results.set(id, { id, op: p.op.op, status: 200, changed: true, changes: diffTickets(before.get(id)!, { ...before.get(id)!, ...p.plan.expect }), ...(o.minimal ? {} : { ticket: t }) });
    }
    return operations.map((op) => results.get(op.id)!);
  }

  // ---- comments and history ----

  async comment(id: number, body: CommentBody): Promise<Comment> {
    const attachments = (body.attachments ?? []).map((a) => {
      const verdict = checkAttachment(a.name, Buffer.byteLength(a.data, 'base64'));
      return { FileName: a.name, FileType: verdict.ok ? verdict.contentType : 'application/octet-stream', FileContent: a.data };
    });
    const kind = body.public ? 'correspond' : 'comment';
    await this.http.call('POST', `/ticket/${id}/${kind}`, {
      body: { Content: body.body, ContentType: 'text/plain', ...(attachments.length ? { Attachments: attachments } : {}) },
      about: `ticket ${id}`,
    });
    const mine = (await this.comments(id)).filter((c) => c.public === Boolean(body.public) && c.body.trim() === body.body.trim());
    const c = mine[mine.length - 1];
    if (!c) throw new ApiError(problem(502, 'internal', `Request Tracker took the comment on ticket ${id} but does not show it in the ticket's history`));
    return c;
  }

  private async history(id: number): Promise<{ transactions: RtTransaction[]; attachments: RtAttachment[] }> {
    const all = async <T>(path: string, fields: string): Promise<T[]> => {
      const items: T[] = [];
      for (let page = 1; ; page++) {
        const r = await this.http.call<RtPage<T>>('GET', path, { query: { fields, page, per_page: PAGE, orderby: 'id', order: 'ASC' }, about: `ticket ${id}` });
        items.push(...(r.body.items ?? []));
        if (!r.body.pages || Number(r.body.page) >= Number(r.body.pages)) return items;
      }
    };
    const [transactions, attachments] = await Promise.all([
      all<RtTransaction>(`/ticket/${id}/history`, 'Type,Field,OldValue,NewValue,Creator,Created,Data'),
      all<RtAttachment>(`/ticket/${id}/attachments`, 'TransactionId,Filename,ContentType,ContentLength,Content'),
    ]);
    return { transactions, attachments };
  }

  async comments(id: number): Promise<Comment[]> {
    const h = await this.history(id);
    return commentsFromHistory(id, h.transactions, h.attachments);
  }

  async events(id: number): Promise<Event[]> {
    const [h, { raw }] = await Promise.all([this.history(id), this.rawTicket(id)]);
    // history names custom fields by id and owners by user id
    const cfNames = new Map((raw.CustomFields ?? []).map((c) => [String((c as { id?: unknown }).id), c.name]));
    const events = eventsFromHistory(id, h.transactions, h.attachments, cfNames);
    const names = new Map<string, string>();
    for (const e of events) {
      if (e.kind !== 'assigned') continue;
      for (const v of [e.from, e.to]) if (v && /^\d+$/.test(v) && !names.has(v)) names.set(v, await this.userName(v));
      e.from = e.from && (names.get(e.from) ?? e.from);
      e.to = e.to && (names.get(e.to) ?? e.to);
      if (e.from === 'Nobody') e.from = null;
      if (e.to === 'Nobody') e.to = null;
    }
    return events;
  }

  private async userName(id: string): Promise<string> {
    try {
      return String((await this.http.call<{ Name?: string }>('GET', `/user/${id}`)).body.Name ?? id);
    } catch {
      return id;
    }
  }

  // ---- what RT cannot do ----

  /** An operation named by the registry runs through the method of the same name, when RT has one. */
  async invoke(entry: OperationEntry, args: readonly unknown[]): Promise<unknown> {
    const named = Object.entries(REGISTRY).find(([, e]) => e === entry);
    const name = named ? clientMethod(named[0], entry) : null;
    const method = name ? (this as unknown as Record<string, unknown>)[name] : undefined;
    if (typeof method !== 'function') throw unsupported(`the operation ${name ?? 'named'}`);
    return (method as (...a: unknown[]) => Promise<unknown>).apply(this, [...args]);
  }

  feed(): Promise<FeedPage> {
    return Promise.reject(unsupported('the change feed (tix events, watch, wait)', "RT's history is per ticket: use `tix show ID --events`"));
  }

  async escalations(): Promise<Escalation[]> {
    throw unsupported('listing escalations', `escalations are tickets in RT's ${ENGINEERING_QUEUE} queue: \`tix api GET "/tickets?query=Queue='${ENGINEERING_QUEUE}'"\``);
  }

  async escalation(id: string): Promise<Escalation> {
    const n = Number(/^CP-(\d+)$/i.exec(id)?.[1]);
    if (!n) throw new UsageError(`invalid escalation id "${id}"; it looks like CP-12`);
    const { raw } = await this.rawTicket(n);
    const linked = raw._hyperlinks?.find((l) => l.ref === 'referred-to-by' && l.type === 'ticket');
    const status = String(raw.Status);
    const created = new Date(raw.Created ?? Date.now()).toISOString();
    const by = String(raw.Creator?.id ?? '');
    const resolved = status === 'resolved' || status === 'rejected';
    const cf = (name: string) => raw.CustomFields?.find((c) => c.name === name)?.values[0];
    return {
      id: `CP-${n}`,
      ticket_id: Number(linked?.id ?? 0),
      reason: await this.description(n),
      team: (cf(CF.team) as Escalation['team']) ?? null,
      level: (Number(cf(CF.level)) || null) as Escalation['level'],
      state: resolved ? 'resolved' : status === 'open' ? 'engineering_in_progress' : 'submitted',
      estimated_resolution: null,
      created_by: by,
      created_at: created,
      timeline: [{ state: 'submitted', at: created, by, note: null }, ...(resolved && raw.Resolved ? [{ state: 'resolved' as const, at: new Date(raw.Resolved).toISOString(), by, note: null }] : [])],
    };
  }

  async advance(_id: string, _body: AdvanceBody): Promise<Escalation> {
    throw unsupported('advancing an escalation', `work its ticket in RT's ${ENGINEERING_QUEUE} queue; closing the support ticket resolves it`);
  }

  async users(): Promise<User[]> {
    throw unsupported('tix user', "manage users in RT's own admin pages");
  }
  async createUser(): Promise<User> {
    throw unsupported('tix user create', "manage users in RT's own admin pages");
  }
  async createToken(): Promise<NewToken> {
    throw unsupported('tix user token', "tokens are made in RT's own preferences (Settings → Auth Tokens)");
  }
  async revokeToken(): Promise<void> {
    throw unsupported('tix user revoke', "tokens are revoked in RT's own preferences (Settings → Auth Tokens)");
  }
}
