#!/usr/bin/env node
// Mutation testing, one part of the code at a time (scripts/mutation-areas.mjs), each incremental: a re-run
// tests only the mutants whose code or tests changed. Then the score over every part, from the records.
//
//   npm run test:mutation                 every part, then the score
//   npm run test:mutation -- bulk domain  only these parts, then the score over every part's record
//   npm run test:mutation -- --score      the score and the surviving mutants from the records, running nothing
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AREAS } from './mutation-areas.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('--'));
for (const n of named) if (!(n in AREAS)) throw new Error(`unknown part ${n}; parts: ${Object.keys(AREAS).join(', ')}`);

if (!args.includes('--score')) {
  for (const name of named.length ? named : Object.keys(AREAS)) {
    console.log(`\n== mutation testing: ${name}`);
    // a temporary folder of its own: a mutant that hangs a test kills its worker before the test's cleanup runs,
    // and what that test had made in the temporary folder goes with this one
    const tmp = mkdtempSync(join(tmpdir(), `tix-mutation-${name}-`));
    const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TIX_MUTATION_AREA: name, TMPDIR: tmp } });
    rmSync(tmp, { recursive: true, force: true });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const total = { detected: 0, undetected: 0 };
const survivors = [];
console.log(`\n${'file'.padEnd(44)} ${'score'.padStart(7)} detected survived no-cover`);
for (const name of Object.keys(AREAS)) {
  const path = `${ROOT}reports/stryker-${name}.json`;
  if (!existsSync(path)) {
    console.log(`${name}: no record yet`);
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const count = (set) => mutants.filter((m) => set.has(m.status)).length;
    const detected = count(DETECTED);
    const undetected = count(UNDETECTED);
    total.detected += detected;
    total.undetected += undetected;
    const lines = source.split('\n');
    for (const m of mutants.filter((m) => UNDETECTED.has(m.status))) {
      survivors.push(`${file}:${m.location.start.line} ${m.status} ${m.mutatorName}: ${lines[m.location.start.line - 1].trim().slice(0, 90)} → ${JSON.stringify(m.replacement ?? '').slice(0, 60)}`);
    }
    const score = detected + undetected ? ((100 * detected) / (detected + undetected)).toFixed(1) : '-';
    console.log(`${file.padEnd(44)} ${String(score).padStart(7)} ${String(detected).padStart(6)} ${String(count(new Set(['Survived']))).padStart(8)} ${String(count(new Set(['NoCoverage']))).padStart(8)}`);
  }
}
const score = (100 * total.detected) / (total.detected + total.undetected);
console.log(`\nmutation score over every part: ${score.toFixed(1)}% (${total.detected} detected of ${total.detected + total.undetected})`);
if (args.includes('--score') || args.includes('--list')) for (const s of survivors) console.log(`  ${s}`);
