// The support desk's vocabulary as plain constants: the CLI uses them without loading zod.

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

/** Batches (or reads, in a dry run) in flight when a change runs over many tickets, from the CLI or MCP. */
export const DEFAULT_CONCURRENCY = 8;

/** How long bulk runs and --all listings wait out a rate limit unless --max-wait says otherwise. */
export const DEFAULT_MAX_WAIT = '5m';

/** How long `tix wait` waits unless --timeout says otherwise. */
export const DEFAULT_WAIT_TIMEOUT = '10m';

/** Who takes an escalation when it names no team, and at which support level. */
export const ESCALATION_TEAM = 'engineering';
export const ESCALATION_LEVEL = 3;

/** What --format may ask of a command's data. */
export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv', 'ids'] as const;

/** Shells `tix completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Support levels, as typed on the command line. */
export const LEVELS = ['1', '2', '3'] as const;

/** Which tickets a listing covers: open ones, done ones, or all. */
export const STATE_GROUPS = ['open', 'done', 'all'] as const;

/** Orders a ticket listing can take; queue is priority, then oldest first. */
export const SORT_ORDERS = ['queue', 'created', 'updated', 'priority'] as const;

/** Which escalations a listing covers. */
export const ESCALATION_GROUPS = ['running', 'resolved', 'all'] as const;

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

/**
 * Every operation of tix under one internal name, which is also its service and client method unless `service` or
 * `client` says otherwise, with the name it has on each surface: HTTP `route`, `batch` op, CLI `command`, MCP `tool`.
 * `shape` says the route and client method are derived from this entry and its schemas (domain/operations.ts):
 * `change` (a ticket write: POST with a body, If-Match, the ticket and Tix-Changed back), `record` or `list` (a read).
 * An entry with `summary` and `inputs` also gets a derived command. Order is the order of MCP tools.
 */
export const OPERATIONS = {
  listTickets: { route: 'GET /v1/tickets', service: 'list', command: 'list', tool: 'list', readOnly: true },
  getTicket: { route: 'GET /v1/tickets/{id}', service: 'visibleTicket', command: 'show', tool: 'show', readOnly: true },
  createTicket: { route: 'POST /v1/tickets', service: 'create', command: 'create', tool: 'create', readOnly: false },
  triage: { shape: 'change', route: 'POST /v1/tickets/{id}/triage', batch: 'triage', command: 'triage', tool: 'triage', readOnly: false },
  editTicket: { route: 'PATCH /v1/tickets/{id}', service: 'patch', client: null, batch: 'patch', command: 'edit', tool: 'edit', readOnly: false },
  reprioritize: { shape: 'change', route: 'POST /v1/tickets/{id}/priority', batch: 'priority', command: 'reprioritize', tool: 'reprioritize', readOnly: false },
  assign: { shape: 'change', route: 'POST /v1/tickets/{id}/assign', batch: 'assign', command: 'assign', tool: 'assign', readOnly: false },
  setStatus: { shape: 'change', route: 'POST /v1/tickets/{id}/status', batch: 'status', command: 'move', tool: 'move', readOnly: false },
  escalate: { shape: 'change', route: 'POST /v1/tickets/{id}/escalate', batch: 'escalate', command: 'escalate', tool: 'escalate', readOnly: false },
  escalations: { route: 'GET /v1/escalations', service: 'listEscalations', command: 'escalation list', tool: 'escalation_list', readOnly: true },
  escalation: { shape: 'record', route: 'GET /v1/escalations/{id}', service: 'getEscalation', command: 'escalation show', tool: 'escalation_show', readOnly: true },
  advance: { route: 'POST /v1/escalations/{id}/advance', command: 'escalation advance', tool: 'escalation_advance', readOnly: false },
  closeTicket: { shape: 'change', route: 'POST /v1/tickets/{id}/close', service: 'close', batch: 'close', command: 'close', tool: 'close', readOnly: false },
  reopen: { shape: 'change', route: 'POST /v1/tickets/{id}/reopen', batch: 'reopen', command: 'reopen', tool: 'reopen', readOnly: false },
  comment: { route: 'POST /v1/tickets/{id}/comments', batch: 'comment', command: 'comment', tool: 'comment', readOnly: false },
  check: { client: null, command: 'check', tool: 'check', readOnly: true },
  feed: { route: 'GET /v1/events', command: 'events', tool: 'events', readOnly: true },
  comments: { shape: 'list', route: 'GET /v1/tickets/{id}/comments', readOnly: true },
  events: { shape: 'list', route: 'GET /v1/tickets/{id}/events', readOnly: true },
  attachment: { route: 'GET /v1/attachments/{id}', client: null, readOnly: true },
  users: { route: 'GET /v1/users', service: 'listUsers', command: 'user list', readOnly: true },
  createUser: { route: 'POST /v1/users', command: 'user create', readOnly: false },
  createToken: { route: 'POST /v1/users/{id}/tokens', service: 'issueToken', command: 'user token', readOnly: false },
  revokeToken: { route: 'DELETE /v1/tokens/{id}', command: 'user revoke', readOnly: false },
  batch: { route: 'POST /v1/batch', service: 'applyBatch', readOnly: false },
  me: { route: 'GET /v1/me', service: null, command: 'whoami', readOnly: true },
  health: { route: 'GET /v1/health', service: null, readOnly: true },
} as const;
