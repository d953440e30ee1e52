// The bulk engine shared by every command that changes tickets: targets from ids, stdin or a query;
// a dry run, a confirmation, concurrency, a journal, and one result envelope for one ticket or many.
//
// A new command joins by describing its change as a BulkOperation (the batch op and body, and
// what it would set on a ticket) and calling `runBulk(ctx, await resolveTargets(ctx, args, opts), op, opts)`;
// it then answers the envelope with --json, streams results with --format ndjson, previews with
// --dry-run, resumes with --journal and gets the exit codes, with nothing more to write.
// `applyChange` is the same run without a terminal: it returns the envelope (for MCP and tests).
import { ApiError } from '../client/errors.js';
import type { Backend } from '../providers/types.js';
import type { ErrorObject, FieldChange, ResultEnvelope, ResultItem } from '../domain/envelope.js';
import { DEFAULT_CONCURRENCY } from '../domain/enums.js';
import { diffTickets, summarize } from '../domain/results.js';
import { TICKET_FIELDS } from '../domain/fields.js';
import type { BatchOperation, BatchResult, Problem, Ticket } from '../domain/schemas.js';
import { parseConcurrency, parseId } from './args.js';
import type { Finished, Journal } from './journal.js';
import type { Context } from './context.js';
import { CancelError, SilentFailure, UsageError, aboutTarget, describeError } from './errors.js';
import { jsonText } from './output/text.js';

export interface Targets {
  ids: number[];
  /** Tickets already fetched (from --query), so a dry run needs no second read. */
  known: Map<number, Ticket>;
  /** One id named on the command line: its error becomes the exit code, like any single command. */
  single: boolean;
  fromQuery?: string;
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
    // the client is built once: give it the run's connections (and its patience with rate limits) now
    const client = await ctx.client({ connections: parseConcurrency(opts.concurrency), patient: true });
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
  /** The verb that asks before a --query run: "close", "assign". */
  verb: string;
  /** Past tense for status lines: "closed", "escalated". */
  done: string;
  /** The batch operation and its body, the same for every ticket of the run. */
  op: BatchOperation['op'];
  body: object;
  /**
   * The fields this change would set on the ticket as it is now, or `{ refused }` when the server
   * would refuse it (the same domain rule says why). A dry run lists every field that differs.
   */
  preview(t: Ticket): Partial<Ticket> | { refused: string };
  /** Why a ticket already as asked is left alone, e.g. "already closed". */
  unchanged?: string;
}

/** Tickets per POST /v1/batch: small enough for steady progress and cheap resumes. */
export const BATCH_SIZE = 250;

export const EARLIER_RUN = 'done in an earlier run';

export interface ChangeRun {
  client: Backend;
  ids: number[];
  /** Tickets already read (from --query): a dry run reads no more. */
  known?: Map<number, Ticket>;
  dryRun?: boolean;
  /** Batches (or reads, in a dry run) in flight; default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** A journal file: finished tickets are recorded as they go and not sent again by a re-run. */
  journal?: string;
  now?: () => Date;
  /** Results carry the ticket as it is after the change (as it is now, in a dry run). */
  withTickets?: boolean;
  /** Each result as it finishes (finish order), for streaming. */
  onResult?: (r: ResultItem) => void;
  /** Told how many tickets are left (awaited: a bar is drawn before the first batch goes) and how many more finished. */
  progress?: { start(total: number): void | Promise<void>; increment(n: number): void; stop(): void };
  /** One line about the run (resuming from a journal). */
  onNote?: (line: string) => void;
}

export interface ChangeOutcome {
  envelope: ResultEnvelope;
  /** A failure that stopped the run (server down, token refused): no batch started after it. */
  stoppedBy?: unknown;
  /** The error behind each failed result, by result id, to rethrow when one target was named. */
  errors: Map<ResultItem['id'], unknown>;
}

/** Runs `work` over items, `concurrency` at a time; once `stop()` says so, no new item starts. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>, stop?: () => boolean) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && !stop?.()) await work(items[next++]!);
  });
  await Promise.all(workers);
}

/** A refusal foreseen without a change (a dry run's): the error that gives one named target its exit code. */
function refusal(message: string, status = 409): ApiError {
  return new ApiError({ type: 'about:blank', title: 'Conflict', status, detail: message, code: 'conflict' });
}

