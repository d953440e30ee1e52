// Ticket routes: validate with the domain schemas, call the service, answer with ETags.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseQuery } from '../../domain/query.js';
import { SORTS } from '../../domain/queue.js';
import {
  AssignBody, CloseBody, Comment, CommentBody, CreateTicketBody, EscalateBody, Event, PatchTicketBody, PriorityBody, ReopenBody, StatusBody,
  Ticket, TriageBody, page,
} from '../../domain/schemas.js';
import { contentDisposition } from '../disposition.js';
import { canSee } from '../service.js';
import { DomainError } from '../store/types.js';
import { IdParams, Limit, NumericIdParams, etag, ifMatchVersion, problems, sendTicket, writeProblems } from './common.js';

const ListQuery = z.object({
  q: z.string().max(2000).optional().describe('query language (DESIGN §4), e.g. "status:new priority:high,critical"'),
  sort: z.enum(SORTS).default('queue'),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});

export const ticketRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service, store } = app.tix;

  app.get('/v1/tickets', { schema: { summary: 'List tickets in queue order', querystring: ListQuery, response: { 200: page(Ticket), ...problems } } }, async (req) => {
    const { q, sort, limit, cursor } = req.query;
    return service.list(req.actor, { query: parseQuery(q ?? ''), sort, limit, cursor });
  });

  app.post('/v1/tickets', { schema: { summary: 'Open a ticket', body: CreateTicketBody, response: { 201: Ticket, ...writeProblems } } }, async (req, reply) => {
    const t = await service.create(req.actor, req.body);
    return sendTicket(reply, service, t, true, 201);
  });

  app.get('/v1/tickets/:id', { schema: { summary: 'One ticket', params: IdParams, response: { 200: Ticket, ...problems } } }, async (req, reply) => {
    const t = await service.visibleTicket(req.actor, req.params.id);
    reply.header('etag', etag(t.version));
    return service.present(t);
  });

  app.patch(
    '/v1/tickets/:id',
    { schema: { summary: 'Edit subject, description, type, team, level, tags (all, or some added and removed), root cause, priority (with a justification)', params: IdParams, body: PatchTicketBody, response: { 200: Ticket, ...writeProblems } } },
    async (req, reply) => {
      const r = await service.patch(req.actor, req.params.id, req.body, ifMatchVersion(req));
      return sendTicket(reply, service, r.ticket, r.changed);
    },
  );

  const write = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    apply: (actor: typeof app extends never ? never : Parameters<typeof service.triage>[0], id: number, body: z.output<B>, ifMatch: number | undefined) => Promise<{ ticket: Parameters<typeof service.present>[0]; changed: boolean }>,
  ) =>
    app.post(`/v1/tickets/:id/${path}`, { schema: { summary, params: IdParams, body, response: { 200: Ticket, ...writeProblems } } }, async (req, reply) => {
      const r = await apply(req.actor, req.params.id, req.body as z.output<B>, ifMatchVersion(req));
      return sendTicket(reply, service, r.ticket, r.changed);
    });

  write('triage', 'Triage a new ticket: to in_progress, with priority, team, type, level, assignee', TriageBody, (a, id, b, v) => service.triage(a, id, b, v));
  write('priority', 'Change priority, with a justification', PriorityBody, (a, id, b, v) => service.reprioritize(a, id, b, v));
  write('assign', 'Assign to an agent, or unassign with null', AssignBody, (a, id, b, v) => service.assign(a, id, b, v));
  write('status', 'Move to another status', StatusBody, (a, id, b, v) => service.changeStatus(a, id, b, v));
  write('escalate', 'Escalate to engineering; creates CP-<n>', EscalateBody, (a, id, b, v) => service.escalate(a, id, b, v));
  write('close', 'Close, with the resolution; closing a closed ticket changes nothing', CloseBody, (a, id, b, v) => service.close(a, id, b, v));
  write('reopen', 'Reopen a done ticket to in_progress', ReopenBody, (a, id, b, v) => service.reopen(a, id, b, v));

  app.get('/v1/tickets/:id/comments', { schema: { summary: 'Comments (requesters see public ones only)', params: IdParams, response: { 200: page(Comment), ...problems } } }, async (req) => {
    await service.visibleTicket(req.actor, req.params.id);
    return { items: await store.listComments(req.params.id, req.actor.role !== 'requester'), next_cursor: null };
  });

  app.post('/v1/tickets/:id/comments', { bodyLimit: 4 * 1024 * 1024, schema: { summary: 'Comment (internal unless public: true)', params: IdParams, body: CommentBody, response: { 201: Comment, ...writeProblems } } }, async (req, reply) => {
    const r = await service.comment(req.actor, req.params.id, req.body);
    reply.header('etag', etag(r.ticket.version));
    return reply.code(201).send(r.comment);
  });

  app.get(
    '/v1/attachments/:id',
    { schema: { summary: 'Download an attachment (requesters: of public comments only)', params: NumericIdParams('an attachment id'), response: { 200: z.unknown().describe('the file, with its content type'), ...problems } } },
    async (req, reply) => {
      const a = await store.getAttachment(req.params.id);
      const visible = a && (await store.getTicket(a.ticket_id).then((t) => t !== null && canSee(req.actor, t))) && (a.public || req.actor.role !== 'requester');
      if (!a || !visible) throw new DomainError('not_found', `attachment ${req.params.id} not found`);
      reply.header('content-disposition', contentDisposition(a.name));
      // the declared type is the only one: a browser must not guess another from the bytes
      reply.header('x-content-type-options', 'nosniff');
      return reply.type(a.content_type).send(a.data);
    },
  );

  app.get('/v1/tickets/:id/events', { schema: { summary: 'Audit trail (requesters see public events only)', params: IdParams, response: { 200: page(Event), ...problems } } }, async (req) => {
    await service.visibleTicket(req.actor, req.params.id);
    return { items: await store.listEvents(req.params.id, req.actor.role !== 'requester'), next_cursor: null };
  });
};
