// The published OpenAPI document: valid 3.1, generated from the zod schemas, listing every endpoint, declaring what each answers.
import fastifySwagger from '@fastify/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { swaggerOptions } from '../../src/server/openapi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';

type Schema = { $ref?: string; type?: string | string[]; format?: string; properties?: Record<string, Schema>; required?: string[] };
type Header = { $ref?: string; schema?: Schema };
type Response = { $ref?: string; description?: string; headers?: Record<string, Header>; content?: Record<string, { schema: Schema }> };
type Parameter = { $ref?: string; name: string; in: string };
type Operation = { operationId?: string; tags?: string[]; summary?: string; description?: string; security?: unknown[]; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, Response> };
type Doc = {
  openapi: string;
  info: { license?: { name: string }; contact?: unknown };
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response>; parameters: Record<string, Parameter>; headers: Record<string, Header> };
};

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

/** The endpoints every client relies on, except attachments and /v1/batch. */
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
/** The component a `$ref` names, or the object itself. */
const resolve = <T extends { $ref?: string }>(o: T): T => {
  if (!o.$ref) return o;
  const [, , kind, name] = o.$ref.split('/') as [string, string, keyof Doc['components'], string];
  return resolve(doc.components[kind][name] as T);
};
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
  it('gives every operation a summary and a description', () => {
    for (const endpoint of operations()) expect(op(endpoint).summary, endpoint).toBeTruthy();
    for (const endpoint of operations()) expect(op(endpoint).description, endpoint).toBeTruthy();
  });
  it('describes every answer of every operation', () => {
    for (const e of operations()) for (const [status, r] of Object.entries(op(e).responses)) expect(resolve(r).description, `${e} ${status}`).toBeTruthy();
    expect(resolve(op('patch /v1/tickets/{id}').responses['200']!).description).toBe('The ticket as it now is');
  });
  it('describes request bodies from the same zod schemas that validate them', () => {
    const schema = resolve(op('post /v1/tickets').requestBody!.content['application/json']!.schema);
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['subject', 'description', 'priority', 'justification', 'channel', 'requester']));
    expect(schema.required).toEqual(expect.arrayContaining(['subject', 'description']));
    const priority = resolve(op('post /v1/tickets/{id}/priority').requestBody!.content['application/json']!.schema);
    expect(priority.required).toEqual(expect.arrayContaining(['priority', 'reason']));
  });
  it.each(ENDPOINTS.filter((e) => e.startsWith('post /v1/tickets/{id}/') && !e.endsWith('comments')))('documents 409 and 412 for %s', (endpoint) => {
    expect(Object.keys(op(endpoint).responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '409', '412']));
  });
  it('does not publish itself', () => expect(Object.keys(doc.paths)).not.toContain('/v1/openapi.json'));
});

const TICKET_WRITES = ['patch /v1/tickets/{id}', ...ENDPOINTS.filter((e) => e.startsWith('post /v1/tickets/{id}/') && !e.endsWith('comments'))];
const statusesOf = (endpoint: string) => Object.keys(op(endpoint).responses);
const headerParams = (endpoint: string) => (op(endpoint).parameters ?? []).map(resolve).filter((p) => p.in === 'header').map((p) => p.name);
const responseHeaders = (r: Response) => Object.keys(resolve(r).headers ?? {});

