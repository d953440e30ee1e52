// How routes and method names are read from an entry of the table of operations, on their own.
import { describe, expect, it } from 'vitest';
import { clientMethod, fastifyPath, fillPath, pathParams, routeOf, serviceMethod } from '../../src/domain/registry.js';

describe('routes of an operation', () => {
  it('splits a route into its method and path, and has none without one', () => {
    expect(routeOf({ route: 'POST /v1/tickets/{id}/status', readOnly: false })).toEqual({ method: 'POST', path: '/v1/tickets/{id}/status' });
    expect(routeOf({ readOnly: true })).toBeUndefined();
  });
  it('names the path parameters in order, each of its whole name', () => {
    expect(pathParams('/v1/users/{id}/tokens/{token_id}')).toEqual(['id', 'token_id']);
    expect(pathParams('/v1/health')).toEqual([]);
  });
  it('fills the path parameters in order, each encoded', () =>
    expect(fillPath('/v1/users/{id}/tokens/{token_id}', [7, 'a b/c'])).toBe('/v1/users/7/tokens/a%20b%2Fc'));
  it('writes the path parameters as Fastify does', () => expect(fastifyPath('/v1/users/{id}/tokens/{token_id}')).toBe('/v1/users/:id/tokens/:token_id'));
});

describe('method names of an operation', () => {
  it.each([
    ['the operation name when none is given', {}, 'getTicket'],
    ['the name given', { client: 'show', service: 'show' }, 'show'],
    ['none when the entry says so', { client: null, service: null }, null],
  ])('the client and the service method are %s', (_, names, expected) => {
    expect(clientMethod('getTicket', { readOnly: true, ...names })).toBe(expected);
    expect(serviceMethod('getTicket', { readOnly: true, ...names })).toBe(expected);
  });
});
