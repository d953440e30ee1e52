// Learning tix from the CLI alone: the query language, the command tree, choice lists that name
// only what is accepted, id errors before flag errors, and field selection in ndjson.
import { describe, expect, it } from 'vitest';
import { ADVANCE_STATES, MOVE_STATUSES, STATUSES, TEAMS } from '../../src/domain/enums.js';
import { COMPARISONS, DATE_FORMS, DURATION_UNITS, FIELD_DOCS, QUERY_FIELDS } from '../../src/domain/query.js';
import { createTicket, getTicket, json, serverForFile, tix, type TixOptions } from '../helpers/tix.js';

const { server, users } = serverForFile();
const run = (args: string[], opts: Omit<TixOptions, 'server'> = {}) => tix(args, { server, ...opts, env: { ...users.agent.env, ...opts.env } });

describe('tix help query', () => {
  it('names every field the parser knows, with every value it accepts, its comparisons, units and date forms', async () => {
    const r = await run(['help', 'query']);
    expect(r.code, r.stderr).toBe(0);
    for (const field of QUERY_FIELDS) {
      expect(r.stdout).toMatch(new RegExp(`^  ${field}:`, 'm'));
      for (const v of FIELD_DOCS[field].values ?? []) expect(r.stdout, `${field}:${v}`).toContain(v);
      expect(r.stdout).toContain(FIELD_DOCS[field].example);
    }
    for (const c of COMPARISONS) expect(r.stdout).toContain(c);
    for (const u of DURATION_UNITS) expect(r.stdout).toMatch(new RegExp(`\\b${u} \\(`));
    for (const d of DATE_FORMS) expect(r.stdout).toContain(d);
    expect(r.stdout).toMatch(/UTC unless a zone is given/);
  });

  it('every example it shows is a query the server accepts', async () => {
    const r = await run(['help', 'query']);
    const examples = [...r.stdout.matchAll(/e\.g\. (\S+)$/gm)].map((m) => m[1]!);
    expect(examples).toHaveLength(QUERY_FIELDS.length);
    const listed = await run(['list', examples.join(' '), '--json', 'id']);
    expect(listed.code, listed.stderr).toBe(0);
  });

  it('--json gives the same table as data', async () => {
    const r = await run(['help', 'query', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = json<{ fields: { name: string; takes: string; values?: string[] }[]; date_forms: string[] }>(r);
    expect(doc.fields.map((f) => f.name)).toEqual([...QUERY_FIELDS]);
    expect(doc.fields.find((f) => f.name === 'status')!.values).toEqual([...STATUSES]);
    expect(doc.date_forms).toEqual([...DATE_FORMS]);
  });

  it('help for a command goes through the same help command, and an unknown topic is a usage error', async () => {
    const advance = await run(['help', 'escalation', 'advance']);
    expect(advance.code).toBe(0);
    expect(advance.stdout).toContain('Usage: tix escalation advance');
    const unknown = await run(['help', 'bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/only topic is query/);
  });

  it('a timestamp without seconds or zone filters by UTC time through the real server', async () => {
    const t = await createTicket(server, { subject: 'Filtered by minute' });
    const minute = String(t.created_at).slice(0, 16); // YYYY-MM-DDTHH:MM, the minute it was created
    const before = new Date(Date.parse(`${minute}Z`) - 60_000).toISOString().slice(0, 16);
    const after = await run(['list', `updated:>=${before}`, '--json', 'id', '--limit', '1000']);
    expect(after.code, after.stderr).toBe(0);
    expect(json<{ id: number }[]>(after).map((x) => x.id)).toContain(t.id);
    const later = new Date(Date.parse(`${minute}Z`) + 120_000).toISOString().slice(0, 16);
    const none = await run(['list', `created:>${later}`, '--json', 'id']);
    expect(json<{ id: number }[]>(none).map((x) => x.id)).not.toContain(t.id);
  });
});

describe('tix --help', () => {
  it('mentions tix help query and tix commands --json', async () => {
    const r = await run(['--help']);
    expect(r.stdout).toContain('tix help query');
    expect(r.stdout).toContain('tix commands --json');
  });
});

interface Tree {
  version: string;
  global_options: { long: string; type: string }[];
  commands: { path: string; arguments: { name: string; variadic: boolean }[]; options: { long: string; type: string; choices: string[] | null; default: unknown; description: string }[]; examples: string[]; description: string }[];
  exit_codes: Record<string, string>;
  query_language: unknown;
}

describe('tix commands --json', () => {
  it('prints every command of the tree with arguments, options, types, choices, defaults and examples', async () => {
    const r = await run(['commands', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const tree = json<Tree>(r);
    const paths = tree.commands.map((c) => c.path);
    for (const p of ['list', 'close', 'escalation advance', 'edit', 'user list', 'user create', 'user token', 'user revoke', 'whoami', 'help', 'commands', 'completion']) expect(paths).toContain(p);
    const move = tree.commands.find((c) => c.path === 'move')!;
    expect(move.arguments).toEqual([expect.objectContaining({ name: 'ids', variadic: true })]);
    expect(move.options.find((o) => o.long === '--to')).toMatchObject({ type: 'string', choices: [...MOVE_STATUSES] });
    expect(move.options.find((o) => o.long === '--concurrency')).toMatchObject({ type: 'integer', default: '8' });
    expect(move.options.find((o) => o.long === '--dry-run')).toMatchObject({ type: 'boolean' });
    expect(move.examples.length).toBeGreaterThan(0);
    expect(tree.commands.find((c) => c.path === 'edit')!.options.find((o) => o.long === '--team')!.choices).toEqual([...TEAMS]);
    expect(tree.commands.find((c) => c.path === 'list')!.options.find((o) => o.long === '--sort')).toMatchObject({ default: 'queue', choices: ['queue', 'created', 'updated', 'priority'] });
    expect(tree.global_options.map((o) => o.long)).toEqual(expect.arrayContaining(['--json', '--format', '--profile', '--url']));
    expect(tree.version).toBe((await run(['--version'])).stdout.trim());
    expect(tree.exit_codes).toMatchObject({ '0': 'ok', '2': 'usage', '4': 'auth', '6': 'unavailable' });
    expect(tree.query_language).toEqual(json(await run(['help', 'query', '--json'])));
  });

  it('is read from the same tree as --help: every option a command help shows is listed', async () => {
    const tree = json<Tree>(await run(['commands', '--json']));
    for (const path of ['edit', 'user create', 'escalate']) {
      const help = await run([...path.split(' '), '--help']);
      const longs = [...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((l) => l !== '--help');
      expect(tree.commands.find((c) => c.path === path)!.options.map((o) => o.long)).toEqual(longs);
    }
  });

  it('without --json prints one usage line per command', async () => {
    const r = await run(['commands']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tix edit \[options\] \[ids\.\.\.\]$/m);
  });
});

describe('choice lists name only what is accepted there', () => {
  it('move --to bogus offers the statuses move accepts, and not new, escalated or closed', async () => {
    const r = await run(['move', '1', '--to', 'bogus']);
    expect(r.code).toBe(2);
    for (const s of MOVE_STATUSES) expect(r.stderr).toContain(s);
    for (const s of ['new', 'escalated', 'closed']) expect(r.stderr).not.toMatch(new RegExp(`\\b${s}\\b`));
  });

  it('move --help lists the same choices', async () => {
    const r = await run(['move', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`choices: ${MOVE_STATUSES.map((s) => `"${s}"`).join(', ')})`);
  });

  it('escalation advance --to offers the states after submitted', async () => {
    const r = await run(['escalation', 'advance', 'CP-1', '--to', 'submitted']);
    expect(r.code).toBe(2);
    for (const s of ADVANCE_STATES) expect(r.stderr).toContain(s);
    expect(r.stderr.replace(/'submitted'/, '')).not.toMatch(/\bsubmitted\b/);
  });

  it('move --to closed lists only the accepted statuses and points to tix close', async () => {
    const r = await run(['move', '1', '--to', 'closed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are in_progress, .*expired\. To close, use `tix close ID --resolution \.\.\.`/);
  });

  it('triage of a ticket past new says to use tix edit', async () => {
    const t = await createTicket(server, { subject: 'Triaged already' });
    await run(['triage', String(t.id), '--team', 'support']);
    const r = await run(['triage', String(t.id), '--type', 'incident']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/tix edit/);
  });
});

describe('a missing ticket id is reported before a missing flag', () => {
  it.each([['escalate'], ['reopen'], ['close'], ['move'], ['assign'], ['reprioritize'], ['edit']])('tix %s with neither', async (cmd) => {
    const r = await run([cmd]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no tickets given/);
  });

  it('a malformed id comes before a missing flag too', async () => {
    const r = await run(['escalate', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid ticket id "abc"/);
  });

  it('with the id given, the missing flag is named', async () => {
    const t = await createTicket(server, { subject: 'Needs a reason' });
    const r = await run(['escalate', String(t.id)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing --reason/);
    expect((await getTicket(server, t.id)).status).toBe('new');
  });
});

describe('--json FIELDS with --format ndjson', () => {
  it('prints one object per line with only those fields, not an array', async () => {
    await createTicket(server, { subject: 'ndjson one' });
    await createTicket(server, { subject: 'ndjson two' });
    const r = await run(['list', '--json', 'id,subject', '--format', 'ndjson']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(Object.keys(JSON.parse(line))).toEqual(['id', 'subject']);
  });

  it('picks the columns of csv the same way', async () => {
    const r = await run(['list', '--json', 'id,priority', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('id,priority');
  });

  it('an unknown field is still a usage error listing the valid ones', async () => {
    const r = await run(['list', '--json', 'id,nope', '--format', 'ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/valid fields: id, subject/);
  });
});
