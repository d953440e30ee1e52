// Admin: users and their tokens.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreateTokenBody, CreateUserBody, NewToken, User } from '../../domain/schemas.js';
import { hashToken } from '../app.js';
import { DomainError } from '../store/types.js';
import { NumericIdParams, UserList, failsWith } from './common.js';

/** A fresh API token: prefixed so it is recognisable in a leak scanner. */
export const newToken = () => `tix_${randomBytes(24).toString('base64url')}`;

export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, now } = app.tix;
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.url?.startsWith('/v1/users') || req.routeOptions.url?.startsWith('/v1/tokens')) {
      if (req.actor?.role !== 'admin') throw new DomainError('forbidden', 'only admins manage users and tokens');
    }
  });

  app.get('/v1/users', { schema: { operationId: 'listUsers', tags: ['admin'], summary: 'List users (admin)', description: 'Every user in one answer.', response: { 200: UserList, ...failsWith(403) } } }, async () => ({
    items: await store.listUsers(),
    next_cursor: null,
  }));

  app.post('/v1/users', { schema: { operationId: 'createUser', tags: ['admin'], summary: 'Create a user (admin)', description: 'Creates a user with a role; an org admin needs an org. A login already taken is 409.', body: CreateUserBody, response: { 201: User, ...failsWith(403, 409) } } }, async (req, reply) => {
    const b = req.body;
    if (b.org_admin && !b.org) throw new DomainError('validation', 'an org admin needs an org');
    const user = await store.createUser({ login: b.login, name: b.name, email: b.email ?? null, role: b.role, org: b.org ?? null, org_admin: b.org_admin }, now());
    return reply.code(201).send(user);
  });

  app.post(
    '/v1/users/:id/tokens',
    { schema: { operationId: 'createToken', tags: ['admin'], summary: 'Issue a token for a user (admin); shown once', description: 'A new API token for the user: the answer is the only time it is shown; the server keeps only its hash. This answer is never replayed, so it takes no Idempotency-Key.', params: NumericIdParams('a user id'), body: CreateTokenBody.optional(), response: { 201: NewToken, ...failsWith(403, 404) } } },
    async (req, reply) => {
      const user = await store.getUser(req.params.id);
      if (!user) throw new DomainError('not_found', `user ${req.params.id} not found`);
      const token = newToken();
      const rec = await store.createToken(user.id, req.body?.name ?? 'cli', hashToken(token), now());
      return reply.code(201).send({ ...rec, token });
    },
  );

  app.delete(
    '/v1/tokens/:id',
    { schema: { operationId: 'revokeToken', tags: ['admin'], summary: 'Revoke a token (admin)', description: 'The token stops working at once on this server.', params: NumericIdParams('a token id'), response: { 204: z.null().describe('Revoked'), ...failsWith(403, 404) } } },
    async (req, reply) => {
      if (!(await store.deleteToken(req.params.id))) throw new DomainError('not_found', `token ${req.params.id} not found`);
      app.tokenCache.forgetToken(req.params.id);
      return reply.code(204).send(null);
    },
  );
};
