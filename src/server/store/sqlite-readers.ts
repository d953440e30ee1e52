// A small pool of worker threads, each with its own read-only connection to the SQLite file: heavy
// reads (ticket lists) run there, so one costly query never holds up the event loop. WAL lets these
// readers run beside the writer and see every committed change.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Raw rows with their column names, as one worker read them in one statement. */
export interface ReadResult {
  columns: string[];
  rows: unknown[][];
}

/** The failure of a read in a worker, carried back with SQLite's code. */
export class ReaderError extends Error {
  override readonly name = 'ReaderError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

// Plain CommonJS, run with eval: the same source serves the TypeScript sources and the bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', ({ id, sql, params }) => {
  try {
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size > 200) statements.clear();
      stmt = db.prepare(sql).raw(true);
      statements.set(sql, stmt);
    }
    const rows = stmt.all(...params);
    parentPort.postMessage({ id, columns: stmt.columns().map((c) => c.name), rows });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

interface Job {
  id: number;
  sql: string;
  params: unknown[];
  resolve(r: ReadResult): void;
  reject(err: Error): void;
}

interface Reader {
  worker: Worker;
  job?: Job;
}

export class SqliteReaders {
  private readers: Reader[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');

  constructor(
    private readonly path: string,
    private readonly size: number,
  ) {}

  /** Runs one SELECT on a reader; the workers start with the first read. */
  all(sql: string, params: unknown[]): Promise<ReadResult> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    while (this.readers.length < this.size) this.readers.push(this.spawn());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, sql, params, resolve, reject });
      this.dispatch();
    });
  }

  /** Reads being run by a worker at this moment. */
  get busy(): number {
    return this.readers.filter((r) => r.job).length;
  }

  /** Workers running now (they start with the first read). */
  get running(): number {
    return this.readers.length;
  }

  async close() {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the store is closed'));
    const readers = this.readers;
    this.readers = [];
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }

  private spawn(): Reader {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: this.path, driver: this.driver } });
    // an idle reader never keeps the process alive; a busy one does, until its answer is in
    worker.unref();
    const reader: Reader = { worker };
    worker.on('message', (m: { id: number; columns?: string[]; rows?: unknown[][]; error?: { message: string; code?: string } }) => {
      const job = reader.job;
      if (!job || job.id !== m.id) return;
      reader.job = undefined;
      worker.unref();
      if (m.error) job.reject(new ReaderError(m.error.message, m.error.code));
      else job.resolve({ columns: m.columns!, rows: m.rows! });
      this.dispatch();
    });
    const lost = (err: Error) => {
      // its own read fails, also when the store closes under it
      const job = reader.job;
      reader.job = undefined;
      job?.reject(err);
      const at = this.readers.indexOf(reader);
      if (at === -1) return;
      // the next read starts a new reader in its place
      this.readers.splice(at, 1);
      if (this.queue.length > 0) {
        while (this.readers.length < this.size) this.readers.push(this.spawn());
        this.dispatch();
      }
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a database reader stopped (exit ${code})`)));
    return reader;
  }

  private dispatch() {
    for (const reader of this.readers) {
      if (reader.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      reader.job = job;
      reader.worker.ref();
      reader.worker.postMessage({ id: job.id, sql: job.sql, params: job.params });
    }
  }
}
