// The factory: what a command needs (io, config, credentials, client, prompter), built on first use.
import type { Backend, Provider } from '../providers/types.js';
import { DEFAULT_MAX_WAIT, OUTPUT_FORMATS } from '../domain/enums.js';
import { parseMaxWait } from './args.js';
import type { ConfigStore } from './config.js';
import { AuthError, UsageError } from './errors.js';
import type { OutputOptions } from './output/index.js';
import { messageText, multiLine } from './output/text.js';

export interface GlobalOptions {
  profile?: string;
  url?: string;
  json?: string | boolean;
  format?: string;
  color?: boolean;
  quiet?: boolean;
  debug?: boolean;
  timeout?: string;
  yes?: boolean;
  input?: boolean;
  maxWait?: string;
}

export interface IO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

type Format = (typeof OUTPUT_FORMATS)[number];

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname.replace(/\/$/, '') === y.pathname.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** The token, redacted wherever text leaves the process. */
export function redactor(secret: string | undefined): (s: string) => string {
  if (!secret) return (s) => s;
  return (s) => s.split(secret).join('[redacted]');
}

export class Context {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  readonly globals: GlobalOptions;
  readonly now: () => Date;
  private configStore?: ConfigStore;
  private clientPromise?: Promise<Backend>;
  private resolvedToken?: string;
  /** While a progress bar is on stderr, its writer: a line goes above the bar instead of over it. */
  private stderrLines?: (text: string) => void;

  constructor(args: { io: IO; env: NodeJS.ProcessEnv; globals: GlobalOptions; now?: () => Date }) {
    this.io = args.io;
    this.env = args.env;
    this.globals = args.globals;
    this.now = args.now ?? (() => new Date());
  }

  get isStdoutTTY() {
    return Boolean(this.io.stdout.isTTY);
  }
  get isStderrTTY() {
    return Boolean(this.io.stderr.isTTY);
  }

  /** Prompts only when someone can answer them. */
  get canPrompt(): boolean {
    return this.globals.input !== false && !this.env.CI && Boolean(this.io.stdin.isTTY) && this.isStdoutTTY;
  }

  get color(): boolean {
    if (this.globals.color === false || this.env.NO_COLOR) return false;
    if (this.env.FORCE_COLOR && this.env.FORCE_COLOR !== '0') return true;
    return this.isStdoutTTY;
  }

