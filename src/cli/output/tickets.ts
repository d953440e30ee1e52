// The ticket list: the columns of `tix list` and every command that prints several tickets.
import type { Ticket } from '../../domain/schemas.js';
import { paintPriority, paintStatus } from './color.js';
import { genericListWriter } from './list.js';
import type { Column, ListWriter, OutputOptions, Sink } from './types.js';

const TICKET_COLUMNS: readonly Column<Ticket>[] = [
  { header: 'ID', get: (t) => String(t.id) },
  { header: 'PRIORITY', get: (t) => t.priority, paint: paintPriority },
  { header: 'STATUS', get: (t) => t.status, paint: paintStatus },
  { header: 'ASSIGNEE', get: (t) => t.assignee ?? '' },
  { header: 'TEAM', get: (t) => t.team ?? '' },
  { header: 'AGE', get: (t) => t.created_at, time: true },
  { header: 'SUBJECT', get: (t) => t.subject },
];

export function ticketListWriter(out: Sink, opts: OutputOptions): ListWriter<Ticket> {
  return genericListWriter(out, opts, TICKET_COLUMNS);
}
