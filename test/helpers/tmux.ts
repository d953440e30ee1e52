// A real pseudo-terminal for e2e tests: a detached tmux session on its own socket and server,
// read back with capture-pane and driven with send-keys. Bounded polling only, no fixed sleeps.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Fails (never skips) with a message that says what to install. */
export function requireTmux(): string {
  try {
    return execFileSync('tmux', ['-V'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(
      `tmux is required for the interactive e2e tests but could not be run (${(err as Error).message}); install it (apt-get install tmux / brew install tmux) and re-run`,
    );
  }
}

/** POSIX shell quoting for one word. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface StartOptions {
  /** argv of the program to run in the pane */
  argv: string[];
  cwd: string;
  /** set inside the pane */
  env?: Record<string, string>;
  /** unset inside the pane (the tmux server inherits this process's environment) */
  unset?: string[];
  width?: number;
  height?: number;
}

let counter = 0;

export class TmuxSession {
  readonly name: string;
  private readonly dir: string;
  private readonly socket: string;
  private readonly statusFile: string;
  private closed = false;

  private constructor(name: string, dir: string) {
    this.name = name;
    this.dir = dir;
    this.socket = join(dir, 'sock');
    this.statusFile = join(dir, 'exit-status');
  }

  /** A private tmux server (own socket, own config: no user ~/.tmux.conf), one session, fixed size. */
  static async start(opts: StartOptions): Promise<TmuxSession> {
    requireTmux();
    const dir = mkdtempSync(join(tmpdir(), 'tix-tmux-'));
    const s = new TmuxSession(`tix-${process.pid}-${++counter}`, dir);
    // remain-on-exit keeps the last screen after the program ends
    writeFileSync(join(dir, 'tmux.conf'), 'set -g remain-on-exit on\nset -g history-limit 5000\n');
    const unset = (opts.unset ?? []).flatMap((k) => ['-u', k]);
    const sets = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
    // the exit status goes to a file: tmux 3.3's #{pane_dead_status} is sometimes never set when
    // the pty closes before the process is reaped
    const f = s.statusFile;
    const wrapper = `"$@"; echo $? > ${shq(`${f}.tmp`)}; mv ${shq(`${f}.tmp`)} ${shq(f)}`;
    const command = ['sh', '-c', wrapper, 'sh', 'env', ...unset, ...sets, ...opts.argv].map(shq).join(' ');
    await s.tmux(['-f', join(dir, 'tmux.conf'), 'new-session', '-d', '-s', s.name, '-x', String(opts.width ?? 120), '-y', String(opts.height ?? 40), '-c', opts.cwd, command]);
    return s;
  }

  private async tmux(args: string[]): Promise<string> {
    // -u: the output of capture-pane is UTF-8 (✓, ❯, →) whatever the locale of the test runner
    const { stdout } = await run('tmux', ['-u', '-S', this.socket, ...args], {
      encoding: 'utf8',
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: process.env.TERM || 'xterm-256color' },
    });
    return stdout;
  }

  /** The visible screen plus scrollback, as plain text (no escape sequences), trailing blank lines dropped. */
  async screen(): Promise<string> {
    const text = await this.tmux(['capture-pane', '-p', '-S', '-500', '-t', this.name]);
    return text.replace(/\s+$/, '');
  }

  /** Keys by tmux name: Enter, Down, Up, C-c ... */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Literal text, typed as is. */
  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /** The exit status once the program in the pane has ended, else null. */
  exitStatus(): number | null {
    if (!existsSync(this.statusFile)) return null;
    return Number(readFileSync(this.statusFile, 'utf8').trim());
  }

  /**
   * Polls the screen until `until` holds; returns that screen. On timeout the error shows the
   * last screen, so a failure says what the user would have seen.
   */
  async waitFor(until: string | RegExp | ((screen: string) => boolean), opts: { timeoutMs?: number; what?: string } = {}): Promise<string> {
    const test = typeof until === 'function' ? until : typeof until === 'string' ? (s: string) => s.includes(until) : (s: string) => until.test(s);
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    let last = '';
    for (;;) {
      last = await this.screen();
      if (test(last)) return last;
      if (Date.now() > deadline) break;
      const status = this.exitStatus();
      if (status !== null) {
        // the program ended; one more read in case the last frame landed meanwhile
        last = await this.screen();
        if (test(last)) return last;
        throw new Error(`waiting for ${opts.what ?? String(until)}: the program exited (status ${status}); screen:\n${last}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${opts.what ?? String(until)}; screen:\n${last}`);
  }

  /** Waits for the program in the pane to end; its exit status. */
  async waitForExit(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = this.exitStatus();
      if (status !== null) return status;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the program to exit; screen:\n${await this.screen()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the private tmux server (and so the program in the pane) and removes its directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