  get format(): Format {
    if (this.globals.json !== undefined && this.globals.json !== false) {
      // --json picks the fields; --format may only say which JSON (an array, or one object per line), or, with fields, the columns of a CSV
      const f = this.globals.format;
      if (f === undefined || f === 'json' || f === 'ndjson') return f ?? 'json';
      if (f === 'csv' && typeof this.globals.json === 'string') return 'csv';
      throw new UsageError(`--json prints JSON but --format asks for "${f}"; drop one, or use --format json or ndjson with --json`);
    }
    const f = this.globals.format ?? 'table';
    if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`invalid --format "${f}"; choose one of ${OUTPUT_FORMATS.join(', ')}`);
    return f as Format;
  }

  get timeoutMs(): number | undefined {
    if (this.globals.timeout === undefined) return undefined;
    const n = Number(this.globals.timeout);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`invalid --timeout "${this.globals.timeout}"; give milliseconds, e.g. --timeout 5000`);
    return n;
  }

  /** Whether JSON was asked for (--json, --format json or ndjson): errors are then JSON too. */
  get wantsJson(): boolean {
    return (this.globals.json !== undefined && this.globals.json !== false) || this.globals.format === 'json' || this.globals.format === 'ndjson';
  }

  /** --max-wait in milliseconds: how long bulk runs and --all listings wait out a rate limit. */
  get maxWaitMs(): number {
    return parseMaxWait(this.globals.maxWait ?? DEFAULT_MAX_WAIT);
  }

  outputOptions(): OutputOptions {
    const stdout = this.io.stdout as { columns?: number };
    return { format: this.format, isTTY: this.isStdoutTTY, color: this.color, width: stdout.columns ?? 100, now: this.now() };
  }

  /** Status lines (`✓ Closed #12`) go to stderr, and not at all with --quiet; server text in them is made safe to print. */
  status(line: string) {
    if (!this.globals.quiet) this.writeLine(`${multiLine(line)}\n`);
  }

  /** Where a question is asked and answered: the streams canPrompt judged, not the process's own. */
  get promptStreams(): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } {
    return { input: this.io.stdin, output: this.io.stdout };
  }

  /** Routes stderr lines (status, warnings, notices, the --debug trace) through `writer` (a progress bar) until the returned function is called. */
  divertStderrLines(writer: (text: string) => void): () => void {
    this.stderrLines = writer;
    return () => {
      if (this.stderrLines === writer) this.stderrLines = undefined;
    };
  }

  private writeLine(text: string) {
    if (this.stderrLines) this.stderrLines(text);
    else this.io.stderr.write(text);
  }

  /** Saves a token where the keyring allows, warning in one line when it falls back to the file. */
  async saveToken(profile: string, token: string) {
    const config = await this.config();
    const where = await config.saveToken(profile, token, { keyring: this.env.TIX_KEYRING !== '0' });
    if (where.store === 'file' && where.reason) this.warn(`${where.reason}; token saved in ${config.credentialsPath} (mode 0600)`);
  }

  /** A note about the run on stderr (not --quiet): with JSON asked for, as `{"warning":{code,message,…}}`, so every stderr line is JSON. */
  notice(code: string, message: string, extra: Record<string, unknown> = {}) {
    if (this.globals.quiet) return;
    if (this.wantsJson) this.writeLine(`${JSON.stringify({ warning: { code, message, ...extra } })}\n`);
    else this.warn(message);
  }

  warn(line: string) {
    this.writeLine(`tix: ${multiLine(line)}\n`);
  }

  out(text: string) {
    this.io.stdout.write(text);
  }

  async config(): Promise<ConfigStore> {
    if (!this.configStore) {
      const { ConfigStore } = await import('./config.js');
      this.configStore = new ConfigStore(this.env);
    }
    return this.configStore;
  }

  profileName(config: ConfigStore): string {
    return this.globals.profile ?? this.env.TIX_PROFILE ?? config.defaultProfile ?? 'local';
  }

  /** Which desk the commands speak to: TIX_PROVIDER, else the profile's, else tix's own server. */
  provider(saved?: { provider?: string }): Provider {
    const named = this.env.TIX_PROVIDER || saved?.provider || 'tix';
    if (named !== 'tix' && named !== 'rt') throw new UsageError(`invalid provider "${named}" (TIX_PROVIDER or the profile); choose tix or rt`);
    return named;
  }

  /** Server URL and token, by precedence flag > environment > profile. */
  async target(): Promise<{ url: string; token: string | undefined; profile: string; provider: Provider; user?: string }> {
    const config = await this.config();
    const profile = this.profileName(config);
    const saved = config.profile(profile);
    const url = this.globals.url ?? this.env.TIX_URL ?? saved?.url;
    if (!url) {
      throw new AuthError(`no server for profile "${profile}"; run \`tix auth login --url URL\`, set TIX_URL, or start one with \`tix serve\``);
    }
    if (!URL.canParse(url)) throw new UsageError(`invalid server URL "${url}"; give it as http://host:port (--url, TIX_URL or the profile)`);
    let token = this.env.TIX_TOKEN || undefined;
    // a profile's token goes only to that profile's server, never to another URL given by flag or env
    const sameServer = saved !== undefined && sameOrigin(saved.url, url);
    if (!token && sameServer) token = await config.token(profile);
    if (config.tightened) this.warn(`credentials file ${config.credentialsPath} was readable by others; its mode is now 0600`);
    // a profile's provider and user describe its own server only
    return { url, token, profile, provider: this.provider(sameServer ? saved : undefined), user: sameServer ? saved?.user : undefined };
  }

  /**
   * The API client, built on first call with that call's options. `patient` (bulk runs, --all
   * listings) waits out rate limits up to --max-wait, saying so on stderr; others fail fast.
   */
  client(opts: { requireToken?: boolean; connections?: number; patient?: boolean } = {}): Promise<Backend> {
    this.clientPromise ??= (async () => {
      // server and token both given by flag or environment: no profile to read (loading conf costs ~40 ms)
      const given = this.globals.url ?? this.env.TIX_URL;
      const { url, token, profile, provider, user } =
        given && this.env.TIX_TOKEN ? { url: given, token: this.env.TIX_TOKEN, profile: '', provider: this.provider(), user: undefined } : await this.target();
      if (!token && opts.requireToken !== false) {
        throw new AuthError(`no token for ${url} (profile "${profile}"); run \`tix auth login --url ${url}\` or set TIX_TOKEN`);
      }
      this.resolvedToken = token;
      const redact = redactor(token);
      if (provider === 'rt') {
        // read so a bad --max-wait is a usage error here too; RT sends no rate limit to wait out
        void this.maxWaitMs;
        // Request Tracker's code loads only here, for a profile (or TIX_PROVIDER) that names it
        const { RtBackend } = await import('../providers/rt/backend.js');
        return new RtBackend({
          baseUrl: url,
          token,
          user: this.env.TIX_RT_USER || user,
          timeoutMs: this.timeoutMs,
          connections: opts.connections,
          debug: this.globals.debug ? (line) => this.writeLine(`${messageText(redact(line))}\n`) : undefined,
          userAgent: `tix/${typeof __TIX_VERSION__ === 'string' ? __TIX_VERSION__ : 'dev'}`,
        });
      }
      const { TixClient } = await import('../client/index.js');
      // read even when unused, so a bad --max-wait is a usage error on any command
      const patience = this.maxWaitMs;
      const maxWaitMs = opts.patient ? patience : 0;
      // several requests of a run meet the same limit: say so once per wait, not once per request;
      // one-shot commands wait only the short waits the retry policy allows, and quietly
      let announcedUntil = 0;
      const onRateLimitWait = (delayMs: number) => {
        const until = Date.now() + delayMs;
        if (until <= announcedUntil + 1000) return;
        announcedUntil = until;
        const seconds = Math.ceil(delayMs / 1000);
        const message = `rate limited by the server; waiting ${seconds} s (--max-wait ${this.globals.maxWait ?? DEFAULT_MAX_WAIT})`;
        this.notice('rate_limited', message, { retry_after: seconds });
      };
      return new TixClient({
        baseUrl: url,
        token,
        timeoutMs: this.timeoutMs,
        connections: opts.connections,
        // the trace repeats server text: cleaned like any message, token-shaped words (a new user's token) included
        debug: this.globals.debug ? (line) => this.writeLine(`${messageText(redact(line))}\n`) : undefined,
        retry: maxWaitMs ? { rateLimitWaitMs: maxWaitMs } : undefined,
        onRateLimitWait: maxWaitMs ? onRateLimitWait : undefined,
        userAgent: `tix/${typeof __TIX_VERSION__ === 'string' ? __TIX_VERSION__ : 'dev'}`,
      });
    })();
    return this.clientPromise;
  }

  /** Redacts the token in use from any text (error messages included). */
  redact(text: string): string {
    return redactor(this.resolvedToken ?? this.env.TIX_TOKEN)(text);
  }

  async dispose() {
    if (this.clientPromise) {
      try {
        await (await this.clientPromise).dispose();
      } catch {
        // a client that never built has nothing to close
      }
    }
  }
}

declare global {
  // replaced at build time with the package version
  var __TIX_VERSION__: string | undefined;
}
