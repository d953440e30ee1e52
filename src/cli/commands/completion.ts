// tix completion: shell completion scripts generated from the command tree itself,
// so every command, subcommand and flag is offered and none can go stale.
import type { Command } from 'commander';
import { SHELLS } from '../../domain/enums.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

interface Node {
  path: string[];
  words: string[];
}

/** Each command path with what may follow it: subcommand names and long flags. */
export function completionTable(program: Command): Node[] {
  const longFlags = (c: Command) => c.options.map((o) => o.long).filter((l): l is string => Boolean(l));
  const globals = longFlags(program);
  const nodes: Node[] = [];
  const walk = (c: Command, path: string[]) => {
    const subs = c.commands.flatMap((s) => [s.name(), ...s.aliases()]);
    nodes.push({ path, words: [...subs, ...(path.length ? longFlags(c) : []), ...globals, '--help'] });
    for (const s of c.commands) for (const name of [s.name(), ...s.aliases()]) walk(s, [...path, name]);
  };
  walk(program, []);
  return nodes;
}

function bash(nodes: Node[]): string {
  const cases = nodes.map((n) => `    "${n.path.join(' ')}") words="${[...new Set(n.words)].join(' ')}" ;;`).join('\n');
  return `# tix completion for bash: source <(tix completion bash)
_tix() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${nodes.filter((n) => n.path.length).map((n) => `      "${n.path.join(' ')}") path="${n.path.join(' ')}" ;;`).join('\n')}
    esac
  done
  local words
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _tix tix
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef tix
# tix completion for zsh: tix completion zsh > "\${fpath[1]}/_tix"
_tix() {
  local path="" w
  for w in \${words[2,CURRENT-1]}; do
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${nodes.filter((n) => n.path.length).map((n) => `      "${n.path.join(' ')}") path="${n.path.join(' ')}" ;;`).join('\n')}
    esac
  done
  case "$path" in
${nodes.map((n) => `    "${n.path.join(' ')}") compadd -- ${[...new Set(n.words)].join(' ')} ;;`).join('\n')}
  esac
}
compdef _tix tix
`;
}

function fish(nodes: Node[]): string {
  const lines = ['# tix completion for fish: tix completion fish > ~/.config/fish/completions/tix.fish'];
  for (const n of nodes) {
    const cond = n.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    const subs = n.words.filter((w) => !w.startsWith('-'));
    const flags = n.words.filter((w) => w.startsWith('--'));
    if (subs.length) lines.push(`complete -c tix -f -n '${cond}' -a '${[...new Set(subs)].join(' ')}'`);
    for (const f of new Set(flags)) lines.push(`complete -c tix -n '${cond}' -l ${f.slice(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function run(ctx: Context, [shell]: string[], _opts: Record<string, unknown>, command: Command) {
  let program = command;
  while (program.parent) program = program.parent;
  const nodes = completionTable(program);
  if (shell === 'bash') ctx.out(bash(nodes));
  else if (shell === 'zsh') ctx.out(zsh(nodes));
  else if (shell === 'fish') ctx.out(fish(nodes));
  else throw new UsageError(`unknown shell "${shell}"; choose ${SHELLS.join(', ')}`);
}
