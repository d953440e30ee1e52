// The triage walk: the new queue in queue order, the rubric's suggestion offered for each ticket.
// Interactive on a terminal; narrated (suggestions applied) for `tix demo` without one.
import type { Backend } from '../../providers/types.js';
import { ApiError } from '../../client/errors.js';
import { PRIORITIES, TEAMS, TICKET_TYPES } from '../../domain/enums.js';
import { RUBRIC, priorityRank, suggestPriority } from '../../domain/policy.js';
import type { Priority, Team, Ticket, TicketType } from '../../domain/schemas.js';
import type { Context } from '../context.js';
import { forTerminal, oneLine } from '../output/text.js';
import { CancelError } from '../errors.js';

export const levelFor = (p: Priority): 1 | 2 | 3 => (p === 'critical' || p === 'high' ? 2 : 1);

export function suggestTeam(t: Pick<Ticket, 'type'>): Team {
  if (t.type === 'configuration') return 'configuration';
  if (t.type === 'incident') return 'engineering';
  if (t.type === 'task') return 'implementation';
  return 'support';
}

// every value shown beside the prompts is cleaned: no escape sequence of a customer's (or a server's) reaches the agent's terminal
const summary = (ticket: Ticket) => {
  const t = forTerminal(ticket);
  return `\n#${t.id}  ${oneLine(t.subject)}\n  ${oneLine(`${t.priority} · ${t.channel} · from ${t.requester}${t.org ? ` (${t.org})` : ''} · opened ${t.created_at}`)}\n  ${oneLine(t.description).slice(0, 300)}\n`;
};

export async function walkNewQueue(ctx: Context, client: Backend, opts: { interactive: boolean; limit?: number }): Promise<{ triaged: number; skipped: number }> {
  const queue: Ticket[] = [];
  for await (const t of client.allTickets({ q: 'status:new', sort: 'queue' })) queue.push(t);
  if (queue.length === 0) {
    ctx.status('the new queue is empty; nothing to triage');
    return { triaged: 0, skipped: 0 };
  }
  const left = opts.limit !== undefined && queue.length > opts.limit ? queue.splice(opts.limit).length : 0;
  ctx.status(`${queue.length} new ticket${queue.length === 1 ? '' : 's'} to triage, in queue order${left ? ` (${left} more stay new)` : ''}`);
  const prompts = opts.interactive ? await import('@inquirer/prompts') : undefined;
  let triaged = 0;
  let skipped = 0;
  for (const t of queue) {
    // the summary belongs with the prompts, which inquirer writes to stdout
    (prompts ? ctx.io.stdout : ctx.io.stderr).write(summary(t));
    const suggested = suggestPriority(`${t.subject} ${t.description}`);
    // narrated, the walk only raises: a requester's justified critical is never talked down
    let priority: Priority = priorityRank(suggested) > priorityRank(t.priority) ? suggested : t.priority;
    let team: Team = suggestTeam(t);
    let type: TicketType = t.type ?? 'problem';
    let level: 1 | 2 | 3 = levelFor(priority);
    let justification: string | undefined = `rubric: ${RUBRIC[suggested]}`;
    let assignee: string | null = 'me';
    if (prompts) try {
      const action = await prompts.select({
        message: `Ticket #${oneLine(String(t.id))}`,
        choices: [
          { name: 'Triage it', value: 'triage' },
          { name: 'Skip', value: 'skip' },
          { name: 'Quit', value: 'quit' },
        ],
      }, ctx.promptStreams);
      if (action === 'quit') break;
      if (action === 'skip') {
        skipped++;
        continue;
      }
      priority = await prompts.select({
        message: 'Priority',
        default: suggested,
        choices: PRIORITIES.map((p) => ({ name: `${p}${p === suggested ? ' (suggested)' : ''}${p === t.priority ? ' (current)' : ''}`, value: p, description: RUBRIC[p] })),
      }, ctx.promptStreams);
      justification = undefined;
      if (priority !== t.priority) {
        justification = await prompts.input({
          message: `Why ${oneLine(t.priority)} → ${priority}?`,
          validate: (v) => (v.trim().length >= 10 ? true : 'at least 10 characters'),
        }, ctx.promptStreams);
      }
      // each default follows the answers before it: type → team, priority → level
      type = await prompts.select({ message: 'Type', default: type, choices: TICKET_TYPES.map((v) => ({ name: v, value: v })) }, ctx.promptStreams);
      team = await prompts.select({ message: 'Team', default: suggestTeam({ ...t, type }), choices: TEAMS.map((v) => ({ name: v, value: v })) }, ctx.promptStreams);
      level = await prompts.select({ message: 'Support level', default: levelFor(priority), choices: [1, 2, 3].map((v) => ({ name: String(v), value: v as 1 | 2 | 3 })) }, ctx.promptStreams);
      const who = await prompts.input({ message: 'Assignee (login, me or none)', default: 'me' }, ctx.promptStreams);
      assignee = who === 'none' ? null : who;
    } catch (err) {
      // Ctrl+C in a prompt: exit 130 like any interrupt, not inquirer's message with exit 1
      if (err instanceof Error && err.name === 'ExitPromptError') throw new CancelError(`interrupted; ${triaged} triaged, ${skipped} skipped before that`);
      throw err;
    }
    try {
      const r = await client.triage(
        t.id,
        { priority, justification: priority !== t.priority ? justification : undefined, team, type, level, assignee },
        { ifMatch: t.version },
      );
      triaged++;
      ctx.status(`✓ Triaged #${t.id}: ${r.ticket.priority}, ${team}, level ${level}${r.ticket.assignee ? `, assigned to ${r.ticket.assignee}` : ''}`);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'precondition_failed' || err.code === 'conflict')) {
        ctx.warn(`#${t.id}: ${err.message}; skipped`);
        skipped++;
        continue;
      }
      throw err;
    }
  }
  ctx.status(`done: ${triaged} triaged, ${skipped} skipped`);
  return { triaged, skipped };
}
