// One connection per server instance that lives as long as the instance: it LISTENs for other
// instances' commits (the change feed's wake-ups) and holds the instance's liveness lock, by which
// the others tell a request cut short by this instance's death from one still running.
import pg from 'pg';
import { LocalNotifier } from './notifier.js';

/** The advisory lock class of instance liveness locks: (LIVENESS_CLASS, instance id), held while the instance lives. */
export const LIVENESS_CLASS = 7_301_773;

export class PgCommitListener extends LocalNotifier {
  /** Random, positive: names this instance in the records it claims (e.g. an Idempotency-Key in progress). */
  readonly instanceId = 1 + Math.floor(Math.random() * 2_147_483_646);
  private client: pg.Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    /** The channel commits are announced on (one per schema, so tenants of one database do not wake each other). */
    readonly channel: string,
  ) {
    super();
  }

  /** Connects, takes the liveness lock and listens; throws when the database cannot be reached. */
  async start(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', () => this.notify());
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [LIVENESS_CLASS, this.instanceId]);
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  /** The connection dropped: connect again (commits announced meanwhile were missed, so wake every reader to look). */
  private reconnect(dropped: pg.Client) {
    if (this.closed || this.client !== dropped) return;
    this.client = undefined;
    dropped.removeAllListeners('end');
    dropped.end().catch(() => {});
    const attempt = (delay: number) => {
      this.retryTimer = setTimeout(() => {
        if (this.closed) return;
        this.start().then(
          () => this.notify(),
          () => attempt(Math.min(delay * 2, 5_000)),
        );
      }, delay);
      this.retryTimer.unref();
    };
    attempt(100);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
