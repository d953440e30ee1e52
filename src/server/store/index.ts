// Opens the store a server runs on: SQLite by default, PostgreSQL when a database URL is given.
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** The SQLite database file (or ':memory:'), used when no URL is given. */
  db?: string;
  /** A postgres:// URL: the server keeps its data in that PostgreSQL database. */
  databaseUrl?: string;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.databaseUrl) {
    // the PostgreSQL driver loads only for a server that uses it
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(opts.databaseUrl);
  }
  const { SqliteStore } = await import('./sqlite.js');
  return new SqliteStore(opts.db ?? ':memory:');
}
