// tix escalation list | show | advance.
import { ESCALATION_STATES } from '../../domain/enums.js';
import type { Escalation, EscalationGroup } from '../../domain/schemas.js';
import { ESCALATION_FIELDS } from '../../domain/fields.js';
import type { Backend } from '../../providers/types.js';
import type { AdvanceBody } from '../../domain/schemas.js';
import { refuseAdvance } from '../../domain/transitions.js';
import { parseChoice, required } from '../args.js';
import { oneChange, reportOne, type ChangeOutcome } from '../bulk.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { genericListWriter, oneLine, parseFields, printObject } from '../output/index.js';

function escalationId(raw: string | undefined): string {
  const s = String(raw ?? '').toUpperCase();
  if (/^CP-[1-9]\d*$/.test(s)) return s;
  if (/^[1-9]\d*$/.test(s)) return `CP-${s}`;
  throw new UsageError(`invalid escalation id "${raw}"; it looks like CP-12`);
}

// printObject hands this view a copy already cleaned of control and bidi characters; oneLine keeps each value on its line
const human = (e: Escalation) =>
  [
    `${oneLine(e.id)}  ticket #${e.ticket_id}  ${oneLine(e.state)}`,
    `reason     ${oneLine(e.reason)}`,
    `team       ${oneLine(e.team ?? '-')} (level ${oneLine(String(e.level ?? '-'))})`,
    `estimate   ${oneLine(e.estimated_resolution ?? '-')} (an estimate, not a promise)`,
    'timeline:',
    ...e.timeline.map((s) => `  ${oneLine(s.at)}  ${oneLine(s.state).padEnd(24)} ${oneLine(s.by)}${s.note ? `  ${oneLine(s.note)}` : ''}`),
    '',
  ].join('\n');

export async function list(ctx: Context, _args: string[], opts: Record<string, unknown>) {
  const fields = parseFields(ctx.globals.json as string | true | undefined, ESCALATION_FIELDS);
  const client = await ctx.client();
  const items = await client.escalations(opts.state as EscalationGroup);
  const writer = genericListWriter<Escalation>(ctx.io.stdout, { ...ctx.outputOptions(), fields }, [
    { header: 'ID', get: (e) => e.id },
    { header: 'TICKET', get: (e) => String(e.ticket_id) },
    { header: 'STATE', get: (e) => e.state },
    { header: 'TEAM', get: (e) => e.team ?? '' },
    { header: 'ETA', get: (e) => e.estimated_resolution ?? '' },
    { header: 'REASON', get: (e) => e.reason },
  ]);
  for (const e of items) writer.write(e);
  writer.end();
  if (items.length === 0 && ctx.format === 'table') ctx.status('no escalations');
}

export async function show(ctx: Context, [raw]: string[]) {
  const fields = parseFields(ctx.globals.json as string | true | undefined, ESCALATION_FIELDS);
  const client = await ctx.client();
  printObject(ctx.io.stdout, await client.escalation(escalationId(raw)), { ...ctx.outputOptions(), fields }, human);
}

/** Moves the escalation on (or, in a dry run, says whether it would) and answers the envelope, the escalation in its result. */
export function advanceEscalation(client: Backend, id: string, body: AdvanceBody, opts: { dryRun?: boolean } = {}): Promise<ChangeOutcome> {
  return oneChange(id, Boolean(opts.dryRun), async () => {
    if (opts.dryRun) {
      const e = await client.escalation(id);
      const refused = refuseAdvance(e.state, body.to);
      if (refused) return { id, outcome: 'would_fail', changes: [], escalation: e, error: { code: 'conflict', message: `${id}: ${refused}`, status: 409, id } };
      return { id, outcome: 'would_change', changes: [{ field: 'state', from: e.state, to: body.to }], escalation: e };
    }
    const e = await client.advance(id, body);
    return { id, outcome: 'changed', changes: [{ field: 'state', from: e.timeline.at(-2)?.state ?? null, to: e.state }], escalation: e };
  });
}

export async function advance(ctx: Context, [raw]: string[], opts: Record<string, unknown>) {
  const id = escalationId(raw);
  const to = parseChoice(await required(ctx, opts.to, '--to', 'Next state'), '--to', ESCALATION_STATES)!;
  const body = { to, note: typeof opts.note === 'string' ? opts.note : undefined };
  await reportOne(ctx, async () => advanceEscalation(await ctx.client(), id, body, { dryRun: Boolean(opts.dryRun) }), (r, outcome) => {
    const e = r.escalation!;
    if (outcome.envelope.dry_run) ctx.status(`dry run: ${id} would go ${e.state} → ${to}; nothing was changed`);
    else ctx.status(`✓ ${id} is ${e.state}${e.state === 'resolved' ? `; ticket #${e.ticket_id} is back in progress` : ''}`);
  });
}
