// Admin: users and their tokens.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreateTokenBody, CreateUserBody, NewToken, User } from '../../domain/schemas.js';
import { NumericIdParams, UserList, failsWith } from './common.js';

export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { service } = app.tix;
  // who may manage users and tokens is the service's to decide, as every other rule

  app.get('/v1/users', { schema: { operationId: 'listUsers', tags: ['admin'], summary: 'List users (admin)', description: 'Every user in one answer.', response: { 200: UserList, ...failsWith(403) } } }, async (req) => ({
    items: await service.listUsers(req.actor),
    next_cursor: null,
  }));

  app.post('/v1/users', { schema: { operationId: 'createUser', tags: ['admin'], summary: 'Create a user (admin)', description: 'Creates a user with a role; an org admin needs an org. A login already taken is 409.', body: CreateUserBody, response: { 201: User, ...failsWith(403, 409) } } }, async (req, reply) => {
    return reply.code(201).send(await service.createUser(req.actor, req.body));
  });

  app.post(
    '/v1/users/:id/tokens',
    { schema: { operationId: 'createToken', tags: ['admin'], summary: 'Issue a token for a user (admin); shown once', description: 'A new API token for the user: the answer is the only time it is shown; the server keeps only its hash. This answer is never replayed, so it takes no Idempotency-Key.', params: NumericIdParams('a user id'), body: CreateTokenBody.optional(), response: { 201: NewToken, ...failsWith(403, 404) } } },
    async (req, reply) => {
      return reply.code(201).send(await service.issueToken(req.actor, req.params.id, req.body?.name ?? 'cli'));
    },
  );

  app.delete(
    '/v1/tokens/:id',
    { schema: { operationId: 'revokeToken', tags: ['admin'], summary: 'Revoke a token (admin)', description: 'The token stops working at once on this server.', params: NumericIdParams('a token id'), response: { 204: z.null().describe('Revoked'), ...failsWith(403, 404) } } },
    async (req, reply) => {
      await service.revokeToken(req.actor, req.params.id);
      app.tokenCache.forgetToken(req.params.id);
      return reply.code(204).send(null);
    },
  );
};
