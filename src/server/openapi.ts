// The published OpenAPI document: named zod schemas become shared components, and what the server adds to every
// route (authentication, rate limit, body limits, idempotency, timeouts) is declared once, by the rules that produce it.
import type { FastifyDynamicSwaggerOptions, SwaggerTransform } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  AdvanceBody, AssignBody, Attachment, AttachmentUpload, Channel, CloseBody, Comment,
  CommentBody, CreateTicketBody, CreateTokenBody, CreateUserBody, EscalateBody, Escalation, EscalationState, Event, EventKind, Health, Me,
  NewToken, PatchTicketBody, Priority, PriorityBody, PriorityInput, Problem, ProblemCode, ReopenBody, Role, Status, StatusBody, Team, Ticket,
  TicketType, TimelineStep, TriageBody, User,
} from '../domain/schemas.js';
import { BatchBody, BatchOperation, BatchResponse, BatchResult } from '../domain/operations.js';

type Json = Record<string, unknown>;

/** Response headers, as JSON schemas with a description (the form a route's response `headers` take). */
export const RESPONSE_HEADERS = {
  ETag: { type: 'string', description: 'The ticket version as an entity tag, such as "7"; send it back in If-Match to write only on top of it' },
  'Tix-Changed': { type: 'string', enum: ['true', 'false'], description: 'false when the ticket already was as asked: nothing changed and no event was recorded' },
  'Idempotent-Replayed': { type: 'string', enum: ['true'], description: 'Sent on a replay: this is the first answer to the same Idempotency-Key, not a second application' },
  'Retry-After': { type: 'integer', minimum: 0, description: 'Seconds to wait before retrying' },
  RateLimit: { type: 'string', description: 'What is left of this token\'s quota in the current window: "default";r=<remaining>;t=<seconds until reset>' },
  'RateLimit-Policy': { type: 'string', description: 'This token\'s quota: "default";q=<requests>;w=<window in seconds>' },
  'Content-Disposition': { type: 'string', description: 'attachment, with the file name (filename*=UTF-8\'\'… for names outside ASCII, RFC 6266)' },
  'X-Content-Type-Options': { type: 'string', enum: ['nosniff'], description: 'The file is served as its declared type only' },
} as const;
export type ResponseHeader = keyof typeof RESPONSE_HEADERS;

