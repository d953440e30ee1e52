// npm run bench: how fast tix starts, answers one-shot commands, closes tickets in bulk, streams a
// big list, how much its server serves, and how fast `tix mcp` answers an agent, each against a baseline measured in the same run
// (paired, alternated runs; medians). Prints a table and writes bench/results.json.
//
//   node bench/run.mjs [--quick] [--only startup,oneshot,bulk,list,server,server-cpu,health,keys,feed,mcp,postgres] [--scale 0.1]
//
// It builds the CLI into a folder of its own (others may rebuild dist/ meanwhile), starts its own
// `tix serve` on a temporary database and port 0, and seeds tickets straight into SQLite. The
// postgres phase starts a throwaway PostgreSQL cluster (scripts/postgres.sh) and measures the same
// figures on `tix serve --database-url` beside SQLite; --scale shrinks its ticket counts for a trial.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GNU_TIME, cleanupScratch, median, paired, processCpuMicros, runOnce, summarize } from './measure.mjs';
import { countStatus, seedEvents, seedTickets } from './seed.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = new Set((args[args.indexOf('--only') + 1] ?? '').split(',').filter(Boolean));
const PHASES = ['startup', 'oneshot', 'bulk', 'list', 'server', 'server-cpu', 'health', 'keys', 'feed', 'mcp', 'postgres'].filter((p) => !args.includes('--only') || ONLY.has(p));
const ROUNDS = QUICK ? 10 : 30;
const HEAVY_ROUNDS = QUICK ? 1 : 3;
const LOAD_SECONDS = QUICK ? 2 : 4;
const SCALE = args.includes('--scale') ? Number(args[args.indexOf('--scale') + 1]) : 1;
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('--scale takes a number above 0, at most 1');
const NODE = process.execPath;

const started = Date.now();
const log = (s) => process.stderr.write(`bench [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;

// ---- the CLI under test, and its server -------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'tix-bench-'));
mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
const snapshot = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'tix-bench-'));
const children = new Set();
const cleanup = () => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(snapshot, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  cleanupScratch();
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

log('building the CLI');
// package scope lookup stops at node_modules: say again that the chunks are ES modules
writeFileSync(join(snapshot, 'package.json'), '{ "type": "module" }\n');
const built = spawnSync(NODE, [join(ROOT, 'scripts', 'build.mjs'), join(snapshot, 'dist')], { cwd: ROOT, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`build failed:\n${built.stderr}`);
mkdirSync(join(snapshot, 'bin'));
copyFileSync(join(ROOT, 'bin', 'tix'), join(snapshot, 'bin', 'tix'));
copyFileSync(join(ROOT, 'bin', 'package.json'), join(snapshot, 'bin', 'package.json'));
const BIN = join(snapshot, 'bin', 'tix');
const tixArgv = (...a) => [NODE, BIN, ...a];
const tixLine = (...a) => [NODE, BIN, ...a].map(q).join(' ');

const configDir = join(work, 'config');
const tixOwn = { TIX_CONFIG_DIR: configDir, TIX_DATA_DIR: join(work, 'data'), TIX_KEYRING: '0', NO_COLOR: '1' };
// Every figure runs in the caller's environment, as `tix` would (NODE_EXTRA_CA_CERTS, for one, makes
// every node start ~25 ms slower, tix and `node -e 0` alike), minus what would point tix elsewhere.
const baseEnv = { ...process.env, ...tixOwn };
for (const k of ['TIX_URL', 'TIX_TOKEN', 'TIX_PROFILE', 'CI', 'FORCE_COLOR']) delete baseEnv[k];
/** Nothing but PATH and HOME: start-up as a bare `node` starts. */
const bareEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, ...tixOwn };
const NODE_ENV_NOTE = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'].filter((k) => process.env[k]).join(', ');
const dbPath = join(work, 'bench.db');

function startProcess(argv, env, ready) {
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  return new Promise((resolve, reject) => {
    const check = (s) => {
      out += s;
      const found = ready(out);
      if (found) resolve({ child, ...found });
    };
    child.stdout.setEncoding('utf8').on('data', check);
    child.stderr.setEncoding('utf8').on('data', check);
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}`)));
    setTimeout(() => reject(new Error(`${argv.join(' ')} did not start:\n${out}`)), 30_000).unref();
  });
}

log('starting tix serve');
// the per-token rate limit stays on (its cost is measured) but so high that load tests never reach it
const server = await startProcess(tixArgv('serve', '--port', '0', '--db', dbPath, '--rate-limit', '1000000000'), baseEnv, (out) => {
  const url = /listening on (\S+)/.exec(out)?.[1];
  const token = /shown once: (\S+)/.exec(out)?.[1];
  return url && token && /saved as profile/.test(out) ? { url, token } : undefined;
});
const { url, token } = server;
const auth = { authorization: `Bearer ${token}` };
const cliEnv = { ...baseEnv, TIX_URL: url, TIX_TOKEN: token };

