// The Request Tracker end-to-end harness: the real built CLI, logged in with --provider rt, against the
// real RT 5 that scripts/rt.sh started (npm run test:rt). RT itself is read and set up over REST 2.0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { cleanEnv, tix, type Env, type RunResult } from '../helpers/tix.js';

export interface RtTarget {
  url: string;
  token: string;
}

/** The RT to test against, or a failure that says how to provide one: never a silent skip. */
export function rtTarget(): RtTarget {
  const url = process.env.TIX_TEST_RT_URL;
  const token = process.env.TIX_TEST_RT_TOKEN;
  if (!url || !token) {
    throw new Error(
      'no Request Tracker to test against: run `npm run test:rt` (it starts a throwaway RT 5 with scripts/rt.sh, installing it with apt where missing), ' +
        'or start one with `scripts/rt.sh start` and set TIX_TEST_RT_URL and TIX_TEST_RT_TOKEN from what it prints',
    );
  }
  return { url, token };
}

/** A REST 2.0 call as RT's root, for setting up and checking what the CLI did. */
export async function rt<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const { url, token } = rtTarget();
  const res = await fetch(`${url}/REST/2.0${path}`, {
    method,
    headers: { authorization: `token ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`RT answered ${res.status} to ${method} ${path}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Opens tickets in one POST /tickets/bulk per hundred (RT takes ~85 ms a ticket), two requests at a time; answers their ids. */
export async function openTickets(count: number, make: (i: number) => Record<string, unknown>): Promise<number[]> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < count; i += 100) {
    chunks.push(Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ Queue: 'General', ContentType: 'text/plain', Content: 'opened by the RT suite', CustomFields: { 'tix status': 'new' }, ...make(i + j) })));
  }
  const ids: number[][] = new Array(chunks.length);
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < chunks.length) {
        const k = next++;
        const made = await rt<{ id?: string; message?: string }[]>('POST', '/tickets/bulk', chunks[k]);
        const failed = made.find((m) => !m.id);
        if (failed) throw new Error(`RT did not open a ticket: ${failed.message}`);
        ids[k] = made.map((m) => Number(m.id));
      }
    }),
  );
  return ids.flat();
}

export interface RtTransaction {
  id: string;
  Type: string;
  Field: string;
  OldValue: string;
  NewValue: string;
}

export const historyOf = async (id: number): Promise<RtTransaction[]> =>
  (await rt<{ items: RtTransaction[] }>('GET', `/ticket/${id}/history?fields=Type,Field,OldValue,NewValue,Created&per_page=100`)).items;

/** The text messages (and file names) of a ticket, by the type of their transaction. */
export async function messagesOf(id: number): Promise<{ type: string; body: string; files: string[] }[]> {
  const txns = await historyOf(id);
  const atts = (await rt<{ items: { TransactionId: string; Filename: string; ContentType: string; Content: string }[] }>('GET', `/ticket/${id}/attachments?fields=TransactionId,Filename,ContentType,Content&per_page=100`)).items;
  return txns
    .filter((t) => t.Type === 'Comment' || t.Type === 'Correspond' || t.Type === 'Create')
    .map((t) => {
      const mine = atts.filter((a) => a.TransactionId === t.id);
      return { type: t.Type, body: mine.find((a) => !a.Filename && a.ContentType.startsWith('text/'))?.Content ?? '', files: mine.filter((a) => a.Filename).map((a) => a.Filename) };
    });
}

export interface RtCli {
  env: Env;
  run(args: string[], opts?: { input?: string; env?: Env; timeoutMs?: number }): Promise<RunResult>;
}

/**
 * A config folder of the file's own, logged in to the RT with `tix auth login --provider rt` as root
 * (token on stdin), and the instance prepared with `tix rt setup` (idempotent: every file may run it).
 */
export function rtCliForFile(): RtCli {
  const cli: RtCli = {
    env: {},
    run: (args, opts = {}) => tix(args, { env: { ...cli.env, ...opts.env }, input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000 }),
  };
  let dir: string | undefined;
  beforeAll(async () => {
    const { url, token } = rtTarget();
    dir = mkdtempSync(join(tmpdir(), 'tix-rt-'));
    cli.env = cleanEnv(dir, join(dir, 'config'));
    const login = await cli.run(['auth', 'login', '--provider', 'rt', '--url', url, '--user', 'root', '--with-token'], { input: `${token}\n` });
    if (login.code !== 0) throw new Error(`tix auth login --provider rt failed (exit ${login.code}): ${login.stderr}`);
    const setup = await cli.run(['rt', 'setup']);
    if (setup.code !== 0) throw new Error(`tix rt setup failed (exit ${setup.code}): ${setup.stderr}`);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return cli;
}

/** A word no other ticket's subject holds: a query on it sees only this test's tickets. */
export const marker = (what: string) => `${what}${Math.random().toString(36).slice(2, 8)}`;
