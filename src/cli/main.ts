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

export async function main(argv: string[], io: IO = processIO, env = process.env): Promise<number> {
  // the most frequent call of all, answered before commander loads
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${VERSION}\n`);
    return OK;
  }
  const { buildProgram, CommanderError } = await import('./program.js');
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
    { writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) },
  );
  try {
    await program.parseAsync(negatedTermsLast(argv), { from: 'user' });
    return OK;
  } catch (err) {
    // help and version exit 0; every parse error is a usage error
    if (err instanceof CommanderError) return err.exitCode === 0 ? OK : USAGE;
    runtime ??= await import('./runtime.js');
    return runtime.reportError(err, io, ctx);
  } finally {
    await ctx?.dispose();
  }
}
