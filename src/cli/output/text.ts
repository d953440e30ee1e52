// Text from customers is untrusted: control characters could break rows or inject terminal escapes.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** One line: tabs, newlines and other control characters become spaces. */
export function oneLine(s: string): string {
  return s.replace(CONTROL, ' ');
}

/** Keeps line breaks (CRLF normalised), replaces other control characters with spaces. */
export function multiLine(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(CONTROL_BUT_NEWLINE, ' ');
}
