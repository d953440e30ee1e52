// The entry point: parse, run, and the only process.exit. Start-up loads this file and, unless the
// call is `--version`, the commander tree; the context and the error report load with the command.
import type { Context, GlobalOptions, IO } from './context.js';
import { VERSION } from './version.js';

/** The process streams, opened only when used: each one opened costs start-up time. */
const processIO: IO = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get stdin() {
    return process.stdin;
  },
};

// EXIT.ok and EXIT.usage of errors.ts, written out so that start-up does not load that module
const OK = 0;
const USAGE = 2;

// a negated query term (`-status:closed`, `-"phrase"`) looks like a flag to commander; no flag has a colon
const NEGATED_TERM = /^-[a-z_]+:|^-"/;

const TAKES_QUERY = new Set(['list', 'ls', 'check', 'events', 'watch']);
const GLOBAL_WITH_VALUE = new Set(['--profile', '--url', '--format', '--timeout']);

/** The command word: the first argument that is neither a flag nor a global flag's value. */
function commandOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (GLOBAL_WITH_VALUE.has(argv[i]!)) i++;
    else if (!argv[i]!.startsWith('-')) return argv[i];
  }
  return undefined;
}

/**
 * For the commands that take a query (list, check, events, watch), moves negated query terms behind `--`, where
 * the parser reads them as arguments, not flags. Other commands keep their argv as typed, so a
 * flag's value that happens to look like a term is never moved.
 */
export function negatedTermsLast(argv: string[]): string[] {
  if (!TAKES_QUERY.has(commandOf(argv) ?? '')) return argv;
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  const terms = head.filter((a) => NEGATED_TERM.test(a));
  if (terms.length === 0) return argv;
  const rest = head.filter((a) => !NEGATED_TERM.test(a));
  return [...rest, '--', ...terms, ...(end === -1 ? [] : argv.slice(end + 1))];
}

/**
 * JSON asked for on the command line (--json, --format json|ndjson): every error is then one
 * JSON object on stderr, a parse error of the command line included, read before parsing.
 */
export function asksForJson(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return false;
    if (a === '--json' || a.startsWith('--json=')) return true;
    if (a === '--format' && (argv[i + 1] === 'json' || argv[i + 1] === 'ndjson')) return true;
    if (a === '--format=json' || a === '--format=ndjson') return true;
  }
  return false;
}

/** Commander's error text as a usage error: its first line the message, a suggestion ("Did you mean …?") the hint. */
function parseError(written: string, code: string): { code: 'usage'; message: string; hint?: string } {
  const [line, ...rest] = written.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (code === 'commander.help' || code === 'commander.helpDisplayed' || !line || line.startsWith('Usage:')) {
    return { code: 'usage', message: 'no command given', hint: 'run `tix --help` for the commands' };
  }
  const hint = rest.find((l) => /^\(Did you mean/.test(l))?.replace(/^\((.*)\)$/, '$1');
  return { code: 'usage', message: line.replace(/^tix: /, ''), ...(hint ? { hint } : {}) };
}

export async function main(argv: string[], io: IO = processIO, env = process.env): Promise<number> {
  // the most frequent call of all, answered before commander loads
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${VERSION}\n`);
    return OK;
  }
  const { buildProgram, CommanderError } = await import('./program.js');
  const json = asksForJson(argv);
  // with JSON asked for, commander's error text is held back and reported as one JSON object
  let heldErr = '';
  let runtime: typeof import('./runtime.js') | undefined;
  let ctx: Context | undefined;
  const program = buildProgram(
    async (globals: GlobalOptions) => {
      runtime ??= await import('./runtime.js');
      return runtime.createContext(io, env, globals);
    },
    (c) => {
      ctx = c;
    },
    {
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => {
        if (json) heldErr += s;
        else io.stderr.write(s);
      },
    },
  );
  try {
    await program.parseAsync(negatedTermsLast(argv), { from: 'user' });
    return OK;
  } catch (err) {
    // help and version exit 0; every parse error is a usage error
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return OK;
      if (json) io.stderr.write(`${JSON.stringify({ error: parseError(heldErr, err.code) })}\n`);
      return USAGE;
    }
    runtime ??= await import('./runtime.js');
    return runtime.reportError(err, io, ctx, json);
  } finally {
    await ctx?.dispose();
  }
}
