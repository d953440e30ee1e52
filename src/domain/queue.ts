// Queue order, the default sort everywhere: priority (highest first), then oldest first, then id.
import { priorityRank } from './policy.js';
import type { Ticket } from './schemas.js';

export const SORTS = ['queue', 'created', 'updated', 'priority'] as const;
export type Sort = (typeof SORTS)[number];

type Orderable = Pick<Ticket, 'id' | 'priority' | 'created_at'>;

export function queueOrder(a: Orderable, b: Orderable): number {
  return (
    priorityRank(b.priority) - priorityRank(a.priority) ||
    (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0) ||
    a.id - b.id
  );
}