async function api(method, path, body) {
  const res = await fetch(`${url}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const template = await api('POST', '/v1/tickets', { subject: 'Bench template', description: 'Copied by the bench seeder.' });

// ---- seeding ----------------------------------------------------------------------------------

const LIST_BIG = 100_000;
const LIST_SMALL = 10_000;
const groups = [];
for (let i = 1; i <= HEAVY_ROUNDS; i++) groups.push({ tag: `close1k-${i}`, count: 1_000 }, { tag: `curl1k-${i}`, count: 1_000 }, { tag: `close10k-${i}`, count: 10_000 });
groups.push({ tag: 'list10k', count: LIST_SMALL }, { tag: 'list100k', count: LIST_BIG });
let ranges = new Map();
// the health row needs only the 100,000; the other rows need every group
const seeded = PHASES.some((p) => p === 'bulk' || p === 'list' || p === 'server') ? groups : groups.filter((g) => (g.tag === 'list100k' && PHASES.includes('health')) || (g.tag === 'list10k' && PHASES.includes('server-cpu')));
if (PHASES.some((p) => p === 'bulk' || p === 'list' || p === 'server' || p === 'health' || p === 'server-cpu')) {
  const t0 = Date.now();
  ranges = seedTickets(dbPath, template.id, seeded);
  const total = seeded.reduce((n, g) => n + g.count, 0);
  log(`seeded ${fmt(total)} tickets in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// ---- measurements -----------------------------------------------------------------------------

const rows = [];
const results = { startedAt: new Date(started).toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgBefore: loadavg(), quick: QUICK, gnuTime: Boolean(GNU_TIME), rows };

const BASE = [NODE, '-e', '0'];

function startupRow(id, label, argv, env, target) {
  log(`${label}: ${ROUNDS} paired rounds`);
  const p = paired(argv, BASE, { rounds: ROUNDS, env });
  const s = summarize(p);
  const rssDelta = s.subjectRssMiB !== undefined ? s.subjectRssMiB - s.baselineRssMiB : undefined;
  const met = target ? s.ratio <= target.ratio && (target.rssDelta === undefined || rssDelta === undefined || rssDelta <= target.rssDelta) : undefined;
  rows.push({
    id,
    measure: `${label} vs \`node -e 0\``,
    tix: `${fmt(s.subjectMs, 1)} ms${s.subjectRssMiB !== undefined ? `, ${fmt(s.subjectRssMiB, 1)} MiB` : ''}`,
    baseline: `${fmt(s.baselineMs, 1)} ms${s.baselineRssMiB !== undefined ? `, ${fmt(s.baselineRssMiB, 1)} MiB` : ''}`,
    result: `${fmt(s.ratio, 2)}×${rssDelta !== undefined ? `, ${rssDelta >= 0 ? '+' : ''}${fmt(rssDelta, 1)} MiB` : ''}`,
    target: target ? `≤ ${target.ratio}×${target.rssDelta !== undefined ? `, ≤ +${target.rssDelta} MiB` : ''}` : 'info',
    met,
    data: { ...s, rssDeltaMiB: rssDelta, samples: p },
  });
}

if (PHASES.includes('startup')) {
  startupRow('version', '`tix --version`', tixArgv('--version'), baseEnv, { ratio: 1.3, rssDelta: 8 });
  startupRow('help', '`tix --help`', tixArgv('--help'), baseEnv, { ratio: 1.3, rssDelta: 8 });
  if (NODE_ENV_NOTE) {
    // the same two with ${NODE_ENV_NOTE} unset: a faster baseline, the same milliseconds added
    startupRow('version-bare-env', `\`tix --version\`, without ${NODE_ENV_NOTE}`, tixArgv('--version'), bareEnv, undefined);
    startupRow('help-bare-env', `\`tix --help\`, without ${NODE_ENV_NOTE}`, tixArgv('--help'), bareEnv, undefined);
  }
}

if (PHASES.includes('oneshot')) {
  const demo = await api('POST', '/v1/tickets', { subject: 'Printer on floor 3 jams on every job', description: 'Since the firmware update the printer jams on every job.' });
  startupRow('show', `\`tix show ID\``, tixArgv('show', String(demo.id)), cliEnv, { ratio: 2.0 });
  startupRow('list50', '`tix list --limit 50 --json`', tixArgv('list', '--limit', '50', '--json'), cliEnv, { ratio: 2.2 });
  // the same call with the server and token read from the saved profile (conf) instead of TIX_URL/TIX_TOKEN
  startupRow('show-profile', '`tix show ID` (saved profile, no TIX_URL/TIX_TOKEN)', tixArgv('show', String(demo.id)), baseEnv, undefined);
}

const curlHeaders = join(work, 'curl-headers');
writeFileSync(curlHeaders, `authorization: Bearer ${token}\ncontent-type: application/json\n`, { mode: 0o600 });

function ids(tag) {
  const r = ranges.get(tag);
  return Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i);
}

function tixBulkClose(tag) {
  const line = `${tixLine('list', '--format', 'ids', '--all', '--state', 'all', `tag:${tag}`)} | ${tixLine('close', '-', '--resolution', 'closed by the bench', '--quiet')}`;
  const r = runOnce(['sh', '-c', line], { env: cliEnv });
  const closed = countStatus(dbPath, tag, 'closed');
  if (closed !== ranges.get(tag).last - ranges.get(tag).first + 1) throw new Error(`tix closed ${closed} of the ${tag} tickets:\n${r.stderr}`);
  return r.ms;
}

function curlLoopClose(tag) {
  const idsFile = join(work, `${tag}.ids`);
  writeFileSync(idsFile, `${ids(tag).join('\n')}\n`);
  const codes = join(work, `${tag}.codes`);
  const line = `while read id; do curl -s -o /dev/null -w '%{http_code}\\n' -X POST -H @${q(curlHeaders)} --data '{"resolution":"closed by the bench"}' ${q(url)}/v1/tickets/$id/close; done < ${q(idsFile)} > ${q(codes)}`;
  const r = runOnce(['sh', '-c', line], { env: baseEnv });
  const closed = countStatus(dbPath, tag, 'closed');
  if (closed !== ids(tag).length) throw new Error(`the curl loop closed ${closed} of the ${tag} tickets`);
  return r.ms;
}

if (PHASES.includes('bulk')) {
  const tixMs = [];
  const curlMs = [];
  for (let i = 1; i <= HEAVY_ROUNDS; i++) {
    log(`bulk close of 1,000: round ${i} of ${HEAVY_ROUNDS}`);
    if (i % 2) {
      tixMs.push(tixBulkClose(`close1k-${i}`));
      curlMs.push(curlLoopClose(`curl1k-${i}`));
    } else {
      curlMs.push(curlLoopClose(`curl1k-${i}`));
      tixMs.push(tixBulkClose(`close1k-${i}`));
    }
  }
  const tix10kMs = [];
  for (let i = 1; i <= HEAVY_ROUNDS; i++) {
    log(`bulk close of 10,000: round ${i} of ${HEAVY_ROUNDS}`);
    tix10kMs.push(tixBulkClose(`close10k-${i}`));
  }
  const tix1k = median(tixMs);
  const curl1k = median(curlMs);
  const tix10k = median(tix10kMs);
  const curl10k = curl1k * 10;
  const rate = (n, ms) => `${fmt((n / ms) * 1000)}/s`;
  rows.push({
    id: 'bulk1k',
    measure: 'bulk close of 1,000: `tix list --format ids … | tix close -` vs a shell loop of `curl` POSTs',
    tix: `${fmt(tix1k / 1000, 2)} s (${rate(1000, tix1k)})`,
    baseline: `${fmt(curl1k / 1000, 1)} s (${rate(1000, curl1k)})`,
    result: `${fmt(curl1k / tix1k, 1)}× faster`,
    target: '≥ 20×',
    met: curl1k / tix1k >= 20,
    data: { tixMs, curlMs, tixMedianMs: tix1k, curlMedianMs: curl1k },
  });
  rows.push({
    id: 'bulk10k',
    measure: 'bulk close of 10,000, same pipe vs the curl loop (curl timed on 1,000, × 10)',
    tix: `${fmt(tix10k / 1000, 2)} s (${rate(10_000, tix10k)})`,
    baseline: `${fmt(curl10k / 1000, 0)} s, extrapolated`,
    result: `${fmt(curl10k / tix10k, 1)}× faster`,
    target: '≥ 50×',
    met: curl10k / tix10k >= 50,
    data: { tixMs: tix10kMs, tixMedianMs: tix10k, curlExtrapolatedMs: curl10k },
  });
}

function tixListAll(tag, expected) {
  const rssFile = join(work, `rss-${tag}`);
  const timed = GNU_TIME ? `${GNU_TIME} -f %M -o ${q(rssFile)} ` : '';
  const line = `${timed}${tixLine('list', '--all', '--format', 'ndjson', '--state', 'all', `tag:${tag}`)} | wc -l`;
  const r = runOnce(['sh', '-c', line], { env: cliEnv });
  const lines = Number(String(r.stdout).trim());
  if (lines !== expected) throw new Error(`tix list --all printed ${lines} lines, expected ${expected}:\n${r.stderr}`);
  let rssMiB;
  if (GNU_TIME) {
    const out = spawnSync('tail', ['-n', '1', rssFile], { encoding: 'utf8' }).stdout.trim();
    rssMiB = Number(out) / 1024;
  }
  return { ms: r.ms, rssMiB };
}

function curlPager(tag, expected) {
  const query = `q=${encodeURIComponent(`tag:${tag} state:all`)}&sort=queue&limit=1000`;
  const line = `c=; n=0
    while :; do
      curl -sf -H @${q(curlHeaders)} "${url}/v1/tickets?${query}\${c:+&cursor=$c}" -o ${q(join(work, 'page'))} || exit 1
      cat ${q(join(work, 'page'))}
      n=$((n + 1))
      c=$(grep -o '"next_cursor":"[^"]*"' ${q(join(work, 'page'))} | cut -d'"' -f4)
      [ -n "$c" ] || break
    done | wc -c`;
  const r = runOnce(['sh', '-c', line], { env: baseEnv });
  if (Number(String(r.stdout).trim()) < expected * 100) throw new Error(`the curl pager got only ${String(r.stdout).trim()} bytes for ${expected} tickets`);
  return r.ms;
}

if (PHASES.includes('list')) {
  const sizes = [
    ['list10k', LIST_SMALL],
    ['list100k', LIST_BIG],
  ];
  const figures = {};
  for (const [tag, n] of sizes) {
    const tixRuns = [];
    const curlMs = [];
    for (let i = 0; i < HEAVY_ROUNDS; i++) {
      log(`list --all of ${fmt(n)}: round ${i + 1} of ${HEAVY_ROUNDS}`);
      if (i % 2 === 0) {
        tixRuns.push(tixListAll(tag, n));
        curlMs.push(curlPager(tag, n));
      } else {
        curlMs.push(curlPager(tag, n));
        tixRuns.push(tixListAll(tag, n));
      }
    }
    figures[n] = { tixMs: median(tixRuns.map((r) => r.ms)), curlMs: median(curlMs), rssMiB: GNU_TIME ? median(tixRuns.map((r) => r.rssMiB)) : undefined, runs: tixRuns, curlRuns: curlMs };
  }
  const big = figures[LIST_BIG];
  const small = figures[LIST_SMALL];
  rows.push({
    id: 'list100k',
    measure: '`tix list --all --format ndjson` of 100,000 vs `curl` paging the same endpoint',
    tix: `${fmt(big.tixMs / 1000, 2)} s (${fmt((LIST_BIG / big.tixMs) * 1000)}/s)`,
    baseline: `${fmt(big.curlMs / 1000, 2)} s`,
    result: `${fmt(big.tixMs / big.curlMs, 2)}×`,
    target: '≤ 1.5×',
    met: big.tixMs / big.curlMs <= 1.5,
    data: figures,
  });
  if (GNU_TIME) {
    const growth = big.rssMiB / small.rssMiB - 1;
    rows.push({
      id: 'list-rss',
      measure: 'peak RSS of that listing at 10,000 and at 100,000 tickets',
      tix: `${fmt(small.rssMiB, 1)} MiB → ${fmt(big.rssMiB, 1)} MiB`,
      baseline: '',
      result: `${growth >= 0 ? '+' : ''}${fmt(growth * 100, 1)}%`,
      target: '≤ 150 MiB, within 20%',
      met: big.rssMiB <= 150 && Math.abs(growth) <= 0.2,
      data: { rss10kMiB: small.rssMiB, rss100kMiB: big.rssMiB, growth },
    });
  }
}

if (PHASES.includes('server')) {
  const { default: autocannon } = await import('autocannon');
  const load = (opts) => new Promise((resolve, reject) => autocannon({ connections: 10, pipelining: 1, duration: LOAD_SECONDS, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
  const id = ranges.get('list100k')?.first ?? template.id;
  const ticketJson = JSON.stringify(await api('GET', `/v1/tickets/${id}`));
  const bare = await startProcess([NODE, join(ROOT, 'bench', 'bare-server.mjs')], { ...process.env, BARE_BODY: ticketJson }, (out) => {
    const u = /(http:\/\/\S+)/.exec(out)?.[1];
    return u ? { url: u } : undefined;
  });
  const targets = {
    tix: { url: `${url}/v1/tickets/${id}`, headers: auth },
    bare: { url: `${bare.url}/v1/tickets/${id}` },
  };
  const rps = { tix: [], bare: [] };
  for (const name of ['bare', 'tix']) await load({ ...targets[name], duration: 1 }); // warm-up
  for (let i = 0; i < HEAVY_ROUNDS; i++) {
    log(`GET /v1/tickets/{id} load: round ${i + 1} of ${HEAVY_ROUNDS}`);
    for (const name of i % 2 ? ['tix', 'bare'] : ['bare', 'tix']) {
      const r = await load(targets[name]);
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      rps[name].push(r.requests.average);
    }
  }
  const tixRps = median(rps.tix);
  const bareRps = median(rps.bare);
  rows.push({
    id: 'server-get',
    measure: 'server: `GET /v1/tickets/{id}` req/s (autocannon, 10 connections) vs a bare Fastify route answering constant JSON',
    tix: `${fmt(tixRps)} req/s`,
    baseline: `${fmt(bareRps)} req/s`,
    result: `${fmt((tixRps / bareRps) * 100, 0)}%`,
    // req/s moves with whatever else shares the cores: the target is server CPU per request (server-cpu)
    target: 'info',
    met: undefined,
    data: rps,
  });
  bare.child.kill('SIGTERM');

  // POST /v1/batch: 100 internal comments per request, when the server has the endpoint
  const operations = Array.from({ length: 100 }, (_, i) => ({ op: 'comment', id: id + i, body: { body: 'bench note' } }));
  const probe = await fetch(`${url}/v1/batch?return=minimal`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ operations: operations.slice(0, 1) }) });
  await probe.text();
  if (probe.ok) {
    const batchRps = [];
    for (let i = 0; i < HEAVY_ROUNDS; i++) {
      log(`POST /v1/batch load: round ${i + 1} of ${HEAVY_ROUNDS}`);
      const r = await load({ url: `${url}/v1/batch?return=minimal`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ operations }) });
      if (r.non2xx || r.errors) throw new Error(`batch: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      batchRps.push(r.requests.average);
    }
    const b = median(batchRps);
    rows.push({
      id: 'server-batch',
      measure: 'server: `POST /v1/batch` of 100 comments (autocannon, 10 connections)',
      tix: `${fmt(b, 1)} req/s = ${fmt(b * 100)} operations/s`,
      baseline: '',
      result: '',
      target: 'info',
      met: undefined,
      data: { rps: batchRps },
    });
  } else {
    log(`POST /v1/batch answered ${probe.status}: batch load skipped`);
  }
}

if (PHASES.includes('health')) {
  // the costliest query the limits allow (50 terms, 10 words, 20 values a term, 2,000 characters): it
  // matches nothing, so every row is read; ten two-letter words found nowhere, negated tag terms of twenty values
  const terms = Array.from({ length: 10 }, (_, i) => `q${i}`);
  for (let i = 0; terms.length < 50; i++) {
    const next = `-tag:${Array.from({ length: 20 }, (_, j) => `t${i}v${j}`).join(',')}`;
    if ([...terms, next].join(' ').length > 2000) break;
    terms.push(next);
  }
  const heavyUrl = `${url}/v1/tickets?limit=50&q=${encodeURIComponent(terms.join(' '))}`;
  const heavyOnce = async () => {
    const t0 = performance.now();
    const res = await fetch(heavyUrl, { headers: auth });
    const body = await res.text();
    if (!res.ok) throw new Error(`the heaviest query answered ${res.status}: ${body}`);
    return performance.now() - t0;
  };
  log('heaviest allowed query: warm-up');
  const firstMs = await heavyOnce();
  const seconds = QUICK ? 6 : 15;
  // one client asking for health back to back; an answer still awaited when time is up counts too
  const health = async (seconds) => {
    const ms = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/health`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`/v1/health answered ${res.status}`);
      ms.push(performance.now() - t0);
    }
    const sorted = [...ms].sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    return { count: ms.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] };
  };
  log('/v1/health alone');
  const idle = await health(QUICK ? 2 : 4);
  log(`/v1/health for ${seconds} s while 4 clients run the heaviest allowed query`);
  let running = true;
  const heavyMs = [];
  const clients = Array.from({ length: 4 }, async () => {
    while (running) heavyMs.push(await heavyOnce());
  });
  const loaded = await health(seconds);
  running = false;
  await Promise.all(clients);
  const p99 = loaded.p99;
  rows.push({
    id: 'health-heavy',
    measure: `server: \`GET /v1/health\` p99 while 4 clients run the heaviest allowed query on ${fmt(LIST_BIG)} tickets (vs health alone)`,
    tix: `${fmt(p99, 1)} ms p99 (${fmt(loaded.count)} answers; the query takes ${fmt(firstMs)} ms alone, ${heavyMs.length} ran meanwhile)`,
    baseline: `${fmt(idle.p99, 1)} ms p99 alone`,
    result: `${fmt(p99, 1)} ms`,
    target: '≤ 50 ms',
    met: p99 <= 50,
    data: { healthP99Ms: p99, healthP50Ms: loaded.p50, healthMaxMs: loaded.max, healthAnswers: loaded.count, idleP99Ms: idle.p99, heavyFirstMs: firstMs, heavyMs, query: terms.join(' ') },
  });
}