function problemError(id: number, p: Problem): ErrorObject {
  return { code: p.code, message: p.detail, status: p.status, id };
}

function errorObject(id: ResultItem['id'], err: unknown): ErrorObject {
  const d = describeError(err);
  return id === null ? d : { ...d, id };
}

/**
 * A change of one target that is not a batch operation (create, comment, escalation advance):
 * `attempt` answers its result; a failure becomes a failed (or, in a dry run, would_fail) result.
 */
export async function oneChange(id: ResultItem['id'], dryRun: boolean, attempt: () => Promise<ResultItem>): Promise<ChangeOutcome> {
  try {
    const r = await attempt();
    const errors = new Map<ResultItem['id'], unknown>();
    if (r.error) errors.set(r.id, refusal(r.error.message, r.error.status));
    return { envelope: summarize([r], dryRun), errors };
  } catch (err) {
    const r: ResultItem = { id, outcome: dryRun ? 'would_fail' : 'failed', changes: [], error: errorObject(id, err) };
    return { envelope: summarize([r], dryRun), errors: new Map([[id, err]]) };
  }
}

/** Runs a one-target change, prints it as asked (the envelope with --json, `text` for people) and sets the exit code. */
export async function reportOne(ctx: Context, change: () => Promise<ChangeOutcome>, text: (r: ResultItem, outcome: ChangeOutcome) => void): Promise<void> {
  // a bad --json field is a usage error before anything changes
  const writer = await envelopeWriter(ctx);
  const outcome = await change();
  const r = outcome.envelope.results[0]!;
  writer.result(r);
  writer.end(outcome.envelope);
  if (!writer.json && !r.error) text(r, outcome);
  finish(outcome, true);
}

/** The change as a dry run sees it: every field that would differ, or why it would fail. */
export function previewResult(op: BulkOperation, t: Ticket, withTicket: boolean): ResultItem {
  const p = op.preview(t);
  const ticket = withTicket ? { ticket: t } : {};
  if ('refused' in p) {
    return { id: t.id, outcome: 'would_fail', changes: [], error: { code: 'conflict', message: p.refused, status: 409, id: t.id }, ...ticket };
  }
  const changes = diffTickets(t, { ...t, ...p });
  if (changes.length === 0) return { id: t.id, outcome: 'unchanged', changes, reason: op.unchanged ?? 'already as asked', ...ticket };
  return { id: t.id, outcome: 'would_change', changes, ...ticket };
}

async function dryRun(op: BulkOperation, run: ChangeRun, concurrency: number): Promise<ChangeOutcome> {
  const results: ResultItem[] = [];
  const errors = new Map<ResultItem['id'], unknown>();
  await pool(run.ids, concurrency, async (id) => {
    let r: ResultItem;
    try {
      r = previewResult(op, run.known?.get(id) ?? (await run.client.getTicket(id)), Boolean(run.withTickets));
      if (r.error) errors.set(id, refusal(r.error.message));
    } catch (err) {
      errors.set(id, err);
      r = { id, outcome: 'would_fail', changes: [], error: errorObject(id, err) };
    }
    results.push(r);
    run.onResult?.(r);
  });
  return { envelope: summarize(inOrder(results, run.ids), true), errors };
}

function inOrder(results: ResultItem[], ids: number[]): ResultItem[] {
  const position = new Map(ids.map((id, i) => [id, i]));
  return results.sort((a, b) => (position.get(a.id as number) ?? 0) - (position.get(b.id as number) ?? 0));
}

function resultOf(op: BulkOperation, r: BatchResult): ResultItem {
  if (r.error) return { id: r.id, outcome: 'failed', changes: [], error: problemError(r.id, r.error), ...(r.ticket ? { ticket: r.ticket } : {}) };
  const ticket = r.ticket ? { ticket: r.ticket } : {};
  if (!r.changed) return { id: r.id, outcome: 'unchanged', changes: [], reason: op.unchanged ?? 'already as asked', ...ticket };
  return { id: r.id, outcome: 'changed', changes: (r.changes ?? []) as FieldChange[], ...ticket };
}

