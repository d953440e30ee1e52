// reprioritize, assign, move, escalate, close, reopen: each one option check and one bulk operation.
import { ESCALATION_LEVEL, ESCALATION_TEAM, MOVE_STATUSES, OPERATIONS, TEAMS } from '../../domain/enums.js';
import type { Priority, Status, Team, Ticket } from '../../domain/schemas.js';
import type { ResultItem } from '../../domain/envelope.js';
import { summarize } from '../../domain/results.js';
import { parseChoice, parseId, parseLevel, parsePriority, required } from '../args.js';
import { checkTargetsGiven, envelopeWriter, resolveTargets, runBulk, type BulkOperation } from '../bulk.js';
import type { Context } from '../context.js';
import { refuseEscalate, refuseReopen, refuseStatusChange } from '../../domain/transitions.js';
import { UsageError } from '../errors.js';
import { oneLine } from '../output/text.js';

type Opts = Record<string, unknown> & { query?: string; dryRun?: boolean; concurrency?: unknown };

const justification = (v: string) => (v.trim().length >= 10 ? true : 'a justification needs at least 10 characters');

async function bulk(ctx: Context, args: string[], opts: Opts, op: BulkOperation) {
  const targets = await resolveTargets(ctx, args, opts);
  await runBulk(ctx, targets, op, opts);
}

/**
 * On a terminal with values missing for one ticket: show it, ask, and write with If-Match,
 * so a change made meanwhile by someone else is caught (exit 5) rather than overwritten.
 */
async function reprioritizeShown(ctx: Context, id: number, opts: Opts) {
  const client = await ctx.client();
  const t = await client.getTicket(id);
  ctx.io.stderr.write(`#${t.id}  ${oneLine(t.subject)}\n  priority ${t.priority} · ${t.status} · from ${t.requester}\n`);
  const to = parsePriority(await required(ctx, opts.to, '--to', `New priority (now ${t.priority})`), '--to');
  const reason = (await required(ctx, opts.reason, '--reason', 'Why (at least 10 characters)', justification)).trim();
  const r = await client.reprioritize(id, { priority: to, reason }, { ifMatch: t.version });
  const writer = await envelopeWriter(ctx);
  const result: ResultItem = r.changed
    ? { id, outcome: 'changed', changes: [{ field: 'priority', from: t.priority, to }], ticket: r.ticket }
    : { id, outcome: 'unchanged', changes: [], reason: `already ${to}`, ticket: r.ticket };
  writer.result(result);
  writer.end(summarize([result], false));
  ctx.status(r.changed ? `✓ Reprioritized #${id}: ${t.priority} → ${to}` : `#${id} already ${to}; nothing changed`);
}

/**
 * The changes these commands make, as bulk operations: `applyChange(operations.close('fixed'), { client, ids })`
 * runs one without a terminal and returns the envelope (as MCP tools do).
 */
