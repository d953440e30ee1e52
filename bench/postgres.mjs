// The bench's PostgreSQL rows: the same figures on `tix serve --database-url` beside the SQLite server
// of the same run, on a throwaway cluster that scripts/postgres.sh starts and removes. Each row is
// measured on both stores, alternated round by round: bulk close of 10,000, `GET /v1/tickets/{id}`
// (req/s, and CPU per request of the server and of the database), `list --all` of 100,000, and one
// vs two instances serving the same database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, processCpuMicros, runOnce } from './measure.mjs';
import { countStatus, seedTickets } from './seed.mjs';

/**
 * Starts the cluster or says why it could not: `{ url }` or `{ reason }`. The cluster is stopped
 * (and its folder removed) by the function it returns as `stop`, also when the bench exits early.
 */
export function startCluster(root) {
  // the state file lives apart from the bench's work folder, which its own exit handler removes first
  const stateDir = mkdtempSync(join(tmpdir(), 'tix-bench-pg-'));
  const env = { ...process.env, TIX_PG_STATE: join(stateDir, 'cluster') };
  const script = join(root, 'scripts', 'postgres.sh');
  const r = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(stateDir, { recursive: true, force: true });
    return { reason: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync('bash', [script, 'stop'], { env, stdio: 'ignore' });
    rmSync(stateDir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  const dir = readFileSync(env.TIX_PG_STATE, 'utf8').split('\n')[1];
  return { url: r.stdout.trim(), stop, dataDir: join(dir, 'data') };
}

/** CPU time (µs) used so far by every process of the cluster: its postmaster and all it started. */
function clusterCpuMicros(dataDir) {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = processCpuMicros(postmaster);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // fields after the command name start at field 3 (state); the parent is field 4
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += processCpuMicros(Number(name));
    } catch {
      // a backend that ended between the listing and the read
    }
  }
  return total;
}

/**
 * @param {object} b what the bench has: its helpers, the SQLite server and the figures so far
 */
