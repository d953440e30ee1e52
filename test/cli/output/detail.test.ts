import { describe, expect, it } from 'vitest';
import { renderTicketDetail } from '../../../src/cli/output/index.js';
import { ANSI, comment, escalation, event, piped, stripAnsi, ticket, tty } from './fixtures.js';

describe('renderTicketDetail', () => {
  it('starts with the id and subject', () => {
    expect(renderTicketDetail(ticket(), {}, piped()).split('\n')[0]).toBe('#12 Printer on fire');
  });

  it('lists the ticket fields as key: value lines', () => {
    const text = renderTicketDetail(ticket({ blocked_by: 9, root_cause: 3 }), {}, piped());
    for (const line of [
      /^status: +in_progress$/m,
      /^priority: +high$/m,
      /^team: +support$/m,
      /^level: +2$/m,
      /^type: +incident$/m,
      /^assignee: +alice$/m,
      /^requester: +bob$/m,
      /^org: +acme$/m,
      /^channel: +email$/m,
      /^created: +2025-03-10T09:00:00Z$/m,
      /^response due: +2025-03-10T13:00:00Z$/m,
      /^resolution due: +2025-03-12T09:00:00Z$/m,
      /^sla breached: +no$/m,
      /^blocked by: +#9$/m,
      /^root cause: +#3$/m,
      /^tags: +hardware, fire$/m,
    ])
      expect(text).toMatch(line);
  });

  it('shows a dash for empty fields and leaves out links that are not set', () => {
    const text = renderTicketDetail(ticket({ assignee: null, tags: [] }), {}, piped());
    expect(text).toMatch(/^assignee: +-$/m);
    expect(text).not.toMatch(/^(blocked by|root cause|escalation|tags):/m);
  });

  it('adds relative times beside exact ones on a TTY', () => {
    const text = stripAnsi(renderTicketDetail(ticket(), {}, tty()));
    expect(text).toMatch(/^created: +2025-03-10T09:00:00Z \(3h ago\)$/m);
    expect(text).toMatch(/^response due: +2025-03-10T13:00:00Z \(in 1h\)$/m);
  });

  it('colours a breached SLA only when colour is on', () => {
    const breached = ticket({ sla_breached: true });
    expect(renderTicketDetail(breached, {}, tty())).toMatch(ANSI);
    expect(renderTicketDetail(breached, {}, tty({ color: false }))).not.toMatch(ANSI);
    expect(renderTicketDetail(breached, {}, tty({ color: false }))).toMatch(/^sla breached: +yes$/m);
  });

  it('shows the description with its line breaks', () => {
    expect(renderTicketDetail(ticket(), {}, piped())).toContain('\n\nIt started smoking after the update.\nPlease help.\n');
  });

  it('describes the running escalation when it is given', () => {
    const text = renderTicketDetail(ticket({ escalation: 'CP-4' }), { escalation: escalation() }, piped());
    expect(text).toMatch(/^escalation: +CP-4 · engineering_in_progress · team engineering · level 3 · eta 2025-03-14$/m);
    expect(text).toMatch(/^escalation reason: +Firmware bug suspected$/m);
  });

  it('lists every escalation the ticket had, oldest first, after they are resolved', () => {
    expect(renderTicketDetail(ticket({ escalation: null, escalations: ['CP-2', 'CP-7'] }), {}, piped())).toMatch(/^escalations: +CP-2, CP-7$/m);
  });

  it('has no escalations line for a ticket never escalated', () => {
    expect(renderTicketDetail(ticket({ escalations: [] }), {}, piped())).not.toMatch(/^escalations:/m);
  });

  it('falls back to the escalation id when only the ticket is known', () => {
    expect(renderTicketDetail(ticket({ escalation: 'CP-4' }), {}, piped())).toMatch(/^escalation: +CP-4$/m);
  });

  it('marks internal comments clearly and public ones as public', () => {
    const comments = [comment(), comment({ id: 2, author: 'bob', public: true, body: 'Fixed, thanks!' })];
    const text = renderTicketDetail(ticket(), { comments }, piped());
    expect(text).toContain('Comments (2)');
    expect(text).toContain('alice · 2025-03-10T10:00:00Z · [internal]\n    Asked the customer to unplug it.');
    expect(text).toContain('bob · 2025-03-10T10:00:00Z · [public]\n    Fixed, thanks!');
  });

  it('lists attachments under their comment', () => {
    const attachments = [{ id: 1, name: 'smoke.jpg', size: 2048, content_type: 'image/jpeg' }];
    expect(renderTicketDetail(ticket(), { comments: [comment({ attachments })] }, piped())).toContain(
      'attachment: smoke.jpg (2.0 KiB)',
    );
  });

  it('lists events with kind, from → to, actor and note', () => {
    const events = [event({ note: 'customer replied', internal: true })];
    const text = renderTicketDetail(ticket(), { events }, piped());
    expect(text).toContain('Events (1)');
    expect(text).toContain(
      '2025-03-10T10:00:00Z  status_changed  new → in_progress  by alice  — customer replied  [internal]',
    );
  });

  it('uses relative times for comments and events on a TTY', () => {
    const text = stripAnsi(renderTicketDetail(ticket(), { comments: [comment()], events: [event()] }, tty()));
    expect(text).toContain('alice · 2h ago · [internal]');
    expect(text).toContain('2h ago  status_changed');
  });

  it('leaves out comments and events when they were not asked for', () => {
    expect(renderTicketDetail(ticket(), {}, piped())).not.toMatch(/Comments|Events/);
  });

  it('neutralises terminal escapes hidden in customer text', () => {
    const text = renderTicketDetail(ticket({ subject: 'hi\u001b]0;pwned\u0007', description: 'x\u001b[2J' }), {}, piped());
    expect(text).not.toContain('\u001b');
  });
});
