// Field names of the API records, without loading zod (the CLI validates --json FIELDS with them).
export const TICKET_FIELDS = [
  'id', 'subject', 'description', 'status', 'priority', 'channel', 'type', 'team', 'level', 'assignee', 'requester', 'org', 'tags',
  'blocked_by', 'root_cause', 'escalation', 'escalations', 'created_at', 'updated_at', 'first_response_at', 'response_due_at', 'resolution_due_at',
  'sla_breached', 'version',
] as const;
export const ESCALATION_FIELDS = ['id', 'ticket_id', 'reason', 'team', 'level', 'state', 'estimated_resolution', 'created_by', 'created_at', 'timeline'] as const;
export const USER_FIELDS = ['id', 'login', 'name', 'email', 'role', 'org', 'org_admin', 'created_at'] as const;
