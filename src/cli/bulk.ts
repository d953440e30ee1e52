// The bulk engine shared by every mutating command: targets from ids, stdin or a query;
// a dry run, a confirmation, concurrency, per-ticket results and the exit code.
import { ApiError } from '../client/errors.js';
import type { TixClient } from '../client/index.js';
import { TICKET_FIELDS } from '../domain/fields.js';
import type { BatchOperation, BatchResult, Ticket } from '../domain/schemas.js';
import type { Finished, Journal } from './journal.js';
import type { Context } from './context.js';
import { CancelError, SilentFailure, UsageError, describeError } from './errors.js';

export interface Targets {
  ids: number[];
  /** Tickets already fetched (from --query), so a dry run needs no second read. */
  known: Map<number, Ticket>;
  /** One id named on the command line: its error becomes the exit code, like any single command. */
  single: boolean;
  fromQuery?: string;
}

export function parseId(raw: string): number {
  const s = raw.trim().replace(/^#/, '');
  if (!/^[1-9]\d{0,15}$/.test(s)) throw new UsageError(`invalid ticket id "${raw}"; ids are positive integers`);
  return Number(s);
}

/** Ids from stdin: one per line, plain or as JSON lines with an `id` field. */
export async function readIds(stdin: NodeJS.ReadableStream): Promise<number[]> {
  const ids: number[] = [];
  let buffer = '';
  let lineNo = 0;
  const take = (line: string) => {
    lineNo++;
    const s = line.trim();
    if (!s) return;
    if (s.startsWith('{')) {
      let obj: unknown;
      try {
        obj = JSON.parse(s);
      } catch {
        throw new UsageError(`stdin line ${lineNo}: not valid JSON`);
      }
      const id = (obj as { id?: unknown }).id;
      if (typeof id !== 'number' && typeof id !== 'string') throw new UsageError(`stdin line ${lineNo}: JSON line has no "id"`);
      ids.push(parseId(String(id)));
    } else ids.push(parseId(s));
  };
  for await (const chunk of stdin) {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const l of lines) take(l);
  }
  take(buffer);
  return ids;
}

/** The tickets named are checked before any flag: a missing or malformed id is the first thing to fix. */
export function checkTargetsGiven(args: string[], opts: { query?: string }): void {
  if (opts.query !== undefined) {
    if (args.length) throw new UsageError('give ticket ids or --query, not both');
    return;
  }
  if (args.length === 0) throw new UsageError('no tickets given; pass ids, - to read them from stdin, or --query');
  for (const a of args) if (a !== '-') a.split(',').filter(Boolean).forEach(parseId);
}

export async function resolveTargets(ctx: Context, args: string[], opts: { query?: string; concurrency?: unknown }): Promise<Targets> {
  const known = new Map<number, Ticket>();
  checkTargetsGiven(args, opts);
  if (opts.query !== undefined) {
    // the client is built once: give it the run's connections now
    const client = await ctx.client({ connections: concurrencyOf(opts.concurrency) });
    const ids: number[] = [];
    for await (const t of client.allTickets({ q: opts.query })) {
      ids.push(t.id);
      known.set(t.id, t);
    }
    return { ids, known, single: false, fromQuery: opts.query };
  }
  const ids: number[] = [];
  let fromStdin = false;
  for (const a of args) {
    if (a === '-') {
      if (fromStdin) throw new UsageError('- may appear once');
      fromStdin = true;
      ids.push(...(await readIds(ctx.io.stdin)));
    } else ids.push(...a.split(',').filter(Boolean).map(parseId));
  }
  const unique = [...new Set(ids)];
  return { ids: unique, known, single: !fromStdin && unique.length === 1 };
}

export interface BulkOperation {
  /** Past tense for status lines: "closed", "escalated". */
  done: string;
  /** The batch operation and its body, the same for every ticket of the run. */
  op: BatchOperation['op'];
  body: object;
  /**
   * What would change on this ticket, as `field: before → after`; null when nothing would;
   * `{ refused }` when the server would refuse it (the same domain rule says why).
   */
  preview(t: Ticket): string | null | { refused: string };
}

export interface BulkReport {
  succeeded: number[];
  failed: { id: number; error: { code: string; message: string; status?: number } }[];
  skipped: number[];
}

/** Tickets per POST /v1/batch: small enough for steady progress and cheap resumes. */
export const BATCH_SIZE = 250;

async function confirm(ctx: Context, message: string): Promise<boolean> {
  if (ctx.globals.yes) return true;
  if (!ctx.canPrompt) return false;
  const { confirm: ask } = await import('@inquirer/prompts');
  return ask({ message, default: false });
}

