// A saved token goes only to its profile's server: never to another URL given by --url or TIX_URL.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { tix, serverForFile } from '../helpers/tix.js';

const { server } = serverForFile();

describe('the saved token', () => {
  it('is not sent to a server named by --url or TIX_URL; that needs its own token', async () => {
    const seen: (string | undefined)[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'no', status: 401, detail: 'who are you', code: 'unauthenticated' }));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const address = other.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const byFlag = await tix(['list', '--url', url], { server });
      const byEnv = await tix(['list'], { server, env: { TIX_URL: url } });
      for (const r of [byFlag, byEnv]) {
        expect(r.code).toBe(4);
        expect(r.stderr).toContain(`no token for ${url}`);
      }
      expect(seen.filter((h) => h?.includes(server.token))).toEqual([]);
      // the profile's own server still gets it
      expect((await tix(['list', '--url', server.url], { server })).code).toBe(0);
    } finally {
      other.close();
    }
  });
});
