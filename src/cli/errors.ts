// The one place that turns errors into exit codes and one-line messages (docs/agent-contract.md).
import { ApiError, UnavailableError } from '../client/errors.js';
import type { ErrorObject } from '../domain/envelope.js';
import { messageText } from './output/text.js';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  conflict: 5,
  unavailable: 6,
  interrupted: 130,
} as const;

/** Bad command-line input: unknown flag, invalid value, missing value with no prompt allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Not logged in locally (no token anywhere). */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The user cancelled a prompt or interrupted the run. */
export class CancelError extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'CancelError';
  }
}

/** The run finished but reported failure already (e.g. a bulk run with failed tickets). */
export class SilentFailure extends Error {
  readonly exitCode: number;
  constructor(exitCode: number = EXIT.failed) {
    super('failed');
    this.name = 'SilentFailure';
    this.exitCode = exitCode;
  }
}

/** @inquirer/prompts signals Ctrl+C with ExitPromptError: an interrupt like any other. */
const isPromptExit = (err: unknown) => err instanceof Error && err.name === 'ExitPromptError';

const exitByProblemCode: Record<string, number> = {
  validation: EXIT.usage,
  unauthenticated: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.notFound,
  conflict: EXIT.conflict,
  precondition_failed: EXIT.conflict,
  rate_limited: EXIT.unavailable,
  payload_too_large: EXIT.usage,
  quota_exceeded: EXIT.usage,
  request_timeout: EXIT.unavailable,
  internal: EXIT.failed,
};

/** `new URL()` refused the server URL (from --url, TIX_URL or a profile): an invalid value, so a usage error. */
const isInvalidUrl = (err: unknown): err is TypeError & { input?: string } =>
  err instanceof TypeError && (err as { code?: string }).code === 'ERR_INVALID_URL';

export function exitCodeFor(err: unknown): number {
  if (err instanceof SilentFailure) return err.exitCode;
  if (err instanceof UsageError || isInvalidUrl(err)) return EXIT.usage;
  if (err instanceof AuthError) return EXIT.auth;
  if (err instanceof CancelError || isPromptExit(err)) return EXIT.interrupted;
  if (err instanceof UnavailableError) return EXIT.unavailable;
  if (err instanceof ApiError) return exitByProblemCode[err.code] ?? EXIT.failed;
  return EXIT.failed;
}

/** The error object of the agent contract: what `{"error": …}` on stderr and a failed result carry. */
export type ErrorReport = ErrorObject;

/** The server may name the wait in its text already; the message then says it once. */
const NAMES_WAIT = /\b(retry|try again) (in|after) \d/i;

const targets = new WeakMap<object, number | string>();

/** Marks an error as about one ticket or escalation, so its report names it (`id`). */
export function aboutTarget<E>(err: E, id: number | string | null): E {
  if (id !== null && typeof err === 'object' && err !== null) targets.set(err, id);
  return err;
}

/** One line that says what failed and what to do next; server text and typed arguments in it are made safe to print; the ticket or escalation it is about, when known. */
export function describeError(err: unknown): ErrorReport {
  const report = describeUntargeted(err);
  const id = typeof err === 'object' && err !== null ? targets.get(err) : undefined;
  const safe = { ...report, message: messageText(report.message) };
  return id === undefined ? safe : { ...safe, id };
}

function describeUntargeted(err: unknown): ErrorReport {
  if (err instanceof ApiError) {
    let message = err.message;
    if (err.code === 'unauthenticated') message += '; run `tix auth login` (or set TIX_TOKEN) and try again';
    if (err.code === 'rate_limited' && err.retryAfterSeconds !== undefined && !NAMES_WAIT.test(message))
      message += `; try again in ${err.retryAfterSeconds} s`;
    return { code: err.code, message, status: err.status, ...(err.retryAfterSeconds !== undefined ? { retry_after: err.retryAfterSeconds } : {}) };
  }
  if (err instanceof UnavailableError)
    return { code: 'unavailable', message: err.message, ...(err.status ? { status: err.status } : {}), ...(err.retryAfterSeconds !== undefined ? { retry_after: err.retryAfterSeconds } : {}) };
  if (err instanceof UsageError) return { code: 'usage', message: err.message };
  if (err instanceof AuthError) return { code: 'unauthenticated', message: err.message };
  if (err instanceof CancelError) return { code: 'interrupted', message: err.message };
  if (isPromptExit(err)) return { code: 'interrupted', message: 'interrupted' };
  if (isInvalidUrl(err)) return { code: 'usage', message: `invalid server URL "${err.input ?? ''}"; give it as http://host:port (--url, TIX_URL or the profile)` };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
