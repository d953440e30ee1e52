import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../../src/cli/output/csv.js';

describe('csv', () => {
  it('leaves plain values unquoted', () => {
    expect(csvLine(['id', 12, true])).toBe('id,12,true\n');
  });

  it('quotes a value with a comma', () => {
    expect(csvField('printer, scanner')).toBe('"printer, scanner"');
  });

  it('quotes a value with a quote and doubles the quote', () => {
    expect(csvField('the "blue" one')).toBe('"the ""blue"" one"');
  });

  it('quotes values with line breaks', () => {
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
  });

  it('writes null and undefined as empty fields', () => {
    expect(csvLine([null, undefined, 'x'])).toBe(',,x\n');
  });

  it('joins arrays with semicolons', () => {
    expect(csvField(['hardware', 'fire'])).toBe('hardware;fire');
    expect(csvField([])).toBe('');
  });

  it('writes nested objects as JSON, quoted because JSON has quotes', () => {
    expect(csvField({ name: 'a.txt' })).toBe('"{""name"":""a.txt""}"');
  });
});
