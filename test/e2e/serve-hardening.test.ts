// tix serve's own limits, set on its command line: how long a request may take to arrive, how much a requester may store.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket, createUsers, startServer, tix, type TestUsers, type TixServer } from '../helpers/tix.js';

let server: TixServer;
let users: TestUsers;
const dir = mkdtempSync(join(tmpdir(), 'tix-serve-hardening-'));

beforeAll(async () => {
  server = await startServer({ serveArgs: ['--request-timeout', '1', '--attachment-quota', '0.5'] });
  users = await createUsers(server);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tix serve --request-timeout', () => {
  it('cuts a body that stops arriving with a 408 problem', async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      socket.on('data', (c) => (text += c.toString('utf8')));
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
      socket.write(`POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"sub`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toMatch(/"code":"request_timeout"/);
  });

  it('refuses a value that is not a number of seconds, with exit 2', async () => {
    const r = await tix(['serve', '--port', '0', '--db', join(dir, 'x.db'), '--request-timeout', 'soon'], { env: { TIX_CONFIG_DIR: join(dir, 'config') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--request-timeout/);
  });
});

describe('tix serve --attachment-quota', () => {
  it('a requester past the quota is told so, with exit 2, and nothing is posted', async () => {
    const t = await createTicket(server, { subject: 'scans' }, users.acmeRequester.token);
    const scan = (name: string) => {
      const path = join(dir, name);
      writeFileSync(path, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300 * 1024, 0x20)]));
      return path;
    };
    const first = await tix(['comment', String(t.id), '--body', 'first scan', '--attach', scan('one.pdf')], { server, env: users.acmeRequester.env });
    expect(first.code, first.stderr).toBe(0);
    const second = await tix(['comment', String(t.id), '--body', 'second scan', '--attach', scan('two.pdf')], { server, env: users.acmeRequester.env });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/quota of 0\.5 MB/);
    // an agent is not held to it
    const agent = await tix(['comment', String(t.id), '--body', 'agent scan', '--attach', scan('three.pdf')], { server, env: users.agent.env });
    expect(agent.code, agent.stderr).toBe(0);
  });

  it('refuses a negative quota, with exit 2', async () => {
    const r = await tix(['serve', '--port', '0', '--db', join(dir, 'y.db'), '--attachment-quota', '-1'], { env: { TIX_CONFIG_DIR: join(dir, 'config') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--attachment-quota/);
  });
});