// keyed POSTs on a database holding 60,000 live Idempotency-Key records vs a fresh one: the
// records are looked up by key and expired by an index in the background, so the count must not show
if (PHASES.includes('keys')) {
  const KEYS = 60_000;
  const PER_SERVER = QUICK ? 300 : 1_000;
  const BLOCK = 50;
  const keyServer = async (name) => {
    const db = join(work, `keys-${name}.db`);
    // a config folder of its own: this server must not replace the profile the other rows use
    const env = { ...baseEnv, TIX_CONFIG_DIR: join(work, `config-keys-${name}`) };
    const srv = await startProcess(tixArgv('serve', '--port', '0', '--db', db, '--rate-limit', '1000000000'), env, (out) => {
      const u = /listening on (\S+)/.exec(out)?.[1];
      const t = /shown once: (\S+)/.exec(out)?.[1];
      return u && t && /saved as profile/.test(out) ? { url: u, token: t } : undefined;
    });
    return { ...srv, db, name, ms: [], n: 0 };
  };
  const fresh = await keyServer('fresh');
  const loaded = await keyServer('loaded');
  log(`keyed POSTs: writing ${fmt(KEYS)} live Idempotency-Key records`);
  const { default: Database } = await import('better-sqlite3');
  const raw = new Database(loaded.db);
  raw.pragma('busy_timeout = 10000');
  const at = new Date().toISOString();
  // the owner column is user_id since keys belong to users (token_id before): the row runs on either
  const owner = raw.prepare('PRAGMA table_info(idempotency)').all().some((c) => c.name === 'user_id') ? 'user_id' : 'token_id';
  const insert = raw.prepare(`INSERT INTO idempotency (${owner}, key, fingerprint, state, status, body, created_at) VALUES (1, ?, ?, 'done', 201, '{}', ?)`);
  raw.transaction(() => {
    for (let i = 0; i < KEYS; i++) insert.run(`bench-seeded-${i}`, `f${i}`, at);
  })();
  raw.close();
  const keyed = async (srv) => {
    const key = `bench-${srv.name}-${srv.n++}`;
    const t0 = performance.now();
    const res = await fetch(`${srv.url}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ subject: 'Keyed bench ticket', description: 'Opened with an Idempotency-Key.' }),
    });
    await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 201) throw new Error(`keyed POST on the ${srv.name} database: ${res.status}`);
    return ms;
  };
  for (const srv of [fresh, loaded]) for (let i = 0; i < 20; i++) await keyed(srv); // warm-up
  log(`keyed POSTs: ${PER_SERVER} per database, alternated in blocks of ${BLOCK}`);
  for (let b = 0; b < PER_SERVER / BLOCK; b++) {
    for (const srv of b % 2 ? [loaded, fresh] : [fresh, loaded]) for (let i = 0; i < BLOCK; i++) srv.ms.push(await keyed(srv));
  }
  const freshMs = median(fresh.ms);
  const loadedMs = median(loaded.ms);
  rows.push({
    id: 'keyed-post',
    measure: `keyed \`POST /v1/tickets\` median with ${fmt(KEYS)} live Idempotency-Key records (written straight into SQLite) vs a fresh database`,
    tix: `${fmt(loadedMs, 2)} ms`,
    baseline: `${fmt(freshMs, 2)} ms`,
    result: `${fmt(loadedMs / freshMs, 2)}×`,
    target: '≤ 1.2×',
    met: loadedMs / freshMs <= 1.2,
    data: { keys: KEYS, perServer: PER_SERVER, freshMs: fresh.ms, loadedMs: loaded.ms },
  });
  fresh.child.kill('SIGTERM');
  loaded.child.kill('SIGTERM');
}

