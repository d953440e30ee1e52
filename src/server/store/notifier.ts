// Wake-ups for the change feed: a store says "events may have committed", waiting requests read again.
// Only this part differs between stores: in one process a listener set; across instances a
// database channel (PostgreSQL LISTEN/NOTIFY) whose messages call the same listeners.

export interface CommitNotifier {
  /** Calls `listener` after each commit that may have recorded events; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** The in-process notifier: the store calls notify() once its transaction has committed. */
export class LocalNotifier implements CommitNotifier {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  get size(): number {
    return this.listeners.size;
  }
}
