// The entry point: parse, run, and the only process.exit.
import { CommanderError } from 'commander';
import { Context, type GlobalOptions } from './context.js';
import { EXIT, SilentFailure, describeError, exitCodeFor } from './errors.js';
import { buildProgram } from './program.js';

export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, env = process.env): Promise<number> {
  let ctx: Context | undefined;
  const program = buildProgram(
    (globals: GlobalOptions) => new Context({ io, env, globals }),
    (c) => {
      ctx = c;
    },
    { writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every parse error is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof SilentFailure) return err.exitCode;
    const code = exitCodeFor(err);
    const report = describeError(err);
    const message = ctx ? ctx.redact(report.message) : report.message;
    if (ctx && ctx.globals.json !== undefined && ctx.globals.json !== false) io.stderr.write(`${JSON.stringify({ error: { ...report, message } })}\n`);
    else io.stderr.write(`tix: ${message}\n`);
    if (ctx?.globals.debug && code === EXIT.failed && err instanceof Error && err.stack) io.stderr.write(`${ctx.redact(err.stack)}\n`);
    return code;
  } finally {
    await ctx?.dispose();
  }
}

