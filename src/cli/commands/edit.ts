// tix edit: change a ticket's fields after triage, one ticket or many, through the bulk engine.
import { JUSTIFICATION_MIN, OPERATIONS } from '../../domain/enums.js';
import type { PatchTicketBody, Ticket } from '../../domain/schemas.js';
import { parseId, parsePriority } from '../args.js';
import { checkTargetsGiven, resolveTargets, runBulk } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

type Opts = Record<string, unknown> & { query?: string; dryRun?: boolean; concurrency?: unknown };

/** `+a,-b,c`: a and c are added, b removed. */
export function parseTagChanges(raw: string): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const name = part.replace(/^[+-]/, '').trim();
    if (name === '') throw new UsageError(`--tag: "${part}" names no tag; write +name to add, -name to remove`);
    if (name.length > 40) throw new UsageError(`--tag: "${name}" is longer than 40 characters`);
    (part.startsWith('-') ? remove : add).push(name);
  }
  if (add.length + remove.length === 0) throw new UsageError('--tag: no tags given; e.g. --tag +billing,-vip');
  const both = add.filter((a) => remove.some((r) => r.toLowerCase() === a.toLowerCase()));
  if (both.length) throw new UsageError(`--tag: "${both[0]}" is both added and removed`);
  return { add, remove };
}

/** The tags a ticket would have after the change, as the server computes them. */
function tagsAfter(tags: string[], body: PatchTicketBody): string[] {
  const gone = new Set((body.remove_tags ?? []).map((t) => t.toLowerCase()));
  const next = tags.filter((t) => !gone.has(t.toLowerCase()));
  for (const t of body.add_tags ?? []) if (!next.some((x) => x.toLowerCase() === t.toLowerCase())) next.push(t);
  return next;
}

export function editBody(opts: Opts): PatchTicketBody {
  const body: PatchTicketBody = {};
  if (opts.subject !== undefined) {
    const subject = String(opts.subject).trim();
    if (subject === '') throw new UsageError('--subject: empty subject');
    body.subject = subject;
  }
  if (opts.type !== undefined) body.type = opts.type as PatchTicketBody['type'];
  if (opts.team !== undefined) body.team = opts.team as PatchTicketBody['team'];
  if (opts.level !== undefined) body.level = Number(opts.level) as 1 | 2 | 3;
  if (opts.tag !== undefined) {
    const { add, remove } = parseTagChanges(String(opts.tag));
    if (add.length) body.add_tags = add;
    if (remove.length) body.remove_tags = remove;
  }
  if (opts.rootCause !== undefined) body.root_cause = String(opts.rootCause).toLowerCase() === 'none' ? null : parseId(String(opts.rootCause));
  if (opts.priority !== undefined) body.priority = parsePriority(opts.priority, '--priority');
  if (opts.justification !== undefined) {
    if (body.priority === undefined) throw new UsageError('--justification goes with --priority');
    const j = String(opts.justification).trim();
    if (j.length < JUSTIFICATION_MIN) throw new UsageError(`--justification: a justification needs at least ${JUSTIFICATION_MIN} characters`);
    body.justification = j;
  }
  if (Object.keys(body).length === 0) {
    throw new UsageError('nothing to change: give --subject, --type, --team, --level, --tag, --root-cause or --priority');
  }
  return body;
}

/** The fields the edit would set on this ticket, as the server would decide them (the bulk engine diffs them). */
export function editPreview(t: Ticket, body: PatchTicketBody): Partial<Ticket> | { refused: string } {
  const after: Record<string, unknown> = { ...body };
  delete after.add_tags;
  delete after.remove_tags;
  delete after.justification;
  if (body.add_tags || body.remove_tags) after.tags = tagsAfter(t.tags, body);
  if (body.priority !== undefined && body.priority !== t.priority) {
    if (t.status === 'closed') return { refused: 'ticket is closed; reopen it first' };
    if (body.justification === undefined) return { refused: `changing priority ${t.priority} → ${body.priority} needs --justification` };
  }
  return after as Partial<Ticket>;
}

export async function run(ctx: Context, args: string[], opts: Opts) {
  checkTargetsGiven(args, opts);
  const body = editBody(opts);
  const targets = await resolveTargets(ctx, args, opts);
  await runBulk(ctx, targets, { verb: 'edit', done: 'edited', op: OPERATIONS.editTicket.batch, body, preview: (t) => editPreview(t, body) }, opts);
}
