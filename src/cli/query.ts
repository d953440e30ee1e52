// Turning command-line terms and flags into one query of the query language (DESIGN.md §4).

/** The query sent to the server: terms, then flags as terms, then the default state:open. */
export function buildQuery(terms: string[], opts: Record<string, unknown>): string {
  const parts = [...terms];
  for (const field of ['status', 'priority', 'team', 'assignee'] as const) {
    const v = opts[field];
    if (typeof v === 'string' && v !== '') parts.push(`${field}:${v}`);
  }
  if (typeof opts.state === 'string') parts.push(`state:${opts.state}`);
  const q = parts.join(' ');
  // the queue means open tickets unless the query speaks of status or state
  return /(^|\s)-?(state|status):/.test(q) ? q : `${q} state:open`.trim();
}
