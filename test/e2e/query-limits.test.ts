// The CLI refuses a query past the query language's limits before any request (exit 2, naming the
// limit), with the parser the server uses; the real server answers the same query 400.
import { describe, expect, it } from 'vitest';
import { QUERY_LIMITS } from '../../src/domain/query.js';
import { closedPortUrl, serverForFile, tix } from '../helpers/tix.js';

const { server } = serverForFile();
const tagTerms = (n: number) => Array.from({ length: n }, (_, i) => `tag:t${i}`);

describe('query limits from the command line', () => {
  it.each([
    ['list', tagTerms(QUERY_LIMITS.terms + 1), `at most ${QUERY_LIMITS.terms}`],
    ['list', [`tag:${Array.from({ length: QUERY_LIMITS.valuesPerTerm + 1 }, (_, i) => `t${i}`).join(',')}`], `at most ${QUERY_LIMITS.valuesPerTerm}`],
    ['list', Array.from({ length: QUERY_LIMITS.textTerms + 1 }, (_, i) => `word${i}`), `at most ${QUERY_LIMITS.textTerms}`],
    ['list', [`"${'x'.repeat(QUERY_LIMITS.textLength + 1)}"`], `at most ${QUERY_LIMITS.textLength}`],
    // the queue's own state:open counts too: what is sent is what is checked
    ['list', tagTerms(QUERY_LIMITS.terms), `at most ${QUERY_LIMITS.terms}`],
    ['check', tagTerms(QUERY_LIMITS.terms + 1), `at most ${QUERY_LIMITS.terms}`],
  ])('`tix %s` past a limit exits 2 naming it, before any request', async (command, terms, limit) => {
    // nothing listens at the URL: an attempt to send would fail another way
    const r = await tix([command, ...terms], { server, env: { TIX_URL: await closedPortUrl() } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(limit);
  });

  it('a query right at the limits is sent, and the server answers it', async () => {
    const r = await tix(['list', ...tagTerms(QUERY_LIMITS.terms - 1), '--json'], { server });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('the server answers the same query 400 validation, naming the limit', async () => {
    const q = tagTerms(QUERY_LIMITS.terms + 1).join(' ');
    const res = await fetch(`${server.url}/v1/tickets?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(400);
    const p = (await res.json()) as { code: string; detail: string };
    expect(p.code).toBe('validation');
    expect(p.detail).toContain(`at most ${QUERY_LIMITS.terms}`);
  });
});
