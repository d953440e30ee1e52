// The commander tree. Parsing only fills options; each command's run() lives in its own lazily loaded file.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { ADVANCE_STATES, CHANNELS, OPERATIONS, DEFAULT_CONCURRENCY, DEFAULT_MAX_WAIT, DEFAULT_WAIT_TIMEOUT, ESCALATION_GROUPS, ESCALATION_LEVEL, ESCALATION_TEAM, LEVELS, MOVE_STATUSES, OUTPUT_FORMATS, PRIORITIES, ROLES, SHELLS, SORT_ORDERS, STATE_GROUPS, TEAMS, TICKET_TYPES } from '../domain/enums.js';
import type { OperationEntry, Registry } from '../domain/registry.js';
import type { Context, GlobalOptions } from './context.js';
import { VERSION } from './version.js';

export { CommanderError } from 'commander';
export { VERSION };

/** A command's body; `command` is its place in the tree, for the few that look at the tree itself. */
export type Run = (ctx: Context, args: string[], opts: Record<string, unknown>, command: Command) => Promise<void>;
type Loader = () => Promise<{ run: Run }>;

/** One command of a module that holds several: its export `name` becomes the command's run(). */
const named =
  <K extends string>(load: () => Promise<Record<NoInfer<K>, Run>>, name: K): Loader =>
  () =>
    load().then((m) => ({ run: m[name] }));

const EXIT_CODES = `
Exit codes:
  0    success
  1    the operation failed (server error, a bulk run with any failed ticket, check violations)
  2    usage: unknown command or flag, invalid value, missing value where no prompt is allowed
  3    not found
  4    not authenticated or not allowed
  5    conflict: the ticket changed meanwhile, or the transition is not allowed
  6    unavailable: network error, timeout, or rate limit still hit after retries
  130  interrupted

JSON for agents: with --json (or --format json|ndjson) every command that changes something answers
  {"ok","dry_run","summary":{"changed","unchanged","failed"},"results":[{"id","outcome","changes","reason"?,"ticket"?,"error"?}]}
  for one ticket or many, --dry-run included; every error is {"error":{"code","message",…}} on stderr.

Environment: TIX_URL, TIX_TOKEN, TIX_PROFILE, TIX_CONFIG_DIR, TIX_DATA_DIR (serve's database),
TIX_DATABASE_URL (serve on PostgreSQL), TIX_KEYRING=0 (no OS keyring), NO_COLOR, FORCE_COLOR, CI`;

/** "a, b or c", for help text. */
const oneOf = (values: readonly string[]) => `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
const PRIORITY_HELP = `${PRIORITIES.join(', ')} (urgent = critical)`;
/** An option whose values are `choices`; `hints` say where a value asked for here is done instead. */
function choice(flags: string, description: string, choices: readonly string[], hints: Record<string, string> = {}): Option {
  const option = new Option(flags, description).choices(choices);
  if (Object.keys(hints).length === 0) return option;
  return option.argParser((v: string) => {
    if (choices.includes(v)) return v;
    throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.${hints[v] ? ` ${hints[v]}` : ''}`);
  });
}
const MOVE_HINTS = {
  closed: 'To close, use `tix close ID --resolution ...`, which records what fixed it.',
  escalated: 'To escalate, use `tix escalate ID --reason ...`, which opens an escalation.',
  new: 'A ticket never goes back to new.',
};

/** An option whose value is a whole number: commander cannot tell, `tix commands --json` says so. */
function integer(option: Option): Option {
  (option as Option & { valueType?: string }).valueType = 'integer';
  return option;
}

/** A command of the tix tree; its subcommands are too, so every one can take the bulk options. */
class TixCommand extends Command {
  /** The operation of the registry a derived command runs. */
  operation?: { name: string; entry: OperationEntry };

  override createCommand(name?: string): TixCommand {
    return new TixCommand(name);
  }

  /** `--flag <value>`, a whole number. */
  integerOption(flags: string, description: string, defaultValue?: string): this {
    return this.addOption(integer(new Option(flags, description).default(defaultValue)));
  }

