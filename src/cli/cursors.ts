// Named feed positions (`--cursor NAME`), one small file each in the config folder, written
// atomically (a temporary file renamed over the old one) so a run killed mid-write loses nothing.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './config.js';
import { UsageError } from './errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface SavedCursor {
  /** The id of the last event printed: the next run starts after it. */
  after: string;
  /** The server it was read from, for the reader's information. */
  url: string;
  saved_at: string;
}

export class CursorFile {
  readonly path: string;
  private last?: string;

  constructor(env: NodeJS.ProcessEnv, readonly name: string) {
    if (!NAME.test(name)) throw new UsageError(`invalid --cursor "${name}"; use letters, digits, dot, dash or underscore (up to 64)`);
    this.path = join(configDir(env), 'cursors', `${name}.json`);
  }

  /** The saved position, or undefined on a first run. */
  read(): SavedCursor | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const saved = JSON.parse(text) as Partial<SavedCursor>;
      if (typeof saved.after === 'string' && /^(0|[1-9]\d{0,15})$/.test(saved.after)) {
        this.last = saved.after;
        return saved as SavedCursor;
      }
    } catch {
      // fall through: a damaged file is named, never silently restarted from the beginning
    }
    throw new UsageError(`cursor file ${this.path} is damaged; delete it to start "${this.name}" afresh`);
  }

  save(after: string, url: string, now: Date): void {
    if (after === this.last) return;
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const saved: SavedCursor = { after, url, saved_at: now.toISOString() };
    writeFileSync(tmp, `${JSON.stringify(saved)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
    this.last = after;
  }
}