if (PHASES.includes('feed')) {
  // change → watcher: a real `tix watch --json` follows the feed; each change is a POST, timed until its line arrives
  const CHANGES = QUICK ? 200 : 1_000;
  const subject = await api('POST', '/v1/tickets', { subject: 'Feed bench', description: 'Commented on by the bench.' });
  const watcher = spawn(NODE, [BIN, 'watch', '--json'], { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(watcher);
  watcher.on('exit', () => children.delete(watcher));
  let pending = '';
  let onLine = () => {};
  watcher.stdout.setEncoding('utf8').on('data', (s) => {
    pending += s;
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line) onLine(JSON.parse(line));
    }
  });
  const nextLine = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    onLine = (e) => {
      clearTimeout(timer);
      onLine = () => {};
      resolve(e);
    };
  });
  const change = () => api('POST', `/v1/tickets/${subject.id}/comments`, { body: 'bench note' });
  // the watcher starts "from now": change until it prints, then let it settle
  for (let tries = 0; ; tries++) {
    const seen = nextLine(1_000);
    await change();
    if (await seen) break;
    if (tries > 30) throw new Error('tix watch printed nothing');
  }
  while (await nextLine(500));
  log(`change → watcher latency: ${fmt(CHANGES)} changes`);
  const latencies = [];
  // the same, from the instant the server stamped the event (before its commit) to the printed line
  const fromStamp = [];
  for (let i = 0; i < CHANGES; i++) {
    const seen = nextLine(30_000);
    const t0 = performance.now();
    await change();
    const e = await seen;
    if (!e) throw new Error(`change ${i + 1} never reached the watcher`);
    latencies.push(performance.now() - t0);
    fromStamp.push(Date.now() - Date.parse(e.at));
  }
  watcher.kill('SIGTERM');
  const percentile = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  };
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p) => percentile(latencies, p);
  rows.push({
    id: 'feed-latency',
    measure: `change → watcher: a comment POSTed until \`tix watch --json\` prints its event (${fmt(CHANGES)} changes, one at a time)`,
    tix: `p50 ${fmt(pct(50), 1)} ms, p99 ${fmt(pct(99), 1)} ms`,
    baseline: '',
    result: `max ${fmt(sorted.at(-1), 1)} ms; from the event's stamp: p50 ${fmt(percentile(fromStamp, 50))} ms, p99 ${fmt(percentile(fromStamp, 99))} ms`,
    target: 'p99 ≤ 100 ms',
    met: pct(99) <= 100,
    data: { p50: pct(50), p90: pct(90), p99: pct(99), max: sorted.at(-1), fromStamp: { p50: percentile(fromStamp, 50), p99: percentile(fromStamp, 99) }, changes: CHANGES },
  });

  // feed throughput: the events paged out by `tix events --json`, against curl paging the same endpoint
  const EVENTS = QUICK ? 20_000 : 100_000;
  const range = seedEvents(dbPath, subject.id, EVENTS);
  log(`seeded ${fmt(EVENTS)} events; paging them out`);
  const from = String(range.first - 1);
  const tixMs = [];
  const curlMs = [];
  const tixEvents = () => {
    const r = runOnce(['sh', '-c', `${tixLine('events', '--since', from, '--json')} | wc -l`], { env: cliEnv });
    const n = Number(String(r.stdout).trim());
    if (n !== EVENTS) throw new Error(`tix events printed ${n} lines, expected ${EVENTS}:\n${r.stderr}`);
    return r.ms;
  };
  const curlEvents = () => {
    const page = join(work, 'feed-page');
    const line = `c=${from}
      while :; do
        curl -sf -H @${q(curlHeaders)} "${url}/v1/events?after=$c&limit=1000" -o ${q(page)} || exit 1
        grep -q '"items":\\[\\]' ${q(page)} && break
        cat ${q(page)}
        c=$(grep -o '"next_cursor":"[^"]*"' ${q(page)} | cut -d'"' -f4)
      done | wc -c`;
    const r = runOnce(['sh', '-c', line], { env: baseEnv });
    if (Number(String(r.stdout).trim()) < EVENTS * 100) throw new Error(`the curl pager got only ${String(r.stdout).trim()} bytes for ${EVENTS} events`);
    return r.ms;
  };
  for (let i = 0; i < HEAVY_ROUNDS; i++) {
    log(`feed of ${fmt(EVENTS)} events: round ${i + 1} of ${HEAVY_ROUNDS}`);
    if (i % 2 === 0) {
      tixMs.push(tixEvents());
      curlMs.push(curlEvents());
    } else {
      curlMs.push(curlEvents());
      tixMs.push(tixEvents());
    }
  }
  const t = median(tixMs);
  const c = median(curlMs);
  rows.push({
    id: 'feed-throughput',
    measure: `feed throughput: \`tix events --json\` paging out ${fmt(EVENTS)} events vs \`curl\` paging the same endpoint`,
    tix: `${fmt(t / 1000, 2)} s (${fmt((EVENTS / t) * 1000)} events/s)`,
    baseline: `${fmt(c / 1000, 2)} s (${fmt((EVENTS / c) * 1000)} events/s)`,
    result: `${fmt(t / c, 2)}×`,
    target: 'info',
    met: undefined,
    data: { events: EVENTS, tixMs, curlMs },
  });
}

