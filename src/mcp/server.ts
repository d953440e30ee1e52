// The MCP server over stdio: lists the tools, validates each call with the domain's zod schemas,
// answers structured results or error results, and keeps stdout for protocol messages alone.
import type { Writable } from 'node:stream';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UsageError } from '../cli/errors.js';
import type { ErrorObject } from '../domain/envelope.js';
import { JUSTIFICATION_MIN, PRIORITIES } from '../domain/enums.js';
import { RUBRIC } from '../domain/policy.js';
import { errorObject } from './change.js';
import { isReadOnly, TOOLS, type Deps, type Tool } from './tools.js';

export const INSTRUCTIONS = [
  'tix is a support desk: tickets from customers (requesters), worked by agents. Every change is audited.',
  `Priority rubric: ${PRIORITIES.map((p) => `${p} = ${RUBRIC[p]}`).join('; ')}.`,
  `Every priority change needs a justification of at least ${JUSTIFICATION_MIN} characters (reprioritize: reason; triage: justification).`,
  'Comments are internal unless you pass public: true; only public text reaches the customer, so say nothing to a customer by accident.',
  'Closing needs a resolution (what fixed it). Escalations are internal and move forward only.',
  'A change selected by query needs dry_run: true (preview) or confirm: true (apply): preview first, then confirm.',
  'Every change answers {ok, dry_run, summary, results}; ok false means a ticket failed: read results[].error. Errors are {"error":{code, message, ...}}.',
].join('\n');

/** The tools offered: all, only the reads, or an allow-list; an unknown name is a usage error before serving. */
export function selectTools(opts: { readOnly?: boolean; tools?: string }): Tool[] {
  let chosen = opts.readOnly ? TOOLS.filter(isReadOnly) : TOOLS;
  if (opts.tools !== undefined) {
    const names = opts.tools.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError('--tools: give tool names, comma-separated');
    const unknown = names.filter((n) => !TOOLS.some((t) => t.name === n));
    if (unknown.length) throw new UsageError(`--tools: unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; choose from ${TOOLS.map((t) => t.name).join(', ')}`);
    const changes = names.filter((n) => !chosen.some((t) => t.name === n));
    if (changes.length) throw new UsageError(`--tools: ${changes.join(', ')} change${changes.length > 1 ? '' : 's'} tickets, which --read-only does not offer`);
    chosen = chosen.filter((t) => names.includes(t.name));
  }
  return chosen;
}

const converted = { input: new WeakMap<z.ZodType, McpTool['inputSchema']>(), output: new WeakMap<z.ZodType, McpTool['inputSchema']>() };
/** JSON Schema of a zod schema, converted once: eleven tools share the envelope, and converting is the slow part of start-up. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): McpTool['inputSchema'] {
  let json = converted[io].get(schema);
  if (!json) converted[io].set(schema, (json = z.toJSONSchema(schema, { io, target: 'draft-7' }) as McpTool['inputSchema']));
  return json;
}

export function describeTools(tools: Tool[]): McpTool[] {
  return tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: jsonSchema(t.input, 'input'),
    outputSchema: jsonSchema(t.output, 'output'),
    annotations: { title: t.title, ...t.annotations },
  }));
}

const errorResult = (error: ErrorObject): CallToolResult => ({ isError: true, content: [{ type: 'text', text: JSON.stringify({ error }) }] });

/** One line per problem, each naming the argument: what an agent needs to correct its call. */
function inputProblems(tool: string, error: z.ZodError): string {
  const problems = error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${/received undefined$/.test(i.message) ? 'required' : i.message}`);
  return `invalid arguments for ${tool}: ${problems.join('; ')}`;
}

/** Answers one tool call; never throws: every failure is an error result. */
export async function callTool(tools: Tool[], deps: Deps, name: string, args: unknown): Promise<CallToolResult> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return errorResult({ code: 'usage', message: `unknown tool "${name}"; tools offered: ${tools.map((t) => t.name).join(', ')}` });
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) return errorResult({ code: 'usage', message: deps.redact(inputProblems(name, parsed.error)) });
  let result: CallToolResult;
  try {
    const answer = await tool.run(deps, parsed.data as never);
    result = { content: [{ type: 'text', text: answer.text }], structuredContent: answer.data, ...(answer.failed ? { isError: true } : {}) };
  } catch (err) {
    result = errorResult(errorObject(err, deps.redact));
  }
  // the token never leaves the process, whatever text a ticket or an error carried
  const text = JSON.stringify(result);
  const clean = deps.redact(text);
  return clean === text ? result : (JSON.parse(clean) as CallToolResult);
}

export function createMcpServer(tools: Tool[], deps: Deps, version: string): Server {
  const listed = describeTools(tools);
  const server = new Server({ name: 'tix', title: 'tix support desk', version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => callTool(tools, deps, req.params.name, req.params.arguments));
  return server;
}

/**
 * Serves until the client closes stdin. stdout carries protocol messages only: anything else
 * written there (a console.log in a dependency, say) goes to stderr instead.
 */
export async function serveStdio(server: Server, log: (line: string) => void): Promise<void> {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout) as (s: string) => boolean;
  const protocol = {
    write: (s: string) => write(s),
    once: (event: string, listener: () => void) => stdout.once(event, listener),
  } as unknown as Writable;
  stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof stdout.write;
  for (const level of ['log', 'info', 'debug', 'warn'] as const) console[level] = (...a: unknown[]) => console.error(...a);

  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  server.onerror = (err) => log(`mcp: ${err.message}`);
  process.stdin.once('end', () => void server.close());
  await server.connect(new StdioServerTransport(process.stdin, protocol));
  await closed;
}
