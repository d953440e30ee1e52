// The TTY table: borderless like `gh`, bold headers, the last column cut to the terminal width.
import { makeChalk } from './color.js';
import { loadTable } from './lazy.js';
import { oneLine } from './text.js';
import type { Column, OutputOptions } from './types.js';

const GAP = 2;
const MIN_LAST_WIDTH = 10;
const FALLBACK_WIDTH = 80;
const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(GAP),
};

/** `rows` hold the values to show (already relative times); the last column absorbs the width left over. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly string[][], opts: OutputOptions): string {
  const c = makeChalk(opts);
  const cells = rows.map((row) => row.map(oneLine));
  const last = columns.length - 1;
  const fixedWidth = columns
    .slice(0, last)
    .reduce((sum, col, i) => sum + cells.reduce((w, row) => Math.max(w, row[i]!.length), col.header.length) + GAP, 0);
  const width = opts.width > 0 ? opts.width : FALLBACK_WIDTH;
  const Table = loadTable();
  const table = new Table({
    head: columns.map((col) => c.bold(col.header)),
    chars: NO_BORDER,
    // Empty styles keep cli-table3 from colouring on its own (it would ignore opts.color).
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: columns.map((_col, i) => (i === last ? Math.max(MIN_LAST_WIDTH, width - fixedWidth) : null)),
    wordWrap: false,
    truncate: '…',
  });
  for (const row of cells) table.push(row.map((text, i) => columns[i]!.paint?.(text, c) ?? text));
  return `${table.toString().replace(/ +$/gm, '')}\n`;
}
