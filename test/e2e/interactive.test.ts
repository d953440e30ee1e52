// The interactive triage walk on a real pseudo-terminal (tmux): what a person at a terminal sees
// and types, checked against the server afterwards. Needs tmux; without it this file FAILS.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDatabase, serveDatabaseArgs } from '../helpers/tix.js';
import { TmuxSession, requireTmux } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tix');

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
}

/** `tix serve --port 0`, waiting (bounded) for the URL and the admin token on stderr. */
function startServe(dir: string, env: NodeJS.ProcessEnv, database: { db: string; databaseUrl?: string }): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...serveDatabaseArgs(database)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tix serve did not report its URL and token within 20s; stderr:\n${err}`));
    }, 20_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      err += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(err)?.[1];
      const token = /token, shown once: (\S+)/.exec(err)?.[1];
      // the profile is saved after the token line; wait for it, the pane relies on it
      if (url && token && err.includes('saved as profile "local"')) {
        clearTimeout(timer);
        resolve({ child, url, token });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tix serve exited (${code}) before it was ready; stderr:\n${err}`));
    });
  });
}

async function stopServe(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

describe('tix triage on a terminal (tmux)', () => {
  let dir: string;
  let server: Server | undefined;
  let database: Awaited<ReturnType<typeof serveDatabase>> | undefined;
  const sessions: TmuxSession[] = [];
  let outage: { id: number };
  let typo: { id: number };
  const justification = 'Customer confirmed on a call: checkout is blank for every shopper';

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${server!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${server!.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** `tix triage` in a fresh 120x40 pane, as a person at a terminal would run it. */
  async function triageInPane(): Promise<TmuxSession> {
    const s = await TmuxSession.start({
      cwd: ROOT,
      argv: [process.execPath, BIN, 'triage'],
      // CI=true would disable prompts; colour variables only add escapes, keep the screen plain;
      // TIX_* from the runner must not point the pane elsewhere
      unset: ['CI', 'FORCE_COLOR', 'NO_COLOR', 'TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE'],
      env: { TIX_CONFIG_DIR: join(dir, 'config'), HOME: dir, LANG: 'C.UTF-8' },
      width: 120,
      height: 40,
    });
    sessions.push(s);
    return s;
  }

  beforeAll(async () => {
    requireTmux(); // throws (the tests fail, not skip) when tmux is missing
    if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/ is missing; run `node scripts/build.mjs` first');
    dir = mkdtempSync(join(tmpdir(), 'tix-interactive-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TIX_CONFIG_DIR: join(dir, 'config'), HOME: dir };
    for (const k of ['TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE']) delete env[k];
    database = await serveDatabase(join(dir, 't.db'));
    server = await startServe(dir, env, database);
    // two new tickets; queue order puts the medium one first. The outage text makes the
    // rubric suggest critical, so the suggestion, the current priority and our pick all differ.
    outage = await api('POST', '/v1/tickets', {
      subject: 'Checkout page is down for all users',
      description: 'Since 09:00 every customer hitting checkout gets a blank page; orders have stopped.',
      priority: 'medium',
      channel: 'portal',
    });
    typo = await api('POST', '/v1/tickets', {
      subject: 'Typo on the invoice footer',
      description: 'The footer says Recieved instead of Received.',
      priority: 'low',
      channel: 'email',
    });
  });

  afterAll(async () => {
    for (const s of sessions) await s.close();
    await stopServe(server?.child);
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('walks one ticket through triage, then quits on the next', async () => {
    const t = await triageInPane();
    const A = outage.id;
    const B = typo.id;

    // the first ticket of the queue, summarised, and the action prompt
    let screen = await t.waitFor((s) => s.includes(`Ticket #${A}`) && s.includes('Triage it'), { what: `the action prompt for #${A}` });
    expect(screen).toContain('2 new tickets to triage, in queue order');
    expect(screen).toContain(`#${A}  Checkout page is down for all users`);
    expect(screen).toMatch(/medium · portal · from admin/);
    expect(screen).not.toContain(`#${B}  Typo`); // one ticket at a time
    expect(screen).toMatch(/❯ Triage it/);
    await t.keys('Enter');

    // priority: the rubric's suggestion pre-selected, the current one labelled
    screen = await t.waitFor('? Priority', { what: 'the priority prompt' });
    expect(screen).toMatch(/❯ critical \(suggested\)/);
    expect(screen).toContain('medium (current)');
    await t.keys('Down');
    await t.waitFor('❯ high', { what: 'the cursor on high' });
    await t.keys('Enter');

    // a different priority than the current asks why; too short is refused on the spot
    await t.waitFor('? Why medium → high?', { what: 'the justification prompt' });
    await t.keys('Enter');
    await t.waitFor('at least 10 characters', { what: 'the justification validation message' });
    await t.type(justification);
    await t.keys('Enter');

    await t.waitFor('? Type', { what: 'the type prompt' });
    await t.keys('Down');
    await t.waitFor('❯ incident', { what: 'the cursor on incident' });
    await t.keys('Enter');

    // the team default follows the type just chosen: an incident goes to engineering
    await t.waitFor('? Team', { what: 'the team prompt' });
    await t.waitFor('❯ engineering', { what: 'the cursor already on engineering' });
    await t.keys('Enter');

    // select by number, whatever the default level is
    await t.waitFor('? Support level', { what: 'the level prompt' });
    await t.type('3');
    await t.waitFor(/❯ 3\s*$/m, { what: 'the cursor on level 3' });
    await t.keys('Enter');

    await t.waitFor('? Assignee (login, me or none) (me)', { what: 'the assignee prompt with default me' });
    await t.keys('Enter');

    // saved; the next ticket comes up; quit there
    screen = await t.waitFor((s) => s.includes(`✓ Triaged #${A}`) && s.includes(`? Ticket #${B}`), { what: `the triage confirmation and the prompt for #${B}` });
    expect(screen).toContain(`✓ Triaged #${A}: high, engineering, level 3, assigned to admin`);
    expect(screen).toContain(`#${B}  Typo on the invoice footer`);
    await t.keys('Down', 'Down');
    await t.waitFor('❯ Quit', { what: 'the cursor on Quit' });
    await t.keys('Enter');

    expect(await t.waitForExit()).toBe(0);
    screen = await t.screen();
    // answered prompts stay on screen as a record of the choices
    expect(screen).toContain(`✔ Ticket #${A} Triage it`);
    expect(screen).toContain('✔ Priority high');
    expect(screen).toContain(`✔ Why medium → high? ${justification}`);
    expect(screen).toContain('✔ Team engineering');
    expect(screen).toContain('✔ Type incident');
    expect(screen).toContain('✔ Support level 3');
    expect(screen).toContain(`✔ Ticket #${B} Quit`);
    expect(screen).toContain('done: 1 triaged, 0 skipped');
    expect(screen).not.toMatch(/tix: |Error/); // no error line anywhere
    expect(screen).not.toContain(server!.token);

    // the server has what was chosen on screen
    const a = await api('GET', `/v1/tickets/${A}`);
    expect(a).toMatchObject({ status: 'in_progress', priority: 'high', team: 'engineering', type: 'incident', level: 3, assignee: 'admin' });
    const events = (await api('GET', `/v1/tickets/${A}/events`)).items as Array<Record<string, unknown>>;
    expect(events.find((e) => e.kind === 'priority_changed')).toMatchObject({ from: 'medium', to: 'high', note: justification, internal: true, actor: 'admin' });
    expect(events.find((e) => e.kind === 'triaged')).toMatchObject({ from: 'new', to: 'in_progress' });
    // quitting changed nothing on the next ticket
    expect(await api('GET', `/v1/tickets/${B}`)).toMatchObject({ status: 'new', priority: 'low', team: null, assignee: null, version: 1 });
  });

  it('Ctrl+C in a prompt exits 130 and changes nothing', async () => {
    // a ticket of this test's own, first in the queue whatever ran before; closed afterwards so it
    // is not in the way of another test's walk
    const C = (await api('POST', '/v1/tickets', {
      subject: 'Login is down for every user',
      description: 'Since 08:00 nobody can log in to the portal; there is no workaround.',
      priority: 'critical',
      channel: 'phone',
    })).id as number;
    try {
      const t = await triageInPane();
      let screen = await t.waitFor((s) => s.includes(`Ticket #${C}`) && s.includes('Triage it'), { what: `the action prompt for #${C}` });
      expect(screen).toMatch(/\d+ new tickets? to triage, in queue order/);
      await t.keys('Enter');
      screen = await t.waitFor('? Priority', { what: 'the priority prompt' });
      // the suggestion is also the current priority, and it is pre-selected
      expect(screen).toMatch(/❯ critical \(suggested\) \(current\)/);
      await t.keys('C-c');
      expect(await t.waitForExit()).toBe(130);
      screen = await t.screen();
      expect(screen).toMatch(/tix: interrupted/);
      expect(await api('GET', `/v1/tickets/${C}`)).toMatchObject({ status: 'new', version: 1 });
    } finally {
      await api('POST', `/v1/tickets/${C}/close`, { resolution: 'test ticket, closed after the walk' });
    }
  });
});
