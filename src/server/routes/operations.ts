// Routes derived from the registry: each operation with a shape gets its route, validated by its schemas, answered
// by its service method called as (actor, ...path parameters, body or query, If-Match version for a change).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Operation, Operations } from '../../domain/operations.js';
import { fastifyPath, routeOf, serviceMethod } from '../../domain/registry.js';
import type { TicketService } from '../service.js';
import { changedTicket, failsWith, ifMatchVersion, sendTicket } from './common.js';

type ServiceCall = (...args: unknown[]) => Promise<unknown>;

/** The service method an operation names; a registry naming a missing one fails when the app is built, not on a request. */
function methodOf(service: TicketService, name: string, op: Operation): ServiceCall {
  const method = (service as unknown as Record<string, unknown>)[serviceMethod(name, op) ?? ''];
  if (typeof method !== 'function') throw new Error(`operation ${name}: the service has no method ${serviceMethod(name, op)}`);
  return (method as ServiceCall).bind(service);
}

export const operationRoutes = (operations: Operations): FastifyPluginAsyncZod =>
  async (app) => {
    const { service } = app.tix;
    for (const [name, op] of Object.entries(operations)) {
      const route = routeOf(op);
      if (!op.shape || !route) continue;
      const call = methodOf(service, name, op);
      const fails = failsWith(...(op.fails ?? []));
      const declared = { operationId: op.operationId, tags: op.tags, summary: op.summary, description: op.description, params: op.params, querystring: op.query, body: op.body };
      const schema = Object.fromEntries(Object.entries(declared).filter(([, v]) => v !== undefined));
      const url = fastifyPath(route.path);
      const pathArgs = (params: unknown) => Object.values((params ?? {}) as Record<string, unknown>);
      if (op.shape === 'change') {
        app.route({
          method: route.method,
          url,
          schema: { ...schema, response: { 200: changedTicket(), ...fails } },
          handler: async (req, reply) => {
            const r = (await call(req.actor, ...pathArgs(req.params), req.body, ifMatchVersion(req))) as { ticket: Parameters<typeof service.present>[0]; changed: boolean };
            return sendTicket(reply, service, r.ticket, r.changed);
          },
        });
      } else {
        app.route({
          method: route.method,
          url,
          schema: { ...schema, response: { ...(op.result ? { 200: op.result } : {}), ...fails } },
          handler: async (req) => {
            const input = op.query ? [req.query] : op.body ? [req.body] : [];
            const value = await call(req.actor, ...pathArgs(req.params), ...input);
            // a list is answered whole, in the shape of every list
            return op.shape === 'list' ? { items: value, next_cursor: null } : value;
          },
        });
      }
    }
  };
