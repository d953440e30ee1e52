// Response serializers: code compiled (fast-json-stringify) from the JSON Schema of a zod response
// schema for the hottest answers, plain JSON.stringify for every other.
import fastJson from 'fast-json-stringify';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** A union of single-type enums (a union of literals) as one enum: compiled code then needs no runtime validator. */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) out[k] = simplify(v);
  const anyOf = out.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every((b) => Object.keys(b).every((k) => k === 'type' || k === 'enum') && Array.isArray(b.enum) && b.type === anyOf[0]!.type)) {
    delete out.anyOf;
    out.type = anyOf[0]!.type;
    out.enum = anyOf.flatMap((b) => b.enum as unknown[]);
  }
  return out;
}

/** The JSON Schema a compiled serializer is built from, derived from the zod schema (OpenAPI 3.0 `nullable`). */
export function responseJsonSchema(schema: z.ZodType): JsonSchema {
  return simplify(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output' })) as JsonSchema;
}

const plain = (data: unknown) => JSON.stringify(data);

/**
 * The serializer of one response schema: compiled when the schema is one of `compiled` (only
 * properties the schema names are written, in its order), JSON.stringify otherwise.
 */
export function serializerFor(schema: unknown, compiled: ReadonlySet<unknown>): (data: unknown) => string {
  if (!compiled.has(schema)) return plain;
  let fn = built.get(schema as object);
  if (!fn) {
    fn = fastJson(responseJsonSchema(schema as z.ZodType) as unknown as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
    built.set(schema as object, fn);
  }
  return fn;
}

/** One compiled serializer per schema, however many routes answer with it. */
const built = new WeakMap<object, (data: unknown) => string>();
