// Following changes through the real CLI and server: tix events, tix watch, tix wait, --cursor.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, api, cleanEnv, createTicket, serveDatabase, serveDatabaseArgs, serverForFile, tix, tixBin, type Env, type TixServer } from '../helpers/tix.js';
import { TmuxSession } from '../helpers/tmux.js';

const { server, users } = serverForFile();

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** The real CLI as a long-running child (watch, wait), with its output as it comes. */
async function start(args: string[], env: Env): Promise<Running> {
  const bin = await tixBin();
  const full: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) full[k] = v;
  const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A watch starts at the server's "now", which a busy machine may reach only after the first change:
 * make the change again until the watcher shows one (every try is a real change by another client).
 */
async function changeUntilShown(change: () => Promise<unknown>, shown: () => boolean) {
  for (let attempt = 1; ; attempt++) {
    await change();
    try {
      await until('the change on the watcher', shown, 3_000);
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/** --debug prints each request as it is sent: the long poll is open once its line is there. */
const polling = (r: Running, n = 1) => (r.stderr().match(/> GET \S+\/v1\/events\?\S*wait=/g) ?? []).length >= n;

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number; ticket_id: number; kind: string; actor: string; note: string | null; internal: boolean });

describe('tix watch', () => {
  it('prints a change made by another client as it happens, and nothing from before it started', async () => {
    const t = await createTicket(server, { subject: 'Watch me' }, users.acmeRequester.token);
    const watcher = await start(['watch', '--json', '--debug'], { ...server.env, ...users.agent.env, TIX_URL: server.url });
    try {
      await until('the long poll', () => polling(watcher));
      const changedAt = Date.now();
      await changeUntilShown(
        () => api(server, 'POST', `/v1/tickets/${t.id}/comments`, { token: users.acmeRequester.token, body: { body: 'still broken here', public: true } }),
        () => watcher.stdout().includes('"commented"'),
      );
      const printed = lines(watcher.stdout());
      expect(printed.length).toBeGreaterThan(0);
      expect(new Set(printed.map((e) => JSON.stringify([e.ticket_id, e.kind, e.actor])))).toEqual(new Set([JSON.stringify([t.id, 'commented', users.acmeRequester.login])]));
      // one line per change, printed while the watch goes on
      expect(watcher.child.exitCode).toBeNull();
      expect(Date.now() - changedAt).toBeLessThan(15_000);
      // the HTTP trace names the header, never the token
      expect(watcher.stderr()).toContain('authorization: Bearer [redacted]');
      expect(`${watcher.stdout()}${watcher.stderr()}`).not.toContain(users.agent.token);
    } finally {
      watcher.child.kill('SIGINT');
      await watcher.exited;
    }
  });

  it("a requester's watch shows their own ticket's public changes, never an internal one or another requester's ticket", async () => {
    const mine = await createTicket(server, { subject: 'Mine' }, users.acmeRequester.token);
    const theirs = await createTicket(server, { subject: 'Theirs' }, users.globexRequester.token);
    const watcher = await start(['watch', '--json', '--debug'], { ...server.env, ...users.acmeRequester.env, TIX_URL: server.url });
    try {
      await until('the long poll', () => polling(watcher));
      await changeUntilShown(async () => {
        await api(server, 'POST', `/v1/tickets/${theirs.id}/comments`, { token: users.agent.token, body: { body: 'for globex', public: true } });
        await api(server, 'POST', `/v1/tickets/${mine.id}/comments`, { token: users.agent.token, body: { body: 'internal note' } });
        await api(server, 'POST', `/v1/tickets/${mine.id}/comments`, { token: users.agent.token, body: { body: 'public answer', public: true } });
      }, () => watcher.stdout().includes('public comment'));
      const printed = lines(watcher.stdout());
      expect(printed.length).toBeGreaterThan(0);
      expect(new Set(printed.map((e) => JSON.stringify([e.ticket_id, e.note, e.internal])))).toEqual(new Set([JSON.stringify([mine.id, 'public comment', false])]));
    } finally {
      watcher.child.kill('SIGINT');
      await watcher.exited;
    }
  });
});

describe('on a terminal (tmux)', () => {
  it('tix events draws a table; tix watch prints one line per change as it comes', async () => {
    const t = await createTicket(server, { subject: 'Seen on a terminal' }, users.acmeRequester.token);
    const pane = (argv: string[]) =>
      TmuxSession.start({
        cwd: ROOT,
        argv: [process.execPath, join(ROOT, 'bin', 'tix'), ...argv],
        unset: ['CI', 'FORCE_COLOR', 'TIX_PROFILE'],
        env: { TIX_CONFIG_DIR: server.configDir, TIX_URL: server.url, TIX_TOKEN: users.agent.token, NO_COLOR: '1', LANG: 'C.UTF-8', TZ: 'UTC' },
        width: 140,
        height: 30,
      });
    const table = await pane(['events', `--since`, '1h']);
    try {
      const screen = await table.waitFor(/EVENT\s+TICKET\s+WHEN\s+ACTOR\s+KIND/);
      expect(screen).toMatch(new RegExp(`#${t.id}\\s+just now\\s+${users.acmeRequester.login.replace('.', '\\.')}\\s+created`));
      expect(await table.waitForExit()).toBe(0);
    } finally {
      await table.close();
    }
    const watch = await pane(['watch']);
    try {
      await watch.waitFor('watching every change you may see; Ctrl+C to stop');
      const line = new RegExp(`#${t.id}\\s+just now\\s+${users.agent.login.replace('.', '\\.')}\\s+commented\\s+public comment`);
      let screen = '';
      // as changeUntilShown, reading the screen: the watch starts at the server's "now"
      for (let attempt = 1; !screen; attempt++) {
        await api(server, 'POST', `/v1/tickets/${t.id}/comments`, { token: users.agent.token, body: { body: 'we are on it', public: true } });
        screen = await watch.waitFor(line, { timeoutMs: 3_000 }).catch((err: unknown) => {
          if (attempt >= 5) throw err;
          return '';
        });
      }
      expect(screen).not.toContain('EVENT');
      // still following: the pane is closed under it
      expect(watch.exitStatus()).toBeNull();
    } finally {
      await watch.close();
    }
  });
});

describe('tix wait', () => {
  it('exits 0 once the escalation resolves, woken by the feed rather than by polling the ticket', async () => {
    const t = await createTicket(server, { subject: 'Needs engineering' }, users.acmeRequester.token);
    const escalated = await api(server, 'POST', `/v1/tickets/${t.id}/escalate`, { token: users.agent.token, body: { reason: 'exporter crashes on big files' } });
    const waiter = await start(['wait', String(t.id), '--until', 'escalated:false', '--timeout', '2m', '--debug'], { ...server.env, ...users.agent.env, TIX_URL: server.url });
    await until('the long poll', () => polling(waiter));
    expect(waiter.child.exitCode).toBeNull();
    await api(server, 'POST', `/v1/escalations/${escalated.escalation}/advance`, { token: users.agent.token, body: { to: 'engineering_in_progress' } });
    await api(server, 'POST', `/v1/escalations/${escalated.escalation}/advance`, { token: users.agent.token, body: { to: 'resolved', note: 'patched' } });
    const code = await waiter.exited;
    expect(code, waiter.stderr()).toBe(0);
    expect(waiter.stderr()).toMatch(new RegExp(`#${t.id} matches "escalated:false"`));
    // the ticket read once at the start and once per batch of changes, never in a loop
    const ticketReads = waiter.stderr().match(new RegExp(`> GET \\S+/v1/tickets/${t.id}\\n`, 'g')) ?? [];
    expect(ticketReads.length).toBeLessThanOrEqual(3);
    expect(`${waiter.stdout()}${waiter.stderr()}`).not.toContain(users.agent.token);
  });

  it('exits 1 when the time runs out, saying what the ticket is instead', async () => {
    const t = await createTicket(server, { subject: 'Stays new' }, users.acmeRequester.token);
    const r = await tix(['wait', String(t.id), '--until', 'status:closed', '--timeout', '1s'], { server, env: users.agent.env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`#${t.id} did not match "status:closed" within 1s; it is new`));
    const asJson = await tix(['wait', String(t.id), '--until', 'status:closed', '--timeout', '1s', '--json'], { server, env: users.agent.env });
    expect(asJson.code).toBe(1);
    expect(asJson.stdout).toBe('');
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'timeout', id: t.id } });
  });

  it('exits 0 at once when the ticket already matches, 3 for a ticket out of reach, 2 without --until', async () => {
    const t = await createTicket(server, { subject: 'Already new' }, users.acmeRequester.token);
    const now = await tix(['wait', String(t.id), '--until', 'status:new', '--json'], { server, env: users.agent.env });
    expect(now.code, now.stderr).toBe(0);
    expect(JSON.parse(now.stdout)).toMatchObject({ id: t.id, status: 'new' });
    const hidden = await tix(['wait', String(t.id), '--until', 'status:closed'], { server, env: users.globexRequester.env });
    expect(hidden.code, hidden.stderr).toBe(3);
    const usage = await tix(['wait', String(t.id)], { server, env: users.agent.env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--until/);
  });
});

