// tix completion: shell completion scripts for commands and their flags.
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

const COMMANDS = ['auth', 'list', 'show', 'create', 'triage', 'reprioritize', 'priority', 'assign', 'move', 'escalate', 'escalation', 'close', 'reopen', 'comment', 'check', 'serve', 'demo', 'api', 'completion'];
const GLOBAL = ['--profile', '--url', '--json', '--format', '--no-color', '--quiet', '--debug', '--timeout', '--yes', '--no-input', '--help'];

export async function run(ctx: Context, [shell]: string[]) {
  const words = COMMANDS.join(' ');
  const flags = GLOBAL.join(' ');
  switch (shell) {
    case 'bash':
      ctx.out(`_tix() {\n  local cur="\${COMP_WORDS[COMP_CWORD]}"\n  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${words}" -- "$cur"));\n  else COMPREPLY=($(compgen -W "${flags}" -- "$cur")); fi\n}\ncomplete -F _tix tix\n`);
      return;
    case 'zsh':
      ctx.out(`#compdef tix\n_tix() {\n  if (( CURRENT == 2 )); then compadd ${words}; else compadd -- ${flags}; fi\n}\ncompdef _tix tix\n`);
      return;
    case 'fish':
      ctx.out(`complete -c tix -f -n __fish_use_subcommand -a "${words}"\n${GLOBAL.map((f) => `complete -c tix -l ${f.slice(2)}`).join('\n')}\n`);
      return;
    default:
      throw new UsageError(`unknown shell "${shell}"; choose bash, zsh or fish`);
  }
}