if (PHASES.includes('mcp')) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const demo = await api('POST', '/v1/tickets', { subject: 'Scanner drops pages on double-sided jobs', description: 'Every double-sided scan loses the even pages.' });
  /** `tix mcp` started by the SDK's own client; answers once its first listTools is answered. */
  async function mcpSession() {
    const t0 = performance.now();
    const transport = new StdioClientTransport({ command: NODE, args: [BIN, 'mcp'], env: cliEnv, stderr: 'ignore' });
    const client = new Client({ name: 'tix-bench', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === 'show')) throw new Error('tix mcp offers no show tool');
    return { client, startMs: performance.now() - t0 };
  }
  const show = async (client) => {
    const r = await client.callTool({ name: 'show', arguments: { id: demo.id } });
    if (r.isError || r.structuredContent?.id !== demo.id) throw new Error(`show through MCP failed: ${JSON.stringify(r.content)}`);
  };

  log(`tix mcp start-up to its first listTools: ${ROUNDS} paired rounds`);
  const starts = [];
  const bases = [];
  for (let i = 0; i < ROUNDS; i++) {
    const base = i % 2 ? runOnce(BASE, { env: baseEnv }).ms : undefined;
    const s = await mcpSession();
    starts.push(s.startMs);
    await s.client.close();
    bases.push(base ?? runOnce(BASE, { env: baseEnv }).ms);
  }
  const startMs = median(starts);
  const baseMs = median(bases);
  rows.push({
    id: 'mcp-start',
    measure: '`tix mcp` start-up to its first answered `listTools` (the SDK client over stdio) vs `node -e 0`',
    tix: `${fmt(startMs, 1)} ms`,
    baseline: `${fmt(baseMs, 1)} ms`,
    result: `${fmt(startMs / baseMs, 2)}×`,
    target: 'info',
    met: undefined,
    data: { startMs: starts, baselineMs: bases },
  });

  const CALLS = 200;
  log(`${CALLS} show calls through one MCP session`);
  const session = await mcpSession();
  for (let i = 0; i < 5; i++) await show(session.client); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await show(session.client);
  const mcpMs = performance.now() - t0;
  await session.client.close();
  log(`${CALLS} \`tix show\` processes`);
  const t1 = performance.now();
  for (let i = 0; i < CALLS; i++) runOnce(tixArgv('show', String(demo.id)), { env: cliEnv });
  const cliMs = performance.now() - t1;
  rows.push({
    id: 'mcp-show200',
    measure: `${CALLS} \`show\` calls through one \`tix mcp\` session vs ${CALLS} \`tix show\` processes`,
    tix: `${fmt(mcpMs, 0)} ms (${fmt(mcpMs / CALLS, 2)} ms a call; the session's start, ${fmt(session.startMs, 0)} ms, apart)`,
    baseline: `${fmt(cliMs, 0)} ms (${fmt(cliMs / CALLS, 1)} ms a process)`,
    result: `${fmt(cliMs / mcpMs, 1)}× faster`,
    target: '≥ 20×',
    met: cliMs / mcpMs >= 20,
    data: { calls: CALLS, mcpMs, cliMs, sessionStartMs: session.startMs },
  });
}

