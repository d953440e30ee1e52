// Health, the OpenAPI document and the caller's identity.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Health, Me } from '../../domain/schemas.js';
import { API_VERSION } from '../http.js';

export const metaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/v1/health', { schema: { operationId: 'getHealth', tags: ['meta'], summary: 'Liveness', description: 'Answers 200 with the API version while the server runs; needs no token.', security: [], response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    version: API_VERSION,
  }));

  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/v1/me', { schema: { operationId: 'getMe', tags: ['meta'], summary: 'The user behind the token', description: 'The user the bearer token belongs to, with the id of that token.', response: { 200: Me } } }, async (req) => ({
    ...req.actor,
    token_id: req.tokenId,
  }));
};
