// The human view of `tix show`: what an agent needs to act on a ticket, in reading order.
import type { Attachment, Comment, Escalation, Event, Ticket } from '../../domain/schemas.js';
import { makeChalk, paintPriority, paintStatus } from './color.js';
import { forTerminal, multiLine, oneLine } from './text.js';
import { relativeTime } from './time.js';
import type { OutputOptions } from './types.js';

export interface TicketExtras {
  comments?: Comment[];
  events?: Event[];
  escalation?: Escalation | null;
}

export function renderTicketDetail(ticket: Ticket, more: TicketExtras, opts: OutputOptions): string {
  // every string the server sent, not only customer text: a hostile server controls them all
  const t = forTerminal(ticket);
  const extras = forTerminal(more);
  const view = viewFor(opts);
  const { c } = view;
  const sections = [
    `${c.bold(`#${t.id}`)} ${c.bold(oneLine(t.subject))}`,
    keyValues(t, extras.escalation, view),
    t.description.trim() === '' ? c.dim('(no description)') : multiLine(t.description),
  ];
  if (extras.comments) sections.push(commentsSection(extras.comments, view));
  if (extras.events) sections.push(eventsSection(extras.events, view));
  return `${sections.join('\n\n')}\n`;
}

/** Formatting that depends on the terminal: colour, and relative times only on a TTY. */
function viewFor(opts: OutputOptions) {
  const c = makeChalk(opts);
  const none = () => c.dim('-');
  return {
    c,
    text: (v: string | number | null) => (v === null ? none() : oneLine(String(v))),
    /** Key lines: the exact time, with "(3h ago)" beside it on a TTY. */
    time: (iso: string | null) =>
      iso === null ? none() : opts.isTTY ? `${iso} ${c.dim(`(${relativeTime(iso, opts.now)})`)}` : iso,
    /** Comment and event lines: relative on a TTY, exact when piped. */
    stamp: (iso: string) => (opts.isTTY ? relativeTime(iso, opts.now) : iso),
    internal: () => c.yellow('[internal]'),
  };
}
type View = ReturnType<typeof viewFor>;

function keyValues(t: Ticket, escalation: Escalation | null | undefined, v: View): string {
  const { c } = v;
  // undefined drops the line: these only matter when set.
  const lines: [string, string | undefined][] = [
    ['status', paintStatus(t.status, c)],
    ['priority', paintPriority(t.priority, c)],
    ['team', v.text(t.team)],
    ['level', v.text(t.level)],
    ['type', v.text(t.type)],
    ['assignee', v.text(t.assignee)],
    ['requester', v.text(t.requester)],
    ['org', v.text(t.org)],
    ['channel', v.text(t.channel)],
    ['created', v.time(t.created_at)],
    ['updated', v.time(t.updated_at)],
    ['first response', v.time(t.first_response_at)],
    ['response due', v.time(t.response_due_at)],
    ['resolution due', v.time(t.resolution_due_at)],
    ['sla breached', t.sla_breached ? c.red.bold('yes') : 'no'],
    ['blocked by', t.blocked_by === null ? undefined : `#${t.blocked_by}`],
    ['root cause', t.root_cause === null ? undefined : `#${t.root_cause}`],
    ['escalation', escalationText(t, escalation)],
    ['escalation reason', escalation ? oneLine(escalation.reason) : undefined],
    // every escalation it ever had, oldest first: the link survives resolution
    ['escalations', t.escalations.length === 0 ? undefined : oneLine(t.escalations.join(', '))],
    ['tags', t.tags.length === 0 ? undefined : oneLine(t.tags.join(', '))],
  ];
  const shown = lines.filter((line): line is [string, string] => line[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

function escalationText(t: Ticket, e: Escalation | null | undefined): string | undefined {
  if (!e) return t.escalation === null ? undefined : oneLine(t.escalation);
  const parts = [e.id, e.state];
  if (e.team) parts.push(`team ${e.team}`);
  if (e.level) parts.push(`level ${e.level}`);
  if (e.estimated_resolution) parts.push(`eta ${oneLine(e.estimated_resolution)}`);
  return parts.join(' · ');
}

function commentsSection(comments: Comment[], v: View): string {
  const lines = [v.c.bold(`Comments (${comments.length})`)];
  for (const comment of comments) {
    const mark = comment.public ? v.c.dim('[public]') : v.internal();
    lines.push(`  ${v.c.bold(oneLine(comment.author))} · ${v.stamp(comment.created_at)} · ${mark}`);
    lines.push(indent(multiLine(comment.body)));
    for (const a of comment.attachments) lines.push(indent(v.c.dim(`attachment: ${attachmentText(a)}`)));
  }
  return lines.join('\n');
}

function eventsSection(events: Event[], v: View): string {
  const lines = [v.c.bold(`Events (${events.length})`)];
  for (const e of events) {
    const parts = [v.stamp(e.at), e.kind];
    if (e.from !== null || e.to !== null) parts.push(`${v.text(e.from)} → ${v.text(e.to)}`);
    parts.push(`by ${oneLine(e.actor)}`);
    if (e.note) parts.push(`— ${oneLine(e.note)}`);
    if (e.internal) parts.push(v.internal());
    lines.push(`  ${parts.join('  ')}`);
  }
  return lines.join('\n');
}

function attachmentText(a: Attachment): string {
  const size = a.size < 1024 ? `${a.size} B` : a.size < 1024 ** 2 ? `${(a.size / 1024).toFixed(1)} KiB` : `${(a.size / 1024 ** 2).toFixed(1)} MiB`;
  return `${oneLine(a.name)} (${size})`;
}

const indent = (text: string) => text.replace(/^/gm, '    ');
