// Timing helpers of the bench: paired, alternated runs of a command against its baseline, medians,
// and peak RSS through GNU time when it is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Runs argv once; returns wall milliseconds (and peak RSS in MiB when `rss` and GNU time are there).
 * `argv[0] === 'sh'` runs a shell line. Throws when the exit code is not the expected one.
 */
export function runOnce(argv, { env = process.env, rss = false, expectCode = 0, input } = {}) {
  let cmd = argv;
  let rssFile;
  if (rss && GNU_TIME) {
    rssFile = join(scratch(), `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    cmd = [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv];
  }
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { env, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.error) throw r.error;
  if (expectCode !== undefined && r.status !== expectCode) {
    throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}, expected ${expectCode}:\n${String(r.stderr).slice(0, 2000)}`);
  }
  let rssMiB;
  if (rssFile) {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    rssMiB = Number(lines[lines.length - 1]) / 1024;
    rmSync(rssFile, { force: true });
  }
  return { ms, rssMiB, stdout: r.stdout, stderr: r.stderr, code: r.status };
}

let scratchDir;
function scratch() {
  scratchDir ??= mkdtempSync(join(tmpdir(), 'tix-bench-measure-'));
  return scratchDir;
}
export function cleanupScratch() {
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
}

/**
 * Paired, alternated runs: each round runs the subject and the baseline back to back, the order
 * swapping every round so neither always runs on a warmer machine. Time and RSS come from separate
 * runs (GNU time adds its own fork to the measured time).
 * @returns {{ subject: {ms:number[], rss:number[]}, baseline: {ms:number[], rss:number[]}, ratios: number[] }}
 */
export function paired(subject, baseline, { rounds = 30, rssRounds = 8, warmup = 3, env, baselineEnv } = {}) {
  const out = { subject: { ms: [], rss: [] }, baseline: { ms: [], rss: [] }, ratios: [] };
  for (let i = 0; i < warmup; i++) {
    runOnce(subject, { env });
    runOnce(baseline, { env: baselineEnv ?? env });
  }
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 0;
    const a = first ? runOnce(subject, { env }) : undefined;
    const b = runOnce(baseline, { env: baselineEnv ?? env });
    const s = a ?? runOnce(subject, { env });
    out.subject.ms.push(s.ms);
    out.baseline.ms.push(b.ms);
    out.ratios.push(s.ms / b.ms);
  }
  if (GNU_TIME) {
    for (let i = 0; i < rssRounds; i++) {
      out.subject.rss.push(runOnce(subject, { env, rss: true }).rssMiB);
      out.baseline.rss.push(runOnce(baseline, { env: baselineEnv ?? env, rss: true }).rssMiB);
    }
  }
  return out;
}

/** Median figures of a paired measurement. */
export function summarize(p) {
  return {
    subjectMs: median(p.subject.ms),
    baselineMs: median(p.baseline.ms),
    ratio: median(p.ratios),
    subjectRssMiB: p.subject.rss.length ? median(p.subject.rss) : undefined,
    baselineRssMiB: p.baseline.rss.length ? median(p.baseline.rss) : undefined,
    rounds: p.ratios.length,
  };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time (user + system, all threads) a process has used so far, in µs, read from /proc: nothing runs in it. */
export function processCpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name start at field 3 (state); utime and stime are fields 14 and 15
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1e6;
}
