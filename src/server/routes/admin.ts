// Admin: users and their tokens.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreateTokenBody, CreateUserBody, NewToken, User, page } from '../../domain/schemas.js';
import { hashToken } from '../app.js';
import { DomainError } from '../store/types.js';
import { NumericIdParams, writeProblems } from './common.js';

/** A fresh API token: prefixed so it is recognisable in a leak scanner. */
export const newToken = () => `tix_${randomBytes(24).toString('base64url')}`;

export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, now } = app.tix;
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.url?.startsWith('/v1/users') || req.routeOptions.url?.startsWith('/v1/tokens')) {
      if (req.actor?.role !== 'admin') throw new DomainError('forbidden', 'only admins manage users and tokens');
    }
  });

  app.get('/v1/users', { schema: { summary: 'List users (admin)', response: { 200: page(User), ...writeProblems } } }, async () => ({
    items: await store.listUsers(),
    next_cursor: null,
  }));

  app.post('/v1/users', { schema: { summary: 'Create a user (admin)', body: CreateUserBody, response: { 201: User, ...writeProblems } } }, async (req, reply) => {
    const b = req.body;
    if (b.org_admin && !b.org) throw new DomainError('validation', 'an org admin needs an org');
    const user = await store.createUser({ login: b.login, name: b.name, email: b.email ?? null, role: b.role, org: b.org ?? null, org_admin: b.org_admin }, now());
    return reply.code(201).send(user);
  });

  app.post(
    '/v1/users/:id/tokens',
    { schema: { summary: 'Issue a token for a user (admin); shown once', params: NumericIdParams('a user id'), body: CreateTokenBody.optional(), response: { 201: NewToken, ...writeProblems } } },
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
    { schema: { summary: 'Revoke a token (admin)', params: NumericIdParams('a token id'), response: { 204: z.null(), ...writeProblems } } },
    async (req, reply) => {
      if (!(await store.deleteToken(req.params.id))) throw new DomainError('not_found', `token ${req.params.id} not found`);
      app.tokenCache.forgetToken(req.params.id);
      return reply.code(204).send(null);
    },
  );
};
