// The command line's values, read and checked in one place: each bad value is a usage error (exit 2) naming its flag.
import { DEFAULT_CONCURRENCY, PRIORITIES } from '../domain/enums.js';
import type { Priority } from '../domain/schemas.js';
import type { Context } from './context.js';
import { UsageError } from './errors.js';

export function parseId(raw: string): number {
  const s = raw.trim().replace(/^#/, '');
  if (!/^[1-9]\d{0,15}$/.test(s)) throw new UsageError(`invalid ticket id "${raw}"; ids are positive integers`);
  return Number(s);
}

/** A required option: prompted for when someone can answer, else a usage error naming the flag. */
export async function required(ctx: Context, value: unknown, flag: string, message: string, validate?: (v: string) => string | true): Promise<string> {
  if (typeof value === 'string' && value.trim() !== '') {
    const ok = validate ? validate(value) : true;
    if (ok !== true) throw new UsageError(`${flag}: ${ok}`);
    return value;
  }
  if (!ctx.canPrompt) throw new UsageError(`missing ${flag}`);
  const { input } = await import('@inquirer/prompts');
  return input({ message, validate: validate ?? ((v) => (v.trim() ? true : 'required')) }, ctx.promptStreams);
}

export function parsePriority(raw: unknown, flag: string): Priority {
  const p = String(raw).toLowerCase();
  if (p === 'urgent') return 'critical';
  if (!(PRIORITIES as readonly string[]).includes(p)) throw new UsageError(`${flag}: invalid priority "${String(raw)}"; choose ${PRIORITIES.join(', ')} (urgent = critical)`);
  return p as Priority;
}

export function parseLevel(raw: unknown): 1 | 2 | 3 | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (n !== 1 && n !== 2 && n !== 3) throw new UsageError(`--level: invalid level "${String(raw)}"; choose 1, 2 or 3`);
  return n;
}

/** A value from a closed set; commander's choices() checks it on the command line, this checks it again for a prompt's answer. */
export function parseChoice<T extends string>(raw: unknown, flag: string, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(String(raw))) throw new UsageError(`${flag}: invalid value "${String(raw)}"; choose ${choices.join(', ')}`);
  return raw as T;
}

export function parseConcurrency(raw: unknown): number {
  const n = Number(raw ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`invalid --concurrency "${String(raw)}"; give 1 to 256`);
  return n;
}

export function parsePort(raw: unknown): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid --port "${String(raw)}"`);
  return port;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** --timeout of wait: a duration (90s, 10m, 2h, 1d); a bare number is milliseconds, as --timeout is everywhere. */
export function parseWaitTimeout(raw: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 'ms']! : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new UsageError(`invalid --timeout "${raw}"; give a duration such as 90s, 10m or 2h`);
  return ms;
}

/** --max-wait: a duration (90s, 5m, 1h); a bare number is seconds, 0 is "do not wait". */
export function parseMaxWait(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`invalid --max-wait "${raw}"; give a duration such as 90s, 5m or 1h (0 = do not wait)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** `N` requests a minute, or `N/10s`, `N/5m`: a short window lets a test meet a limit without waiting a minute. */
export function parseRateLimit(raw: string): { limit: number; windowSeconds: number } {
  const m = /^(\d+)(?:\/(\d+)?(s|m|h))?$/.exec(raw.trim());
  const limit = Number(m?.[1]);
  const windowSeconds = m?.[3] ? Number(m[2] ?? 1) * { s: 1, m: 60, h: 3600 }[m[3] as 's' | 'm' | 'h'] : 60;
  if (!m || !Number.isSafeInteger(limit) || windowSeconds < 1) throw new UsageError(`invalid --rate-limit "${raw}"; give requests per minute (6000) or per window (5/10s, 100/1m)`);
  return { limit, windowSeconds };
}