const REQUEST_HEADERS = {
  IfMatch: {
    name: 'If-Match',
    description: 'An ETag from an earlier answer, such as "7": the write applies only if the ticket is still at that version, else 412. Absent or *: no check',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    description: 'Makes a retry safe: a repeat with the same key and body answers the first result without applying it twice; the same key with another body is 422; while the first is still running, 409 with Retry-After',
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const RATE_LIMITED: ResponseHeader[] = ['RateLimit', 'RateLimit-Policy'];

/** The answers any operation may give besides its own, each published once under components/responses. */
export const SHARED_RESPONSES: Record<string, { name: string; description: string; headers: ResponseHeader[] }> = {
  400: { name: 'BadRequest', description: 'The request is invalid: a malformed id, query, header or body; `detail` says what, `errors` lists each problem', headers: RATE_LIMITED },
  401: { name: 'Unauthenticated', description: 'No bearer token, or one that is invalid or revoked', headers: [] },
  403: { name: 'Forbidden', description: 'Your role may not do this', headers: RATE_LIMITED },
  404: { name: 'NotFound', description: 'Not found, or out of your reach (the two are not told apart)', headers: RATE_LIMITED },
  408: { name: 'RequestTimeout', description: 'The request headers or body arrived too slowly; the connection is closed', headers: [] },
  409: {
    name: 'Conflict',
    description: 'The change conflicts with the current state, or a request with the same Idempotency-Key is still running (then with Retry-After)',
    headers: ['Retry-After', ...RATE_LIMITED],
  },
  412: { name: 'PreconditionFailed', description: 'The ticket changed since the If-Match version; `detail` says what changed', headers: RATE_LIMITED },
  413: { name: 'ContentTooLarge', description: 'The body is larger than the server accepts, or the attachments would exceed a storage quota', headers: RATE_LIMITED },
  414: { name: 'UriTooLong', description: 'The request target is longer than the server accepts', headers: [] },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json', headers: RATE_LIMITED },
  422: { name: 'IdempotencyKeyReused', description: 'This Idempotency-Key was used with a different request; use a new key', headers: RATE_LIMITED },
  429: { name: 'RateLimited', description: 'This token exceeded its rate; retry after Retry-After seconds', headers: ['Retry-After', ...RATE_LIMITED] },
  431: { name: 'HeadersTooLarge', description: 'The request headers are larger than the server accepts', headers: [] },
  500: { name: 'InternalError', description: 'The server failed; it logged the failure under the request id given in `detail`', headers: RATE_LIMITED },
};

export const PROBLEM_TYPE = 'application/problem+json';

const TAGS = [
  { name: 'meta', description: 'Liveness and the caller\'s identity' },
  { name: 'tickets', description: 'Open, read, triage and move tickets through their life' },
  { name: 'comments', description: 'Comments, attachments and the audit trail of a ticket' },
  { name: 'escalations', description: 'Escalations to engineering and their timelines' },
  { name: 'batch', description: 'Many ticket operations in one request' },
  { name: 'events', description: 'The change feed: every event you may see, after a cursor' },
  { name: 'admin', description: 'Users and their tokens (admins only)' },
];

/**
 * Schemas published by name. Kept apart from zod's global registry so that naming them here changes no other JSON
 * schema built from the same zod schemas; descriptions still come from the global registry.
 */
const named = z.registry<{ id?: string }>();
named._map = new (class extends WeakMap<z.core.$ZodType, { id?: string }> {
  override get(schema: z.core.$ZodType) {
    return super.get(schema) ?? z.globalRegistry._map.get(schema);
  }
  override has(schema: z.core.$ZodType) {
    return super.has(schema) || z.globalRegistry._map.has(schema);
  }
})();

/** Names a schema in the published document. */
export function publish<T extends z.ZodType>(id: string, schema: T): T {
  named.add(schema, { id });
  return schema;
}

const DOMAIN = {
  Ticket, Comment, Attachment, Event, EventKind, Escalation, EscalationState, TimelineStep, User, Role, Me, NewToken, Health, Problem, ProblemCode,
  Status, Priority, Team, TicketType, Channel, BatchResult, BatchResponse, BatchOperation, BatchBody,
  CreateTicketBody, PatchTicketBody, TriageBody, PriorityBody, AssignBody, StatusBody, EscalateBody, CloseBody, ReopenBody, AdvanceBody,
  CommentBody, AttachmentUpload, CreateUserBody, CreateTokenBody,
};
for (const [id, schema] of Object.entries(DOMAIN)) publish(id, schema);
// `<Name>Input` is the zod transform's name for the input form of <Name>
publish('RequestedPriority', PriorityInput);

const ref = (kind: 'schemas' | 'responses' | 'headers' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Header name → its component, whatever the case it was declared in. */
const headerComponent = new Map(Object.keys(RESPONSE_HEADERS).map((h) => [h.toLowerCase(), h]));

function components(): Json {
  const headers = Object.fromEntries(
    Object.entries(RESPONSE_HEADERS).map(([name, { description, ...schema }]) => [name, { description, schema }]),
  );
  const parameters = Object.fromEntries(Object.entries(REQUEST_HEADERS).map(([id, p]) => [id, { in: 'header', required: false, ...p }]));
  const responses = Object.fromEntries(
    Object.values(SHARED_RESPONSES).map((r) => [
      r.name,
      {
        description: r.description,
        ...(r.headers.length ? { headers: Object.fromEntries(r.headers.map((h) => [h, ref('headers', h)])) } : {}),
        content: { [PROBLEM_TYPE]: { schema: ref('schemas', 'Problem') } },
      },
    ]),
  );
  return { headers, parameters, responses };
}

type Operation = { security?: unknown[]; parameters?: Json[]; requestBody?: Json; responses: Record<string, Json> };

/** Adds to one operation what the server's own rules make it answer, and points shared pieces at their components. */
function completeOperation(path: string, method: string, op: Operation, neverReplayed: ReadonlySet<string>) {
  const authenticated = !(Array.isArray(op.security) && op.security.length === 0);
  const replayable = method === 'post' && !neverReplayed.has(path);
  const takesBody = method !== 'get' && method !== 'head';
  const responses = op.responses;
  const add = (...statuses: number[]) => {
    for (const s of statuses) responses[s] ??= ref('responses', SHARED_RESPONSES[s]!.name);
  };

  const parameters = op.parameters ?? [];
  // 412 answers nothing but a stale If-Match: the operations that declare it are the ones that read it
  if (responses['412']) parameters.push(ref('parameters', 'IfMatch'));
  if (replayable) parameters.push(ref('parameters', 'IdempotencyKey'));
  if (parameters.length) op.parameters = parameters;

  if (op.parameters || op.requestBody) add(400);
  if (authenticated) add(401, 429, 500);
  if (takesBody) add(413, 415);
  if (replayable) add(409, 422);
  add(408, 414, 431);

  for (const [status, response] of Object.entries(responses)) {
    // a route's own errors are the shared ones: one description per status for the whole API
    const content = response.content as Json | undefined;
    if (content?.[PROBLEM_TYPE] && SHARED_RESPONSES[status]) {
      responses[status] = ref('responses', SHARED_RESPONSES[status].name);
      continue;
    }
    if (!status.startsWith('2')) continue;
    const headers: Json = {};
    for (const [name, h] of Object.entries((response.headers ?? {}) as Json)) {
      const known = headerComponent.get(name.toLowerCase());
      headers[known ?? name] = known ? ref('headers', known) : h;
    }
    if (authenticated) for (const h of RATE_LIMITED) headers[h] = ref('headers', h);
    if (replayable) headers['Idempotent-Replayed'] = ref('headers', 'Idempotent-Replayed');
    if (Object.keys(headers).length) response.headers = headers;
  }
  op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A default in a request schema is said in words: generators read `default` in a shared schema as "always present",
 * which would make the field required in a request.
 */
function describeDefaults(schema: unknown, isPropertyMap = false) {
  if (Array.isArray(schema)) return schema.forEach((s) => describeDefaults(s));
  if (schema === null || typeof schema !== 'object') return;
  const o = schema as Json;
  if (!isPropertyMap && 'default' in o) {
    o.description = `${o.description ? `${String(o.description)}; ` : ''}${JSON.stringify(o.default)} when absent`;
    delete o.default;
  }
  for (const [k, v] of Object.entries(o)) describeDefaults(v, !isPropertyMap && k === 'properties');
}

const SCHEMA_REF = /"#\/components\/schemas\/([^"]+)"/g;

/** Keeps the schemas something refers to, and names each input form plainly when it differs from no output form. */
function tidySchemas(doc: Json): Json {
  const { components: c, ...rest } = doc as { components: Json & { schemas?: Record<string, Json> } };
  const { schemas = {}, ...otherComponents } = c;
  const refsIn = (value: unknown) => [...JSON.stringify(value ?? null).matchAll(SCHEMA_REF)].map((m) => m[1]!);
  const used = new Set(refsIn([rest, otherComponents]));
  for (const queue = [...used]; queue.length; ) {
    for (const name of refsIn(schemas[queue.pop()!])) if (!used.has(name)) (used.add(name), queue.push(name));
  }
  const kept: Record<string, Json> = Object.fromEntries(Object.entries(schemas).filter(([n]) => used.has(n)));
  // the zod transform names the input form of every schema <Name>Input; most are only read, or the same either way
  const renamed = new Map<string, string>();
  for (const name of Object.keys(kept)) {
    if (!name.endsWith('Input')) continue;
    describeDefaults(kept[name]);
    const plain = name.slice(0, -'Input'.length);
    if (kept[plain] && !isDeepStrictEqual(kept[plain], kept[name])) continue;
    kept[plain] = kept[name]!;
    delete kept[name];
    renamed.set(name, plain);
  }
  const sorted = Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
  const text = JSON.stringify({ ...rest, components: { ...otherComponents, schemas: sorted } });
  return JSON.parse(text.replace(SCHEMA_REF, (whole, name: string) => (renamed.has(name) ? `"#/components/schemas/${renamed.get(name)}"` : whole))) as Json;
}

type Def = { type: string; innerType?: z.core.$ZodType; out?: z.core.$ZodType; defaultValue?: unknown; shape?: Record<string, z.core.$ZodType> };
const defOf = (schema: unknown) => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/**
 * A path or query value that is parsed from its text into a number is declared as the number it becomes, as a client
 * sends it: `42`, not the string pattern that reads it.
 */
function declareNumbers(zodObject: unknown, json: Json) {
  const properties = json.properties as Record<string, Json> | undefined;
  for (const [name, field] of Object.entries(defOf(zodObject)?.shape ?? {})) {
    let def = defOf(field);
    let fallback: Json = {};
    while (def && (def.type === 'default' || def.type === 'optional')) {
      if (def.type === 'default') fallback = { default: def.defaultValue };
      def = defOf(def.innerType);
    }
    if (def?.type !== 'pipe' || !def.out || !properties?.[name]) continue;
    const { $schema: _, ...number } = z.toJSONSchema(def.out, { io: 'output', unrepresentable: 'any' }) as Json;
    if (number.type !== 'integer' && number.type !== 'number') continue;
    const { description } = properties[name];
    properties[name] = { ...number, ...fallback, ...(description ? { description } : {}) };
  }
}

/** `neverReplayed`: routes (Fastify form, `/v1/users/:id/tokens`) whose POST takes no Idempotency-Key. */
export function swaggerOptions(opts: { version: string; neverReplayed: ReadonlySet<string> }): FastifyDynamicSwaggerOptions {
  // the document speaks in OpenAPI paths, the rules in Fastify's
  const neverReplayed = new Set([...opts.neverReplayed].map((p) => p.replace(/:(\w+)/g, '{$1}')));
  const zodTransform = createJsonSchemaTransform({ schemaRegistry: named });
  const zodComponents = createJsonSchemaTransformObject({ schemaRegistry: named });

  const transform: SwaggerTransform = (input) => {
    const out = zodTransform(input as Parameters<typeof zodTransform>[0]) as { schema: { response?: Record<string, Json>; params?: Json; querystring?: Json }; url: string };
    for (const part of ['params', 'querystring'] as const) if (out.schema[part]) declareNumbers(input.schema?.[part], out.schema[part]);
    // the zod transform keeps only the content of a response: carry its declared headers over
    const declared = (input.schema?.response ?? {}) as Record<string, { headers?: Json }>;
    for (const [status, r] of Object.entries(declared)) if (r?.headers && out.schema.response?.[status]) out.schema.response[status].headers = r.headers;
    return out;
  };

  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tix ticket API',
        version: opts.version,
        description: 'Support-desk tickets: triage, priority, escalation, audit. Errors are RFC 9457 problem documents.',
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'tix', url: 'https://tix.dev' },
      },
      servers: [{ url: '/', description: 'The server that publishes this document' }],
      tags: TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: `tix_…`, issued by an admin and shown once' } } },
      security: [{ bearer: [] }],
    },
    transform,
    transformObject: (input) => {
      const doc = zodComponents(input) as Json & { paths: Record<string, Record<string, Operation>>; components: Json };
      Object.assign(doc.components, components());
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of HTTP_METHODS) if (item[method]) completeOperation(path, method, item[method], neverReplayed);
      }
      return tidySchemas(doc);
    },
  };
}
