import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.js';
import { parseFields, pick } from '../../../src/cli/output/index.js';

const VALID = ['id', 'subject', 'status', 'priority'] as const;

describe('parseFields', () => {
  it('means all fields when --json has no value or is absent', () => {
    expect(parseFields(true, VALID)).toBeUndefined();
    expect(parseFields(undefined, VALID)).toBeUndefined();
  });

  it('keeps the asked fields in the asked order', () => {
    expect(parseFields('subject,id', VALID)).toEqual(['subject', 'id']);
  });

  it('ignores spaces and repeated names', () => {
    expect(parseFields(' id , subject,id ', VALID)).toEqual(['id', 'subject']);
  });

  it('rejects an unknown field with a usage error that lists the valid ones', () => {
    expect(() => parseFields('id,colour', VALID)).toThrow(UsageError);
    expect(() => parseFields('id,colour', VALID)).toThrow(
      'unknown field "colour"; valid fields: id, subject, status, priority',
    );
  });

  it('names every unknown field at once', () => {
    expect(() => parseFields('nope,nada', VALID)).toThrow(/unknown fields "nope", "nada"; valid fields: id/);
  });

  it('rejects an empty list of fields and shows the valid ones', () => {
    expect(() => parseFields(' , ', VALID)).toThrow('no fields given; valid fields: id, subject, status, priority');
  });
});

describe('pick', () => {
  it('keeps only the chosen fields in the chosen order', () => {
    const picked = pick({ id: 1, subject: 's', status: 'new' }, ['status', 'id']);
    expect(Object.keys(picked)).toEqual(['status', 'id']);
    expect(picked).toEqual({ status: 'new', id: 1 });
  });

  it('returns the whole object when no fields are chosen', () => {
    const obj = { id: 1, subject: 's' };
    expect(pick(obj)).toBe(obj);
  });

  it('keeps null values, which JSON consumers rely on', () => {
    expect(pick({ id: 1, assignee: null }, ['assignee'])).toEqual({ assignee: null });
  });
});
