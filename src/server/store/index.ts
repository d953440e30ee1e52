// Opens the store a server runs on, chosen by configuration: SQLite by default (a file, or ':memory:'),
// another database by the scheme of its URL. Adding a database is one entry here and a Store that passes
// the conformance suite; a store's driver loads only for a server that uses it.
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** The SQLite database file (or ':memory:'), used when no URL is given. */
  db?: string;
  /** A URL naming another database, e.g. postgres://…: the server keeps its data there. */
  databaseUrl?: string;
}

/** The databases a URL can name, by scheme. */
const BY_SCHEME: Record<string, (url: string) => Promise<Store>> = {
  postgres: async (url) => (await import('./postgres.js')).PostgresStore.open(url),
  postgresql: async (url) => (await import('./postgres.js')).PostgresStore.open(url),
};

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.databaseUrl) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(opts.databaseUrl)?.[1]?.toLowerCase() ?? '';
    const open = Object.hasOwn(BY_SCHEME, scheme) ? BY_SCHEME[scheme] : undefined;
    // the URL itself may carry a password: only its scheme is named
    if (!open) throw new Error(`no store for database URLs of scheme "${scheme}"; tix runs on SQLite (a file) or ${Object.keys(BY_SCHEME).map((s) => `${s}://`).join(', ')}`);
    return open(opts.databaseUrl);
  }
  const { SqliteStore } = await import('./sqlite.js');
  return new SqliteStore(opts.db ?? ':memory:');
}
