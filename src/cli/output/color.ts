// Colour follows OutputOptions, never chalk's global instance.
import type { ChalkInstance } from 'chalk';
import type { Priority, Status } from '../../domain/schemas.js';
import { loadChalk } from './lazy.js';
import type { OutputOptions } from './types.js';

export type { ChalkInstance };

export function makeChalk(opts: Pick<OutputOptions, 'color'>): ChalkInstance {
  const { Chalk, supportsColor } = loadChalk();
  // FORCE_COLOR into a pipe has no detected level: basic colours are enough there.
  return new Chalk({ level: opts.color ? (supportsColor ? supportsColor.level : 1) : 0 });
}

const PRIORITY_PAINT: Record<Priority, (c: ChalkInstance, s: string) => string> = {
  critical: (c, s) => c.red.bold(s),
  high: (c, s) => c.yellow(s),
  medium: (_c, s) => s,
  low: (c, s) => c.dim(s),
};

export function paintPriority(priority: string, c: ChalkInstance): string {
  return Object.hasOwn(PRIORITY_PAINT, priority) ? PRIORITY_PAINT[priority as Priority](c, priority) : priority;
}

type StatusGroup = 'untriaged' | 'working' | 'waiting' | 'stuck' | 'done';
// Record<Status, …> makes the compiler flag a new status that has no group.
const STATUS_GROUP: Record<Status, StatusGroup> = {
  new: 'untriaged',
  in_progress: 'working',
  customer_testing: 'working',
  pending_customer: 'waiting',
  pending_engineering: 'waiting',
  pending_reversion: 'waiting',
  blocked: 'stuck',
  escalated: 'stuck',
  solution_provided: 'done',
  resolved: 'done',
  expired: 'done',
  closed: 'done',
};
const GROUP_PAINT: Record<StatusGroup, (c: ChalkInstance, s: string) => string> = {
  untriaged: (c, s) => c.cyan(s),
  working: (c, s) => c.green(s),
  waiting: (c, s) => c.yellow(s),
  stuck: (c, s) => c.magenta(s),
  done: (c, s) => c.dim(s),
};

export function paintStatus(status: string, c: ChalkInstance): string {
  return Object.hasOwn(STATUS_GROUP, status) ? GROUP_PAINT[STATUS_GROUP[status as Status]](c, status) : status;
}
