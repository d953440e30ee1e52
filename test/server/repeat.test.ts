// repeat(): the timer behind the server's two sweeps.
import { describe, expect, it } from 'vitest';
import { repeat } from '../../src/server/repeat.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('repeat', () => {
  it('with now, runs at once; idle() resolves when that run has ended', async () => {
    const done: number[] = [];
    const r = repeat(async () => {
      await sleep(30);
      done.push(1);
    }, 3_600_000, { now: true });
    await r.idle();
    expect(done).toEqual([1]);
    await r.stop();
  });

  it('without now, waits for its interval; idle() with no run under way resolves at once', async () => {
    let runs = 0;
    const r = repeat(async () => {
      runs++;
    }, 3_600_000);
    await r.idle();
    await sleep(20);
    expect(runs).toBe(0);
    await r.stop();
  });

  it('a run that fails does not stop the next', async () => {
    let runs = 0;
    const r = repeat(async () => {
      runs++;
      throw new Error('the database is gone');
    }, 5);
    while (runs < 3) await sleep(5);
    await r.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });

  it('stop() aborts the run under way, waits for it, and no run starts after', async () => {
    let seen: AbortSignal | undefined;
    let runs = 0;
    let ended = false;
    const r = repeat(async (signal) => {
      runs++;
      seen = signal;
      while (!signal.aborted) await sleep(5);
      await sleep(20);
      ended = true;
    }, 5, { now: true });
    await sleep(20);
    await r.stop();
    expect([seen?.aborted, ended, runs]).toEqual([true, true, 1]);
    await sleep(30);
    expect(runs).toBe(1);
  });
});
