// POST /v1/batch: up to 1000 operations, each applied atomically on its own, one result each, in order.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BatchBody, BatchResponse, type BatchResult } from '../../domain/schemas.js';
import { problem } from '../app.js';
import { DomainError } from '../store/types.js';
import { writeProblems } from './common.js';

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service, store } = app.tix;
  app.post(
    '/v1/batch',
    { schema: { summary: 'Apply many ticket operations; each succeeds or fails on its own', querystring: z.object({ return: z.enum(['full', 'minimal']).default('full').describe('minimal leaves the tickets out of the results') }), body: BatchBody, response: { 200: BatchResponse, ...writeProblems } } },
    async (req) => {
      const full = req.query.return === 'full';
      const results: BatchResult[] = [];
      // one commit for the whole batch; each operation is still its own savepoint
      await store.batch(async () => {
        for (const o of req.body.operations) {
          try {
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
            results.push({ id: o.id, op: o.op, status: 200, changed: r.changed, ...(full ? { ticket: service.present(r.ticket) } : {}) });
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            const p = problem(err.code, err.message);
            results.push({ id: o.id, op: o.op, status: p.status, changed: false, error: p });
          }
        }
      }, { tickets: req.body.operations.map((o) => o.id) });
      return { results };
    },
  );
};
