// Starts the API: opens the store, bootstraps the first admin, listens, shuts down gracefully.
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { RateLimitOptions } from './rate-limit.js';
import { repeat } from './repeat.js';
import { hashToken, newToken } from './tokens.js';
import { seedDemo } from './seed.js';
import { openStore } from './store/index.js';
import { DomainError, type Store } from './store/types.js';

export interface ServeOptions {
  host: string;
  port: number;
  db: string;
  /** A postgres:// URL: keep the data in PostgreSQL instead of the SQLite file `db`. */
  databaseUrl?: string;
  demo?: boolean;
  now?: () => Date;
  logger?: boolean;
  autoCloseDays?: number;
  rateLimit?: RateLimitOptions;
  /** How often the auto-close sweep runs, in ms (0 = never). */
  sweepEveryMs?: number;
  requestTimeoutMs?: AppOptions['requestTimeoutMs'];
  requesterQuotaBytes?: AppOptions['requesterQuotaBytes'];
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  /** The admin token, only when this start created the admin (first start on an empty database). */
  bootstrapToken?: string;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  // tickets, internal notes and attachments are for this user alone: a folder it creates is 0700
  if (!opts.databaseUrl && opts.db !== ':memory:') mkdirSync(dirname(opts.db), { recursive: true, mode: 0o700 });
  const store = await openStore({ db: opts.db, databaseUrl: opts.databaseUrl });
  const now = opts.now ?? (() => new Date());
  let bootstrapToken: string | undefined;
  // instances started together on one empty database all see no user: the one whose admin is created first bootstraps
  const admin = (await store.countUsers()) === 0 ? await store.createUser({ login: 'admin', name: 'Administrator', email: null, role: 'admin', org: null, org_admin: false }, now()).catch(alreadyCreated) : null;
  if (admin) {
    bootstrapToken = newToken();
    await store.createToken(admin.id, 'bootstrap', hashToken(bootstrapToken), now());
    if (opts.demo) await seedDemo(store, now);
  }
  const app = await buildApp({
    store, now, logger: opts.logger, autoCloseDays: opts.autoCloseDays, rateLimit: opts.rateLimit,
    requestTimeoutMs: opts.requestTimeoutMs, requesterQuotaBytes: opts.requesterQuotaBytes,
  });
  // Node's server.close() destroys a connection once its response has ended, even while a big answer is still
  // queued for a slow reader: wait (bounded) for answers in flight to reach their readers first
  const inFlight = new Set<ServerResponse>();
  app.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  app.addHook('preClose', async () => {
    const deadline = Date.now() + 10_000;
    while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  });
  await app.listen({ host: opts.host, port: opts.port });
  const sweep = (signal: AbortSignal) => app.tix.service.sweepAutoClose(signal).catch((err: unknown) => app.log.error(err));
  const every = opts.sweepEveryMs ?? 60_000;
  // the first sweep at once, then one each interval; closing waits for the one under way to stop between tickets
  const sweeps = every > 0 ? repeat(sweep, every, { now: true }) : undefined;
  await sweeps?.idle();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    app,
    store,
    url: `http://${host}:${port}`,
    bootstrapToken,
    async close() {
      await sweeps?.stop();
      // close() stops accepting and waits for in-flight requests before the store goes
      await app.close();
      await store.close();
    },
  };
}

/** Another instance created the admin between the count and the insert: nothing to bootstrap here. */
function alreadyCreated(err: unknown): null {
  if (err instanceof DomainError && err.code === 'conflict') return null;
  throw err;
}

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

