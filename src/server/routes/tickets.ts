// Ticket routes: validate with the domain schemas, call the service, answer with ETags.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseQuery } from '../../domain/query.js';
import { SORTS } from '../../domain/queue.js';
import { ATTACHMENT_TYPES } from '../../domain/attachments.js';
import { Comment, CommentBody, CreateTicketBody, PatchTicketBody, Ticket } from '../../domain/schemas.js';
import { contentDisposition } from '../disposition.js';
import { IdParams, Limit, NumericIdParams, TicketPage, JSON_TYPE, answer, changedTicket, etag, failsWith, ifMatchVersion, sendTicket, ticketAnswer } from './common.js';

const ListQuery = z.object({
  q: z.string().max(2000).optional().describe('a query in the tix query language, e.g. "status:new priority:high,critical"; no query lists every ticket you can see'),
  sort: z.enum(SORTS).default('queue'),
  limit: Limit,
  cursor: z.string().max(500).optional(),
});

/** A file as stored: served with the content type its name gave it. */
const File = z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' });
const download = {
  ...answer(File, 'The file, as uploaded', 'Content-Disposition', 'X-Content-Type-Options'),
  content: Object.fromEntries([...new Set(Object.values(ATTACHMENT_TYPES))].map((type) => [type, { schema: File }])),
};

export const ticketRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service } = app.tix;

  app.get('/v1/tickets', { schema: { operationId: 'listTickets', tags: ['tickets'], summary: 'List tickets in queue order', description: 'The tickets you can see (agents and admins: all; requesters: their own, and their organisation\'s for an org admin) that match `q`, in the order `sort` names, `limit` at a time. Pass `next_cursor` back as `cursor` for the next page; it is null on the last.', querystring: ListQuery, response: { 200: TicketPage } } }, async (req) => {
    const { q, sort, limit, cursor } = req.query;
    return service.list(req.actor, { query: parseQuery(q ?? ''), sort, limit, cursor });
  });

  app.post('/v1/tickets', { schema: { operationId: 'createTicket', tags: ['tickets'], summary: 'Open a ticket', description: 'Opens a ticket in status new, with SLA due dates from its priority. Without a priority the channel decides it; a requester asking for high or critical without a justification of at least 10 characters gets medium, and the audit trail says why. Agents may open a ticket on behalf of a known user with `requester`.', body: CreateTicketBody, response: { 201: changedTicket('The new ticket'), ...failsWith(403) } } }, async (req, reply) => {
    const t = await service.create(req.actor, req.body);
    return sendTicket(reply, service, t, true, 201);
  });

  app.get('/v1/tickets/:id', { schema: { operationId: 'getTicket', tags: ['tickets'], summary: 'One ticket', description: 'The ticket with its current version in ETag; 404 when it does not exist or is out of your reach.', params: IdParams, response: { 200: answer(Ticket, 'The ticket', 'ETag'), ...failsWith(404) } } }, async (req, reply) => {
    const t = await service.visibleTicket(req.actor, req.params.id);
    // the answer is already JSON: sent as it is, past the serializer
    const kept = ticketAnswer(service, t);
    reply.header('etag', kept.etag).header('content-type', JSON_TYPE);
    return reply.send(kept.body);
  });

  app.patch(
    '/v1/tickets/:id',
    { schema: { operationId: 'updateTicket', tags: ['tickets'], summary: 'Edit subject, description, type, team, level, tags (all, or some added and removed), root cause, priority (with a justification)', description: 'Agents and admins change the fields given, one audit event per field that changes; Tix-Changed is false when every field already had its value. With If-Match, applies only on top of that version.', params: IdParams, body: PatchTicketBody, response: { 200: changedTicket(), ...failsWith(403, 404, 412) } } },
    async (req, reply) => {
      const r = await service.patch(req.actor, req.params.id, req.body, ifMatchVersion(req));
      return sendTicket(reply, service, r.ticket, r.changed);
    },
  );

  // triage, priority, assign, status, escalate, close, reopen, and the lists of comments and events are derived from the registry (routes/operations.ts)

  app.post('/v1/tickets/:id/comments', { bodyLimit: 4 * 1024 * 1024, schema: { operationId: 'addComment', tags: ['comments'], summary: 'Comment (internal unless public: true)', description: 'Adds a comment with up to 5 attachments (base64, 500 KB each, of the accepted types). A requester\'s comment is always public, and brings a done ticket back to in_progress. ETag is the ticket\'s new version.', params: IdParams, body: CommentBody, response: { 201: answer(Comment, 'The comment; ETag is the ticket\'s new version', 'ETag'), ...failsWith(404) } } }, async (req, reply) => {
    const r = await service.comment(req.actor, req.params.id, req.body);
    reply.header('etag', etag(r.ticket.version));
    return reply.code(201).send(r.comment);
  });

  app.get(
    '/v1/attachments/:id',
    { schema: { operationId: 'getAttachment', tags: ['comments'], summary: 'Download an attachment (requesters: of public comments only)', description: 'The file as uploaded, served with the content type its name gave it; 404 when it does not exist or is out of your reach.', params: NumericIdParams('an attachment id'), response: { 200: download, ...failsWith(404) } } },
    async (req, reply) => {
      const a = await service.attachment(req.actor, req.params.id);
      reply.header('content-disposition', contentDisposition(a.name));
      // the declared type is the only one: a browser must not guess another from the bytes
      reply.header('x-content-type-options', 'nosniff');
      return reply.type(a.content_type).send(a.data);
    },
  );
};