describe('the OpenAPI document describes the server fully', () => {
  it('names every operation once, and tags it with a described tag', () => {
    const ids = operations().map((e) => op(e).operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
    for (const e of operations()) {
      expect(op(e).tags?.length, e).toBeGreaterThan(0);
      for (const t of op(e).tags!) expect(tags.get(t), `${e} tag ${t}`).toBeTruthy();
    }
  });

  it('says where it is served, and under which license', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license?.name).toBe('MIT');
    expect(doc.info.contact).toBeTruthy();
  });

  it('stands alone: no description points elsewhere for its meaning', () => {
    expect(JSON.stringify(doc)).not.toMatch(/\u00a7|\.md\b/);
  });

  it('publishes each shared schema once and refers to it', () => {
    expect(JSON.stringify(doc).match(/"sla_breached":\{/g)).toHaveLength(1);
    expect(resolve(op('get /v1/tickets/{id}').responses['200']!).content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Ticket' });
    const referenced = JSON.stringify({ ...doc, components: { ...doc.components, schemas: {} } }) + JSON.stringify(doc.components.schemas);
    for (const name of Object.keys(doc.components.schemas)) expect(referenced, name).toContain(`"#/components/schemas/${name}"`);
  });

  it('declares every error as application/problem+json with the problem schema', () => {
    for (const e of operations()) {
      for (const [status, r] of Object.entries(op(e).responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(resolve(r).content ?? {}), `${e} ${status}`).toEqual(['application/problem+json']);
        expect(resolve(r).content!['application/problem+json']!.schema, `${e} ${status}`).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
  });

  it('declares the answers the server itself gives, where it can give them', () => {
    for (const e of operations()) {
      expect(statusesOf(e), e).toEqual(expect.arrayContaining(['408', '414', '431']));
      const [method] = e.split(' ');
      if (e !== 'get /v1/health') expect(statusesOf(e), e).toEqual(expect.arrayContaining(['401', '429', '500']));
      if (method !== 'get') expect(statusesOf(e), e).toEqual(expect.arrayContaining(['413', '415']));
      else expect(statusesOf(e), e).not.toEqual(expect.arrayContaining(['413']));
    }
    expect(statusesOf('get /v1/health')).not.toContain('401');
    expect(responseHeaders(op('get /v1/tickets').responses['429']!)).toEqual(expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']));
    expect(responseHeaders(op('get /v1/tickets').responses['200']!)).toEqual(expect.arrayContaining(['RateLimit', 'RateLimit-Policy']));
  });

  it('declares If-Match and 412 exactly on the writes that honour If-Match', () => {
    for (const e of operations()) {
      const honours = TICKET_WRITES.includes(e);
      expect(statusesOf(e).includes('412'), e).toBe(honours);
      expect(headerParams(e).includes('If-Match'), e).toBe(honours);
    }
  });

  it('declares Idempotency-Key, its 409 and its 422 on every POST that keeps answers for replay', () => {
    for (const e of operations()) {
      const replayed = e.startsWith('post ') && e !== 'post /v1/users/{id}/tokens';
      expect(headerParams(e).includes('Idempotency-Key'), e).toBe(replayed);
      expect(statusesOf(e).includes('422'), e).toBe(replayed);
      if (replayed) expect(statusesOf(e), e).toContain('409');
    }
    expect(responseHeaders(op('post /v1/tickets').responses['409']!)).toContain('Retry-After');
  });

  it('declares no conflict, precondition or permission error on reads that cannot give one', () => {
    for (const e of operations().filter((x) => x.startsWith('get '))) {
      for (const status of ['409', '412', '415', '422']) expect(statusesOf(e), `${e} ${status}`).not.toContain(status);
      if (e !== 'get /v1/users') expect(statusesOf(e), e).not.toContain('403');
    }
    expect(statusesOf('post /v1/tickets/{id}/comments')).not.toContain('403');
    expect(statusesOf('post /v1/batch')).not.toContain('404');
  });

  it('declares ETag on ticket answers and Tix-Changed on ticket writes', () => {
    expect(responseHeaders(op('get /v1/tickets/{id}').responses['200']!)).toContain('ETag');
    expect(responseHeaders(op('post /v1/tickets').responses['201']!)).toEqual(expect.arrayContaining(['ETag', 'Tix-Changed']));
    for (const e of TICKET_WRITES) expect(responseHeaders(op(e).responses['200']!), e).toEqual(expect.arrayContaining(['ETag', 'Tix-Changed']));
  });

  it('declares attachment downloads as binary files of the accepted types', () => {
    const content = resolve(op('get /v1/attachments/{id}').responses['200']!).content!;
    expect(Object.keys(content)).toEqual(expect.arrayContaining(['application/pdf', 'image/png', 'text/plain']));
    for (const [type, media] of Object.entries(content)) expect(media.schema, type).toEqual({ type: 'string', format: 'binary' });
    expect(responseHeaders(op('get /v1/attachments/{id}').responses['200']!)).toContain('Content-Disposition');
  });

  it('offers cursor and limit wherever an answer can carry a next cursor', () => {
    for (const e of operations()) {
      const ok = Object.entries(op(e).responses).find(([status]) => status.startsWith('2'))?.[1];
      const schema = ok && resolve(ok).content?.['application/json'] ? resolve(resolve(ok).content!['application/json']!.schema) : undefined;
      const next = schema?.properties?.next_cursor;
      if (!next || next.type === 'null') continue;
      const query = (op(e).parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      // the cursor goes back as `cursor`, or as `after` for a feed read forward
      expect(query, e).toContain('limit');
      expect(query.includes('cursor') || query.includes('after'), e).toBe(true);
    }
    expect(resolve(resolve(op('get /v1/tickets/{id}/comments').responses['200']!).content!['application/json']!.schema).properties!.next_cursor!.type).toBe('null');
  });
});

describe('path and query values parsed from text', () => {
  it('are declared as the numbers they become, keeping their default', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    await app.register(fastifySwagger, swaggerOptions({ version: '0', neverReplayed: new Set() }));
    const decimal = z.string().regex(/^[1-9][0-9]*$/).transform(Number).pipe(z.number().int().positive().max(1000));
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/things/:id',
      { schema: { operationId: 'getThing', tags: ['meta'], params: z.object({ id: decimal }), querystring: z.object({ limit: decimal.default(50).describe('how many'), q: z.string().optional() }) } },
      async () => ({}),
    );
    await app.ready();
    const parameters = (app.swagger() as unknown as Doc).paths['/v1/things/{id}']!.get!.parameters!;
    const schemaOf = (name: string) => (parameters.find((p) => p.name === name) as unknown as { schema: Record<string, unknown> }).schema;
    expect(schemaOf('id')).toEqual({ type: 'integer', exclusiveMinimum: 0, maximum: 1000 });
    expect(schemaOf('limit')).toEqual({ type: 'integer', exclusiveMinimum: 0, maximum: 1000, default: 50 });
    expect(schemaOf('q')).toEqual({ type: 'string' });
    await app.close();
  });
});

