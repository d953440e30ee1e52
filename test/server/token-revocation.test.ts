// A revoked token stops working at once through this server, and within the cache lifetime when revoked elsewhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/server/app.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { serverPerTest, startServer, type TestServer } from './helpers.js';

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

describe('a token revoked by another connection to the same database', () => {
  let dir: string;
  let server: TestServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tix-revoke-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Caches alice's token with one request, then deletes it on a second store of the same file. */
  async function revokeElsewhere(tokenCacheMs?: number) {
    server = await startServer({ dbPath: join(dir, 'tix.db'), app: tokenCacheMs === undefined ? {} : { tokenCacheMs } });
    const me = await server.call('alice', 'GET', '/v1/me');
    expect(me.statusCode).toBe(200);
    const other = new SqliteStore(join(dir, 'tix.db'));
    try {
      expect(await other.deleteToken(me.json().token_id as number)).toBe(true);
    } finally {
      await other.close();
    }
    return server;
  }

  it('is still accepted until the cache lifetime ends on the clock, and refused from then on', async () => {
    const srv = await revokeElsewhere(60_000);
    srv.clock.advance(60_000 - 1);
    expect((await srv.call('alice', 'GET', '/v1/me')).statusCode).toBe(200);
    srv.clock.advance(1);
    expect((await srv.call('alice', 'GET', '/v1/me')).statusCode).toBe(401);
    // other tokens are untouched
    expect((await srv.call('bob', 'GET', '/v1/me')).statusCode).toBe(200);
  });

  it(`by default is refused once ${TokenCache.TTL_MS / 1000} s have passed`, async () => {
    const srv = await revokeElsewhere();
    srv.clock.advance(TokenCache.TTL_MS - 1);
    expect((await srv.call('alice', 'GET', '/v1/me')).statusCode).toBe(200);
    srv.clock.advance(1);
    expect((await srv.call('alice', 'GET', '/v1/me')).statusCode).toBe(401);
  });

  it('with no cache lifetime, is refused on the next request', async () => {
    const srv = await revokeElsewhere(0);
    expect((await srv.call('alice', 'GET', '/v1/me')).statusCode).toBe(401);
  });
});
