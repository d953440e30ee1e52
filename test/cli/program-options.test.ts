// The command tree's shared options, defaults and closed value sets come from one place each.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { commandTree } from '../../src/cli/commands/commands.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_WAIT, DEFAULT_WAIT_TIMEOUT, ESCALATION_LEVEL, ESCALATION_TEAM, OUTPUT_FORMATS, ROLES, SHELLS } from '../../src/domain/enums.js';

const program = buildProgram(
  () => Promise.reject(new Error('no command runs here')),
  () => {},
  { writeOut: () => {}, writeErr: () => {} },
);
const command = (name: string) => program.commands.find((c) => c.name() === name)!;
const option = (c: Command, long: string) => c.options.find((o) => o.long === long);

describe('the bulk options', () => {
  const bulk = ['triage', 'reprioritize', 'assign', 'move', 'escalate', 'close', 'reopen', 'edit'];

  it('are exactly the commands that take --query', () => {
    expect(program.commands.filter((c) => option(c, '--query')).map((c) => c.name()).sort()).toEqual([...bulk].sort());
  });

  it.each(bulk)('%s takes --query, --dry-run, --concurrency (default DEFAULT_CONCURRENCY) and --journal, last', (name) => {
    const c = command(name);
    expect(c.options.slice(-4).map((o) => o.long)).toEqual(['--query', '--dry-run', '--concurrency', '--journal']);
    expect(option(c, '--concurrency')!.defaultValue).toBe(String(DEFAULT_CONCURRENCY));
  });
});

describe('defaults named in help come from the vocabulary', () => {
  it('--max-wait, wait --timeout, escalate --team and --level', () => {
    expect(option(program, '--max-wait')!.description).toContain(`(default ${DEFAULT_MAX_WAIT};`);
    expect(option(command('wait'), '--timeout')!.description).toContain(`(default ${DEFAULT_WAIT_TIMEOUT})`);
    expect(option(command('escalate'), '--team')!.description).toContain(`(default ${ESCALATION_TEAM})`);
    expect(option(command('escalate'), '--level')!.description).toContain(`(default ${ESCALATION_LEVEL})`);
  });
});

describe('closed value sets are commander choices from the vocabulary', () => {
  it('completion takes only the shells it writes for; another is a usage error before anything runs', async () => {
    expect(command('completion').registeredArguments[0]!.argChoices).toEqual([...SHELLS]);
    await expect(program.parseAsync(['completion', 'ksh'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.invalidArgument', exitCode: 1 });
  });

  it('user create --role and the --format help', () => {
    const create = command('user').commands.find((c) => c.name() === 'create')!;
    expect(option(create, '--role')!.argChoices).toEqual([...ROLES]);
    expect(option(program, '--format')!.description).toContain(`${OUTPUT_FORMATS.slice(0, -1).join(', ')} or ${OUTPUT_FORMATS.at(-1)}`);
  });
});

describe('whole-number options are marked where they are declared', () => {
  const tree = commandTree(program) as unknown as { global_options: { long: string; type: string }[]; commands: { path: string; options: { long: string; type: string }[] }[] };
  const typeOf = (path: string, long: string) => tree.commands.find((c) => c.path === path)!.options.find((o) => o.long === long)!.type;

  it('a count, a port, an id and a number of milliseconds are integers', () => {
    expect(tree.global_options.find((o) => o.long === '--timeout')!.type).toBe('integer');
    expect([typeOf('list', '--limit'), typeOf('close', '--concurrency'), typeOf('move', '--blocked-by'), typeOf('check', '--max'), typeOf('serve', '--port')]).toEqual(Array(5).fill('integer'));
  });

  it('a duration and a rate that share a name with an integer option stay strings', () => {
    expect(typeOf('wait', '--timeout')).toBe('string');
    expect(typeOf('serve', '--rate-limit')).toMatch(/^string/);
  });
});
