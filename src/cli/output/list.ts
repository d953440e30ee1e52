// One list exporter for every command: each format streams, except the TTY table which must measure first.
import { csvLine } from './csv.js';
import { pick } from './fields.js';
import { renderTable } from './table.js';
import { jsonText, oneLine } from './text.js';
import { relativeTime } from './time.js';
import type { Column, ListWriter, OutputOptions, Sink } from './types.js';
import { UsageError } from '../errors.js';

/** Streams `T`s in opts.format; `columns` shape the table (TTY) and the tab-separated lines (piped). */
export function genericListWriter<T extends object>(
  out: Sink,
  opts: OutputOptions,
  columns: readonly Column<T>[],
): ListWriter<T> {
  switch (opts.format) {
    case 'json':
      return jsonArrayWriter(out, opts.fields);
    case 'ndjson':
      return lineWriter(out, (item) => jsonText(pick(item, opts.fields)));
    case 'ids':
      return lineWriter(out, idOf);
    case 'csv':
      return csvWriter(out, opts.fields);
    case 'table':
      if (opts.isTTY) return tableWriter(out, opts, columns);
      return lineWriter(out, (item) => columns.map((col) => oneLine(col.get(item))).join('\t'));
  }
}

function lineWriter<T>(out: Sink, line: (item: T) => string): ListWriter<T> {
  return { write: (item) => void out.write(`${line(item)}\n`), end: () => {} };
}

function idOf(item: object): string {
  if (!('id' in item)) throw new UsageError('the ids format needs records with an id; use --format json');
  return oneLine(String(item.id));
}

// '[' waits for the first item so a request that fails before any item leaves stdout empty.
function jsonArrayWriter<T extends object>(out: Sink, fields?: string[]): ListWriter<T> {
  let count = 0;
  return {
    write(item) {
      out.write((count++ === 0 ? '[' : ',\n') + jsonText(pick(item, fields)));
    },
    end() {
      out.write(count === 0 ? '[]\n' : ']\n');
    },
  };
}

// Without chosen fields the header comes from the first item, so an empty list prints nothing.
function csvWriter<T extends object>(out: Sink, fields?: string[]): ListWriter<T> {
  let header = fields;
  let started = false;
  const start = (first?: T) => {
    if (started) return;
    started = true;
    header ??= first && Object.keys(first);
    if (header) out.write(csvLine(header));
  };
  return {
    write(item) {
      start(item);
      out.write(csvLine(header!.map((field) => (item as Record<string, unknown>)[field])));
    },
    end: () => start(),
  };
}

function tableWriter<T>(out: Sink, opts: OutputOptions, columns: readonly Column<T>[]): ListWriter<T> {
  const rows: string[][] = [];
  const shown = (col: Column<T>, item: T) => {
    const value = col.get(item);
    return col.time && value !== '' ? relativeTime(value, opts.now) : value;
  };
  return {
    write: (item) => void rows.push(columns.map((col) => shown(col, item))),
    end() {
      // An empty table prints nothing: the caller says "no tickets" on stderr.
      if (rows.length > 0) out.write(renderTable(columns, rows, opts));
    },
  };
}
