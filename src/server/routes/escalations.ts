// Escalations: list, show, advance through the timeline.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AdvanceBody, Escalation, EscalationGroup, EscalationId } from '../../domain/schemas.js';
import { EscalationPage, Limit, failsWith } from './common.js';

export const escalationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service } = app.tix;
  const Params = z.object({ id: EscalationId });

  app.get(
    '/v1/escalations',
    {
      schema: {
        operationId: 'listEscalations',
        tags: ['escalations'],
        summary: 'List escalations',
        description: 'Escalations of the tickets you can see, running ones unless `state` says otherwise, `limit` at a time; pass `next_cursor` back as `cursor` for the next page. Requesters see none.',
        querystring: z.object({
          state: EscalationGroup.default('running'),
          limit: Limit,
          cursor: z.string().max(500).optional(),
        }),
        response: { 200: EscalationPage },
      },
    },
    async (req) => service.listEscalations(req.actor, req.query),
  );

  // GET /v1/escalations/{id} is derived from the registry (routes/operations.ts)

  app.post(
    '/v1/escalations/:id/advance',
    { schema: { operationId: 'advanceEscalation', tags: ['escalations'], summary: 'Move an escalation forward; resolved returns the ticket to in_progress', description: 'Agents and admins only. An escalation moves forward only, one or more steps at a time; a resolved one, or a step back, is 409.', params: Params, body: AdvanceBody, response: { 200: Escalation, ...failsWith(403, 404, 409) } } },
    async (req) => (await service.advance(req.actor, req.params.id, req.body)).escalation,
  );
};