describe('tix events', () => {
  it('prints the feed oldest first, filtered by a query, starting after an id or a duration ago', async () => {
    const a = await createTicket(server, { subject: 'Events alpha', tags: ['feedtest'] }, users.agent.token);
    const b = await createTicket(server, { subject: 'Events beta' }, users.agent.token);
    const all = await tix(['events', '--since', '1h', '--json'], { server, env: users.agent.env });
    expect(all.code, all.stderr).toBe(0);
    const ids = lines(all.stdout).map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(lines(all.stdout).map((e) => e.ticket_id)).toEqual(expect.arrayContaining([a.id, b.id]));
    const tagged = await tix(['events', 'tag:feedtest', '--since', '0', '--json'], { server, env: users.agent.env });
    expect(new Set(lines(tagged.stdout).map((e) => e.ticket_id))).toEqual(new Set([a.id]));
    const last = ids.at(-1)!;
    const after = await tix(['events', '--since', String(last)], { server, env: users.agent.env });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('');
    const piped = await tix(['events', '--since', String(ids.at(-2)!)], { server, env: users.agent.env });
    expect(piped.stdout.trim().split('\t').slice(0, 2)).toEqual([String(last), `#${b.id}`]);
    const bad = await tix(['events', '--since', 'yesterday'], { server, env: users.agent.env });
    expect(bad.code).toBe(2);
  });
});

