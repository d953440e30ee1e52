// tix help query: the query language, printed from the parser's own tables so it cannot fall behind the parser.
import { COMPARISONS, DATE_FORMS, DURATION_UNITS, FIELD_DOCS, QUERY_FIELDS, type FieldDoc } from '../../domain/query.js';
import type { Context } from '../context.js';

const UNIT_NAMES: Record<string, string> = { m: 'minutes', h: 'hours', d: 'days', w: 'weeks' };

function valuesText(doc: FieldDoc): string {
  switch (doc.takes) {
    case 'enum':
      return `${doc.values!.join(' | ')}  (several: comma-separated)`;
    case 'one':
      return doc.values!.join(' | ');
    case 'free':
      return `${doc.values!.join(' | ')}  (several: comma-separated)`;
    case 'duration':
      return `[${COMPARISONS.join(' ')}]N${DURATION_UNITS.join('|')}`;
    case 'date':
      return `[${COMPARISONS.join(' ')}]${DATE_FORMS.join(' or ')}`;
  }
}

/** The language as data, for `tix help query --json`. */
export function queryLanguage() {
  return {
    syntax: {
      terms: 'space-separated; every term must hold',
      any_of: 'commas inside one term: status:new,in_progress',
      negate: 'a leading - negates a term: -status:closed',
      text: 'bare words and "quoted phrases" match subject and description (any case)',
      default_state: 'tix list and tix check add state:open unless the query names a status or state',
    },
    fields: QUERY_FIELDS.map((name) => ({ name, ...FIELD_DOCS[name] })),
    comparisons: [...COMPARISONS],
    duration_units: Object.fromEntries(DURATION_UNITS.map((u) => [u, UNIT_NAMES[u] ?? u])),
    date_forms: [...DATE_FORMS],
    dates: 'UTC unless a zone is given; a bare date (no comparison) means that whole UTC day; > DATE starts after that day, <= DATE includes it',
  };
}

export function queryHelp(): string {
  const width = Math.max(...QUERY_FIELDS.map((f) => f.length)) + 2;
  const lines = [
    'The query language: tix list QUERY, tix check QUERY, --query Q on every bulk command, GET /v1/tickets?q=',
    '',
    'Terms are separated by spaces and must all hold. Commas mean "any of". A leading - negates a term.',
    'Bare words and "quoted phrases" match the subject and description, in any case.',
    'tix list and tix check add state:open unless the query names a status or state.',
    '',
    'Fields:',
  ];
  for (const f of QUERY_FIELDS) {
    const doc = FIELD_DOCS[f];
    lines.push(`  ${`${f}:`.padEnd(width)}${valuesText(doc)}`);
    lines.push(`  ${' '.repeat(width)}${doc.meaning}; e.g. ${doc.example}`);
  }
  lines.push(
    '',
    `Comparisons (durations and dates): ${COMPARISONS.join(' ')}`,
    `Durations: a whole number and a unit: ${DURATION_UNITS.map((u) => `${u} (${UNIT_NAMES[u] ?? u})`).join(', ')}; age:4h means age:>4h.`,
    `Dates: ${DATE_FORMS.join(' or ')}, UTC unless a zone is given.`,
    '  A bare date means that whole UTC day; created:>2026-11-01 starts after that day; created:<=2026-11-30 includes it.',
    '  A timestamp needs a comparison: updated:>2026-12-01T20:05.',
    '',
    'Examples:',
    '  $ tix list "priority:high,critical age:>4h"',
    '  $ tix list "team:engineering assignee:none -status:blocked"',
    '  $ tix list "escalated:true" --json id,escalation',
    '  $ tix list "sla:breached state:open" --format ids',
    '  $ tix list \'updated:>=2026-12-01T08:00+01:00 "gateway timeout"\'',
    '  $ tix check "priority:critical idle:>1h" --max 0',
    '',
  );
  return lines.join('\n');
}

export async function run(ctx: Context) {
  if (ctx.format === 'json') ctx.out(`${JSON.stringify(queryLanguage(), null, 2)}\n`);
  else ctx.out(queryHelp());
}
