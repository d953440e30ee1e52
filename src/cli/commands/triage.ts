// tix triage: flags for one or many tickets; on a terminal with no ids, a walk of the new queue.
import { OPERATIONS, TEAMS, TICKET_TYPES } from '../../domain/enums.js';
import type { Priority, TriageBody } from '../../domain/schemas.js';
import { refuseTriage } from '../../domain/transitions.js';
import { parseChoice, parseLevel, parsePriority } from '../args.js';
import { resolveTargets, runBulk, type BulkOperation } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

const FLAGS = ['priority', 'justification', 'team', 'type', 'level', 'assignee'] as const;

export async function run(ctx: Context, args: string[], opts: Record<string, unknown>) {
  const anyFlag = FLAGS.some((f) => opts[f] !== undefined);
  if (args.length === 0 && opts.query === undefined) {
    if (!ctx.canPrompt) throw new UsageError('no tickets given; pass ids (or -, or --query), or run on a terminal for the interactive walk');
    if (anyFlag) throw new UsageError('flags need ticket ids; run `tix triage` alone for the interactive walk');
    const { walkNewQueue } = await import('./triage-walk.js');
    await walkNewQueue(ctx, await ctx.client(), { interactive: true });
    return;
  }
  const body: TriageBody = {
    priority: opts.priority === undefined ? undefined : parsePriority(opts.priority, '--priority'),
    justification: typeof opts.justification === 'string' ? opts.justification : undefined,
    team: parseChoice(opts.team, '--team', TEAMS),
    type: parseChoice(opts.type, '--type', TICKET_TYPES),
    level: parseLevel(opts.level),
    assignee: opts.assignee === undefined ? undefined : opts.assignee === 'none' ? null : String(opts.assignee),
  };
  const targets = await resolveTargets(ctx, args, opts as { query?: string });
  await runBulk(ctx, targets, triageOperation(body), opts);
}

/** Triage as a bulk operation: `applyChange(triageOperation(body), { client, ids })` runs it without a terminal. */
export function triageOperation(body: TriageBody): BulkOperation {
  return {
    verb: 'triage',
    done: 'triaged',
    preview: (t) => {
      const refused = refuseTriage(t.status);
      if (refused) return { refused };
      // every field the server sets, so the dry run lists each one it would touch
      return {
        status: 'in_progress',
        ...(body.priority ? { priority: (body.priority === 'urgent' ? 'critical' : body.priority) as Priority } : {}),
        ...(body.team ? { team: body.team } : {}),
        ...(body.type ? { type: body.type } : {}),
        ...(body.level ? { level: body.level } : {}),
        ...(body.assignee !== undefined ? { assignee: body.assignee } : {}),
      };
    },
    op: OPERATIONS.triage.batch,
    body,
  };
}
