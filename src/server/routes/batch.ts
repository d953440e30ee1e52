// POST /v1/batch: up to 1000 operations, each applied atomically on its own, one result each, in order.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { diffTickets } from '../../domain/results.js';
import { BatchBody, BatchResponse, type BatchResult } from '../../domain/schemas.js';
import { problem } from '../app.js';
import { DomainError } from '../store/types.js';

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service, store } = app.tix;
  app.post(
    '/v1/batch',
    { schema: { operationId: 'applyBatch', tags: ['batch'], summary: 'Apply many ticket operations; each succeeds or fails on its own', description: 'Up to 1000 ticket operations, applied in order, each atomically on its own: one result per operation, with the status that operation alone would have answered and its problem when it failed. With return=minimal the results leave the tickets out.', querystring: z.object({ return: z.enum(['full', 'minimal']).default('full').describe('minimal leaves the tickets out of the results') }), body: BatchBody, response: { 200: BatchResponse } } },
    async (req) => {
      const full = req.query.return === 'full';
      const results: BatchResult[] = [];
      // one commit for the whole batch; each operation is still its own savepoint
      await store.batch(async () => {
        for (const o of req.body.operations) {
          try {
            // read inside the batch's transaction, so the changes reported are exactly the ones applied
            const before = await store.getTicket(o.id);
            let r: { ticket: Parameters<typeof service.present>[0]; changed: boolean };
            switch (o.op) {
              case 'triage': r = await service.triage(req.actor, o.id, o.body); break;
              case 'priority': r = await service.reprioritize(req.actor, o.id, o.body); break;
              case 'assign': r = await service.assign(req.actor, o.id, o.body); break;
              case 'status': r = await service.changeStatus(req.actor, o.id, o.body); break;
              case 'escalate': r = await service.escalate(req.actor, o.id, o.body); break;
              case 'close': r = await service.close(req.actor, o.id, o.body); break;
              case 'reopen': r = await service.reopen(req.actor, o.id, o.body); break;
              case 'comment': r = { ...(await service.comment(req.actor, o.id, o.body)), changed: true }; break;
              case 'patch': r = await service.patch(req.actor, o.id, o.body); break;
            }
            const after = service.present(r.ticket);
            const changes = before && r.changed ? diffTickets(service.present(before), after) : [];
            results.push({ id: o.id, op: o.op, status: 200, changed: r.changed, changes, ...(full ? { ticket: after } : {}) });
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            const p = problem(err.code, err.message);
            results.push({ id: o.id, op: o.op, status: p.status, changed: false, error: p });
          }
        }
      });
      return { results };
    },
  );
};
