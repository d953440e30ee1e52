// RFC 4180 CSV: spreadsheets and csv tools read it; lines end in \n so Unix tools do too.
import { spreadsheetText } from './text.js';

/** A value as CSV text: null is empty, arrays are joined with ';' (each item cleaned: ';' splits cells in some locales), objects become JSON. */
export function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => spreadsheetText(fieldText(item))).join(';');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Cleaned like every cell (text.ts), then quoted only when it holds a comma, a quote or a line break, doubling the quotes. */
export function csvField(value: unknown): string {
  const text = spreadsheetText(fieldText(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\n`;
}
