import { describe, expect, it } from 'vitest';
import { genericListWriter, ticketListWriter, type OutputOptions } from '../../../src/cli/output/index.js';
import { ANSI, memoryOut, piped, ticket, tty } from './fixtures.js';

function render(count: number, opts: OutputOptions): string {
  const out = memoryOut();
  const writer = ticketListWriter(out, opts);
  for (let i = 1; i <= count; i++) writer.write(ticket({ id: i }));
  writer.end();
  return out.text;
}

describe('json list', () => {
  it.each([0, 1, 25])('is a valid JSON array of %i tickets', (count) => {
    const text = render(count, piped({ format: 'json' }));
    const parsed: unknown = JSON.parse(text);
    expect(parsed).toHaveLength(count);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('streams: each ticket is written before the list ends', () => {
    const out = memoryOut();
    const writer = ticketListWriter(out, piped({ format: 'json' }));
    writer.write(ticket({ id: 1 }));
    writer.write(ticket({ id: 2 }));
    expect(out.chunks).toHaveLength(2);
    writer.end();
    expect(JSON.parse(out.text)).toEqual([ticket({ id: 1 }), ticket({ id: 2 })]);
  });

  it('writes nothing until the first ticket, so a failed request leaves stdout empty', () => {
    const out = memoryOut();
    ticketListWriter(out, piped({ format: 'json' }));
    expect(out.text).toBe('');
  });

  it('keeps only the chosen fields, in order', () => {
    const text = render(2, tty({ format: 'json', fields: ['subject', 'id'] }));
    expect(JSON.parse(text)).toEqual([
      { subject: 'Printer on fire', id: 1 },
      { subject: 'Printer on fire', id: 2 },
    ]);
    expect(Object.keys((JSON.parse(text) as object[])[0]!)).toEqual(['subject', 'id']);
  });

  it('is the same JSON on a TTY, without colour', () => {
    const text = render(2, tty({ format: 'json' }));
    expect(text).toBe(render(2, piped({ format: 'json' })));
    expect(text).not.toMatch(ANSI);
  });
});

describe('ndjson list', () => {
  it('prints one JSON object per line', () => {
    const lines = render(3, piped({ format: 'ndjson' })).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => (JSON.parse(line) as { id: number }).id)).toEqual([1, 2, 3]);
  });

  it('keeps only the chosen fields', () => {
    expect(render(1, piped({ format: 'ndjson', fields: ['id', 'status'] }))).toBe('{"id":1,"status":"in_progress"}\n');
  });

  it('prints nothing for an empty list', () => {
    expect(render(0, piped({ format: 'ndjson' }))).toBe('');
  });
});

describe('generic list', () => {
  const users = [
    { id: 1, login: 'alice', role: 'agent', created_at: '2025-03-09T12:00:00Z' },
    { id: 2, login: 'bob', role: 'requester', created_at: '2025-03-10T11:00:00Z' },
  ];
  const columns = [
    { header: 'LOGIN', get: (u: (typeof users)[number]) => u.login },
    { header: 'CREATED', get: (u: (typeof users)[number]) => u.created_at, time: true },
    { header: 'ROLE', get: (u: (typeof users)[number]) => u.role },
  ];
  const render = (opts: OutputOptions) => {
    const out = memoryOut();
    const writer = genericListWriter(out, opts, columns);
    users.forEach((u) => writer.write(u));
    writer.end();
    return out.text;
  };

  it('renders its own columns on a TTY, with relative times for time columns', () => {
    expect(render(tty({ color: false }))).toBe('LOGIN  CREATED  ROLE\nalice  1d ago   agent\nbob    1h ago   requester\n');
  });

  it('renders its own columns tab-separated when piped', () => {
    expect(render(piped())).toBe('alice\t2025-03-09T12:00:00Z\tagent\nbob\t2025-03-10T11:00:00Z\trequester\n');
  });

  it('prints the whole records as JSON, not just the columns', () => {
    expect(JSON.parse(render(piped({ format: 'json' })))).toEqual(users);
  });
});
