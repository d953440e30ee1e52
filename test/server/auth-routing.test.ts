// Authentication is decided on the matched route, whatever spelling the request target uses.
import { describe, expect, it } from 'vitest';
import { serverPerTest } from './helpers.js';

const s = serverPerTest();

describe('request targets', () => {
  it('an encoded path to a private route still needs a token', async () => {
    for (const url of ['/%761/me', '/v1/%74ickets/1', '/v1/me/']) {
      const r = await s.call(null, 'GET', url);
      expect(r.statusCode, url).toBe(401);
    }
  });

  it('health and the OpenAPI document stay public, and an unknown path is a plain 404', async () => {
    expect((await s.call(null, 'GET', '/v1/health')).statusCode).toBe(200);
    expect((await s.call(null, 'GET', '/v1/openapi.json')).statusCode).toBe(200);
    expect((await s.call(null, 'GET', '/v1/nothing-here')).statusCode).toBe(404);
  });
});

describe('a private route', () => {
  it('needs a token, HEAD included', async () => {
    const t = await s.open('carol');
    const head = (url: string, token?: string) => s.app.inject({ method: 'HEAD', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    for (const url of [`/v1/tickets/${t.id}`, '/v1/tickets', '/v1/me']) {
      expect((await head(url)).statusCode, `HEAD ${url}`).toBe(401);
      expect((await head(url, s.tokens.get('alice'))).statusCode, `HEAD ${url}`).toBe(200);
    }
    expect((await head('/v1/health')).statusCode).toBe(200);
  });
});
