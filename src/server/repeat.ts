// Background work on a timer (the key sweep, the auto-close sweep): one run at a time, and none after stop.

export interface Repeating {
  /** Ends the timer and tells the run under way to stop (its signal aborts); resolves once that run has ended. */
  stop(): Promise<void>;
  /** Resolves once no run is under way. */
  idle(): Promise<void>;
}

/**
 * Runs `task` every `ms` milliseconds, never two at once: a start that comes while the last run still goes
 * is skipped, so a slow run (a big backlog, a busy database) is not joined by another on the same rows.
 * `task` should check `signal` between steps. The timer does not keep the process alive.
 */
export function repeat(task: (signal: AbortSignal) => Promise<unknown>, ms: number, opts: { now?: boolean } = {}): Repeating {
  const stopped = new AbortController();
  let running: Promise<void> | undefined;
  const start = () => {
    if (running || stopped.signal.aborted) return;
    running = task(stopped.signal)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(start, ms);
  timer.unref();
  if (opts.now) start();
  return {
    async stop() {
      clearInterval(timer);
      stopped.abort();
      await running;
    },
    async idle() {
      await running;
    },
  };
}
