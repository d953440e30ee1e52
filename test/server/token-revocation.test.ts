// A revoked token stops working at once, even right after it was used (and remembered).
import { describe, expect, it } from 'vitest';
import { serverPerTest } from './helpers.js';

const s = serverPerTest();

describe('token revocation', () => {
  it('DELETE /v1/tokens/:id refuses the token on the very next request', async () => {
    const me = await s.call('alice', 'GET', '/v1/me');
    expect(me.statusCode).toBe(200);
    const tokenId = me.json().token_id as number;
    expect((await s.call('root', 'DELETE', `/v1/tokens/${tokenId}`)).statusCode).toBe(204);
    expect((await s.call('alice', 'GET', '/v1/me')).statusCode).toBe(401);
  });
});