/** Runs `work` over items, `concurrency` at a time; once `stop()` says so, no new item starts. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>, stop: () => boolean = () => false) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && !stop()) await work(items[next++]!);
  });
  await Promise.all(workers);
}

export function concurrencyOf(raw: unknown): number {
  const n = Number(raw ?? 8);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`invalid --concurrency "${String(raw)}"; give 1 to 256`);
  return n;
}

async function dryRun(ctx: Context, client: TixClient, targets: Targets, op: BulkOperation, concurrency: number) {
  const lines: { id: number; change: string | null; error?: string }[] = [];
  await pool(targets.ids, concurrency, async (id) => {
    try {
      const t = targets.known.get(id) ?? (await client.getTicket(id));
      const p = op.preview(t);
      lines.push(p !== null && typeof p === 'object' ? { id, change: null, error: p.refused } : { id, change: p });
    } catch (err) {
      lines.push({ id, change: null, error: describeError(err).message });
    }
  });
  const position = new Map(targets.ids.map((id, i) => [id, i]));
  lines.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
  if (ctx.format === 'json') ctx.out(`${JSON.stringify(lines.map((l) => ({ id: l.id, would_change: l.change, error: l.error ?? null })), null, 2)}\n`);
  else for (const l of lines) ctx.out(`#${l.id}\t${l.error ? `cannot: ${l.error}` : l.change ?? 'no change'}\n`);
  ctx.status(`dry run: ${lines.filter((l) => l.change).length} of ${lines.length} tickets would change; nothing was changed`);
}


const outcomeOf = (r: BatchResult): Finished =>
  r.error
    ? { id: r.id, result: 'failed', error: { code: r.error.code, message: r.error.detail, status: r.error.status } }
    : { id: r.id, result: r.changed ? 'succeeded' : 'skipped' };

export async function runBulk(ctx: Context, targets: Targets, op: BulkOperation, opts: { dryRun?: boolean; concurrency?: unknown; journal?: unknown }): Promise<void> {
  const concurrency = concurrencyOf(opts.concurrency);
  const client = await ctx.client({ connections: concurrency });
  const json = ctx.format === 'json';
  const ndjson = ctx.format === 'ndjson';
  if (opts.dryRun) return dryRun(ctx, client, targets, op, concurrency);

  if (targets.fromQuery !== undefined) {
    if (targets.ids.length === 0) {
      ctx.status(`no tickets match "${targets.fromQuery}"`);
      if (json) ctx.out(`${JSON.stringify({ succeeded: [], failed: [], skipped: [] })}\n`);
      return;
    }
    const ok = await confirm(ctx, `${op.done.replace(/d$/, '')} ${targets.ids.length} tickets matching "${targets.fromQuery}"?`);
    if (!ok) {
      if (ctx.globals.yes || ctx.canPrompt) throw new CancelError('cancelled; nothing was changed');
      throw new UsageError(`--query changes ${targets.ids.length} tickets: add --yes to apply or --dry-run to preview`);
    }
  }

  const operation = (id: number) => ({ op: op.op, id, body: op.body }) as BatchOperation;

  if (targets.single && !opts.journal) {
    const id = targets.ids[0]!;
    // a bad --json field is a usage error before anything changes
    const { parseFields, pick } = await import('./output/index.js');
    const fields = parseFields(ctx.globals.json as string | true | undefined, TICKET_FIELDS);
    const [r] = await client.batch([operation(id)], { minimal: !json && !ndjson });
    if (r!.error) throw new ApiError(r!.error);
    if (r!.ticket) {
      const shown = pick(r!.ticket, fields);
      ctx.out(json ? `${JSON.stringify(shown, null, 2)}\n` : `${JSON.stringify(shown)}\n`);
    }
    ctx.status(r!.changed ? `✓ ${capitalize(op.done)} #${id}` : `#${id} already as asked; nothing changed`);
    return;
  }

  const { randomUUID, createHash } = await import('node:crypto');
  let journal: Journal | undefined;
  if (typeof opts.journal === 'string') {
    const { Journal } = await import('./journal.js');
    const fingerprint = createHash('sha256').update(JSON.stringify([op.op, op.body])).digest('hex');
    journal = Journal.open(opts.journal, fingerprint, `${op.op} ${JSON.stringify(op.body)}`, ctx.now());
    if (journal.finished.size) ctx.status(`resuming from ${opts.journal}: ${journal.finished.size} tickets already finished`);
  }

  const report: BulkReport = { succeeded: [], failed: [], skipped: [] };
  const emit = (f: Finished, fresh: boolean) => {
    if (f.result === 'failed') {
      report.failed.push({ id: f.id, error: { ...f.error!, message: ctx.redact(f.error!.message) } });
      if (fresh && !json && !ndjson) ctx.warn(`#${f.id}: ${ctx.redact(f.error!.message)}`);
    } else report[f.result].push(f.id);
    if (ndjson) ctx.out(`${JSON.stringify(f)}\n`);
  };

  // what is left: tickets the journal has not seen finish; unanswered batches go first, as they were
  const batches: { key: string; ids: number[]; planned: boolean }[] = [];
  const inBatch = new Set<number>();
  for (const b of journal?.unanswered ?? []) {
    batches.push({ ...b, planned: true });
    for (const id of b.ids) inBatch.add(id);
  }
  const fresh = targets.ids.filter((id) => !journal?.finished.has(id) && !inBatch.has(id));
  for (let i = 0; i < fresh.length; i += BATCH_SIZE) batches.push({ key: randomUUID(), ids: fresh.slice(i, i + BATCH_SIZE), planned: false });
  for (const id of targets.ids) {
    const previous = journal?.finished.get(id);
    if (previous) emit(previous, false);
  }

  const total = batches.reduce((n, b) => n + b.ids.length, 0);
  const bar = ctx.isStderrTTY && !ctx.globals.quiet && total > BATCH_SIZE ? await progressBar(ctx, total) : undefined;
  // a batch that fails as a whole (server down, token refused) stops the run: batches in flight
  // finish and are reported, none starts after it, and nothing unanswered is journaled as done
  let stoppedBy: unknown;
  const unsent = (ids: number[], error: { code: string; message: string; status?: number }) => {
    for (const id of ids) emit({ id, result: 'failed', error }, true);
  };
  try {
    await pool(
      batches,
      concurrency,
      async (b) => {
        if (!b.planned) journal?.plan(b.key, b.ids);
        let results: BatchResult[];
        try {
          // a copy still running under this key (a resumed run) answers 409 + Retry-After: the client waits and retries
          results = await client.batch(b.ids.map(operation), { idempotencyKey: b.key, minimal: true });
        } catch (err) {
          stoppedBy ??= err;
          const d = describeError(err);
          unsent(b.ids, { code: d.code, message: d.message, ...(d.status ? { status: d.status } : {}) });
          return;
        }
        const finished = results.map(outcomeOf).filter((f) => !journal?.finished.has(f.id));
        journal?.record(finished);
        for (const f of finished) emit(f, true);
        bar?.increment(b.ids.length);
      },
      () => stoppedBy !== undefined,
    );
  } finally {
    bar?.stop();
    journal?.close();
  }
  if (stoppedBy !== undefined) {
    const reached = new Set([...report.succeeded, ...report.skipped, ...report.failed.map((f) => f.id)]);
    unsent(batches.flatMap((b) => b.ids).filter((id) => !reached.has(id)), { code: 'not_sent', message: 'not sent: the run stopped after an error; re-run to finish' });
  }
  const position = new Map(targets.ids.map((id, i) => [id, i]));
  const order = (a: number, b: number) => (position.get(a) ?? 0) - (position.get(b) ?? 0);
  report.succeeded.sort(order);
  report.skipped.sort(order);
  report.failed.sort((a, b) => order(a.id, b.id));
  if (json) ctx.out(`${JSON.stringify(report)}\n`);
  ctx.status(`${op.done} ${report.succeeded.length}, skipped ${report.skipped.length} (already so), failed ${report.failed.length}`);
  // the error that stopped the run decides the exit code (4, 6, ...), as for a single ticket
  if (stoppedBy !== undefined) throw stoppedBy;
  if (report.failed.length) throw new SilentFailure();
}

async function progressBar(ctx: Context, total: number) {
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar(
    { stream: ctx.io.stderr as NodeJS.WriteStream, format: '{bar} {value}/{total} tickets · {eta_formatted} left', hideCursor: true, clearOnComplete: true },
    progress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A required option: prompted for when someone can answer, else a usage error naming the flag. */
export async function required(ctx: Context, value: unknown, flag: string, message: string, validate?: (v: string) => string | true): Promise<string> {
  if (typeof value === 'string' && value.trim() !== '') {
    const ok = validate ? validate(value) : true;
    if (ok !== true) throw new UsageError(`${flag}: ${ok}`);
    return value;
  }
  if (!ctx.canPrompt) throw new UsageError(`missing ${flag}`);
  const { input } = await import('@inquirer/prompts');
  return input({ message, validate: validate ?? ((v) => (v.trim() ? true : 'required')) });
}
