// What every layer reads from the table of operations (OPERATIONS in enums.ts), without zod: the client and the
// command line take their routes and names from here, the server and MCP add the schemas of operations.ts.
import { OPERATIONS } from './enums.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** An argument (a path segment) or an option (a query parameter) of a derived operation. */
export interface OperationParam {
  name: string;
  in: 'path' | 'query';
  type: 'integer' | 'string';
  description: string;
  choices?: readonly string[];
  default?: string;
}

export interface OperationEntry {
  /** `METHOD /path`, path parameters in braces: `POST /v1/tickets/{id}/status`. */
  route?: string;
  /** How the route and the client method are derived; absent: both are written by hand. */
  shape?: 'change' | 'record' | 'list';
  /** The service method, when not the operation's name; null: the route answers alone (who the caller is, health). */
  service?: string | null;
  /** The client method, when not the operation's name; null: the client has none. */
  client?: string | null;
  /** Its name in POST /v1/batch. */
  batch?: string;
  /** Its command after `tix`, words separated by spaces. */
  command?: string;
  /** Its MCP tool. */
  tool?: string;
  readOnly: boolean;
  /** A derived command's one-line description. */
  summary?: string;
  /** A derived command's arguments and options, in the order of the route's path and then its query. */
  inputs?: readonly OperationParam[];
}

export type Registry = Readonly<Record<string, OperationEntry>>;
export type OperationName = keyof typeof OPERATIONS;

/** The registry of tix itself, typed as any registry (a test adds entries to a copy). */
export const REGISTRY: Registry = OPERATIONS;

export function routeOf(entry: OperationEntry): { method: HttpMethod; path: string } | undefined {
  if (!entry.route) return undefined;
  const [method, path] = entry.route.split(' ') as [HttpMethod, string];
  return { method, path };
}

/** The route's path parameters, in order: `/v1/users/{id}/tokens` → ['id']. */
export const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** A path with its parameters filled in order, each one encoded. */
export function fillPath(path: string, values: readonly unknown[]): string {
  let i = 0;
  return path.replace(/\{\w+\}/g, () => encodeURIComponent(String(values[i++])));
}

/** `/v1/tickets/{id}` as Fastify writes it: `/v1/tickets/:id`. */
export const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

export const serviceMethod = (name: string, entry: OperationEntry): string | null => (entry.service === undefined ? name : entry.service);
export const clientMethod = (name: string, entry: OperationEntry): string | null => (entry.client === undefined ? name : entry.client);
