// npm run bench:rt: closing N tickets on a real Request Tracker 5 with `tix close -` (PUT /tickets/bulk,
// notes in POST /tickets/bulk/comment, read back in searches) against a loop of single REST 2.0 updates
// (PUT /ticket/:id, then POST /ticket/:id/comment, one ticket after another), each on its own fresh tickets.
//
//   node bench/rt.mjs [--tickets 500]
//
// Uses the RT named by TIX_TEST_RT_URL / TIX_TEST_RT_TOKEN, else starts a throwaway one with scripts/rt.sh
// (and stops it at the end).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--tickets') + 1] ?? 500) || 500;
const log = (s) => process.stderr.write(`bench:rt ${s}\n`);

let url = process.env.TIX_TEST_RT_URL;
let token = process.env.TIX_TEST_RT_TOKEN;
const state = join(tmpdir(), `tix-rt-bench-state.${process.pid}`);
const ours = !url || !token;
const work = mkdtempSync(join(tmpdir(), 'tix-bench-rt-'));
const cleanup = () => {
  if (ours) spawnSync(join(ROOT, 'scripts', 'rt.sh'), ['stop'], { env: { ...process.env, TIX_RT_STATE: state }, stdio: 'inherit' });
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

if (ours) {
  log('starting a throwaway RT with scripts/rt.sh');
  const out = execFileSync(join(ROOT, 'scripts', 'rt.sh'), ['start'], { env: { ...process.env, TIX_RT_STATE: state }, encoding: 'utf8' });
  url = /^RT_URL=(.*)$/m.exec(out)[1];
  token = /^RT_TOKEN=(.*)$/m.exec(out)[1];
}

async function rt(method, path, body) {
  const res = await fetch(`${url}/REST/2.0${path}`, {
    method,
    headers: { authorization: `token ${token}`, accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`RT answered ${res.status} to ${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function open(count, tag) {
  const ids = [];
  for (let i = 0; i < count; i += 100) {
    const made = await rt('POST', '/tickets/bulk', Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ Queue: 'General', Subject: `${tag} ${i + j}`, Content: 'bench', ContentType: 'text/plain' })));
    ids.push(...made.map((m) => Number(m.id)));
  }
  return ids;
}

const env = { PATH: process.env.PATH, HOME: work, TIX_CONFIG_DIR: join(work, 'config'), TIX_KEYRING: '0', NO_COLOR: '1' };
const tix = (a, input) => spawnSync(process.execPath, [join(ROOT, 'bin', 'tix'), ...a], { cwd: ROOT, env, input, encoding: 'utf8', maxBuffer: 64 << 20 });

log('building the CLI');
execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
const login = tix(['auth', 'login', '--provider', 'rt', '--url', url, '--user', 'root', '--with-token'], token);
if (login.status !== 0) throw new Error(login.stderr);
if (tix(['rt', 'setup']).status !== 0) throw new Error('tix rt setup failed');

log(`opening 2 × ${N} tickets`);
const forTix = await open(N, 'bench-bulk');
const forLoop = await open(N, 'bench-loop');

log(`tix close - of ${N}`);
let t0 = performance.now();
const r = tix(['close', '-', '--resolution', 'bench run', '--json'], `${forTix.join('\n')}\n`);
const bulkSeconds = (performance.now() - t0) / 1000;
const summary = JSON.parse(r.stdout).summary;
if (summary.changed !== N) throw new Error(`tix close changed ${summary.changed} of ${N}: ${r.stderr}`);

log(`a loop of ${N} single updates`);
t0 = performance.now();
for (const id of forLoop) {
  await rt('PUT', `/ticket/${id}`, { Status: 'resolved' });
  await rt('POST', `/ticket/${id}/comment`, { Content: 'Closed. Resolution: bench run', ContentType: 'text/plain' });
}
const loopSeconds = (performance.now() - t0) / 1000;

const row = (name, s) => `${name.padEnd(44)} ${s.toFixed(1).padStart(7)} s ${(N / s).toFixed(1).padStart(7)} tickets/s`;
process.stdout.write(`RT bulk close of ${N} tickets (load average ${loadavg()[0].toFixed(1)})\n`);
process.stdout.write(`${row('tix close - (bulk, read back, notes)', bulkSeconds)}\n${row('loop of PUT /ticket/:id + comment', loopSeconds)}\n`);
process.stdout.write(`ratio: ${(loopSeconds / bulkSeconds).toFixed(2)}× the loop's time\n`);
