// Shapes shared by every exporter in this folder; type-only so importing them costs nothing at run time.
import type { ChalkInstance } from 'chalk';

export type Format = 'table' | 'json' | 'ndjson' | 'csv' | 'ids';

export interface OutputOptions {
  /** 'table' is a coloured table on a TTY and header-less tab-separated values when piped. */
  format: Format;
  /** Only these fields, in this order (json, ndjson, csv); undefined means all. */
  fields?: string[];
  /** stdout is a TTY. */
  isTTY: boolean;
  /** Colour allowed: the caller has already resolved NO_COLOR, FORCE_COLOR and --no-color. */
  color: boolean;
  /** Terminal columns: the last table column is cut to fit. */
  width: number;
  /** The clock for relative times ("3h ago"). */
  now: Date;
}

/** Where output goes: process.stdout, or an in-memory sink in tests. */
export interface Sink {
  write(s: string): unknown;
}

/** Streams a list: every format but the TTY table writes each item as it arrives. */
export interface ListWriter<T> {
  write(item: T): void;
  end(): void;
}

/** One column of a table (TTY) or of tab-separated output (piped). */
export interface Column<T> {
  header: string;
  /** The raw value, printed as is when piped. */
  get(item: T): string;
  /** The raw value is an ISO time: shown relative ("3h ago") on a TTY. */
  time?: boolean;
  /** Colour for the shown value on a TTY. */
  paint?(value: string, c: ChalkInstance): string;
}
