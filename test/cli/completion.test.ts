// Shell completion comes from the command tree: every command, subcommand and flag, for bash, zsh and fish.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completionTable } from '../../src/cli/commands/completion.js';
import { buildProgram } from '../../src/cli/program.js';

const program = () => buildProgram(async () => { throw new Error('not run'); }, () => {}, { writeOut: () => {}, writeErr: () => {} });
const ROOT = new URL('../..', import.meta.url).pathname;

describe('completion', () => {
  it('lists every command with its own flags and the global ones', () => {
    const table = new Map(completionTable(program()).map((n) => [n.path.join(' '), n.words]));
    expect(table.get('')).toEqual(expect.arrayContaining(['list', 'close', 'escalation', 'check', 'priority', '--json']));
    expect(table.get('close')).toEqual(expect.arrayContaining(['--resolution', '--journal', '--dry-run', '--json']));
    expect(table.get('escalation')).toEqual(expect.arrayContaining(['list', 'show', 'advance']));
    expect(table.get('escalation advance')).toEqual(expect.arrayContaining(['--to', '--note']));
  });

  it('picks up edit, user, whoami, commands and help with their flags', () => {
    const table = new Map(completionTable(program()).map((n) => [n.path.join(' '), n.words]));
    expect(table.get('')).toEqual(expect.arrayContaining(['edit', 'user', 'whoami', 'commands', 'help']));
    expect(table.get('edit')).toEqual(expect.arrayContaining(['--tag', '--root-cause', '--priority', '--justification', '--dry-run', '--journal']));
    expect(table.get('user')).toEqual(expect.arrayContaining(['list', 'create', 'token', 'revoke']));
    expect(table.get('user create')).toEqual(expect.arrayContaining(['--role', '--org', '--org-admin', '--name', '--email']));
  });

  it('the bash script completes subcommands and flags in a real bash', () => {
    const script = join(tmpdir(), `tix-completion-${process.pid}.bash`);
    writeFileSync(script, execFileSync(process.execPath, [join(ROOT, 'bin/tix'), 'completion', 'bash'], { encoding: 'utf8' }));
    const complete = (...words: string[]) =>
      execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tix; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim().split(' ');
    expect(complete('tix', 'esc')).toEqual(['escalate', 'escalation']);
    expect(complete('tix', 'close', '12', '--res')).toEqual(['--resolution']);
    expect(complete('tix', 'escalation', 'adv')).toEqual(['advance']);
  });

  it('zsh and fish scripts name the same commands', () => {
    for (const shell of ['zsh', 'fish']) {
      const out = execFileSync(process.execPath, [join(ROOT, 'bin/tix'), 'completion', shell], { encoding: 'utf8' });
      for (const word of ['escalation', 'reprioritize', 'resolution']) expect(out).toContain(word);
    }
  });
});
