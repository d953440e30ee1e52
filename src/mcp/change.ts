// Changes for MCP tools: the tickets named by ids or a query, then the CLI's own change engine
// (batches, dry runs, per-ticket outcomes), answered as the result envelope.
import { ApiError, UnavailableError } from '../client/errors.js';
import type { Backend } from '../providers/types.js';
import { applyChange, type BulkOperation, type ChangeOutcome } from '../cli/bulk.js';
import { describeError, UsageError } from '../cli/errors.js';
import type { ErrorObject, ResultEnvelope, ResultItem } from '../domain/envelope.js';
import { DEFAULT_CONCURRENCY } from '../domain/enums.js';
import { diffTickets, summarize } from '../domain/results.js';
import type { PatchTicketBody, Ticket } from '../domain/schemas.js';


export interface Selection {
  ids?: number[];
  query?: string;
  dry_run?: boolean;
  confirm?: boolean;
}

export const errorObject = (err: unknown, redact: (s: string) => string): ErrorObject => {
  const d = describeError(err);
  const e = err as { retryAfterSeconds?: number };
  return {
    code: d.code as ErrorObject['code'],
    message: redact(d.message),
    ...(d.status ? { status: d.status } : {}),
    ...(typeof e.retryAfterSeconds === 'number' ? { retry_after: e.retryAfterSeconds } : {}),
  };
};

/** A failure of the whole run rather than of one ticket: nothing else would fare better. */
export const stopsTheRun = (err: unknown) => err instanceof UnavailableError || (err instanceof ApiError && (err.code === 'unauthenticated' || err.code === 'rate_limited'));

/**
 * The envelope of a change; when every target failed for one reason of the whole run (a token
 * refused, a server down), that error itself, as the CLI reports it.
 */
export function envelopeOf(outcome: ChangeOutcome): ResultEnvelope {
  const { envelope } = outcome;
  const stop = outcome.stoppedBy ?? [...outcome.errors.values()].find(stopsTheRun);
  if (stop !== undefined && stopsTheRun(stop) && envelope.results.every((r) => r.outcome === 'failed' || r.outcome === 'would_fail')) throw stop;
  return envelope;
}

/** The tickets a change names: ids as given, or every ticket a query matches (only with dry_run or confirm). */
export async function selectTickets(client: Backend, sel: Selection): Promise<{ ids: number[]; known: Map<number, Ticket> }> {
  const known = new Map<number, Ticket>();
  if (sel.ids && sel.query !== undefined) throw new UsageError('give ids or query, not both');
  if (sel.query !== undefined) {
    const ids: number[] = [];
    for await (const t of client.allTickets({ q: sel.query })) {
      ids.push(t.id);
      known.set(t.id, t);
    }
    if (!sel.dry_run && !sel.confirm) {
      throw new UsageError(
        `the query "${sel.query}" selects ${ids.length} ticket${ids.length === 1 ? '' : 's'}: nothing was changed; pass dry_run: true to see what would change, then confirm: true to apply`,
      );
    }
    return { ids, known };
  }
  if (!sel.ids || sel.ids.length === 0) throw new UsageError('no tickets given: pass ids (an array of ticket ids) or query');
  return { ids: [...new Set(sel.ids)], known };
}

/** Applies (or, with dry_run, previews) one batch operation on every selected ticket. */
export async function runChange(client: Backend, sel: Selection, op: BulkOperation): Promise<ResultEnvelope> {
  const { ids, known } = await selectTickets(client, sel);
  return envelopeOf(await applyChange(op, { client, ids, known, dryRun: Boolean(sel.dry_run), concurrency: DEFAULT_CONCURRENCY, withTickets: true }));
}

/** Runs `work` over items, `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** A ticket as an edit would leave it; tags may be given whole or as additions and removals. */
function edited(before: Ticket, body: PatchTicketBody): Partial<Ticket> {
  const { add_tags: add, remove_tags: remove, justification: _why, ...fields } = body as PatchTicketBody & { add_tags?: string[]; remove_tags?: string[]; justification?: string };
  const after: Partial<Ticket> = { ...before, ...(fields as Partial<Ticket>) };
  if (add || remove) after.tags = [...new Set([...before.tags, ...(add ?? [])])].filter((t) => !(remove ?? []).includes(t));
  return after;
}

/**
 * Edits fields with PATCH, one ticket at a time, each with If-Match on the version just read:
 * a ticket someone changed meanwhile fails (precondition_failed) instead of being overwritten.
 */
export async function runEdit(client: Backend, sel: Selection, body: PatchTicketBody): Promise<ResultEnvelope> {
  const { ids, known } = await selectTickets(client, sel);
  const dryRun = Boolean(sel.dry_run);
  const results = new Map<number, ResultItem>();
  const errors = new Map<ResultItem['id'], unknown>();
  await pool(ids, DEFAULT_CONCURRENCY, async (id) => {
    try {
      const before = known.get(id) ?? (await client.getTicket(id));
      if (dryRun) {
        const changes = diffTickets(before, edited(before, body));
        results.set(id, changes.length ? { id, outcome: 'would_change', changes, ticket: before } : { id, outcome: 'unchanged', changes, reason: 'already as asked', ticket: before });
        return;
      }
      const r = await client.request<Ticket>('PATCH', `/v1/tickets/${id}`, { body, ifMatch: before.version });
      const changed = r.headers['tix-changed'] !== 'false';
      results.set(id, changed ? { id, outcome: 'changed', changes: diffTickets(before, r.body), ticket: r.body } : { id, outcome: 'unchanged', changes: [], reason: 'already as asked', ticket: r.body });
    } catch (err) {
      errors.set(id, err);
      results.set(id, { id, outcome: dryRun ? 'would_fail' : 'failed', changes: [], error: { ...errorObject(err, (s) => s), id } });
    }
  });
  return envelopeOf({ envelope: summarize(ids.map((id) => results.get(id)!), dryRun), errors });
}