function journalLine(r: ResultItem): Finished {
  return r.outcome === 'failed' ? { id: r.id as number, result: 'failed', error: r.error } : { id: r.id as number, result: r.outcome === 'changed' ? 'succeeded' : 'skipped' };
}

/** A ticket a journal saw finish: done already (unchanged now), or failed then. */
function fromJournal(f: Finished): ResultItem {
  return f.result === 'failed'
    ? { id: f.id, outcome: 'failed', changes: [], reason: 'failed in an earlier run of this journal', error: { ...(f.error ?? { code: 'internal', message: 'failed' }), id: f.id } as ErrorObject }
    : { id: f.id, outcome: 'unchanged', changes: [], reason: EARLIER_RUN };
}

/**
 * Applies one change to many tickets and returns the envelope: batches of BATCH_SIZE, `concurrency`
 * in flight, each ticket's outcome as the server decided it (Tix-Changed), the journal kept.
 */
export async function applyChange(op: BulkOperation, run: ChangeRun): Promise<ChangeOutcome> {
  const concurrency = run.concurrency ?? DEFAULT_CONCURRENCY;
  if (run.dryRun) return dryRun(op, run, concurrency);
  const { randomUUID, createHash } = await import('node:crypto');
  let journal: Journal | undefined;
  if (run.journal !== undefined) {
    const { Journal } = await import('./journal.js');
    const fingerprint = createHash('sha256').update(JSON.stringify([op.op, op.body])).digest('hex');
    journal = Journal.open(run.journal, fingerprint, `${op.op} ${JSON.stringify(op.body)}`, (run.now ?? (() => new Date()))());
    if (journal.finished.size) run.onNote?.(`resuming from ${run.journal}: ${journal.finished.size} tickets already finished`);
  }
  const results: ResultItem[] = [];
  const errors = new Map<ResultItem['id'], unknown>();
  const emit = (r: ResultItem, error?: unknown) => {
    results.push(r);
    if (error !== undefined) errors.set(r.id, error);
    run.onResult?.(r);
  };
  const operation = (id: number) => ({ op: op.op, id, body: op.body }) as BatchOperation;

  // what is left: tickets the journal has not seen finish; unanswered batches go first, as they were
  const batches: { key: string; ids: number[]; planned: boolean }[] = [];
  const inBatch = new Set<number>();
  for (const b of journal?.unanswered ?? []) {
    batches.push({ ...b, planned: true });
    for (const id of b.ids) inBatch.add(id);
  }
  const wanted = new Set(run.ids);
  const fresh = run.ids.filter((id) => !journal?.finished.has(id) && !inBatch.has(id));
  for (let i = 0; i < fresh.length; i += BATCH_SIZE) batches.push({ key: randomUUID(), ids: fresh.slice(i, i + BATCH_SIZE), planned: false });
  for (const id of run.ids) {
    const previous = journal?.finished.get(id);
    if (previous) emit(fromJournal(previous));
  }

  const total = batches.reduce((n, b) => n + b.ids.length, 0);
  // a batch that fails as a whole (server down, token refused) stops the run: batches in flight
  // finish and are reported, none starts after it, and nothing unanswered is journaled as done
  let stoppedBy: unknown;
  try {
    await run.progress?.start(total);
    await pool(
      batches,
      concurrency,
      async (b) => {
        if (!b.planned) journal?.plan(b.key, b.ids);
        let answers: BatchResult[];
        try {
          // a copy still running under this key (a resumed run) answers 409 + Retry-After: the client waits and retries
          answers = await run.client.batch(b.ids.map(operation), { idempotencyKey: b.key, minimal: !run.withTickets });
        } catch (err) {
          stoppedBy ??= err;
          for (const id of b.ids) if (wanted.has(id)) emit({ id, outcome: 'failed', changes: [], error: errorObject(id, err) }, err);
          return;
        }
        const finished = answers.filter((a) => !journal?.finished.has(a.id));
        const mapped = finished.map((a) => resultOf(op, a));
        journal?.record(mapped.map(journalLine));
        for (let i = 0; i < mapped.length; i++) {
          // a batch planned by an earlier run may hold tickets this run did not name
          if (wanted.has(mapped[i]!.id as number)) emit(mapped[i]!, finished[i]!.error ? new ApiError(finished[i]!.error!) : undefined);
        }
        run.progress?.increment(b.ids.length);
      },
      () => stoppedBy !== undefined,
    );
  } finally {
    run.progress?.stop();
    journal?.close();
  }
  if (stoppedBy !== undefined) {
    const reached = new Set(results.map((r) => r.id));
    for (const id of run.ids) {
      if (!reached.has(id)) emit({ id, outcome: 'failed', changes: [], error: { code: 'not_sent', message: 'not sent: the run stopped after an error; re-run to finish', id } });
    }
  }
  return { envelope: summarize(inOrder(results, run.ids), false), stoppedBy, errors };
}

