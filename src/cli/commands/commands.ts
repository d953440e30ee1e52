// tix commands: the command tree, read from commander at run time, so it is never written twice.
import type { Argument, Command, Option } from 'commander';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { queryLanguage } from './help.js';

/** Whether the option takes a whole number: the one type commander cannot tell, marked where the option is declared. */
const isInteger = (o: Option) => (o as Option & { valueType?: string }).valueType === 'integer';

function optionOf(o: Option) {
  const takesValue = o.required || o.optional;
  const base = isInteger(o) ? 'integer' : o.variadic ? 'string[]' : 'string';
  const type = !takesValue ? 'boolean' : `${base}${o.optional ? '|boolean' : ''}`;
  return {
    flags: o.flags,
    name: o.attributeName(),
    long: o.long ?? null,
    short: o.short ?? null,
    type,
    // `--json [fields]`: the flag alone, or with a value
    value: o.required ? 'required' : o.optional ? 'optional' : 'none',
    choices: o.argChoices ?? null,
    default: o.negate ? true : (o.defaultValue ?? null),
    description: o.description,
  };
}

function argumentOf(a: Argument) {
  return {
    name: a.name(),
    required: a.required,
    variadic: a.variadic,
    choices: a.argChoices ?? null,
    default: a.defaultValue ?? null,
    description: a.description,
  };
}

/** The text commander prints after a command's help (its examples), captured instead of printed. */
function afterHelp(c: Command): string {
  let text = '';
  (c as unknown as NodeJS.EventEmitter).emit('afterHelp', { error: false, command: c, write: (s: string) => (text += s) });
  return text;
}

/** Every command, subcommand first-class, in tree order; `path` is what follows `tix`. */
export function commandTree(program: Command) {
  const commands: object[] = [];
  const walk = (c: Command, path: string[]) => {
    for (const sub of c.commands) {
      const here = [...path, sub.name()];
      const after = afterHelp(sub);
      commands.push({
        path: here.join(' '),
        name: sub.name(),
        aliases: sub.aliases(),
        description: sub.description(),
        usage: `tix ${here.join(' ')} ${sub.usage()}`,
        arguments: sub.registeredArguments.map(argumentOf),
        options: sub.options.map(optionOf),
        subcommands: sub.commands.map((s) => s.name()),
        examples: [...after.matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1]!),
      });
      walk(sub, here);
    }
  };
  walk(program, []);
  return {
    name: program.name(),
    version: program.version() ?? null,
    description: program.description(),
    global_options: program.options.map(optionOf),
    commands,
    exit_codes: Object.fromEntries(Object.entries(EXIT).map(([name, code]) => [String(code), name])),
    // what QUERY arguments and --query take, as `tix help query --json` prints it
    query_language: queryLanguage(),
  };
}

export async function run(ctx: Context, _args: string[], _opts: Record<string, unknown>, command: Command) {
  let program = command;
  while (program.parent) program = program.parent;
  const tree = commandTree(program);
  if (ctx.format === 'json') {
    ctx.out(`${JSON.stringify(tree, null, 2)}\n`);
    return;
  }
  for (const c of tree.commands as { usage: string; description: string }[]) ctx.out(`${c.usage.trim()}\n    ${c.description}\n`);
}