export const operations = {
  reprioritize: (to: Priority, reason: string): BulkOperation => ({
    verb: 'reprioritize',
    done: 'reprioritized',
    preview: (t) => (t.status === 'closed' ? { refused: 'ticket is closed; reopen it first' } : { priority: to }),
    unchanged: `already ${to}`,
    op: OPERATIONS.reprioritize.batch,
    body: { priority: to, reason },
  }),
  assign: (assignee: string | null): BulkOperation => ({
    verb: 'assign',
    done: 'assigned',
    preview: (t) => (t.status === 'closed' ? { refused: 'ticket is closed; reopen it first' } : { assignee }),
    unchanged: assignee === null ? 'already unassigned' : `already assigned to ${assignee}`,
    op: OPERATIONS.assign.batch,
    body: { assignee },
  }),
  move: (to: Status, note?: string, blockedBy?: number): BulkOperation => ({
    verb: 'move',
    done: 'moved',
    preview: (t) => {
      if (t.status === to && (to !== 'blocked' || t.blocked_by === (blockedBy ?? t.blocked_by))) return {};
      const refused = refuseStatusChange(t.status, to, blockedBy);
      return refused ? { refused } : { status: to, blocked_by: to === 'blocked' ? blockedBy! : null };
    },
    unchanged: `already ${to}`,
    op: OPERATIONS.setStatus.batch,
    body: { status: to, note, blocked_by: blockedBy },
  }),
  escalate: (body: { reason: string; team?: Team; level?: 1 | 2 | 3; estimated_resolution?: string }): BulkOperation => ({
    verb: 'escalate',
    done: 'escalated',
    preview: (t: Ticket) => {
      const refused = refuseEscalate(t.escalation, t.status);
      // the escalation's id is given by the server when it opens it
      return refused ? { refused } : { status: 'escalated', escalation: 'CP-(new)', team: body.team ?? ESCALATION_TEAM, level: body.level ?? ESCALATION_LEVEL };
    },
    op: OPERATIONS.escalate.batch,
    body,
  }),
  close: (resolution: string): BulkOperation => ({
    verb: 'close',
    done: 'closed',
    // closing ends a running escalation too
    preview: (t) => (t.status === 'closed' ? {} : { status: 'closed', blocked_by: null, escalation: null }),
    unchanged: 'already closed',
    op: OPERATIONS.closeTicket.batch,
    body: { resolution },
  }),
  reopen: (comment: string): BulkOperation => ({
    verb: 'reopen',
    done: 'reopened',
    preview: (t) => {
      const refused = refuseReopen(t.status);
      return refused ? { refused } : { status: 'in_progress' };
    },
    op: OPERATIONS.reopen.batch,
    body: { comment },
  }),
};

export async function reprioritize(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  if (ctx.canPrompt && args.length === 1 && args[0] !== '-' && opts.query === undefined && (opts.to === undefined || opts.reason === undefined)) {
    return reprioritizeShown(ctx, parseId(args[0]!), opts);
  }
  const to = parsePriority(await required(ctx, opts.to, '--to', 'New priority'), '--to');
  const reason = (await required(ctx, opts.reason, '--reason', 'Why (at least 10 characters)', justification)).trim();
  await bulk(ctx, args, opts, operations.reprioritize(to, reason));
}

export async function assign(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  const raw = await required(ctx, opts.to, '--to', 'Assign to (login, me or none)');
  await bulk(ctx, args, opts, operations.assign(raw === 'none' ? null : raw));
}

export async function move(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  const raw = await required(ctx, opts.to, '--to', 'New status');
  if (raw === 'closed') throw new UsageError('--to closed: use `tix close ID --resolution ...`, which records what fixed it');
  if (raw === 'escalated') throw new UsageError('--to escalated: use `tix escalate ID --reason ...`, which opens an escalation');
  const to = parseChoice(raw, '--to', MOVE_STATUSES) as Status;
  const blockedBy = opts.blockedBy === undefined ? undefined : parseId(String(opts.blockedBy));
  if (to === 'blocked' && blockedBy === undefined) throw new UsageError('--to blocked needs --blocked-by ID (the ticket that must finish first)');
  await bulk(ctx, args, opts, operations.move(to, typeof opts.note === 'string' ? opts.note : undefined, blockedBy));
}

export async function escalate(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  const reason = await required(ctx, opts.reason, '--reason', 'Why engineering is needed');
  const team = parseChoice(opts.team, '--team', TEAMS);
  const level = parseLevel(opts.level);
  let eta: string | undefined;
  if (opts.eta !== undefined) {
    eta = String(opts.eta);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(eta) || Number.isNaN(Date.parse(eta))) throw new UsageError(`--eta: invalid date "${eta}"; use YYYY-MM-DD`);
  }
  await bulk(ctx, args, opts, operations.escalate({ reason, team, level, estimated_resolution: eta }));
}

export async function close(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  await bulk(ctx, args, opts, operations.close(await required(ctx, opts.resolution, '--resolution', 'What fixed it')));
}

export async function reopen(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  await bulk(ctx, args, opts, operations.reopen(await required(ctx, opts.comment, '--comment', 'Why is it reopened')));
}
