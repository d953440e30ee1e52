// POST /v1/batch: up to 1000 operations, each applied atomically on its own, one result each, in order.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BatchBody, BatchResponse } from '../../domain/operations.js';

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service } = app.tix;
  app.post(
    '/v1/batch',
    { schema: { operationId: 'applyBatch', tags: ['batch'], summary: 'Apply many ticket operations; each succeeds or fails on its own', description: 'Up to 1000 ticket operations, applied in order, each atomically on its own: one result per operation, with the status that operation alone would have answered and its problem when it failed. With return=minimal the results leave the tickets out.', querystring: z.object({ return: z.enum(['full', 'minimal']).default('full').describe('minimal leaves the tickets out of the results') }), body: BatchBody, response: { 200: BatchResponse } } },
    async (req) => {
      const results = await service.applyBatch(req.actor, req.body.operations, req.query.return === 'full');
      return { results };
    },
  );
};
