// What a command needs once parsing has chosen it, loaded with the command (never by --help or --version):
// the context factory, and the one place an error becomes a message on stderr and an exit code.
import { Context, type GlobalOptions, type IO } from './context.js';
import { EXIT, SilentFailure, describeError, exitCodeFor } from './errors.js';
import { jsonText } from './output/text.js';

export function createContext(io: IO, env: NodeJS.ProcessEnv, globals: GlobalOptions): Context {
  return new Context({ io, env, globals });
}

/** Says what failed (one line, or one JSON object when JSON output was asked for) and returns the exit code. */
export function reportError(err: unknown, io: IO, ctx: Context | undefined, json = ctx?.wantsJson ?? false): number {
  if (err instanceof SilentFailure) return err.exitCode;
  const code = exitCodeFor(err);
  const report = describeError(err);
  const message = ctx ? ctx.redact(report.message) : report.message;
  if (json || ctx?.wantsJson) io.stderr.write(`${jsonText({ error: { ...report, message } })}\n`);
  else io.stderr.write(`tix: ${message}\n`);
  if (ctx?.globals.debug && code === EXIT.failed && err instanceof Error && err.stack) io.stderr.write(`${ctx.redact(err.stack)}\n`);
  return code;
}