export async function postgresRows(b) {
  const { log, fmt, rows, startProcess, tixArgv, tixLine, baseEnv, work, root, sqlite, rounds, loadSeconds, scale } = b;
  const BULK = Math.round(10_000 * scale);
  const LIST = Math.round(100_000 * scale);
  const notMeasured = (reason) => {
    log(`PostgreSQL rows not measured: ${reason}`);
    rows.push({ id: 'pg-not-measured', measure: 'PostgreSQL rows', tix: 'not measured', baseline: '', result: reason.replace(/\s+/g, ' ').slice(0, 300), target: 'info', met: undefined, data: { reason } });
  };

  log('PostgreSQL: starting a throwaway cluster');
  const cluster = startCluster(root);
  if (!cluster.url) return notMeasured(`no PostgreSQL cluster could be started (${cluster.reason})`);
  let pg;
  try {
    ({ default: pg } = await import('pg'));
  } catch (err) {
    return notMeasured(`the pg driver did not load (${err.message})`);
  }
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE tix_bench');
  await admin.end();
  const dbUrl = new URL(cluster.url);
  dbUrl.pathname = '/tix_bench';
  const databaseUrl = dbUrl.toString();
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });

  /** `tix serve` on the bench database; `name` keeps its profile apart from the others'. */
  const serve = (name) =>
    startProcess(tixArgv('serve', '--port', '0', '--database-url', databaseUrl, '--rate-limit', '1000000000'), { ...baseEnv, TIX_CONFIG_DIR: join(work, `config-pg-${name}`) }, (out) => {
      const url = /listening on (\S+)/.exec(out)?.[1];
      const token = /shown once: (\S+)/.exec(out)?.[1];
      // the first creates the admin and prints its token; another finds the database made
      if (name !== 'first') return url ? { url } : undefined;
      return url && token && /saved as profile/.test(out) ? { url, token } : undefined;
    });
  log('PostgreSQL: starting tix serve --database-url');
  const first = await serve('first');
  const token = first.token;
  const auth = { authorization: `Bearer ${token}` };
  const pgServer = { name: 'PostgreSQL', url: first.url, pid: first.child.pid, env: { ...baseEnv, TIX_URL: first.url, TIX_TOKEN: token } };
  const api = async (method, path, body) => {
    const res = await fetch(`${first.url}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };

  // ---- seeding: copies of one ticket made through the API, as on SQLite, by one INSERT … SELECT a group
  const template = await api('POST', '/v1/tickets', { subject: 'Bench template', description: 'Copied by the bench seeder.' });
  const groups = [];
  for (let i = 1; i <= rounds; i++) groups.push({ tag: `pg-close10k-${i}`, count: BULK });
  groups.push({ tag: 'pg-list100k', count: LIST });
  const t0 = Date.now();
  const columns = (await db.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tickets' AND column_name <> 'id' ORDER BY ordinal_position`)).rows.map((r) => r.name);
  const at = `to_char(timestamp '2020-01-01' + ($3::int + n) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const override = { subject: `'Bench ticket ' || $1 || ' #' || n`, tags: 'jsonb_build_array($1::text)', created_at: at, updated_at: at };
  const pgRanges = new Map();
  let offset = 0;
  for (const { tag, count } of groups) {
    const select = columns.map((c) => override[c] ?? `t.${c}`).join(', ');
    const r = await db.query(
      `WITH ins AS (INSERT INTO tickets (${columns.join(', ')}) SELECT ${select} FROM generate_series(1, $2::int) n, tickets t WHERE t.id = $4 ORDER BY n RETURNING id)
       SELECT min(id) AS first, max(id) AS last, count(*)::int AS n FROM ins`,
      [tag, count, offset, template.id],
    );
    pgRanges.set(tag, { first: r.rows[0].first, last: r.rows[0].last });
    offset += count;
  }
  await db.query('ANALYZE');
  // the SQLite side gets groups of its own, so the rows before it (which close theirs) leave these open
  const sqRanges = seedTickets(sqlite.dbPath, sqlite.templateId, groups);
  log(`PostgreSQL: seeded ${fmt(groups.reduce((n, g) => n + g.count, 0))} tickets on each store in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const sqServer = { name: 'SQLite', url: sqlite.url, pid: sqlite.pid, env: sqlite.cliEnv };
  const closedOn = async (server, tag) =>
    server === pgServer
      ? (await db.query(`SELECT count(*)::int AS n FROM tickets WHERE tags = jsonb_build_array($1::text) AND status = 'closed'`, [tag])).rows[0].n
      : countStatus(sqlite.dbPath, tag, 'closed');
  const both = (i) => (i % 2 ? [sqServer, pgServer] : [pgServer, sqServer]);
  const rate = (n, ms) => `${fmt((n / ms) * 1000)}/s`;
  const side = (f) => ({ PostgreSQL: f(pgServer), SQLite: f(sqServer) });

  // ---- bulk close of 10,000: the same pipe as the bulk row, on each store
  const bulkMs = { PostgreSQL: [], SQLite: [] };
  for (let i = 1; i <= rounds; i++) {
    log(`PostgreSQL: bulk close of ${fmt(BULK)}, round ${i} of ${rounds}`);
    for (const server of both(i)) {
      const tag = `pg-close10k-${i}`;
      const line = `${tixLine('list', '--format', 'ids', '--all', '--state', 'all', `tag:${tag}`)} | ${tixLine('close', '-', '--resolution', 'closed by the bench', '--quiet')}`;
      const r = runOnce(['sh', '-c', line], { env: server.env });
      const closed = await closedOn(server, tag);
      if (closed !== BULK) throw new Error(`${server.name}: tix closed ${closed} of the ${fmt(BULK)} ${tag} tickets:\n${r.stderr}`);
      bulkMs[server.name].push(r.ms);
    }
  }
  const bulk = side((s) => median(bulkMs[s.name]));
  rows.push({
    id: 'pg-bulk10k',
    measure: `PostgreSQL: bulk close of ${fmt(BULK)} (\`tix list --format ids … | tix close -\`) vs the same on SQLite`,
    tix: `${fmt(bulk.PostgreSQL / 1000, 2)} s (${rate(BULK, bulk.PostgreSQL)})`,
    baseline: `${fmt(bulk.SQLite / 1000, 2)} s (${rate(BULK, bulk.SQLite)})`,
    result: `${fmt(bulk.PostgreSQL / bulk.SQLite, 2)}× the time`,
    target: 'info',
    met: undefined,
    data: bulkMs,
  });

  // ---- GET /v1/tickets/{id}: req/s, CPU per request of the server and (PostgreSQL) of the database
  const { default: autocannon } = await import('autocannon');
  const load = (opts) => new Promise((resolve, reject) => autocannon({ connections: 10, pipelining: 1, duration: loadSeconds, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
  const getTarget = (server, id, headers) => ({ url: `${server.url}/v1/tickets/${id}`, headers });
  const pgId = pgRanges.get('pg-list100k').first;
  const sqId = sqRanges.get('pg-list100k').first;
  const targetOf = (server) => (server === pgServer ? getTarget(pgServer, pgId, auth) : getTarget(sqServer, sqId, sqlite.auth));
  for (const server of [pgServer, sqServer]) await load({ ...targetOf(server), duration: 2 }); // warm-up
  const getRuns = { PostgreSQL: [], SQLite: [] };
  for (let i = 0; i < rounds; i++) {
    log(`PostgreSQL: GET /v1/tickets/{id} load, round ${i + 1} of ${rounds}`);
    for (const server of both(i)) {
      const cpu0 = processCpuMicros(server.pid);
      const db0 = server === pgServer ? clusterCpuMicros(cluster.dataDir) : 0;
      const r = await load(targetOf(server));
      const serverUs = (processCpuMicros(server.pid) - cpu0) / r.requests.total;
      const dbUs = server === pgServer ? (clusterCpuMicros(cluster.dataDir) - db0) / r.requests.total : 0;
      if (r.non2xx || r.errors) throw new Error(`${server.name} GET: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      getRuns[server.name].push({ rps: r.requests.average, serverUs, dbUs });
    }
  }
  const get = side((s) => ({
    rps: median(getRuns[s.name].map((r) => r.rps)),
    serverUs: median(getRuns[s.name].map((r) => r.serverUs)),
    dbUs: median(getRuns[s.name].map((r) => r.dbUs)),
  }));
  rows.push({
    id: 'pg-get',
    measure: 'PostgreSQL: `GET /v1/tickets/{id}` req/s and CPU per request, the server\'s and the database\'s (autocannon, 10 connections) vs SQLite',
    tix: `${fmt(get.PostgreSQL.rps)} req/s; ${fmt(get.PostgreSQL.serverUs, 1)} µs server + ${fmt(get.PostgreSQL.dbUs, 1)} µs database CPU/request`,
    baseline: `${fmt(get.SQLite.rps)} req/s; ${fmt(get.SQLite.serverUs, 1)} µs CPU/request (in the server)`,
    result: `${fmt((get.PostgreSQL.rps / get.SQLite.rps) * 100)}% of the req/s; ${fmt(get.PostgreSQL.serverUs / get.SQLite.serverUs, 2)}× the server CPU`,
    target: 'info',
    met: undefined,
    data: getRuns,
  });

  // ---- list --all of 100,000
  const listMs = { PostgreSQL: [], SQLite: [] };
  for (let i = 0; i < rounds; i++) {
    log(`PostgreSQL: list --all of ${fmt(LIST)}, round ${i + 1} of ${rounds}`);
    for (const server of both(i)) {
      const r = runOnce(['sh', '-c', `${tixLine('list', '--all', '--format', 'ndjson', '--state', 'all', 'tag:pg-list100k')} | wc -l`], { env: server.env });
      const lines = Number(String(r.stdout).trim());
      if (lines !== LIST) throw new Error(`${server.name}: tix list --all printed ${lines} lines, expected ${LIST}:\n${r.stderr}`);
      listMs[server.name].push(r.ms);
    }
  }
  const list = side((s) => median(listMs[s.name]));
  rows.push({
    id: 'pg-list100k',
    measure: `PostgreSQL: \`tix list --all --format ndjson\` of ${fmt(LIST)} vs the same on SQLite`,
    tix: `${fmt(list.PostgreSQL / 1000, 2)} s (${fmt((LIST / list.PostgreSQL) * 1000)}/s)`,
    baseline: `${fmt(list.SQLite / 1000, 2)} s (${fmt((LIST / list.SQLite) * 1000)}/s)`,
    result: `${fmt(list.PostgreSQL / list.SQLite, 2)}× the time`,
    target: 'info',
    met: undefined,
    data: listMs,
  });

  // ---- one instance vs two on the same database: the same 10 connections, all on one, or 5 on each
  log('PostgreSQL: starting a second instance on the same database');
  const second = await serve('second');
  const secondTarget = getTarget({ url: second.url }, pgId, auth);
  await load({ ...secondTarget, duration: 2 }); // warm-up
  // req/s follows whatever else the cores run; CPU per request (both instances', and the database's) shows whether a second instance adds work
  const pairRuns = { one: [], two: [] };
  const cpuNow = () => processCpuMicros(pgServer.pid) + processCpuMicros(second.child.pid) + clusterCpuMicros(cluster.dataDir);
  for (let i = 0; i < rounds; i++) {
    log(`PostgreSQL: one instance vs two, round ${i + 1} of ${rounds}`);
    const order = i % 2 ? ['two', 'one'] : ['one', 'two'];
    for (const how of order) {
      const cpu0 = cpuNow();
      const runs = how === 'one' ? [await load(targetOf(pgServer))] : await Promise.all([load({ ...targetOf(pgServer), connections: 5 }), load({ ...secondTarget, connections: 5 })]);
      const cpu = cpuNow() - cpu0;
      if (runs.some((r) => r.non2xx || r.errors)) throw new Error(`${how} instance(s): answers other than 2xx`);
      const total = runs.reduce((n, r) => n + r.requests.total, 0);
      pairRuns[how].push({ rps: runs.reduce((n, r) => n + r.requests.average, 0), us: cpu / total });
    }
  }
  second.child.kill('SIGTERM');
  const pair = (how) => ({ rps: median(pairRuns[how].map((r) => r.rps)), us: median(pairRuns[how].map((r) => r.us)) });
  const one = pair('one');
  const two = pair('two');
  rows.push({
    id: 'pg-two-instances',
    measure: 'PostgreSQL: `GET /v1/tickets/{id}` from two `tix serve` instances on one database (5 connections each) vs one instance (10 connections): req/s, and CPU per request of the instances and the database together',
    tix: `${fmt(two.rps)} req/s; ${fmt(two.us, 1)} µs CPU/request`,
    baseline: `${fmt(one.rps)} req/s; ${fmt(one.us, 1)} µs CPU/request`,
    result: `${fmt(two.rps / one.rps, 2)}× the req/s; ${fmt(two.us / one.us, 2)}× the CPU/request`,
    target: 'info',
    met: undefined,
    data: pairRuns,
  });
  first.child.kill('SIGTERM');
  await db.end();
  await Promise.all([first.child, second.child].map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  cluster.stop();
}
