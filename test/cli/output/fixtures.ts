// Records and an in-memory stdout for the output tests.
import type { Comment, Escalation, Event, Ticket } from '../../../src/domain/schemas.js';
import type { OutputOptions } from '../../../src/cli/output/index.js';

export const NOW = new Date('2025-03-10T12:00:00Z');

export function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 12,
    subject: 'Printer on fire',
    description: 'It started smoking after the update.\nPlease help.',
    status: 'in_progress',
    priority: 'high',
    channel: 'email',
    type: 'incident',
    team: 'support',
    level: 2,
    assignee: 'alice',
    requester: 'bob',
    org: 'acme',
    tags: ['hardware', 'fire'],
    blocked_by: null,
    root_cause: null,
    escalation: null,
    escalations: [],
    created_at: '2025-03-10T09:00:00Z',
    updated_at: '2025-03-10T11:30:00Z',
    first_response_at: null,
    response_due_at: '2025-03-10T13:00:00Z',
    resolution_due_at: '2025-03-12T09:00:00Z',
    sla_breached: false,
    version: 3,
    ...overrides,
  };
}

export function comment(overrides: Partial<Comment> = {}): Comment {
  return {
    id: 1,
    ticket_id: 12,
    author: 'alice',
    body: 'Asked the customer to unplug it.',
    public: false,
    attachments: [],
    created_at: '2025-03-10T10:00:00Z',
    ...overrides,
  };
}

export function event(overrides: Partial<Event> = {}): Event {
  return {
    id: 1,
    ticket_id: 12,
    at: '2025-03-10T10:00:00Z',
    actor: 'alice',
    kind: 'status_changed',
    from: 'new',
    to: 'in_progress',
    note: null,
    internal: false,
    ...overrides,
  };
}

export function escalation(overrides: Partial<Escalation> = {}): Escalation {
  return {
    id: 'CP-4',
    ticket_id: 12,
    reason: 'Firmware bug suspected',
    team: 'engineering',
    level: 3,
    state: 'engineering_in_progress',
    estimated_resolution: '2025-03-14',
    created_by: 'alice',
    created_at: '2025-03-10T11:00:00Z',
    timeline: [],
    ...overrides,
  };
}

export const tty = (overrides: Partial<OutputOptions> = {}): OutputOptions => ({
  format: 'table',
  isTTY: true,
  color: true,
  width: 120,
  now: NOW,
  ...overrides,
});

export const piped = (overrides: Partial<OutputOptions> = {}): OutputOptions =>
  tty({ isTTY: false, color: false, ...overrides });

/** What a command would have written to stdout. */
export function memoryOut() {
  const chunks: string[] = [];
  return {
    chunks,
    write(s: string) {
      chunks.push(s);
      return true;
    },
    get text() {
      return chunks.join('');
    },
  };
}

export const ANSI = /\u001b\[/;
export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
