// Escalations: list, show, advance through the timeline.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AdvanceBody, Escalation, EscalationId, page } from '../../domain/schemas.js';
import { Limit, problems, writeProblems } from './common.js';

export const escalationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service, store } = app.tix;
  const Params = z.object({ id: EscalationId });

  app.get(
    '/v1/escalations',
    {
      schema: {
        summary: 'List escalations',
        querystring: z.object({
          state: z.enum(['running', 'resolved', 'all']).default('running'),
          limit: Limit,
          cursor: z.string().max(500).optional(),
        }),
        response: { 200: page(Escalation), ...problems },
      },
    },
    async (req) => (req.actor.role === 'requester' ? { items: [], next_cursor: null } : store.listEscalations({ viewer: req.actor, ...req.query })),
  );

  app.get('/v1/escalations/:id', { schema: { summary: 'One escalation with its timeline', params: Params, response: { 200: Escalation, ...problems } } }, async (req) =>
    service.getEscalation(req.actor, req.params.id),
  );

  app.post(
    '/v1/escalations/:id/advance',
    { schema: { summary: 'Move an escalation forward; resolved returns the ticket to in_progress', params: Params, body: AdvanceBody, response: { 200: Escalation, ...writeProblems } } },
    async (req) => (await service.advance(req.actor, req.params.id, req.body)).escalation,
  );
};