/** What a --query run asks before it changes anything: "Assign 12 tickets matching "team:support"?". */
export function confirmQuestion(op: Pick<BulkOperation, 'verb'>, count: number, query: string): string {
  return `${capitalize(op.verb)} ${count} ${count === 1 ? 'ticket' : 'tickets'} matching "${query}"?`;
}

async function confirm(ctx: Context, message: string): Promise<boolean> {
  if (ctx.globals.yes) return true;
  if (!ctx.canPrompt) return false;
  const { confirm: ask } = await import('@inquirer/prompts');
  return ask({ message, default: false }, ctx.promptStreams);
}

/** The outcome of a change, written as asked: the envelope (--json), one result per line (ndjson), or status lines. */
export interface EnvelopeWriter {
  /** A result as it finishes: streamed with ndjson. */
  result(r: ResultItem): void;
  /** The whole envelope, once the run is over. */
  end(envelope: ResultEnvelope): void;
  readonly json: boolean;
  readonly fields: string[] | undefined;
}

export async function envelopeWriter(ctx: Context): Promise<EnvelopeWriter> {
  const format = ctx.format;
  const { parseFields, pick } = await import('./output/index.js');
  // a bad --json field is a usage error before anything changes
  const fields = parseFields(ctx.globals.json as string | true | undefined, TICKET_FIELDS);
  const shown = (r: ResultItem): ResultItem => {
    const out: ResultItem = r.error ? { ...r, error: { ...r.error, message: ctx.redact(r.error.message) } } : r;
    return out.ticket && fields ? { ...out, ticket: pick(out.ticket, fields) } : out;
  };
  const json = format === 'json' || format === 'ndjson';
  return {
    json,
    fields,
    result(r) {
      if (format === 'ndjson') ctx.out(`${jsonText(shown(r))}\n`);
    },
    end(envelope) {
      if (format === 'json') {
        const out = { ...envelope, results: envelope.results.map(shown) };
        ctx.out(ctx.isStdoutTTY ? `${jsonText(out, 2)}\n` : `${jsonText(out)}\n`);
      }
    },
  };
}

