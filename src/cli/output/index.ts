// The CLI's one exporter: data to stdout as a table, TSV, JSON, NDJSON, CSV or ids.
export type { Column, Format, ListWriter, OutputOptions, Sink } from './types.js';
export { parseFields, pick } from './fields.js';
export { genericListWriter } from './list.js';
export { ticketListWriter } from './tickets.js';
export { printObject } from './object.js';
export { renderTicketDetail, type TicketExtras } from './detail.js';
export { relativeTime } from './time.js';
export { forTerminal, jsonText, messageText, multiLine, oneLine, spreadsheetText } from './text.js';
