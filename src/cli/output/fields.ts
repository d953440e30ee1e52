// Field selection for --json FIELDS, csv and ndjson.
import { UsageError } from '../errors.js';

/** `true` or `undefined` means all fields; otherwise comma-separated names, each one checked. */
export function parseFields(spec: string | true | undefined, valid: readonly string[]): string[] | undefined {
  if (spec === undefined || spec === true) return undefined;
  const fields = [...new Set(spec.split(',').map((f) => f.trim()).filter((f) => f !== ''))];
  const validFields = `valid fields: ${valid.join(', ')}`;
  if (fields.length === 0) throw new UsageError(`no fields given; ${validFields}`);
  const unknown = fields.filter((f) => !valid.includes(f));
  if (unknown.length > 0) {
    const names = unknown.map((f) => `"${f}"`).join(', ');
    throw new UsageError(`unknown field${unknown.length > 1 ? 's' : ''} ${names}; ${validFields}`);
  }
  return fields;
}

/** A copy with only `fields`, in that order; the object itself when no fields are asked for. */
export function pick<T extends object>(obj: T, fields?: string[]): Partial<T> {
  if (fields === undefined) return obj;
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (field in obj) picked[field] = (obj as Record<string, unknown>)[field];
  return picked as Partial<T>;
}
