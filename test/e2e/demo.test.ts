// `npm run demo` is the README's first command: `tix demo` must run start to finish with no
// terminal and no configuration, list tickets on stdout and narrate the session on stderr.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type Ticket } from '../helpers/tix.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tix');
const PRIORITIES = ['critical', 'high', 'medium', 'low'];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/tix demo` with stdin closed, bounded in time. */
function demo(env: NodeJS.ProcessEnv, timeoutMs = 25_000): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tix demo did not finish within ${timeoutMs}ms; stderr so far:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('tix demo', () => {
  const dirs: string[] = [];

  function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    const home = mkdtempSync(join(tmpdir(), 'tix-demo-'));
    dirs.push(home);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TIX_CONFIG_DIR: join(home, 'config'), ...extra };
    // whatever the runner has configured, the demo must not need or use it
    for (const k of ['TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE', 'FORCE_COLOR', 'NO_COLOR']) delete env[k];
    return env;
  }

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/ is missing; run `node scripts/build.mjs` first');
  });

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs the narrated session with CI=true and no stdin, exit 0', async () => {
    const r = await demo(cleanEnv({ CI: 'true' }));
    expect(r.stderr).not.toMatch(/^tix: /m); // no error or warning line
    expect(r, r.stderr).toMatchObject({ code: 0, signal: null });

    // stdout: the open queue, piped so tab-separated and without colour, in queue order
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeLessThanOrEqual(12);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    for (const row of rows) {
      expect(row[0]).toMatch(/^\d+$/);
      expect(PRIORITIES).toContain(row[1]);
    }
    const ranks = rows.map((row) => PRIORITIES.indexOf(row[1]!));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(rows.some((row) => row.includes('new'))).toBe(true);

    // stderr: the narration, in order
    const err = r.stderr;
    expect(err).toMatch(/a seeded server is running at http:\/\/127\.0\.0\.1:\d+/);
    const steps = ['1. The open queue', '2. Triage the new queue', '3. Reprioritize #', '4. Escalate #', '5. Close #', '6. The audit trail of #', 'Done.'];
    const at = steps.map((s) => err.indexOf(s));
    expect(at.every((i) => i >= 0), `missing step in:\n${err}`).toBe(true);
    expect(at).toEqual([...at].sort((x, y) => x - y));

    // 2: narrated (no prompts), every new ticket triaged
    expect(err).toContain("(narrated: the rubric's suggestions are applied)");
    expect(err).not.toContain('Triage it');
    const queued = Number(/(\d+) new tickets? to triage, in queue order/.exec(err)?.[1]);
    expect(queued).toBeGreaterThan(0);
    // the seeded queue is larger than the narration: the rest stay new, and the walk says how many
    expect(err).toMatch(new RegExp(`${queued} new tickets to triage, in queue order \\(\\d+ more stay new\\)`));
    expect(err.match(/^✓ Triaged #\d+: (critical|high|medium|low), \w+, level [123], assigned to admin$/gm)).toHaveLength(queued);
    expect(err).toContain(`done: ${queued} triaged, 0 skipped`);

    // 3-5: one ticket reprioritized, escalated through every state, closed
    const id = /3\. Reprioritize #(\d+)/.exec(err)![1];
    expect(err).toMatch(new RegExp(`#${id} is now (critical|high)`));
    expect(err).toContain(`4. Escalate #${id} to engineering`);
    const cp = /(CP-\d+) opened; ticket status escalated/.exec(err)?.[1];
    expect(cp).toBeDefined();
    for (const s of ['under_evaluation', 'engineering_in_progress', 'resolution_verification', 'resolved']) expect(err).toContain(`${cp} → ${s}`);
    expect(err).toContain(`#${id} is closed`);

    // 6: the audit trail of that ticket tells the same story
    const trail = err.slice(err.indexOf(`6. The audit trail of #${id}:`));
    const kinds = [...trail.matchAll(/^ {3}\S+Z {2}(\w+)/gm)].map((m) => m[1]);
    expect(kinds[0]).toBe('created');
    for (const k of ['triaged', 'priority_changed', 'escalated', 'escalation_advanced', 'closed']) expect(kinds).toContain(k);
    expect(kinds.at(-1)).toBe('closed');
    expect(trail).toMatch(/priority_changed .*\[internal\]/);

    // the throwaway server's token never shows, and nothing is saved as a profile
    expect(r.stdout + r.stderr).not.toMatch(/tix_[A-Za-z0-9]{16,}/);
  });

  it('is narrated too without CI when stdin is not a terminal', async () => {
    const env = cleanEnv({});
    delete env.CI;
    const r = await demo(env);
    expect(r, r.stderr).toMatchObject({ code: 0, signal: null });
    expect(r.stderr).toContain("(narrated: the rubric's suggestions are applied)");
    expect(r.stderr).toContain('6. The audit trail of #');
    // the demo leaves no credentials behind in the config directory
    expect(existsSync(join(env.TIX_CONFIG_DIR!, 'credentials.json'))).toBe(false);
  });

  it('`npm run demo` (the README first command) runs bin/tix demo', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.demo).toMatch(/^node (\.\/)?bin\/tix demo$/);
    expect(pkg.bin.tix).toMatch(/^(\.\/)?bin\/tix$/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm run demo');
  });
});

describe('tix serve --demo: a queue worth practising on', () => {
  it('seeds at least 40 new tickets and 20 waiting on a customer or solved, across orgs, channels and priorities', async () => {
    const server = await startServer({ demo: true });
    try {
      const all = (await api<{ items: Ticket[] }>(server, 'GET', `/v1/tickets?q=${encodeURIComponent('state:all')}&limit=1000`)).items;
      const fresh = all.filter((t) => t.status === 'new');
      const waiting = all.filter((t) => t.status === 'pending_customer' || t.status === 'solution_provided');
      expect(fresh.length).toBeGreaterThanOrEqual(40);
      expect(waiting.length).toBeGreaterThanOrEqual(20);
      for (const group of [fresh, waiting]) {
        expect(new Set(group.map((t) => t.org)).size).toBeGreaterThanOrEqual(4);
        expect(new Set(group.map((t) => t.channel)).size).toBeGreaterThanOrEqual(4);
        expect(new Set(group.map((t) => t.priority)).size).toBeGreaterThanOrEqual(3);
      }
      expect(new Set(fresh.map((t) => t.priority))).toEqual(new Set(PRIORITIES));
      // realistic text: no two subjects alike, every description a sentence or more
      expect(new Set(all.map((t) => t.subject)).size).toBe(all.length);
      for (const t of all) expect(String(t.description).length, t.subject as string).toBeGreaterThan(20);
      // both waiting kinds are there
      expect(waiting.some((t) => t.status === 'pending_customer')).toBe(true);
      expect(waiting.some((t) => t.status === 'solution_provided')).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
