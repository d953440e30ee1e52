// The support desk's vocabulary as plain constants: the CLI uses them without loading zod.

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

export const OPEN_STATUSES = [
  'new',
  'in_progress',
  'pending_customer',
  'pending_engineering',
  'customer_testing',
  'pending_reversion',
  'blocked',
  'escalated',
] as const;

export const DONE_STATUSES = ['solution_provided', 'resolved', 'expired', 'closed'] as const;

export const STATUSES = [...OPEN_STATUSES, ...DONE_STATUSES] as const;

/** Statuses `move` may ask for: new is never re-entered, escalated and closed have their own commands (transitions.ts refuses them). */
export const MOVE_STATUSES = STATUSES.filter((s) => s !== 'new' && s !== 'escalated' && s !== 'closed');

export const TEAMS = ['support', 'configuration', 'engineering', 'implementation'] as const;

export const TICKET_TYPES = ['question', 'problem', 'incident', 'configuration', 'task'] as const;

export const CHANNELS = ['portal', 'email', 'phone', 'chat', 'conference'] as const;

export const ROLES = ['admin', 'agent', 'requester'] as const;

export const ESCALATION_STATES = [
  'submitted',
  'under_evaluation',
  'engineering_in_progress',
  'resolution_verification',
  'resolved',
] as const;

/** States an escalation can be advanced to: every one after submitted, where it starts. */
export const ADVANCE_STATES = ESCALATION_STATES.slice(1);

export const EVENT_KINDS = [
  'created',
  'updated',
  'triaged',
  'priority_changed',
  'requalified',
  'assigned',
  'status_changed',
  'escalated',
  'escalation_advanced',
  'closed',
  'reopened',
  'commented',
] as const;

export const PROBLEM_CODES = [
  'validation',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'rate_limited',
  'payload_too_large',
  'quota_exceeded',
  'request_timeout',
  'internal',
] as const;

/** Fewest characters a priority change's justification may have. */
export const JUSTIFICATION_MIN = 10;

/** A user's login name: lowercase letters, digits, dot, dash, underscore. */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