  /** The options of every command that changes tickets in bulk: which tickets, a preview, the pace, a journal to resume. */
  bulkOptions(): this {
    return this.option('--query <q>', 'act on every ticket matching the query')
      .option('--dry-run', 'show what would change; change nothing')
      .integerOption('--concurrency <n>', 'batches in flight', String(DEFAULT_CONCURRENCY))
      .option('--journal <file>', 'record finished tickets; re-run with the same file to resume');
  }
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

const RUBRIC_HELP = `
Priority rubric:
  critical  the service is down or a core function is unusable, or a security breach; no workaround
  high      service badly degraded or a major function broken, or many users affected; a workaround exists
  medium    moderate impact, fewer users or non-core functions; minor bugs, UI or performance annoyances
  low       cosmetic or very narrow; usage not affected
A priority change needs a justification of at least 10 characters.`;

export interface ProgramIO {
  writeOut(s: string): void;
  writeErr(s: string): void;
}

/** `tix mcp --help`'s list of tools, wrapped as help text is. */
function wrapList(head: string, items: string[], width = 100): string {
  const lines = [head];
  for (const [i, item] of items.entries()) {
    const word = i < items.length - 1 ? `${item},` : item;
    if (`${lines.at(-1)} ${word}`.length > width) lines.push(word);
    else lines[lines.length - 1] += ` ${word}`;
  }
  return lines.join('\n');
}

/**
 * A command derived from an operation of the registry: path parameters become its arguments, query parameters its
 * options; it runs commands/operation.ts. Placed under its parent command (`escalation list`), made when missing.
 */
function addOperationCommand(program: TixCommand, name: string, entry: OperationEntry, run: (load: Loader) => (this: Command) => Promise<void>) {
  const words = entry.command!.split(' ');
  let parent: TixCommand = program;
  for (const word of words.slice(0, -1)) parent = (parent.commands.find((c) => c.name() === word) as TixCommand | undefined) ?? parent.command(word);
  const command = parent.command(words.at(-1)!).description(entry.summary!);
  command.operation = { name, entry };
  for (const p of entry.inputs ?? []) {
    if (p.in === 'path') {
      const argument = new Argument(`<${p.name}>`, p.description);
      command.addArgument(p.choices ? argument.choices(p.choices) : argument);
      continue;
    }
    const option = new Option(`--${p.name.replaceAll('_', '-')} <${p.type === 'integer' ? 'n' : 'value'}>`, p.description);
    if (p.choices) option.choices(p.choices);
    if (p.default !== undefined) option.default(p.default);
    command.addOption(p.type === 'integer' ? integer(option) : option);
  }
  command.action(run(() => import('./commands/operation.js')));
}

export function buildProgram(
  makeContext: (globals: GlobalOptions) => Promise<Context>,
  onContext: (ctx: Context) => void,
  io: ProgramIO,
  operations: Registry = OPERATIONS,
): Command {
  const tools = Object.values(operations).flatMap((e) => (e.tool ? [e.tool] : []));
  const readTools = Object.values(operations).flatMap((e) => (e.tool && e.readOnly ? [e.tool] : []));
  const program = new TixCommand('tix');
  // set before any subcommand exists: subcommands copy these settings when created
  program.exitOverride();
  program.configureOutput({
    writeOut: io.writeOut,
    writeErr: io.writeErr,
    // commander echoes a mistyped `--with-token=SECRET` whole: never repeat an option's value or a token-shaped word
    outputError: (s, write) =>
      write(s.replace(/^error: /, 'tix: ').replace(/(unknown option '--?[^=']+)=[^']*'/g, "$1=…'").replace(/\btix_[A-Za-z0-9_-]{16,}/g, 'tix_[redacted]')),
  });
  /** `streams` says, from the command's options, whether it will stream thousands of tickets. */
  const action = (load: Loader, streams?: (opts: Record<string, unknown>) => boolean) =>
    async function (this: Command) {
      const globals = this.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      // A streaming run keeps V8's heap near its live size, so memory stays flat however many tickets
      // pass (list --all of 100,000: 105 → 66 MiB, ~5% more time); a short command would only pay
      // ~5 ms of extra collections for it.
      const tuned = streams?.(globals) ? import('node:v8').then((v8) => v8.setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=10')) : undefined;
      // the context and the command's module load side by side
      const [ctx, { run }] = await Promise.all([makeContext(globals).then((c) => (onContext(c), c)), load(), tuned]);
      // processedArgs holds a variadic argument as one array: flat() gives every id, not just the first
      await run(ctx, (this.processedArgs as unknown[]).flat().filter((a): a is string => typeof a === 'string'), globals, this);
    };

  program
    .description('Triage customer-support tickets from the terminal.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--profile <name>', 'use this saved profile')
    .option('--url <url>', 'server URL (overrides TIX_URL and the profile)')
    .option('--json [fields]', 'print JSON (all fields, or the comma-separated ones)')
    .option('--format <format>', `${oneOf(OUTPUT_FORMATS)} (check: text, json or junit)`)
    .option('--no-color', 'no colour, even on a terminal')
    .option('-q, --quiet', 'no status lines on stderr')
    .option('--debug', 'trace HTTP on stderr (token redacted)')
    .integerOption('--timeout <ms>', 'per-request time limit in milliseconds')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('--max-wait <duration>', `how long bulk runs and --all listings wait out a rate limit, e.g. 90s, 5m (default ${DEFAULT_MAX_WAIT}; 0 = fail at once)`)
    .option('--no-input', 'never prompt; a missing value is a usage error')
    .showSuggestionAfterError(true)
    .addHelpText('after', `${examples(['tix list', 'tix list "priority:high,critical age:>4h" --json id,subject', 'tix triage', 'tix close 12 13 --resolution "Fixed in 2.4.1"'])}
The query language (fields, values, dates): tix help query
The whole command tree as JSON, for agents and tools: tix commands --json
${EXIT_CODES}`);

  const auth = program.command('auth').description('log in, check or remove stored credentials');
  auth
    .command('login')
    .description('save a token for a server (from stdin with --with-token, else a hidden prompt); checked with GET /v1/me first')
    .option('--with-token', 'read the token from stdin')
    .option('--provider <name>', 'the desk behind the URL: tix (default) or rt (Request Tracker 5)')
    .option('--user <login>', 'rt: the RT user the token belongs to (RT cannot say)')
    .addHelpText('after', examples(['tix auth login --url https://tix.example.com', 'echo "$TOKEN" | tix auth login --url https://tix.example.com --with-token', 'echo "$RT_TOKEN" | tix auth login --provider rt --url https://rt.example.com --user alice --with-token']))
    .action(action(named(() => import('./commands/auth.js'), 'login')));
  auth
    .command('status')
    .description('show the profile, server and user in use (never the token)')
    .addHelpText('after', examples(['tix auth status', 'tix auth status --json']))
    .action(action(named(() => import('./commands/auth.js'), 'status')));
  auth
    .command('logout')
    .description('forget the stored token of the profile')
    .addHelpText('after', examples(['tix auth logout', 'tix auth logout --profile staging']))
    .action(action(named(() => import('./commands/auth.js'), 'logout')));
  auth
    .command('token')
    .description('print the stored token to stdout, for piping into another tool')
    .addHelpText('after', examples(['tix auth token | other-tool --token-stdin']))
    .action(action(named(() => import('./commands/auth.js'), 'token')));

  program
    .command('list')
    .alias('ls')
    .description('list tickets in queue order (priority, then oldest first)')
    .argument('[query...]', 'query terms, e.g. "status:new team:engineering age:>4h"')
    .option('--status <s>', 'status, or several comma-separated')
    .option('--priority <p>', 'priority, or several comma-separated')
    .option('--team <t>', 'team')
    .option('--assignee <u>', 'login, me or none')
    .addOption(new Option('--state <group>', `${oneOf(STATE_GROUPS)} (default open)`).choices(STATE_GROUPS))
    .addOption(new Option('--sort <order>', 'sort order').choices(SORT_ORDERS).default('queue'))
    .integerOption('--limit <n>', 'at most this many tickets', '50')
    .option('--all', 'every matching ticket (streams; pair with --format ndjson)')
    .addHelpText('after', examples(['tix list', 'tix list --priority critical,high --assignee none', 'tix list status:new --json id,subject,priority', 'tix list --all --state all --format ndjson > tickets.ndjson']))
    .action(action(() => import('./commands/list.js'), (o) => Boolean(o.all)));

  program
    .command('show')
    .description('show one ticket')
    .argument('<id>', 'ticket id')
    .option('--comments', 'include comments')
    .option('--events', 'include the audit trail')
    .addHelpText('after', examples(['tix show 12', 'tix show 12 --comments --events', 'tix show 12 --json status,priority']))
    .action(action(() => import('./commands/show.js')));

  program
    .command('create')
    .description('open a ticket')
    .option('--subject <text>', 'one-line summary')
    .option('--description <text>', 'what happened')
    .option('--priority <p>', PRIORITY_HELP)
    .option('--justification <text>', 'why this priority (needed by requesters for high/critical)')
    .addOption(choice('--channel <c>', 'how it arrived', CHANNELS).default('portal'))
    .addOption(choice('--type <t>', 'ticket type', TICKET_TYPES))
    .option('--requester <login>', 'open on behalf of a known user')
    .option('--tag <tag...>', 'tags')
    .option('--dry-run', 'show what would be opened; open nothing')
    .addHelpText('after', examples(['tix create --subject "Login fails" --description "Since 9am, SSO users get a 500"', 'tix create --subject "Checkout down" --description "..." --priority critical --justification "all checkouts fail"']))
    .action(action(() => import('./commands/create.js')));

  program
    .command('triage')
    .description('triage new tickets (new → in_progress); with no ids on a terminal, walk the new queue interactively')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--priority <p>', 'set the priority (needs --justification when it changes)')
    .option('--justification <text>', 'why the priority changes (at least 10 characters)')
    .addOption(choice('--team <t>', 'team', TEAMS))
    .addOption(choice('--type <t>', 'ticket type', TICKET_TYPES))
    .addOption(choice('--level <n>', 'support level', LEVELS))
    .option('--assignee <u>', 'login, me or none')
    .bulkOptions()
    .addHelpText('after', `${RUBRIC_HELP}\n${examples(['tix triage', 'tix triage 12 --team engineering --level 2 --assignee me', 'tix triage 12 --priority high --justification "many users affected, workaround exists"'])}`)
    .action(action(() => import('./commands/triage.js')));

  program
    .command('reprioritize')
    .alias('priority')
    .description('change priority, with a written justification')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--to <p>', PRIORITY_HELP)
    .option('--reason <text>', 'why (at least 10 characters); stored as an internal note')
    .bulkOptions()
    .addHelpText('after', `${RUBRIC_HELP}\n${examples(['tix reprioritize 12 --to critical --reason "checkout down for all EU customers"', 'tix priority 12 --to low --reason "cosmetic only, confirmed with customer"'])}`)
    .action(action(named(() => import('./commands/mutate.js'), 'reprioritize')));

  program
    .command('assign')
    .description('assign tickets to an agent (me, a login) or unassign (none)')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--to <user>', 'login, me or none')
    .bulkOptions()
    .addHelpText('after', examples(['tix assign 12 --to me', 'tix assign 12 13 --to alice', 'tix assign --query "team:engineering assignee:none" --to bob --yes']))
    .action(action(named(() => import('./commands/mutate.js'), 'assign')));

  program
    .command('move')
    .description('move tickets to another status')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .addOption(choice('--to <status>', 'new status (close, escalate and reopen have their own commands)', MOVE_STATUSES, MOVE_HINTS))
    .option('--note <text>', 'why (recorded on the event)')
    .integerOption('--blocked-by <id>', 'the ticket that must finish first (with --to blocked)')
    .bulkOptions()
    .addHelpText('after', examples(['tix move 12 --to pending_customer --note "asked for HAR file"', 'tix move 12 --to blocked --blocked-by 9']))
    .action(action(named(() => import('./commands/mutate.js'), 'move')));

  program
    .command('escalate')
    .description('escalate a ticket to engineering (creates CP-<n>)')
    .argument('[ids...]', 'ticket id')
    .option('--reason <text>', 'why engineering is needed')
    .addOption(choice('--team <t>', `team that takes it (default ${ESCALATION_TEAM})`, TEAMS))
    .addOption(choice('--level <n>', `support level (default ${ESCALATION_LEVEL})`, LEVELS))
    .option('--eta <date>', 'estimated resolution date, YYYY-MM-DD (an estimate, never a promise)')
    .bulkOptions()
    .addHelpText('after', examples(['tix escalate 12 --reason "webhook dispatcher drops events under load"', 'tix escalate 12 --reason "..." --eta 2026-12-01']))
    .action(action(named(() => import('./commands/mutate.js'), 'escalate')));

  program
    .command('rt')
    .description('Request Tracker: prepare an instance for tix')
    .command('setup')
    .description('create the custom fields and the Engineering queue tix needs on the RT instance (safe to re-run)')
    .addHelpText('after', examples(['TIX_PROVIDER=rt tix rt setup', 'tix rt setup --profile rt --json']))
    .action(action(named(() => import('./commands/rt.js'), 'setup')));

  const escalation = program.command('escalation').description('list, show and advance escalations');
  escalation
    .command('list')
    .description('list escalations')
    .addOption(new Option('--state <s>', oneOf(ESCALATION_GROUPS)).choices(ESCALATION_GROUPS).default('running'))
    .addHelpText('after', examples(['tix escalation list', 'tix escalation list --state all --json']))
    .action(action(named(() => import('./commands/escalation.js'), 'list')));
  escalation
    .command('show')
    .description('show an escalation and its timeline')
    .argument('<id>', 'CP-<n>')
    .addHelpText('after', examples(['tix escalation show CP-3']))
    .action(action(named(() => import('./commands/escalation.js'), 'show')));
  escalation
    .command('advance')
    .description('move an escalation forward; resolved returns the ticket to in_progress')
    .argument('<id>', 'CP-<n>')
    .addOption(choice('--to <state>', 'the next state (steps may be skipped, never taken back)', ADVANCE_STATES))
    .option('--note <text>', 'what happened')
    .option('--dry-run', 'say whether it would move; change nothing')
    .addHelpText('after', examples(['tix escalation advance CP-3 --to under_evaluation', 'tix escalation advance CP-3 --to resolved --note "patch 2.4.2 deployed"']))
    .action(action(named(() => import('./commands/escalation.js'), 'advance')));

  program
    .command('close')
    .description('close tickets with the resolution; closing a closed ticket changes nothing')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--resolution <text>', 'what fixed it')
    .bulkOptions()
    .addHelpText('after', examples(['tix close 12 --resolution "Fixed in 2.4.1"', 'tix list status:solution_provided --format ids | tix close - --resolution "no reply in 7 days"', 'tix close --query "tag:spam" --resolution spam --dry-run']))
    .action(action(named(() => import('./commands/mutate.js'), 'close')));

  program
    .command('reopen')
    .description('reopen a done ticket (back to in_progress)')
    .argument('[ids...]', 'ticket id')
    .option('--comment <text>', 'why it is reopened')
    .bulkOptions()
    .addHelpText('after', examples(['tix reopen 12 --comment "customer reports it again on 2.4.1"']))
    .action(action(named(() => import('./commands/mutate.js'), 'reopen')));

  program
    .command('comment')
    .description('comment on a ticket; internal unless --public, so a customer never reads a note by accident')
    .argument('<id>', 'ticket id')
    .option('--body <text>', 'the comment')
    .option('--public', 'visible to the requester')
    .option('--attach <file...>', 'attach up to 5 files of 500 KB: csv tsv xlsx doc docx pdf txt jpg png gif mp4 mov har')
    .option('--dry-run', 'check the ticket is there; add nothing')
    .addHelpText('after', examples(['tix comment 12 --body "checked logs, see runbook 12"', 'tix comment 12 --public --body "A fix is rolling out today."', 'tix comment 12 --body "HAR from the customer" --attach session.har']))
    .action(action(() => import('./commands/comment.js')));

  program
    .command('check')
    .description('assert ticket states for CI: each rule is "tickets matching QUERY ≤ N"; exit 1 when one is violated')
    .argument('[query...]', 'tickets that must not exceed --max (open tickets unless the query says otherwise)')
    .integerOption('--max <n>', 'most tickets allowed to match', '0')
    .option('--sla', 'add the rule "no open ticket past its SLA"')
    .option('--file <checks.json>', 'named rules: {"rules":[{"name":"…","query":"…","max":0},{"name":"…","sla":true}]}')
    .option('--name <name>', 'name of the rule given on the command line')
    .addHelpText('after', `${examples(['tix check "priority:critical age:>4h"', 'tix check "status:new" --max 20 --sla --format junit > tix-checks.xml', 'tix check --file checks.json --format json'])}
Exit codes: 0 every rule holds, 1 a rule is violated, 2/4/6 the check could not run.`)
    .action(action(() => import('./commands/check.js')));

  // ---- following changes: the change feed, a live watch, and waiting for one ticket ----------
  program
    .command('events')
    .description('print the change feed: every event you may see, oldest first (--json: one event per line)')
    .argument('[query...]', 'only events of tickets matching these terms now, e.g. "team:engineering priority:critical"')
    .option('--since <id|duration>', 'start after this event id, or this long ago (30m, 4h, 2d, 1w), or at a date (a saved --cursor goes first)')
    .option('--follow', 'keep printing new events as they happen')
    .option('--cursor <name>', 'resume after the position saved under this name, and save the new one (config folder)')
    .addHelpText('after', examples(['tix events --since 4h', 'tix events "team:engineering" --since 2026-11-01 --json', 'tix events --cursor shift   # only what changed since the last run with this cursor', 'tix events --follow --json | jq .kind']))
    .action(action(named(() => import('./commands/events.js'), 'events')));

  program
    .command('watch')
    .description('follow the change feed from now on and print each change as it happens')
    .argument('[query...]', 'only changes of tickets matching these terms now')
    .option('--since <id|duration>', 'start after this event id, or this long ago, instead of now')
    .option('--cursor <name>', 'resume after the position saved under this name, and keep saving it')
    .addHelpText('after', examples(['tix watch', 'tix watch "priority:critical"', 'tix watch --cursor dashboard --json']))
    .action(action(named(() => import('./commands/events.js'), 'watch')));

  program
    .command('wait')
    .description('block until a ticket matches a query (exit 0) or the time runs out (exit 1); waits on the change feed')
    .argument('<id>', 'ticket id')
    .option('--until <query>', 'the query the ticket must match, e.g. "status:in_progress" or "-escalated:true"')
    .option('--timeout <duration>', `how long to wait: 90s, 10m, 2h (default ${DEFAULT_WAIT_TIMEOUT})`)
    .addHelpText('after', `${examples(['tix wait 12 --until "escalated:false"', 'tix wait 12 --until "state:done" --timeout 2h && notify-customer 12', 'tix wait 12 --until "assignee:me" --json'])}
Exit codes: 0 the ticket matches, 1 the time ran out, 3 not found, 4 not allowed, 6 unavailable.`)
    .action(action(() => import('./commands/wait.js')));

  program
    .command('serve')
    .description('run the reference API server on an embedded SQLite database (or PostgreSQL with --database-url)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .integerOption('--port <port>', 'port (0 picks a free one)', '7878')
    .option('--db <path>', 'database file (default in the user data directory)')
    .option('--database-url <url>', 'keep the data in PostgreSQL at postgres://… (or TIX_DATABASE_URL) instead of SQLite')
    .option('--demo', 'seed realistic tickets on first start')
    .integerOption('--auto-close-days <n>', 'days before a solution_provided ticket closes itself', '7')
    .option('--rate-limit <n[/window]>', 'requests per token per window, e.g. 6000 (a minute), 5/10s (0 = no limit)', '6000')
    .option('--request-timeout <seconds>', 'cut a request whose headers and body take longer to arrive (408)', '25')
    .option('--attachment-quota <MB>', 'attachment storage per requester (0 = no limit)', '25')
    .addHelpText('after', examples(['tix serve', 'tix serve --port 0 --db /tmp/tix.db --demo']))
    .action(action(() => import('./commands/serve.js')));

  program
    .command('demo')
    .description('start a throwaway seeded server and run a triage session against it')
    .addHelpText('after', examples(['tix demo', 'CI=true tix demo']))
    .action(action(() => import('./commands/demo.js')));

  program
    .command('api')
    .description('call any API path with your credentials added (raw escape hatch)')
    .argument('<method>', 'GET, POST, PATCH, DELETE')
    .argument('<path>', 'e.g. /v1/tickets/12')
    .option('--data <json>', 'request body as JSON (or @file, or - for stdin)')
    .addHelpText('after', examples(['tix api GET /v1/me', "tix api POST /v1/tickets/12/comments --data '{\"body\":\"hi\",\"public\":true}'"]))
    .action(action(() => import('./commands/api.js')));

  program
    .command('mcp')
    .description('serve tix to AI agents over the Model Context Protocol (stdio); register it as {"command": "tix", "args": ["mcp"]}')
    .option('--read-only', `offer only the tools that read (${readTools.join(', ')})`)
    .option('--tools <names>', 'offer only these tools, comma-separated')
    .addHelpText(
      'after',
      `
Every tix operation as an MCP tool, with the credentials the CLI would use (--profile, TIX_URL, TIX_TOKEN),
the same rules (a justification for every priority change, comments internal unless public: true,
a resolution to close) and the same result envelope. A change selected by a query needs dry_run or confirm.
stdout carries protocol messages only; logs go to stderr. The token never appears in a tool result.

${wrapList('Tools:', tools)}

Register it with an MCP client (e.g. its mcpServers setting):
  {"mcpServers": {"tix": {"command": "tix", "args": ["mcp"], "env": {"TIX_PROFILE": "local"}}}}
Read-only, with a few tools:
  {"mcpServers": {"tix": {"command": "tix", "args": ["mcp", "--read-only", "--tools", "list,show"]}}}
${examples(['tix mcp', 'tix mcp --read-only', 'tix mcp --profile staging --tools list,show,comment'])}`,
    )
    .action(action(() => import('./commands/mcp.js')));

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', oneOf(SHELLS)).choices(SHELLS))
    .addHelpText('after', examples(['source <(tix completion bash)', 'tix completion fish > ~/.config/fish/completions/tix.fish']))
    .action(action(() => import('./commands/completion.js')));

  // ---- discovering tix, editing after triage, users and who am I -------------------------------
  const helpQuery = action(() => import('./commands/help.js'));
  program
    .command('help')
    .description('show help for a command, or the query language (`tix help query`)')
    .argument('[topic...]', 'a command (e.g. escalation advance), or query')
    .addHelpText('after', examples(['tix help query', 'tix help query --json', 'tix help escalation advance']))
    .action(async function (this: Command, topic: string[]) {
      if (topic.length === 1 && topic[0] === 'query') return helpQuery.call(this);
      let shown: Command = program;
      for (const word of topic) {
        const next = shown.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!next) this.error(`tix: no help for "${topic.join(' ')}": not a command, and the only topic is query; see \`tix --help\``, { exitCode: 2, code: 'tix.unknownTopic' });
        shown = next;
      }
      shown.outputHelp();
    });

  program
    .command('commands')
    .description('print the whole command tree (arguments, options with types, choices, defaults); --json for tools and agents')
    .addHelpText('after', examples(['tix commands', 'tix commands --json', "tix commands --json | jq '.commands[] | select(.path == \"close\")'"]))
    .action(action(() => import('./commands/commands.js')));

  program
    .command('edit')
    .description('change fields of tickets after triage: subject, type, team, level, tags, root cause, priority (with a justification)')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--subject <text>', 'new one-line summary')
    .addOption(choice('--type <t>', 'ticket type', TICKET_TYPES))
    .addOption(choice('--team <t>', 'team', TEAMS))
    .addOption(choice('--level <n>', 'support level', LEVELS))
    .option('--tag <changes>', 'tags to add and remove, comma-separated: +a adds a, -b removes b (a bare name adds)')
    .option('--root-cause <id>', 'the problem ticket behind this incident, or none')
    .option('--priority <p>', `${PRIORITY_HELP}; needs --justification when it changes`)
    .option('--justification <text>', 'why the priority changes (at least 10 characters)')
    .bulkOptions()
    .addHelpText('after', `${RUBRIC_HELP}\n${examples(['tix edit 12 --type incident --team engineering --level 3', 'tix edit 12 13 --tag +billing,-vip', 'tix edit 12 --tag=-spam', 'tix edit 12 --root-cause 9', 'tix edit 12 --priority high --justification "many users affected since the release"', 'tix edit --query "tag:eu team:support" --team configuration --dry-run'])}`)
    .action(action(() => import('./commands/edit.js')));

  const user = program.command('user').description('list and create users, issue and revoke their tokens (admins)');
  user
    .command('list')
    .alias('ls')
    .description('list users')
    .addHelpText('after', examples(['tix user list', 'tix user list --json login,role,org']))
    .action(action(named(() => import('./commands/user.js'), 'list')));
  user
    .command('create')
    .description('create a user (an approved contact, an agent or an admin)')
    .argument('<login>', 'lowercase letters, digits, . _ -')
    .addOption(choice('--role <role>', 'what the user may do', ROLES))
    .option('--org <org>', "the requester's organization")
    .option('--org-admin', 'a requester who sees every ticket of the organization')
    .option('--name <name>', 'full name (default: the login)')
    .option('--email <email>', 'email address')
    .addHelpText('after', examples(['tix user create alice --role agent --name "Alice Moreau"', 'tix user create dana --role requester --org acme --org-admin --email dana@acme.example']))
    .action(action(named(() => import('./commands/user.js'), 'create')));
  user
    .command('token')
    .description('issue a token for a user; only the token goes to stdout, and it is shown once')
    .argument('<login>', 'the user')
    .option('--name <name>', 'what the token is for', 'cli')
    .addHelpText('after', examples(['tix user token alice > alice.token', 'tix user token ci-bot --name github-actions | gh secret set TIX_TOKEN']))
    .action(action(named(() => import('./commands/user.js'), 'token')));
  user
    .command('revoke')
    .description('revoke a token by its id (tix user token prints the id on stderr)')
    .argument('<token-id>', 'the token id')
    .addHelpText('after', examples(['tix user revoke 7']))
    .action(action(named(() => import('./commands/user.js'), 'revoke')));

  program
    .command('whoami')
    .description('which profile, server, user and role are in use, and where the URL and token came from; says why when the server refuses or cannot be reached')
    .addHelpText('after', `${examples(['tix whoami', 'tix whoami --json', 'TIX_URL=http://127.0.0.1:7878 tix whoami'])}
With --json: {"profile","url","url_source","token_source","server":"ok|unauthenticated|unavailable","user","role","org","error"?};
url_source and token_source are flag, env, profile or none. Exit 0, or 4 (token refused or missing) or 6 (server unreachable) after printing.`)
    .action(action(() => import('./commands/whoami.js')));

  for (const [name, entry] of Object.entries(operations)) {
    if (entry.command && entry.summary && entry.inputs) addOperationCommand(program, name, entry, action);
  }

  return program;
}
