// tix check end to end: rules that hold exit 0, violations exit 1, a check that cannot run exits 2/4/6.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { closedPortUrl, createTicket, json, tix, serverForFile, writeDb } from '../helpers/tix.js';

const { server } = serverForFile();


/** Moves a ticket's SLA due dates into the past, as if it had waited for a day. */
async function overdue(id: number) {
  const past = new Date(Date.now() - 86_400_000).toISOString();
  await writeDb(server, 'UPDATE tickets SET created_at = ?, response_due_at = ?, resolution_due_at = ? WHERE id = ?', [past, past, past, id]);
}

describe('tix check', () => {
  it('exits 0 while no ticket matches and 1 with the offending ids once one does', async () => {
    const ok = await tix(['check', 'priority:critical', 'tag:checkout'], { server });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓/);
    const t = await createTicket(server, { subject: 'checkout down', priority: 'critical', tags: ['checkout'] });
    const bad = await tix(['check', 'priority:critical', 'tag:checkout'], { server });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`#${t.id}`);
    const allowed = await tix(['check', 'priority:critical', 'tag:checkout', '--max', '1'], { server });
    expect(allowed.code).toBe(0);
  });

  it('refuses a limit written into the query, which would be searched as words and always hold; a quoted phrase may hold one', async () => {
    await createTicket(server, { subject: 'limit in the query', priority: 'critical', tags: ['inquery'] });
    for (const argv of [['check', 'tag:inquery <= 0'], ['check', 'tag:inquery', '≤', '0'], ['check', 'tag:inquery', '<', '1', '--max', '0']]) {
      const r = await tix(argv, { server });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/alone is not a comparison.*a check's limit goes in --max/);
      expect(r.stdout).toBe('');
    }
    const file = join(server.configDir, 'limit-in-query.json');
    writeFileSync(file, JSON.stringify({ rules: [{ name: 'few', query: 'tag:inquery = 0' }] }));
    const fromFile = await tix(['check', '--file', file, '--json'], { server });
    expect(fromFile.code).toBe(2);
    expect(JSON.parse(fromFile.stderr).error.message).toMatch(/rule 1: "=" alone is not a comparison.*\(max in a rules file or MCP\)/);
    // searched as a phrase, on purpose: no ticket says "a <= b", so the rule holds
    const phrase = await tix(['check', 'tag:inquery', '"a <= b"'], { server });
    expect([phrase.code, phrase.stderr]).toEqual([0, 'the rule holds\n']);
    // and the limit where it belongs: one ticket matches, and it is one too many
    expect((await tix(['check', 'tag:inquery', '--max', '0'], { server })).code).toBe(1);
  });

  it('counts only open tickets unless the query names a state', async () => {
    const t = await createTicket(server, { subject: 'closed one', tags: ['closedcheck'] });
    await tix(['close', String(t.id), '--resolution', 'done and dusted'], { server });
    expect((await tix(['check', 'tag:closedcheck'], { server })).code).toBe(0);
    expect((await tix(['check', 'tag:closedcheck', 'state:all'], { server })).code).toBe(1);
  });

  it('--sla fails when an open ticket is past its SLA', async () => {
    const before = await tix(['check', '--sla', '--json'], { server });
    const t = await createTicket(server, { subject: 'waiting too long', tags: ['sla'] });
    await overdue(t.id);
    const r = await tix(['check', '--sla', '--json'], { server });
    expect(r.code).toBe(1);
    const report = json<{ passed: boolean; rules: { name: string; passed: boolean; offending: number[] }[] }>(r);
    expect(report.passed).toBe(false);
    expect(report.rules[0]!.offending).toContain(t.id);
    expect(json<{ rules: { offending: number[] }[] }>(before).rules[0]!.offending).not.toContain(t.id);
  });

  it('writes JUnit with one testcase per rule that a real XML parser reads', async () => {
    await createTicket(server, { subject: 'junit offender', tags: ['junit'] });
    const file = join(server.configDir, 'checks.json');
    writeFileSync(file, JSON.stringify({ rules: [
      { name: 'no junit tickets', query: 'tag:junit', max: 0 },
      { name: 'few escalations', query: 'escalated:true', max: 100 },
      { name: 'sla', sla: true },
    ] }));
    const r = await tix(['check', '--file', file, '--format', 'junit'], { server });
    expect(r.code).toBe(1);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
    const suite = doc.testsuites.testsuite;
    expect(Number(suite.tests)).toBe(3);
    const cases = suite.testcase as { name: string; failure?: { message: string } }[];
    expect(cases.map((c) => c.name)).toEqual(['no junit tickets', 'few escalations', 'sla']);
    expect(cases[0]!.failure?.message).toMatch(/tickets match "tag:junit/);
    expect(cases[1]!.failure).toBeUndefined();
  });

  it('exits 4 with a bad token, 6 with the server down and 2 with a malformed query', async () => {
    expect((await tix(['check', 'priority:high'], { server, env: { TIX_TOKEN: 'tix_not_a_real_token' } })).code).toBe(4);
    expect((await tix(['check', 'priority:high'], { server, env: { TIX_URL: await closedPortUrl(), TIX_TOKEN: server.token } })).code).toBe(6);
    const malformed = await tix(['check', 'colour:red'], { server });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/colour/);
    expect((await tix(['check'], { server })).code).toBe(2);
  });
});
