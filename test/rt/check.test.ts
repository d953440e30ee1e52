// tix check on Request Tracker: the same rules, counts and JUnit report, from TicketSQL searches.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { marker, openTickets, rtCliForFile } from './helpers.js';

const cli = rtCliForFile();

describe('tix check', () => {
  it('writes JUnit: a rule RT tickets break fails with its offenders, one they keep passes; exit 1', async () => {
    const m = marker('check');
    const ids = await openTickets(3, (i) => ({ Subject: `${m} ${i}`, Priority: [150, 150, 0][i] }));
    const rules = join(cli.env.HOME!, 'checks.json');
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [
          { name: 'no critical ticket waits untriaged', query: `${m} priority:critical status:new`, max: 0 },
          { name: 'at most 5 low tickets', query: `${m} priority:low`, max: 5 },
        ],
      }),
    );
    const r = await cli.run(['check', '--file', rules, '--format', 'junit']);
    expect(r.code, r.stderr).toBe(1);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(r.stdout);
    const suite = doc.testsuites.testsuite;
    expect([suite['@_tests'], suite['@_failures']]).toEqual(['2', '1']);
    const [critical, low] = suite.testcase;
    expect(critical['@_name']).toBe('no critical ticket waits untriaged');
    expect(critical.failure['@_message']).toBe(`2 tickets match "${m} priority:critical status:new" (max 0)`);
    expect(critical.failure['#text']).toContain(`#${ids[0]} #${ids[1]}`);
    expect(low.failure).toBeUndefined();
  });

  it('passes (exit 0) once the tickets are triaged through tix', async () => {
    const m = marker('checkok');
    const ids = await openTickets(2, (i) => ({ Subject: `${m} ${i}`, Priority: 150 }));
    const triaged = await cli.run(['triage', ...ids.map(String), '--team', 'support']);
    expect(triaged.code, triaged.stderr).toBe(0);
    const r = await cli.run(['check', `${m} priority:critical status:new`, '--max', '0', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: true, rules: [{ passed: true, count: 0 }] });
  });
});
