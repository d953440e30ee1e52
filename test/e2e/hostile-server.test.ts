// The real CLI against a hostile or broken server (node:http on port 0, answering from the test): it
// stops with a clear error instead of looping, crashing or saving what the server never confirmed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, tix, type Env, type RunResult } from '../helpers/tix.js';

const TOKEN = 'tix_HostileServerTestToken000000000000';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Hostile {
  url: string;
  requests: { method: string; url: string; authorization?: string }[];
  answer(handler: Handler): void;
  close(): Promise<void>;
}

async function hostileServer(): Promise<Hostile> {
  let handler: Handler = (_req, res) => void res.writeHead(500).end();
  const requests: Hostile['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (h) => void (handler = h),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
};

const ticket = (id: number) => ({
  id, subject: `ticket ${id}`, description: '', status: 'new', priority: 'low', channel: 'email', type: null, team: null, level: null, assignee: null,
  requester: 'rita', org: null, tags: [], blocked_by: null, root_cause: null, escalation: null, created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z', first_response_at: null, response_due_at: null, resolution_due_at: null, sla_breached: false, version: 1,
});

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let hostile: Hostile;
let home: string;
let env: Env;
const run = (args: string[], extra: Env = {}, input?: string): Promise<RunResult> => tix(args, { env: { ...env, ...extra }, input });

beforeAll(async () => {
  hostile = await hostileServer();
  home = mkdtempSync(join(tmpdir(), 'tix-e2e-hostile-'));
});
afterAll(async () => {
  await hostile.close();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => {
  hostile.requests.length = 0;
  env = { ...cleanEnv(home, mkdtempSync(join(home, 'config-'))), TIX_URL: hostile.url, TIX_TOKEN: TOKEN };
});

describe('a server that repeats its page cursor', () => {
  beforeEach(() => hostile.answer((req, res) => send(res, 200, { items: [ticket(hostile.requests.length)], next_cursor: 'c2VlbiBiZWZvcmU' })));

  it('list --all stops after the repeat with exit 1 and says why, instead of asking for ever', async () => {
    const r = await run(['list', '--all']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/repeated a page cursor after 2 pages/);
    expect(hostile.requests).toHaveLength(2);
    expect(r.stderr).not.toContain('TypeError');
  });

  it('check stops the same way (exit 1, the reason on stderr), never reporting a count', async () => {
    const r = await run(['check', 'status:new', '--max', '5']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/repeated a page cursor/);
    expect(r.stdout).toBe('');
    expect(hostile.requests).toHaveLength(2);
  });

  it('a cursor repeated later in the run is caught too, not only the last one', async () => {
    const cursors = ['a', 'b', 'c', 'a'];
    hostile.answer((_req, res) => send(res, 200, { items: [ticket(hostile.requests.length)], next_cursor: cursors[hostile.requests.length - 1] ?? null }));
    const r = await run(['list', '--all', '--format', 'ids']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('1\n2\n3\n');
    expect(hostile.requests).toHaveLength(4);
  });
});

describe('a redirect', () => {
  it('is a clear error naming the target (exit 1); it is never followed, so the token stays here', async () => {
    const elsewhere = await hostileServer();
    elsewhere.answer((_req, res) => send(res, 200, { items: [], next_cursor: null }));
    try {
      hostile.answer((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/v1/tickets?stolen=1` }).end());
      for (const args of [['list'], ['show', '7'], ['check', 'status:new'], ['escalation', 'list'], ['api', 'GET', '/v1/me']]) {
        const r = await run(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`redirecting to ${elsewhere.url}/v1/tickets?stolen=1`);
        expect(r.stderr).toMatch(/does not follow redirects/);
        expect(r.stderr).not.toMatch(/TypeError|Cannot read/);
      }
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('a relative Location is named as the full URL it points to', async () => {
    hostile.answer((_req, res) => res.writeHead(301, { location: '/login' }).end());
    const r = await run(['list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`redirecting to ${hostile.url}/login`);
  });
});

describe('list answers of the wrong shape', () => {
  it.each([
    ['an empty body', ''],
    ['an object without items', '{"tickets":[]}'],
    ['items that are not a list', '{"items":{},"next_cursor":null}'],
  ])('%s: exit 1 with a message, not a crash', async (_what, body) => {
    hostile.answer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const r = await run(['list']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/something other than a list/);
    expect(r.stderr).not.toMatch(/TypeError|is not iterable|Cannot read/);
  });
});

describe('tix auth login', () => {
  const loginTo = (dir: string) =>
    run(['auth', 'login', '--url', hostile.url, '--with-token'], { TIX_URL: undefined, TIX_TOKEN: undefined, TIX_CONFIG_DIR: dir }, `${TOKEN}\n`);

  it.each([
    ['an empty object', {}],
    ['null', null],
    ['a user without a login', { id: 1, name: 'x', email: null, role: 'agent', org: null, org_admin: false, created_at: '2026-11-01T00:00:00Z' }],
    ['a user with an unknown role', { id: 1, login: 'mallory', name: 'x', email: null, role: 'root', org: null, org_admin: false, created_at: '2026-11-01T00:00:00Z' }],
  ])('refuses to save a profile when GET /v1/me answers %s (exit 1)', async (_what, me) => {
    hostile.answer((_req, res) => send(res, 200, me));
    const dir = mkdtempSync(join(home, 'login-'));
    const r = await loginTo(dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/answered GET \/v1\/me without a valid user.*nothing was saved/);
    expect(r.stderr).not.toContain('undefined');
    expect(existsSync(join(dir, 'credentials.json'))).toBe(false);
    const config = join(dir, 'config.json');
    if (existsSync(config)) expect(JSON.parse(readFileSync(config, 'utf8')).profiles ?? {}).toEqual({});
  });

  it('names the target when GET /v1/me answers a redirect, and saves nothing', async () => {
    hostile.answer((_req, res) => res.writeHead(307, { location: 'https://tix.example.com/v1/me' }).end());
    const dir = mkdtempSync(join(home, 'login-'));
    const r = await loginTo(dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('redirecting to https://tix.example.com/v1/me');
    expect(existsSync(join(dir, 'credentials.json'))).toBe(false);
  });

  it('saves the profile when GET /v1/me answers a valid user', async () => {
    hostile.answer((_req, res) => send(res, 200, { id: 1, login: 'alice', name: 'Alice', email: null, role: 'agent', org: null, org_admin: false, created_at: '2026-11-01T00:00:00Z', token_id: 3 }));
    const dir = mkdtempSync(join(home, 'login-'));
    const r = await loginTo(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('as alice (agent)');
    expect(existsSync(join(dir, 'credentials.json'))).toBe(true);
  });
});

describe('error answers', () => {
  it('a problem detail full of control characters reaches stderr only as markers, in text and in JSON', async () => {
    const detail = 'no such ticket\u001b]52;c;cHduZWQ=\u0007\u001b[8mhidden\u001b[0m\u009b2J\u202eevil\u2028line';
    hostile.answer((_req, res) => send(res, 404, { type: 'about:blank', title: 'Not found', status: 404, detail, code: 'not_found' }));
    const text = await run(['show', '7']);
    expect(text.code).toBe(3);
    expect(text.stderr).not.toMatch(RAW);
    expect(text.stderr).toContain('no such ticket\\u{1b}]52;c;cHduZWQ=\\u{7}\\u{1b}[8mhidden');
    expect(text.stderr.trimEnd().split('\n')).toHaveLength(1);
    const json = await run(['show', '7', '--json']);
    expect(json.code).toBe(3);
    expect(json.stderr).not.toMatch(RAW);
    expect(JSON.parse(json.stderr).error.message).toContain('\\u{202e}evil\\u{2028}line');
    // the HTTP trace repeats the answer's body and headers
    const traced = await run(['show', '7', '--debug']);
    expect(traced.code).toBe(3);
    expect(traced.stderr).toMatch(/< 404 GET/);
    expect(traced.stderr).not.toMatch(RAW);
  });

  it('the HTTP trace never shows a token-shaped word from an answer', async () => {
    const minted = 'tix_MintedForSomeoneElse0123456789abcdef';
    hostile.answer((_req, res) => send(res, 403, { type: 'about:blank', title: 'no', status: 403, detail: `not yours: ${minted}`, code: 'forbidden' }));
    const r = await run(['show', '7', '--debug']);
    expect(r.code).toBe(4);
    expect(r.stderr).not.toContain(minted);
    expect(r.stderr).toContain('tix_[redacted]');
  });

  it('a problem code outside the contract is read by the status, and never printed raw', async () => {
    hostile.answer((_req, res) => send(res, 404, { type: 'about:blank', title: 'x', status: 404, detail: 'gone', code: 'evil\u009b\u001b[8m' }));
    const r = await run(['show', '7', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr).error.code).toBe('not_found');
  });
});

describe('status lines', () => {
  it('server text in a status line on stderr, and in --json on stdout, carries no raw control character', async () => {
    const state = 'resolved\u001b]52;c;cHduZWQ=\u0007\u009b2J\u202e';
    hostile.answer((_req, res) => send(res, 200, { id: 'CP-1', ticket_id: 7, reason: 'r', team: null, level: null, state, estimated_resolution: null, created_by: 'a', created_at: '2026-11-01T00:00:00Z', timeline: [] }));
    const text = await run(['escalation', 'advance', 'CP-1', '--to', 'resolved']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).not.toMatch(RAW);
    expect(text.stderr).toContain('is resolved\\u{1b}]52;c;');
    const json = await run(['escalation', 'advance', 'CP-1', '--to', 'resolved', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(`${json.stdout}${json.stderr}`).not.toMatch(RAW);
    expect(JSON.parse(json.stdout).results[0].escalation.state).toBe(state);
  });
});

describe('arguments that look like a token', () => {
  const secret = 'tix_Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA';

  it.each([
    [['show', secret]],
    [['show', secret, '--json']],
    [['comment', secret, '--body', 'hello there']],
    [['close', `12,${secret}`, '--resolution', 'done']],
    [['move', '12', '--to', 'blocked', '--blocked-by', secret]],
    [['escalation', 'show', secret]],
  ])('tix %j never echoes it', async (args) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(2);
    expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    expect(r.stderr).toContain('tix_[redacted]');
    expect(hostile.requests).toEqual([]);
  });

  it('an invalid id that is not token-shaped is still named', async () => {
    const r = await run(['show', 'twelve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid ticket id "twelve"');
  });
});
