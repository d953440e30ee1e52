// Whether anything committed to a WAL-mode SQLite database since the last look, read from the
// WAL-index header at the start of its -shm file (https://www.sqlite.org/walformat.html, 2.2.1).
// SQLite rewrites that header on every commit, whatever connection or process made it, and reading
// it takes no lock, where any query (PRAGMA data_version too) takes one and drops it again.
import { fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';

/** The first copy of the header: 48 bytes, in the machine's byte order, the format version first. */
const HEADER_BYTES = 48;
const WALINDEX_VERSION = 3007000;

/**
 * -shm descriptors by device and inode, kept open while the process lives: closing any descriptor
 * of a file drops every POSIX lock this process holds on it, SQLite's own among them.
 */
const descriptors = new Map<string, number>();

export class WalIndexWatch {
  private readonly buf = Buffer.alloc(HEADER_BYTES);
  private readonly words = new Int32Array(this.buf.buffer, this.buf.byteOffset, HEADER_BYTES / 4);
  private readonly seen = new Int32Array(HEADER_BYTES / 4);

  private constructor(private readonly fd: number) {}

  /**
   * A watch on the WAL-mode database file at `path` (open, with its -shm made), or null when its
   * header cannot be read as SQLite's: callers then ask SQLite itself every time.
   */
  static open(path: string): WalIndexWatch | null {
    if (process.platform === 'win32') return null;
    try {
      // SQLite names the -shm after the database's real path, past any symbolic link
      const shm = `${realpathSync(path)}-shm`;
      const st = statSync(shm);
      let fd = descriptors.get(`${st.dev}:${st.ino}`);
      if (fd === undefined) {
        fd = openSync(shm, 'r');
        // kept as the file it opened, should another have taken the name since the stat
        const opened = fstatSync(fd);
        descriptors.set(`${opened.dev}:${opened.ino}`, fd);
      }
      const watch = new WalIndexWatch(fd);
      watch.moved();
      return watch.words[0] === WALINDEX_VERSION ? watch : null;
    } catch {
      return null;
    }
  }

  /** True when the header changed since the last call: a commit, a checkpoint that restarted the WAL, or no header to read. */
  moved(): boolean {
    let read: number;
    try {
      read = readSync(this.fd, this.buf, 0, HEADER_BYTES, 0);
    } catch {
      return true;
    }
    if (read !== HEADER_BYTES) {
      this.seen.fill(0);
      return true;
    }
    let changed = false;
    for (let i = 0; i < this.seen.length; i++) {
      if (this.words[i] !== this.seen[i]) {
        this.seen[i] = this.words[i]!;
        changed = true;
      }
    }
    return changed;
  }
}
