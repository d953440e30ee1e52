// A command derived from an operation of the registry: its arguments and options become the call, and the answer
// is printed as the data of a read is (JSON; with --format ndjson a list one item per line).
import type { Command } from 'commander';
import type { OperationEntry } from '../../domain/registry.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonText } from '../output/text.js';

/** commander's attribute name of `--some-flag`, for an input named some_flag. */
const attribute = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function wholeNumber(name: string, raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw.trim())) throw new UsageError(`invalid ${name} "${raw}"; give a positive integer`);
  return Number(raw.trim());
}

export async function run(ctx: Context, args: string[], opts: Record<string, unknown>, command: Command) {
  const { entry } = (command as Command & { operation: { name: string; entry: OperationEntry } }).operation;
  const inputs = entry.inputs ?? [];
  const path = inputs.filter((p) => p.in === 'path').map((p, i) => (p.type === 'integer' ? wholeNumber(p.name, args[i]!) : args[i]!));
  const query = Object.fromEntries(inputs.filter((p) => p.in === 'query' && opts[attribute(p.name)] !== undefined).map((p) => [p.name, String(opts[attribute(p.name)])]));
  const format = ctx.format;
  const value = await (await ctx.client()).invoke(entry, Object.keys(query).length > 0 ? [...path, query] : path);
  if (format === 'ndjson' && Array.isArray(value)) {
    for (const item of value) ctx.out(`${jsonText(item)}\n`);
    return;
  }
  ctx.out(`${jsonText(value, 2)}\n`);
}
