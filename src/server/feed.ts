// The change feed's long poll: read, and while nothing visible came, wait for a commit and read on.
// Store-neutral: a store supplies listFeed() and a CommitNotifier; nothing here holds a connection.
import type { Event } from '../domain/schemas.js';
import type { ListFeedArgs, Store } from './store/types.js';

export interface FeedPage {
  items: Event[];
  /** The last event id handed out, or the position asked for when nothing was. */
  next_cursor: string;
}

/**
 * Events after `args.after`; with `waitMs`, holds until at least one arrives, the time is up or
 * `release` fires (server shutdown), then answers an empty page at the same cursor.
 */
export async function readFeed(store: Store, args: ListFeedArgs, waitMs: number, release: AbortSignal): Promise<FeedPage> {
  const page = (items: Event[]): FeedPage => ({ items, next_cursor: String(items.at(-1)?.id ?? args.after) });
  if (waitMs <= 0) return page((await store.listFeed(args)).items);
  let changed = false;
  let wake: (() => void) | undefined;
  // subscribed before the first read, so a commit between the read and the wait still wakes us
  const unsubscribe = store.commits.subscribe(() => {
    changed = true;
    wake?.();
  });
  const deadline = Date.now() + waitMs;
  let from = args.after;
  try {
    for (;;) {
      changed = false;
      const read = await store.listFeed({ ...args, after: from });
      if (read.items.length > 0) return page(read.items);
      // what was looked at is not looked at again; the answer's cursor still only moves with what it hands out
      from = read.horizon;
      const left = deadline - Date.now();
      if (left <= 0 || release.aborted) return page([]);
      if (changed) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          release.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, left);
        release.addEventListener('abort', done);
        wake = done;
      });
    }
  } finally {
    unsubscribe();
  }
}
