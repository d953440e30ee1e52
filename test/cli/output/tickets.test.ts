import { describe, expect, it } from 'vitest';
import { ticketListWriter, type OutputOptions } from '../../../src/cli/output/index.js';
import type { Ticket } from '../../../src/domain/schemas.js';
import { ANSI, memoryOut, piped, stripAnsi, ticket, tty } from './fixtures.js';

function render(tickets: Ticket[], opts: OutputOptions): string {
  const out = memoryOut();
  const writer = ticketListWriter(out, opts);
  for (const t of tickets) writer.write(t);
  writer.end();
  return out.text;
}

const LONG_SUBJECT = 'The invoice export times out for every account with more than ten thousand lines';
const tickets = [
  ticket(),
  ticket({ id: 1042, priority: 'critical', status: 'blocked', assignee: null, team: null, subject: LONG_SUBJECT }),
];

describe('ticket list on a TTY', () => {
  it('prints a table with a header row, relative ages and the subjects', () => {
    const lines = stripAnsi(render(tickets, tty())).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PRIORITY\s+STATUS\s+ASSIGNEE\s+TEAM\s+AGE\s+SUBJECT$/);
    expect(lines[1]).toMatch(/^12\s+high\s+in_progress\s+alice\s+support\s+3h ago\s+Printer on fire$/);
    expect(lines[2]).toMatch(/^1042\s+critical\s+blocked\s+3h ago\s+The invoice export/);
  });

  it('colours priority and status when colour is allowed', () => {
    const text = render(tickets, tty());
    expect(text).toMatch(ANSI);
    expect(text).toContain('\u001b[31m\u001b[1mcritical');
  });

  it('has no ANSI codes when colour is off', () => {
    expect(render(tickets, tty({ color: false }))).not.toMatch(ANSI);
  });

  it('cuts long subjects so every line fits the terminal width', () => {
    const lines = stripAnsi(render(tickets, tty({ width: 72 }))).trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(72);
    expect(lines[2]).toMatch(/…$/);
    expect(lines[2]).not.toContain('ten thousand');
  });

  it('shows a subject whole when it fits', () => {
    expect(stripAnsi(render(tickets, tty({ width: 200 })))).toContain(LONG_SUBJECT);
  });

  it('prints nothing for an empty list, leaving the hint to stderr', () => {
    expect(render([], tty())).toBe('');
  });

  it('keeps each ticket on one line even when the subject has line breaks', () => {
    const text = render([ticket({ subject: 'first\nsecond\u001b[31m' })], tty({ color: false }));
    expect(text.trimEnd().split('\n')).toHaveLength(2);
    expect(text).not.toMatch(ANSI);
  });
});

describe('ticket list piped', () => {
  it('prints tab-separated raw values without a header or colour', () => {
    const text = render(tickets, piped());
    expect(text).toBe(
      '12\thigh\tin_progress\talice\tsupport\t2025-03-10T09:00:00Z\tPrinter on fire\n' +
        `1042\tcritical\tblocked\t\t\t2025-03-10T09:00:00Z\t${LONG_SUBJECT}\n`,
    );
  });

  it('stays colourless even when colour is forced', () => {
    expect(render(tickets, piped({ color: true }))).not.toMatch(ANSI);
  });

  it('replaces tabs and newlines inside values with spaces', () => {
    expect(render([ticket({ subject: 'a\tb\nc' })], piped())).toMatch(/\ta b c\n$/);
  });

  it('writes each ticket as soon as it arrives', () => {
    const out = memoryOut();
    const writer = ticketListWriter(out, piped());
    writer.write(ticket());
    expect(out.text).toContain('Printer on fire');
  });
});

describe('ticket list in other formats', () => {
  it('prints one id per line for pipes', () => {
    expect(render(tickets, piped({ format: 'ids' }))).toBe('12\n1042\n');
  });

  it('prints a CSV header and one quoted row per ticket', () => {
    const text = render([ticket({ subject: 'Printer, "the big one"' })], piped({ format: 'csv', fields: ['id', 'subject', 'tags', 'assignee'] }));
    expect(text).toBe('id,subject,tags,assignee\n12,"Printer, ""the big one""",hardware;fire,alice\n');
  });

  it('takes the CSV header from the ticket when no fields are chosen', () => {
    const [header] = render([ticket()], piped({ format: 'csv' })).split('\n');
    expect(header).toBe(Object.keys(ticket()).join(','));
  });

  it('prints only the CSV header for an empty list when fields are chosen', () => {
    expect(render([], piped({ format: 'csv', fields: ['id', 'status'] }))).toBe('id,status\n');
  });
});
