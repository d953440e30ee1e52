import { describe, expect, it } from 'vitest';
import { printObject } from '../../../src/cli/output/index.js';
import { escalation, memoryOut, piped, ticket, tty } from './fixtures.js';

const human = (t: { id: number }) => `ticket #${t.id}`;

describe('printObject', () => {
  it('prints one ticket as a JSON object with a trailing newline', () => {
    const out = memoryOut();
    printObject(out, ticket(), piped({ format: 'json' }), human);
    expect(out.text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(out.text)).toEqual(ticket());
  });

  it('keeps only the chosen fields in JSON', () => {
    const out = memoryOut();
    printObject(out, ticket(), tty({ format: 'json', fields: ['status', 'id'] }), human);
    expect(JSON.parse(out.text)).toEqual({ status: 'in_progress', id: 12 });
  });

  it('prints ndjson as a single line', () => {
    const out = memoryOut();
    printObject(out, ticket(), piped({ format: 'ndjson', fields: ['id'] }), human);
    expect(out.text).toBe('{"id":12}\n');
  });

  it('prints the human view for the table format, ending with a newline', () => {
    const out = memoryOut();
    printObject(out, ticket(), tty(), human);
    expect(out.text).toBe('ticket #12\n');
  });

  it('prints a CSV header and one row', () => {
    const out = memoryOut();
    printObject(out, ticket(), piped({ format: 'csv', fields: ['id', 'subject'] }), human);
    expect(out.text).toBe('id,subject\n12,Printer on fire\n');
  });

  it('prints just the id for the ids format, whatever kind of id it is', () => {
    const out = memoryOut();
    printObject(out, escalation(), piped({ format: 'ids' }), () => '');
    expect(out.text).toBe('CP-4\n');
  });

  it('refuses the ids format for a record without an id', () => {
    expect(() => printObject(memoryOut(), { status: 'ok' }, piped({ format: 'ids' }), () => '')).toThrow(
      /ids format needs records with an id/,
    );
  });
});
