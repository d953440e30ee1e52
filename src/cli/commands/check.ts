// tix check: CI assertions on ticket states. Exit 0 all rules hold, 1 one is violated; 2/4/6 when the check cannot run.
import { readFileSync } from 'node:fs';
import type { Backend } from '../../providers/types.js';
import type { Context } from '../context.js';
import { SilentFailure, UsageError } from '../errors.js';
import { buildQuery } from '../query.js';
import { jsonText, oneLine } from '../output/index.js';

export interface Rule {
  name: string;
  query: string;
  max: number;
}

export interface RuleResult extends Rule {
  passed: boolean;
  count: number;
  /** Up to 20 offending ticket ids. */
  offending: number[];
}

const MAX_LISTED = 20;
export const SLA_RULE = (name = 'no open ticket past its SLA'): Rule => ({ name, query: 'sla:breached state:open', max: 0 });

function parseMax(raw: unknown, where: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${where}: max must be a whole number ≥ 0, not "${String(raw)}"`);
  return n;
}

/** A rule of a query and its limit; a query the language refuses is a usage error that says `where`. */
export function ruleOf(query: string, name: string, max: number, where: string): Rule {
  try {
    return { name, query: buildQuery([query], {}), max };
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${where}: ${err.message}`);
    throw err;
  }
}

export function rulesFromFile(path: string): Rule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON'}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown }).rules;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError(`--file ${path}: expected {"rules": [...]} with at least one rule`);
  return list.map((r: unknown, i) => {
    const rule = r as { name?: unknown; query?: unknown; max?: unknown; sla?: unknown };
    const where = `--file ${path}, rule ${i + 1}`;
    if (typeof rule !== 'object' || rule === null) throw new UsageError(`${where}: a rule is an object`);
    const name = typeof rule.name === 'string' && rule.name ? rule.name : `rule ${i + 1}`;
    if (rule.sla === true) return SLA_RULE(name);
    if (typeof rule.query !== 'string') throw new UsageError(`${where}: needs "query" (or "sla": true)`);
    return ruleOf(rule.query, name, rule.max === undefined ? 0 : parseMax(rule.max, where), where);
  });
}

// control characters are not allowed in XML 1.0: they become the same markers a terminal shows
const xml = (s: string) => oneLine(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function junit(results: RuleResult[], seconds: number): string {
  const failures = results.filter((r) => !r.passed).length;
  const cases = results.map((r) => {
    const head = `    <testcase classname="tix.check" name="${xml(r.name)}" time="0">`;
    if (r.passed) return `${head}</testcase>`;
    const message = `${r.count} tickets match "${r.query}" (max ${r.max})`;
    return `${head}\n      <failure message="${xml(message)}" type="violation">${xml(`${message}\nfirst offenders: ${r.offending.map((id) => `#${id}`).join(' ')}`)}</failure>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tix check" tests="${results.length}" failures="${failures}" time="${seconds.toFixed(3)}">\n  <testsuite name="tix check" tests="${results.length}" failures="${failures}" errors="0" time="${seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** Counts each rule's matches (every page of them) and names up to 20 offending tickets of a rule that fails. */
export async function evaluateRules(client: Pick<Backend, 'allTickets'>, rules: Rule[]): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  for (const rule of rules) {
    const offending: number[] = [];
    let count = 0;
    // ids only matter up to MAX_LISTED; the count needs every match, so page through them all
    for await (const t of client.allTickets({ q: rule.query, pageSize: 1000 })) {
      if (offending.length < MAX_LISTED) offending.push(t.id);
      count++;
    }
    results.push({ ...rule, passed: count <= rule.max, count, offending: count <= rule.max ? [] : offending });
  }
  return results;
}

export async function run(ctx: Context, args: string[], opts: Record<string, unknown>) {
  const format = ctx.globals.json !== undefined && ctx.globals.json !== false ? 'json' : (ctx.globals.format ?? 'text');
  if (!['text', 'table', 'json', 'junit'].includes(format)) throw new UsageError(`invalid --format "${format}" for check; choose text, json or junit`);
  const rules: Rule[] = [];
  if (typeof opts.file === 'string') rules.push(...rulesFromFile(opts.file));
  if (args.length) rules.push({ name: typeof opts.name === 'string' ? opts.name : args.join(' '), query: buildQuery(args, {}), max: parseMax(opts.max ?? 0, '--max') });
  if (opts.sla) rules.push(SLA_RULE());
  if (rules.length === 0) throw new UsageError('nothing to check: give a QUERY, --sla or --file');

  const started = performance.now();
  // a check pages through every matching ticket: it waits out a rate limit like other long runs
  const results = await evaluateRules(await ctx.client({ patient: true }), rules);
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((r) => !r.passed);
  if (format === 'json') ctx.out(`${jsonText({ passed: failed.length === 0, rules: results }, 2)}\n`);
  else if (format === 'junit') ctx.out(junit(results, seconds));
  else {
    for (const r of results) {
      const line = r.passed ? `✓ ${r.name}: ${r.count} ≤ ${r.max}` : `✗ ${r.name}: ${r.count} tickets match "${r.query}" (max ${r.max}): ${r.offending.map((id) => `#${id}`).join(' ')}${r.count > r.offending.length ? ' …' : ''}`;
      ctx.out(`${oneLine(line)}\n`);
    }
  }
  const rulesWord = results.length === 1 ? 'rule' : 'rules';
  ctx.status(failed.length ? `${failed.length} of ${results.length} ${rulesWord} violated` : results.length === 1 ? 'the rule holds' : `all ${results.length} rules hold`);
  if (failed.length) throw new SilentFailure();
}