/**
 * Server CPU per request, read from each server process's own CPU time (/proc) around an autocannon
 * run: `GET /v1/tickets/{id}`, a 50-ticket list page and a keyed POST on `tix serve`, against the bare
 * route answering the same JSON; medians of alternated runs.
 */
async function serverCpuRows() {
  const { default: autocannon } = await import('autocannon');
  const seconds = QUICK ? 2 : 5;
  const load = (opts) => new Promise((resolve, reject) => autocannon({ connections: 10, pipelining: 1, duration: seconds, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
  const id = ranges.get('list10k')?.first ?? template.id;
  const ticketJson = JSON.stringify(await api('GET', `/v1/tickets/${id}`));
  const listPath = '/v1/tickets?limit=50';
  const listJson = JSON.stringify(await api('GET', listPath));
  if (JSON.parse(listJson).items.length !== 50) throw new Error('the list page has fewer than 50 tickets');
  const bare = await startProcess([NODE, join(ROOT, 'bench', 'bare-server.mjs')], { ...process.env, BARE_BODY: ticketJson, BARE_LIST_BODY: listJson }, (out) => {
    const u = /(http:\/\/\S+)/.exec(out)?.[1];
    return u ? { url: u } : undefined;
  });
  let key = 0;
  const targets = {
    ticket: { pid: server.child.pid, opts: { url: `${url}/v1/tickets/${id}`, headers: auth } },
    bare: { pid: bare.child.pid, opts: { url: `${bare.url}/v1/tickets/${id}` } },
    list: { pid: server.child.pid, opts: { url: `${url}${listPath}`, headers: auth } },
    bareList: { pid: bare.child.pid, opts: { url: `${bare.url}${listPath}` } },
    post: {
      pid: server.child.pid,
      opts: {
        url: `${url}/v1/tickets`,
        method: 'POST',
        requests: [{ setupRequest: (req) => ({ ...req, headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `bench-cpu-${process.pid}-${key++}` } }) }],
        body: JSON.stringify({ subject: 'Keyed bench ticket', description: 'Opened with an Idempotency-Key.' }),
      },
    },
  };
  const names = Object.keys(targets);
  const run = async (name) => {
    const { pid, opts } = targets[name];
    const before = processCpuMicros(pid);
    const r = await load(opts);
    const cpu = processCpuMicros(pid) - before;
    if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    return { us: cpu / r.requests.total, rps: r.requests.average, requests: r.requests.total };
  };
  // warm-up: the first seconds of load pay for compiling, the page cache and the reader threads' start
  for (const name of names) await load({ ...targets[name].opts, duration: QUICK ? 1 : 3 });
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < HEAVY_ROUNDS; i++) {
    log(`server CPU per request: round ${i + 1} of ${HEAVY_ROUNDS}`);
    for (const name of i % 2 ? [...names].reverse() : names) runs[name].push(await run(name));
  }
  bare.child.kill('SIGTERM');
  const us = Object.fromEntries(names.map((n) => [n, median(runs[n].map((r) => r.us))]));
  const rps = Object.fromEntries(names.map((n) => [n, median(runs[n].map((r) => r.rps))]));
  const row = (rowId, measure, name, baseName, target) => {
    const ratio = baseName ? us[name] / us[baseName] : undefined;
    rows.push({
      id: rowId,
      measure,
      tix: `${fmt(us[name], 1)} µs CPU/request (${fmt(rps[name])} req/s)`,
      baseline: baseName ? `${fmt(us[baseName], 1)} µs (${fmt(rps[baseName])} req/s)` : '',
      result: ratio === undefined ? '' : `${fmt(ratio, 2)}×`,
      target: target ? `≤ ${target}×` : 'info',
      met: target ? ratio <= target : undefined,
      data: { tix: runs[name], baseline: baseName ? runs[baseName] : undefined },
    });
  };
  row('server-cpu-get', 'server CPU per request: `GET /v1/tickets/{id}` vs a bare Fastify route answering the same JSON (autocannon, 10 connections)', 'ticket', 'bare', 1.5);
  row('server-cpu-list', 'server CPU per request: `GET /v1/tickets?limit=50` (50 tickets) vs a bare route answering the same page', 'list', 'bareList', 3);
  row('server-cpu-post', 'server CPU per request: keyed `POST /v1/tickets` (a new Idempotency-Key each)', 'post', undefined, undefined);
  rows[rows.length - 1].baseline = `bare GET ${fmt(us.bare, 1)} µs`;
  rows[rows.length - 1].result = `${fmt(us.post / us.bare, 2)}× the bare GET`;
}

if (PHASES.includes('server-cpu')) await serverCpuRows();

if (PHASES.includes('postgres')) {
  const { postgresRows } = await import('./postgres.mjs');
  await postgresRows({
    log, fmt, rows, startProcess, tixArgv, tixLine, baseEnv, work, root: ROOT,
    sqlite: { url, pid: server.child.pid, dbPath, templateId: template.id, auth, cliEnv },
    rounds: HEAVY_ROUNDS, loadSeconds: LOAD_SECONDS, scale: SCALE,
  });
}

// ---- report -----------------------------------------------------------------------------------

results.loadavgAfter = loadavg();
results.seconds = Math.round((Date.now() - started) / 1000);
const mark = (met) => (met === undefined ? '' : met ? '✓' : '✗');
const header = ['measure', 'tix', 'baseline', 'result', 'target', 'met'];
const table = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${[r.measure, r.tix, r.baseline, r.result, r.target, mark(r.met)].map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`),
].join('\n');
results.table = table;
const note = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}${NODE_ENV_NOTE ? `, ${NODE_ENV_NOTE} set` : ''}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; medians of paired, alternated runs (${ROUNDS} per start-up row, ${HEAVY_ROUNDS} per bulk/list/server row); ${results.seconds} s in all.`;
results.note = note;
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\n${table}\n\n${note}\n`);
log('wrote bench/results.json');
process.exit(0);
