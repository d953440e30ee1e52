// One record (a ticket, an escalation, a user): JSON for machines, the command's own view for people.
import { pick } from './fields.js';
import { genericListWriter } from './list.js';
import { forTerminal, jsonText } from './text.js';
import type { OutputOptions, Sink } from './types.js';

export function printObject<T extends object>(
  out: Sink,
  value: T,
  opts: OutputOptions,
  human: (value: T) => string,
): void {
  switch (opts.format) {
    case 'json':
      out.write(`${jsonText(pick(value, opts.fields), 2)}\n`);
      return;
    case 'csv':
    case 'ndjson':
    case 'ids': {
      // A one-item list is exactly what these formats promise: a header and a row, one line, one id.
      const writer = genericListWriter<T>(out, opts, []);
      writer.write(value);
      writer.end();
      return;
    }
    case 'table': {
      const text = human(forTerminal(value));
      if (text !== '') out.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }
}