/** `field: before → after, …`, for people. */
export function describeChanges(changes: FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${shownValue(c.from)} → ${shownValue(c.to)}`).join(', ');
}

function shownValue(v: unknown): string {
  return v === null || v === undefined ? 'none' : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

/**
 * Ends a change run on the terminal: the exit code. One target named: its error, rethrown, gives
 * the code (3, 4, 5…) and the message; several: 1 when any failed; a run stopped by an error: that error's.
 */
export function finish(outcome: ChangeOutcome, single: boolean): void {
  const { envelope, stoppedBy, errors } = outcome;
  if (stoppedBy !== undefined) throw stoppedBy;
  if (envelope.ok) return;
  if (single) {
    const failed = envelope.results.find((r) => r.outcome === 'failed' || r.outcome === 'would_fail');
    const err = failed ? errors.get(failed.id) : undefined;
    if (err !== undefined) throw aboutTarget(err, failed!.id);
  }
  throw new SilentFailure();
}

export async function runBulk(ctx: Context, targets: Targets, op: BulkOperation, opts: { dryRun?: boolean; concurrency?: unknown; journal?: unknown }): Promise<void> {
  const concurrency = parseConcurrency(opts.concurrency);
  const writer = await envelopeWriter(ctx);
  const client = await ctx.client({ connections: concurrency, patient: true });

  if (targets.fromQuery !== undefined && !opts.dryRun) {
    if (targets.ids.length === 0) {
      ctx.status(`no tickets match "${targets.fromQuery}"`);
      writer.end(summarize([], false));
      return;
    }
    const ok = await confirm(ctx, confirmQuestion(op, targets.ids.length, targets.fromQuery));
    if (!ok) {
      if (ctx.globals.yes || ctx.canPrompt) throw new CancelError('cancelled; nothing was changed');
      throw new UsageError(`--query changes ${targets.ids.length} tickets: add --yes to apply or --dry-run to preview`);
    }
  }

  const single = targets.single && typeof opts.journal !== 'string';
  // no bar with JSON asked for: then every line on stderr is a JSON object
  const bar = ctx.isStderrTTY && !ctx.globals.quiet && !ctx.wantsJson && !opts.dryRun ? lazyProgressBar(ctx) : undefined;
  const outcome = await applyChange(op, {
    client,
    ids: targets.ids,
    known: targets.known,
    dryRun: Boolean(opts.dryRun),
    concurrency,
    journal: typeof opts.journal === 'string' ? opts.journal : undefined,
    now: ctx.now,
    withTickets: writer.json,
    onResult: (r) => {
      writer.result(r);
      // with JSON the failures are in the results; on a terminal each one gets its line as it happens
      if (!writer.json && !single && r.outcome === 'failed' && r.reason === undefined) ctx.warn(`#${r.id}: ${ctx.redact(r.error?.message ?? 'failed')}`);
    },
    progress: bar,
    onNote: (line) => (writer.json ? ctx.notice('resumed', line) : ctx.status(line)),
  });
  writer.end(outcome.envelope);
  if (!writer.json) reportText(ctx, op, outcome.envelope, single);
  finish(outcome, single);
}

/** Status lines for people: per ticket for one, a summary for many; the dry run lists each ticket on stdout. */
function reportText(ctx: Context, op: BulkOperation, envelope: ResultEnvelope, single: boolean) {
  const { summary, results } = envelope;
  if (envelope.dry_run) {
    for (const r of results) {
      ctx.out(`#${r.id}\t${r.error ? `cannot: ${ctx.redact(r.error.message)}` : r.changes.length ? describeChanges(r.changes) : 'no change'}\n`);
    }
    ctx.status(`dry run: ${summary.changed} of ${results.length} tickets would change; nothing was changed`);
    return;
  }
  if (single) {
    const r = results[0];
    if (r?.outcome === 'changed') ctx.status(`✓ ${capitalize(op.done)} #${r.id}`);
    else if (r?.outcome === 'unchanged') ctx.status(`#${r.id} ${r.reason ?? 'already as asked'}; nothing changed`);
    return;
  }
  ctx.status(`${op.done} ${summary.changed}, skipped ${summary.unchanged} (already so), failed ${summary.failed}`);
}

/** A progress bar on a terminal, loaded only when a run is big enough to want one. */
function lazyProgressBar(ctx: Context): NonNullable<ChangeRun['progress']> {
  let bar: Awaited<ReturnType<typeof progressBar>> | undefined;
  return {
    async start(total) {
      if (total > BATCH_SIZE) bar = await progressBar(ctx, total);
    },
    increment: (n) => bar?.increment(n),
    stop: () => bar?.stop(),
  };
}

/** The bar, drawn on stderr; lines the run writes meanwhile (a failure, a rate-limit wait) are printed above it. */
async function progressBar(ctx: Context, total: number) {
  const { default: progress } = await import('cli-progress');
  const bars = new progress.MultiBar(
    // forceRedraw: a frame that only prints lines above the bar (a rate-limit wait) draws the bar again, though its text is the same
    { stream: ctx.io.stderr as NodeJS.WriteStream, format: '{bar} {value}/{total} tickets · {eta_formatted} left', hideCursor: true, clearOnComplete: true, forceRedraw: true },
    progress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0);
  const restore = ctx.divertStderrLines((text) => bars.log(text));
  return {
    increment: (n: number) => bar.increment(n),
    stop() {
      restore();
      // lines logged since the last frame are printed by the next one: draw it, then clear the bar
      bars.update();
      bars.stop();
    },
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

