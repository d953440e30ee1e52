// Every command that changes tickets in bulk takes the same four options, with the defaults of the domain vocabulary.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_WAIT, DEFAULT_WAIT_TIMEOUT, ESCALATION_LEVEL, ESCALATION_TEAM } from '../../src/domain/enums.js';

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
