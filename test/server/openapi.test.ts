// The published OpenAPI document: valid 3.1, generated from the zod schemas, listing every endpoint of DESIGN §3.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';

type Operation = { summary?: string; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, unknown> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

let s: TestServer;
let doc: Doc;
let status: number;
beforeAll(async () => {
  s = await startServer();
  const res = await s.call(null, 'GET', '/v1/openapi.json');
  status = res.statusCode;
  doc = res.json() as Doc;
});
afterAll(async () => {
  await s.close();
});

/** DESIGN §3 endpoints, except attachments and /v1/batch. */
const ENDPOINTS = [
  'get /v1/health', 'get /v1/me',
  'get /v1/tickets', 'post /v1/tickets', 'get /v1/tickets/{id}', 'patch /v1/tickets/{id}',
  'post /v1/tickets/{id}/triage', 'post /v1/tickets/{id}/priority', 'post /v1/tickets/{id}/assign', 'post /v1/tickets/{id}/status',
  'post /v1/tickets/{id}/escalate', 'post /v1/tickets/{id}/close', 'post /v1/tickets/{id}/reopen',
  'get /v1/tickets/{id}/comments', 'post /v1/tickets/{id}/comments', 'get /v1/tickets/{id}/events',
  'get /v1/escalations', 'get /v1/escalations/{id}', 'post /v1/escalations/{id}/advance',
  'get /v1/users', 'post /v1/users', 'post /v1/users/{id}/tokens', 'delete /v1/tokens/{id}',
  'get /v1/events',
];
const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
const op = (endpoint: string) => {
  const [method, path] = endpoint.split(' ') as [string, string];
  return doc.paths[path]![method]!;
};

describe('GET /v1/openapi.json', () => {
  it('is served without a token', () => expect(status).toBe(200));
  it('declares OpenAPI 3.1', () => expect(doc.openapi).toMatch(/^3\.1\./));
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
  it('is checked by a validator that refuses a broken document', async () => {
    const broken = { ...doc, info: undefined };
    expect((await new Validator().validate(broken as unknown as Record<string, unknown>)).valid).toBe(false);
  });
  it.each(ENDPOINTS)('lists %s', (endpoint) => expect(operations()).toContain(endpoint));
  it('gives every operation a summary', () => {
    for (const endpoint of operations()) expect(op(endpoint).summary, endpoint).toBeTruthy();
  });
  it('describes request bodies from the same zod schemas that validate them', () => {
    const schema = op('post /v1/tickets').requestBody!.content['application/json']!.schema;
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['subject', 'description', 'priority', 'justification', 'channel', 'requester']));
    expect(schema.required).toEqual(expect.arrayContaining(['subject', 'description']));
    const priority = op('post /v1/tickets/{id}/priority').requestBody!.content['application/json']!.schema;
    expect(priority.required).toEqual(expect.arrayContaining(['priority', 'reason']));
  });
  it.each(ENDPOINTS.filter((e) => e.startsWith('post /v1/tickets/{id}/') && !e.endsWith('comments')))('documents 409 and 412 for %s', (endpoint) => {
    expect(Object.keys(op(endpoint).responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '409', '412']));
  });
  it('does not publish itself', () => expect(Object.keys(doc.paths)).not.toContain('/v1/openapi.json'));
});
