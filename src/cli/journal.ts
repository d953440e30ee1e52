// The bulk journal: an append-only JSON-lines file, synced after each write, so a run killed
// half way resumes: finished tickets are skipped, batches in flight are re-sent with their keys.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { UsageError } from './errors.js';

export type Outcome = 'succeeded' | 'skipped' | 'failed';
export interface Finished {
  id: number;
  result: Outcome;
  error?: { code: string; message: string; status?: number };
}
type Line =
  | { kind: 'run'; fingerprint: string; command: string; at: string }
  | { kind: 'batch'; key: string; ids: number[] }
  | ({ kind: 'done' } & Finished);

export class Journal {
  readonly finished = new Map<number, Finished>();
  /** Batches sent but not answered when the last run stopped, in the order they were planned. */
  readonly unanswered: { key: string; ids: number[] }[] = [];
  private readonly fd: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** Opens (or starts) the journal of a run; a journal of another command or body is refused. */
  static open(path: string, fingerprint: string, command: string, now: Date): Journal {
    const lines: Line[] = [];
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      let kept = 0;
      for (const raw of text.split('\n')) {
        try {
          if (raw.trim()) lines.push(JSON.parse(raw) as Line);
        } catch {
          // a line torn by a crash mid-write, the last one: it was never acknowledged
          break;
        }
        kept += Buffer.byteLength(raw) + 1;
      }
      // cut the torn tail, so what this run appends starts on a line of its own
      if (kept < Buffer.byteLength(text)) truncateSync(path, kept);
    }
    const head = lines[0];
    if (head && (head.kind !== 'run' || head.fingerprint !== fingerprint)) {
      throw new UsageError(`journal ${path} belongs to another run (${head.kind === 'run' ? head.command : 'unknown'}); use a new --journal file`);
    }
    const journal = new Journal(path, openSync(path, 'a', 0o600));
    if (!head) journal.append({ kind: 'run', fingerprint, command, at: now.toISOString() });
    const batches: { key: string; ids: number[] }[] = [];
    for (const l of lines) {
      if (l.kind === 'batch') batches.push({ key: l.key, ids: l.ids });
      if (l.kind === 'done') journal.finished.set(l.id, { id: l.id, result: l.result, ...(l.error ? { error: l.error } : {}) });
    }
    for (const b of batches) if (b.ids.some((id) => !journal.finished.has(id))) journal.unanswered.push(b);
    return journal;
  }

  private append(...lines: Line[]) {
    writeSync(this.fd, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    fsyncSync(this.fd);
  }

  /** Written before the batch is sent: a resumed run re-sends it with the same key. */
  plan(key: string, ids: number[]) {
    this.append({ kind: 'batch', key, ids });
  }

  record(results: Finished[]) {
    if (results.length === 0) return;
    this.append(...results.map((r) => ({ kind: 'done' as const, ...r })));
    for (const r of results) this.finished.set(r.id, r);
  }

  close() {
    closeSync(this.fd);
  }
}
