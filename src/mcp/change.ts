// Changes for MCP tools: targets from ids or a query, a dry run or a real run, and the result envelope.
import { randomUUID } from 'node:crypto';
import { ApiError, UnavailableError } from '../client/errors.js';
import type { TixClient } from '../client/index.js';
import { describeError, UsageError } from '../cli/errors.js';
import { summarize, type ErrorObject, type FieldChange, type ResultEnvelope, type ResultItem } from '../domain/envelope.js';
import type { BatchOperation, BatchResult, Ticket } from '../domain/schemas.js';

/** Tickets per POST /v1/batch, as the CLI sends them. */
const BATCH_SIZE = 250;
/** Requests in flight for a change to many tickets. */
const CONCURRENCY = 8;

export interface Selection {
  ids?: number[];
  query?: string;
  dry_run?: boolean;
  confirm?: boolean;
}

export interface Change {
  /** The batch operation, or `edit` (PATCH, one request per ticket, with If-Match). */
  op: BatchOperation['op'] | 'edit';
  body: Record<string, unknown>;
  /** The values this change would give the ticket's fields; what differs from the ticket is a change. */
  after(t: Ticket): Partial<Ticket>;
  /** Why the server would refuse it on this ticket (the same domain rule), or null. */
  refuse?(t: Ticket): string | null;
  /** Fields the server also sets, whose values only the answer knows (a new escalation's id). */
  also?: string[];
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

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields `after` names whose value differs between two versions of a ticket. */
export function diff(before: Ticket, after: Partial<Ticket>, fields: string[] = Object.keys(after)): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const from = (before as Record<string, unknown>)[field] ?? null;
    const to = (after as Record<string, unknown>)[field] ?? null;
    if (!same(from, to)) changes.push({ field, from, to });
  }
  return changes;
}

/** A failure of the whole run rather than of one ticket: nothing else would fare better. */
export const stopsTheRun = (err: unknown) => err instanceof UnavailableError || (err instanceof ApiError && (err.code === 'unauthenticated' || err.code === 'rate_limited'));

/** Runs `work` over items, `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** The tickets a change names: ids as given, or every ticket a query matches (only with dry_run or confirm). */
export async function selectTickets(client: TixClient, sel: Selection): Promise<{ ids: number[]; known: Map<number, Ticket> }> {
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

/** Applies (or, with dry_run, previews) one change to every selected ticket and answers the envelope. */
export async function runChange(client: TixClient, sel: Selection, change: Change, redact: (s: string) => string): Promise<ResultEnvelope> {
  const { ids, known } = await selectTickets(client, sel);
  const dryRun = Boolean(sel.dry_run);
  const results = new Map<number, ResultItem>();
  let stoppedBy: unknown;
  const failedItem = (id: number, err: unknown): ResultItem => ({ id, outcome: dryRun ? 'would_fail' : 'failed', changes: [], error: { ...errorObject(err, redact), id } });
  const failed = (id: number, err: unknown): ResultItem => {
    if (stopsTheRun(err)) stoppedBy ??= err;
    return failedItem(id, err);
  };

  // every ticket is read before it changes, so each result says what changed from what
  const before = new Map<number, Ticket>();
  await pool(ids, CONCURRENCY, async (id) => {
    try {
      before.set(id, known.get(id) ?? (await client.getTicket(id)));
    } catch (err) {
      results.set(id, failed(id, err));
    }
  });
  const ready = ids.filter((id) => before.has(id));

  if (dryRun) {
    for (const id of ready) {
      const t = before.get(id)!;
      const refused = change.refuse?.(t);
      if (refused) {
        results.set(id, { id, outcome: 'would_fail', changes: [], ticket: t, error: { code: 'conflict', message: `ticket ${id}: ${refused}`, status: 409, id } });
        continue;
      }
      const changes = diff(t, change.after(t));
      results.set(id, changes.length ? { id, outcome: 'would_change', changes, ticket: t } : { id, outcome: 'unchanged', changes, reason: 'already so', ticket: t });
    }
  } else if (change.op === 'edit') {
    await pool(ready, CONCURRENCY, async (id) => {
      const t = before.get(id)!;
      try {
        // If-Match: an edit made on top of a version someone else changed meanwhile is refused (412), not merged
        const r = await client.request<Ticket>('PATCH', `/v1/tickets/${id}`, { body: change.body, ifMatch: t.version });
        results.set(id, itemOf(id, t, r.body, r.headers['tix-changed'] !== 'false', change));
      } catch (err) {
        results.set(id, failed(id, err));
      }
    });
  } else {
    const batches: number[][] = [];
    for (let i = 0; i < ready.length; i += BATCH_SIZE) batches.push(ready.slice(i, i + BATCH_SIZE));
    await pool(batches, CONCURRENCY, async (batch) => {
      let answers: BatchResult[];
      try {
        const operations = batch.map((id) => ({ op: change.op, id, body: change.body }) as BatchOperation);
        answers = await client.batch(operations, { idempotencyKey: randomUUID() });
      } catch (err) {
        for (const id of batch) results.set(id, failed(id, err));
        return;
      }
      for (const r of answers) {
        if (r.error) results.set(r.id, { id: r.id, outcome: 'failed', changes: [], error: { ...errorObject(new ApiError(r.error), redact), id: r.id } });
        else results.set(r.id, itemOf(r.id, before.get(r.id)!, r.ticket, r.changed, change));
      }
    });
  }
  const items = ids.map((id) => results.get(id)!);
  // a token refused or a server down for every ticket is one error, as the CLI reports it
  if (stoppedBy !== undefined && items.every((r) => r.outcome === 'failed' || r.outcome === 'would_fail')) throw stoppedBy;
  return summarize(items, dryRun);
}

function itemOf(id: number, before: Ticket, after: Ticket | undefined, changed: boolean, change: Change): ResultItem {
  if (!after) return { id, outcome: changed ? 'changed' : 'unchanged', changes: [], ...(changed ? {} : { reason: 'already so' }) };
  const changes = diff(before, after, [...Object.keys(change.after(before)), ...(change.also ?? [])]);
  return changed ? { id, outcome: 'changed', changes, ticket: after } : { id, outcome: 'unchanged', changes: [], reason: 'already so', ticket: after };
}
