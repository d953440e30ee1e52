// The CLI refuses a query past the query language's limits before any request (exit 2, naming the
// limit), with the parser the server uses; the real server answers the same query 400, and keeps
// answering everything else while clients run the costliest query the limits allow.
import { describe, expect, it } from 'vitest';
import { QUERY_LIMITS } from '../../src/domain/query.js';
import { closedPortUrl, createTicket, readDb, serverForFile, tix, writeDb } from '../helpers/tix.js';

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

describe('the costliest query the limits allow', () => {
  it('runs beside the server: health answers while four such lists are in flight', async () => {
    const template = await createTicket(server, { subject: 'Copied ticket', description: 'Since the update the printer jams on every job.', tags: ['billing'] });
    // fixture data straight into the database: 40,000 copies of one ticket
    const columnsSql = server.databaseUrl
      ? `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tickets'`
      : `SELECT name FROM pragma_table_info('tickets')`;
    const columns = (await readDb<{ name: string }>(server, columnsSql)).map((c) => c.name).filter((c) => c !== 'id');
    await writeDb(
      server,
      `INSERT INTO tickets (${columns.join(', ')}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
       SELECT ${columns.map((c) => `t.${c}`).join(', ')} FROM n, tickets t WHERE t.id = ?`,
      [template.id],
    );
    // matches nothing, so every row is read: words too short for the trigram index, tag terms of twenty values
    const terms = Array.from({ length: QUERY_LIMITS.textTerms }, (_, i) => `q${i}`);
    for (let i = 0; terms.length < QUERY_LIMITS.terms; i++) {
      const next = `-tag:${Array.from({ length: QUERY_LIMITS.valuesPerTerm }, (_, j) => `t${i}v${j}`).join(',')}`;
      if ([...terms, next].join(' ').length > QUERY_LIMITS.length) break;
      terms.push(next);
    }
    const headers = { authorization: `Bearer ${server.token}` };
    // PostgreSQL reads 40,000 rows faster than a pause could tell: there the lists are held in the database until health has answered
    const held = server.databaseUrl ? await holdTickets(server.databaseUrl) : undefined;
    const order: string[] = [];
    const lists = Array.from({ length: 4 }, async () => {
      const res = await fetch(`${server.url}/v1/tickets?q=${encodeURIComponent(terms.join(' '))}`, { headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
      order.push('list');
    });
    // the lists are in by now; on the event loop the first would hold health back until it ended
    if (held) await held.waiting(4);
    else await new Promise((r) => setTimeout(r, 150));
    try {
      const health = await fetch(`${server.url}/v1/health`);
      expect(health.status).toBe(200);
      order.push('health');
    } finally {
      await held?.release();
    }
    await Promise.all(lists);
    expect(order).toEqual(['health', 'list', 'list', 'list', 'list']);
  }, 60_000);
});

/** Locks the tickets table of a PostgreSQL database from outside the server: its reads wait, in flight, until release. */
async function holdTickets(url: string) {
  const { default: pg } = await import('pg');
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
  return {
    /** Until `n` statements of the server wait on the lock. */
    async waiting(n: number) {
      for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 20))) {
        // the activity view is read once per transaction unless its snapshot is dropped
        await locker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await locker.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (rows[0]!.n >= n) return;
        if (Date.now() - started > 20_000) throw new Error(`only ${rows[0]!.n} of ${n} lists reached the database`);
      }
    },
    async release() {
      await locker.query('COMMIT');
      await locker.end();
    },
  };
}
