// The commander tree. Parsing only fills options; each command's run() lives in its own lazily loaded file.
import { Command, Option } from 'commander';
import type { Context, GlobalOptions } from './context.js';
import { VERSION } from './version.js';

export { CommanderError } from 'commander';
export { VERSION };

/** A command's body; `command` is its place in the tree, for the few that look at the tree itself. */
export type Run = (ctx: Context, args: string[], opts: Record<string, unknown>, command: Command) => Promise<void>;
type Loader = () => Promise<{ run: Run }>;

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

Environment: TIX_URL, TIX_TOKEN, TIX_PROFILE, TIX_CONFIG_DIR, TIX_DATA_DIR (serve's database), TIX_KEYRING=0 (no OS keyring),
NO_COLOR, FORCE_COLOR, CI`;

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

export function buildProgram(makeContext: (globals: GlobalOptions) => Promise<Context>, onContext: (ctx: Context) => void, io: ProgramIO): Command {
  const program = new Command('tix');
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
    .option('--format <format>', 'table, json, ndjson, csv or ids (check: text, json or junit)')
    .option('--no-color', 'no colour, even on a terminal')
    .option('-q, --quiet', 'no status lines on stderr')
    .option('--debug', 'trace HTTP on stderr (token redacted)')
    .option('--timeout <ms>', 'per-request time limit in milliseconds')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('--no-input', 'never prompt; a missing value is a usage error')
    .showSuggestionAfterError(true)
    .addHelpText('after', `${examples(['tix list', 'tix list "priority:high,critical age:>4h" --json id,subject', 'tix triage', 'tix close 12 13 --resolution "Fixed in 2.4.1"'])}${EXIT_CODES}`);

  const auth = program.command('auth').description('log in, check or remove stored credentials');
  auth
    .command('login')
    .description('save a token for a server (from stdin with --with-token, else a hidden prompt); checked with GET /v1/me first')
    .option('--with-token', 'read the token from stdin')
    .addHelpText('after', examples(['tix auth login --url https://tix.example.com', 'echo "$TOKEN" | tix auth login --url https://tix.example.com --with-token']))
    .action(action(() => import('./commands/auth.js').then((m) => ({ run: m.login }))));
  auth
    .command('status')
    .description('show the profile, server and user in use (never the token)')
    .addHelpText('after', examples(['tix auth status', 'tix auth status --json']))
    .action(action(() => import('./commands/auth.js').then((m) => ({ run: m.status }))));
  auth
    .command('logout')
    .description('forget the stored token of the profile')
    .addHelpText('after', examples(['tix auth logout', 'tix auth logout --profile staging']))
    .action(action(() => import('./commands/auth.js').then((m) => ({ run: m.logout }))));
  auth
    .command('token')
    .description('print the stored token to stdout, for piping into another tool')
    .addHelpText('after', examples(['tix auth token | other-tool --token-stdin']))
    .action(action(() => import('./commands/auth.js').then((m) => ({ run: m.token }))));

  program
    .command('list')
    .alias('ls')
    .description('list tickets in queue order (priority, then oldest first)')
    .argument('[query...]', 'query terms, e.g. "status:new team:engineering age:>4h"')
    .option('--status <s>', 'status, or several comma-separated')
    .option('--priority <p>', 'priority, or several comma-separated')
    .option('--team <t>', 'team')
    .option('--assignee <u>', 'login, me or none')
    .addOption(new Option('--state <group>', 'open, done or all (default open)').choices(['open', 'done', 'all']))
    .addOption(new Option('--sort <order>', 'sort order').choices(['queue', 'created', 'updated', 'priority']).default('queue'))
    .option('--limit <n>', 'at most this many tickets', '50')
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
    .option('--priority <p>', 'critical, high, medium, low (urgent = critical)')
    .option('--justification <text>', 'why this priority (needed by requesters for high/critical)')
    .option('--channel <c>', 'portal, email, phone, chat, conference', 'portal')
    .option('--type <t>', 'question, problem, incident, configuration, task')
    .option('--requester <login>', 'open on behalf of a known user')
    .option('--tag <tag...>', 'tags')
    .addHelpText('after', examples(['tix create --subject "Login fails" --description "Since 9am, SSO users get a 500"', 'tix create --subject "Checkout down" --description "..." --priority critical --justification "all checkouts fail"']))
    .action(action(() => import('./commands/create.js')));

  program
    .command('triage')
    .description('triage new tickets (new → in_progress); with no ids on a terminal, walk the new queue interactively')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--priority <p>', 'set the priority (needs --justification when it changes)')
    .option('--justification <text>', 'why the priority changes (at least 10 characters)')
    .option('--team <t>', 'support, configuration, engineering, implementation')
    .option('--type <t>', 'question, problem, incident, configuration, task')
    .option('--level <n>', 'support level 1, 2 or 3')
    .option('--assignee <u>', 'login, me or none')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', `${RUBRIC_HELP}\n${examples(['tix triage', 'tix triage 12 --team engineering --level 2 --assignee me', 'tix triage 12 --priority high --justification "many users affected, workaround exists"'])}`)
    .action(action(() => import('./commands/triage.js')));

  program
    .command('reprioritize')
    .alias('priority')
    .description('change priority, with a written justification')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--to <p>', 'critical, high, medium, low (urgent = critical)')
    .option('--reason <text>', 'why (at least 10 characters); stored as an internal note')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', `${RUBRIC_HELP}\n${examples(['tix reprioritize 12 --to critical --reason "checkout down for all EU customers"', 'tix priority 12 --to low --reason "cosmetic only, confirmed with customer"'])}`)
    .action(action(() => import('./commands/mutate.js').then((m) => ({ run: m.reprioritize }))));

  program
    .command('assign')
    .description('assign tickets to an agent (me, a login) or unassign (none)')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--to <user>', 'login, me or none')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', examples(['tix assign 12 --to me', 'tix assign 12 13 --to alice', 'tix assign --query "team:engineering assignee:none" --to bob --yes']))
    .action(action(() => import('./commands/mutate.js').then((m) => ({ run: m.assign }))));

  program
    .command('move')
    .description('move tickets to another status')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--to <status>', 'in_progress, pending_customer, pending_engineering, customer_testing, pending_reversion, blocked, solution_provided, resolved, expired')
    .option('--note <text>', 'why (recorded on the event)')
    .option('--blocked-by <id>', 'the ticket that must finish first (with --to blocked)')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', examples(['tix move 12 --to pending_customer --note "asked for HAR file"', 'tix move 12 --to blocked --blocked-by 9']))
    .action(action(() => import('./commands/mutate.js').then((m) => ({ run: m.move }))));

  program
    .command('escalate')
    .description('escalate a ticket to engineering (creates CP-<n>)')
    .argument('[ids...]', 'ticket id')
    .option('--reason <text>', 'why engineering is needed')
    .option('--team <t>', 'team that takes it (default engineering)')
    .option('--level <n>', 'support level (default 3)')
    .option('--eta <date>', 'estimated resolution date, YYYY-MM-DD (an estimate, never a promise)')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', examples(['tix escalate 12 --reason "webhook dispatcher drops events under load"', 'tix escalate 12 --reason "..." --eta 2026-12-01']))
    .action(action(() => import('./commands/mutate.js').then((m) => ({ run: m.escalate }))));

  const escalation = program.command('escalation').description('list, show and advance escalations');
  escalation
    .command('list')
    .description('list escalations')
    .addOption(new Option('--state <s>', 'running, resolved or all').choices(['running', 'resolved', 'all']).default('running'))
    .addHelpText('after', examples(['tix escalation list', 'tix escalation list --state all --json']))
    .action(action(() => import('./commands/escalation.js').then((m) => ({ run: m.list }))));
  escalation
    .command('show')
    .description('show an escalation and its timeline')
    .argument('<id>', 'CP-<n>')
    .addHelpText('after', examples(['tix escalation show CP-3']))
    .action(action(() => import('./commands/escalation.js').then((m) => ({ run: m.show }))));
  escalation
    .command('advance')
    .description('move an escalation forward; resolved returns the ticket to in_progress')
    .argument('<id>', 'CP-<n>')
    .option('--to <state>', 'under_evaluation, engineering_in_progress, resolution_verification, resolved')
    .option('--note <text>', 'what happened')
    .addHelpText('after', examples(['tix escalation advance CP-3 --to under_evaluation', 'tix escalation advance CP-3 --to resolved --note "patch 2.4.2 deployed"']))
    .action(action(() => import('./commands/escalation.js').then((m) => ({ run: m.advance }))));

  program
    .command('close')
    .description('close tickets with the resolution; closing a closed ticket changes nothing')
    .argument('[ids...]', 'ticket ids, or - to read ids from stdin')
    .option('--resolution <text>', 'what fixed it')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', examples(['tix close 12 --resolution "Fixed in 2.4.1"', 'tix list status:solution_provided --format ids | tix close - --resolution "no reply in 7 days"', 'tix close --query "tag:spam" --resolution spam --dry-run']))
    .action(action(() => import('./commands/mutate.js').then((m) => ({ run: m.close }))));

  program
    .command('reopen')
    .description('reopen a done ticket (back to in_progress)')
    .argument('[ids...]', 'ticket id')
    .option('--comment <text>', 'why it is reopened')
    .option('--query <q>', 'act on every ticket matching the query')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--concurrency <n>', 'batches in flight', '8')
    .option('--journal <file>', 'record finished tickets; re-run with the same file to resume')
    .addHelpText('after', examples(['tix reopen 12 --comment "customer reports it again on 2.4.1"']))
    .action(action(() => import('./commands/mutate.js').then((m) => ({ run: m.reopen }))));

  program
    .command('comment')
    .description('comment on a ticket; internal unless --public, so a customer never reads a note by accident')
    .argument('<id>', 'ticket id')
    .option('--body <text>', 'the comment')
    .option('--public', 'visible to the requester')
    .option('--attach <file...>', 'attach up to 5 files of 500 KB: csv tsv xlsx doc docx pdf txt jpg png gif mp4 mov har')
    .addHelpText('after', examples(['tix comment 12 --body "checked logs, see runbook 12"', 'tix comment 12 --public --body "A fix is rolling out today."', 'tix comment 12 --body "HAR from the customer" --attach session.har']))
    .action(action(() => import('./commands/comment.js')));

  program
    .command('check')
    .description('assert ticket states for CI: each rule is "tickets matching QUERY ≤ N"; exit 1 when one is violated')
    .argument('[query...]', 'tickets that must not exceed --max (open tickets unless the query says otherwise)')
    .option('--max <n>', 'most tickets allowed to match', '0')
    .option('--sla', 'add the rule "no open ticket past its SLA"')
    .option('--file <checks.json>', 'named rules: {"rules":[{"name":"…","query":"…","max":0},{"name":"…","sla":true}]}')
    .option('--name <name>', 'name of the rule given on the command line')
    .addHelpText('after', `${examples(['tix check "priority:critical age:>4h"', 'tix check "status:new" --max 20 --sla --format junit > tix-checks.xml', 'tix check --file checks.json --format json'])}
Exit codes: 0 every rule holds, 1 a rule is violated, 2/4/6 the check could not run.`)
    .action(action(() => import('./commands/check.js')));

  program
    .command('serve')
    .description('run the reference API server with an embedded SQLite database')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '7878')
    .option('--db <path>', 'database file (default in the user data directory)')
    .option('--database-url <url>', 'keep the data in PostgreSQL at postgres://… (or TIX_DATABASE_URL) instead of SQLite')
    .option('--demo', 'seed realistic tickets on first start')
    .option('--auto-close-days <n>', 'days before a solution_provided ticket closes itself', '7')
    .option('--rate-limit <n>', 'requests per minute per token (0 = no limit)', '6000')
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
    .command('completion')
    .description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', examples(['source <(tix completion bash)', 'tix completion fish > ~/.config/fish/completions/tix.fish']))
    .action(action(() => import('./commands/completion.js')));

  return program;
}