describe('--cursor', () => {
  const dirs: string[] = [];
  const children = new Set<ChildProcess>();
  const databases = new Map<string, Awaited<ReturnType<typeof serveDatabase>>>();
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const d of databases.values()) await d.drop();
  });

  /** `tix serve` on a database that outlives it, so it can be started again on the same data. */
  async function serve(dir: string, firstStart: boolean): Promise<{ url: string; token?: string; stop(): Promise<void> }> {
    const bin = await tixBin();
    const env = cleanEnv(dir, join(dir, 'server-config')) as NodeJS.ProcessEnv;
    if (!databases.has(dir)) databases.set(dir, await serveDatabase(join(dir, 'tix.db')));
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...serveDatabaseArgs(databases.get(dir)!)], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // the first start prints the admin token after it listens; a restart prints none
    const ready = () => /listening on \S+/.test(stderr) && (!firstStart || /shown once: \S+\n/.test(stderr));
    await until('the server', () => ready() || child.exitCode !== null);
    const url = /listening on (\S+)/.exec(stderr)?.[1];
    if (!ready() || !url) throw new Error(`tix serve did not start:\n${stderr}`);
    return {
      url,
      token: /shown once: (\S+)/.exec(stderr)?.[1],
      async stop() {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        children.delete(child);
      },
    };
  }

  it('resumes after a restart of both server and CLI: the next run prints only what changed since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tix-e2e-cursor-'));
    dirs.push(dir);
    const configDir = join(dir, 'cli-config');
    const first = await serve(dir, true);
    const token = first.token!;
    const server1: TixServer = { ...server, url: first.url, token };
    const cli = (url: string) => ({ ...cleanEnv(dir, configDir), TIX_URL: url, TIX_TOKEN: token });

    const t = await createTicket(server1, { subject: 'Before the restart' });
    const run1 = await tix(['events', '--cursor', 'shift', '--json'], { env: cli(first.url) });
    expect(run1.code, run1.stderr).toBe(0);
    const seen1 = lines(run1.stdout);
    expect(seen1.map((e) => e.ticket_id)).toEqual([t.id]);
    const saved = JSON.parse(readFileSync(join(configDir, 'cursors', 'shift.json'), 'utf8'));
    expect(saved.after).toBe(String(seen1.at(-1)!.id));
    expect(Object.keys(saved).sort()).toEqual(['after', 'saved_at', 'url']);
    expect(JSON.stringify(saved)).not.toContain(token);

    await api(server1, 'POST', `/v1/tickets/${t.id}/comments`, { body: { body: 'written before the stop' } });
    await first.stop();
    const second = await serve(dir, false);
    try {
      const server2: TixServer = { ...server, url: second.url, token };
      await api(server2, 'POST', `/v1/tickets/${t.id}/close`, { body: { resolution: 'fixed after the restart' } });
      const run2 = await tix(['events', '--cursor', 'shift', '--json'], { env: cli(second.url) });
      expect(run2.code, run2.stderr).toBe(0);
      expect(lines(run2.stdout).map((e) => e.kind)).toEqual(['commented', 'closed']);
      const run3 = await tix(['events', '--cursor', 'shift', '--json'], { env: cli(second.url) });
      expect(run3.stdout).toBe('');
      // another name keeps its own position: from the start
      const other = await tix(['events', '--cursor', 'other', '--json'], { env: cli(second.url) });
      expect(lines(other.stdout).map((e) => e.kind)).toEqual(['created', 'commented', 'closed']);
      const bad = await tix(['events', '--cursor', '../escape'], { env: cli(second.url) });
      expect(bad.code).toBe(2);
    } finally {
      await second.stop();
    }
  });
});
