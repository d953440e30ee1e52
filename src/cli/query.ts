// Turning command-line terms and flags into one query of the query language (docs/query-language.md),
// checked here by the same parser the server uses, so a malformed term fails before any request.
import { QueryError, hasStateTerm, parseQuery } from '../domain/query.js';
import { UsageError } from './errors.js';

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
  const sent = hasStateTerm(parse(q)) ? q : `${q} state:open`.trim();
  // what is sent is checked whole, so the added term counts against the query's limits too
  if (sent !== q) parse(sent);
  return sent;
}

function parse(q: string) {
  try {
    return parseQuery(q);
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(err.message);
    throw err;
  }
}
