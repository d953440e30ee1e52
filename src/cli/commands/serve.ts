// tix serve: the reference API on an embedded SQLite database, or on PostgreSQL given a database URL.
import { join } from 'node:path';
import { parsePort, parseRateLimit } from '../args.js';
import { dataDir } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

export async function run(ctx: Context, _args: string[], opts: Record<string, unknown>) {
  // every value below has its default in the command tree, so it is never missing here
  const port = parsePort(opts.port);
  const host = String(opts.host);
  const db = typeof opts.db === 'string' ? opts.db : join(dataDir(ctx.env), 'tix.db');
  const databaseUrl = typeof opts.databaseUrl === 'string' ? opts.databaseUrl : ctx.env.TIX_DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError('invalid --database-url: expected postgres://…');
  if (databaseUrl !== undefined && typeof opts.db === 'string') throw new UsageError('--db and --database-url exclude each other');
  const autoCloseDays = Number(opts.autoCloseDays);
  if (!Number.isInteger(autoCloseDays) || autoCloseDays < 1) throw new UsageError(`invalid --auto-close-days "${String(opts.autoCloseDays)}"`);
  const rateLimit = parseRateLimit(String(opts.rateLimit));
  const requestTimeout = Number(opts.requestTimeout);
  if (!Number.isFinite(requestTimeout) || requestTimeout < 1 || requestTimeout > 3600) throw new UsageError(`invalid --request-timeout "${String(opts.requestTimeout)}"; seconds, from 1 to 3600`);
  const quota = Number(opts.attachmentQuota);
  if (!Number.isFinite(quota) || quota < 0) throw new UsageError(`invalid --attachment-quota "${String(opts.attachmentQuota)}"; megabytes, 0 for no limit`);
  const { startServer, isLoopback } = await import('../../server/main.js');
  const server = await startServer({
    host, port, db, databaseUrl, demo: Boolean(opts.demo), logger: Boolean(ctx.globals.debug), autoCloseDays, rateLimit,
    requestTimeoutMs: Math.round(requestTimeout * 1000), requesterQuotaBytes: Math.round(quota * 1024 * 1024),
  });
  try {
    ctx.io.stderr.write(`tix: listening on ${server.url} (database ${databaseUrl ? redactUrl(databaseUrl) : db})\n`);
    if (server.bootstrapToken) {
      ctx.io.stderr.write(`tix: created user admin; its token, shown once: ${server.bootstrapToken}\n`);
      if (isLoopback(host)) {
        const config = await ctx.config();
        await config.saveProfile('local', { url: server.url, user: 'admin' });
        await ctx.saveToken('local', server.bootstrapToken);
        if (!config.defaultProfile) await config.setDefaultProfile('local');
        ctx.io.stderr.write('tix: saved as profile "local"; try `tix list` in another terminal\n');
      }
    }
  } catch (err) {
    // a server that cannot finish starting must not linger
    await server.close();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      ctx.io.stderr.write('tix: shutting down after in-flight requests\n');
      server.close().then(resolve, resolve);
    };
    process.removeAllListeners('SIGINT');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** The URL without its password, fit to print. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
