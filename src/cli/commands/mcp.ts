// tix mcp: every tix operation as an MCP server on stdio, with the credentials the CLI would use.
import { createMcpServer, selectTools, serveStdio } from '../../mcp/server.js';
import type { Context } from '../context.js';
import { describeError } from '../errors.js';

export async function run(ctx: Context, _args: string[], opts: Record<string, unknown>) {
  // an unknown tool name is a usage error (exit 2) before anything is served
  const tools = selectTools({ readOnly: Boolean(opts.readOnly), tools: typeof opts.tools === 'string' ? opts.tools : undefined });
  const log = (line: string) => ctx.io.stderr.write(`tix: ${ctx.redact(line)}\n`);
  const client = () => ctx.client();
  // credentials are resolved once; when they are missing, the client hears why from every tool call
  client().catch((err) => log(`${describeError(err).message} (each tool call will answer this error)`));
  const server = createMcpServer(tools, { client, redact: (s) => ctx.redact(s) }, typeof __TIX_VERSION__ === 'string' ? __TIX_VERSION__ : 'dev');
  ctx.status(`tix mcp: serving ${tools.length} tools on stdio${opts.readOnly ? ' (read-only)' : ''}`);
  await serveStdio(server, log);
}
