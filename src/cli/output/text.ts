// The one sanitizer for what people read. Customer text and server answers are untrusted: a control
// character could rewrite the screen, write the clipboard (OSC 52), hide a link (OSC 8) or text
// (ESC[8m); a bidi override or isolate, or U+2028/9, could show text in another order than it is.
// Each such character is shown as a visible `\u{1b}`-style marker; tabs and line breaks become spaces
// where a value must stay on one line. JSON escapes the same characters as \uXXXX (same string once
// parsed); CSV cells get the markers too, and cells a spreadsheet would run as a formula get a quote.

/** C0 and C1 controls, DEL, bidi marks, embeddings, overrides and isolates, line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same set less what a CSV cell may hold as is: tab, line feed, and a carriage return that ends a line. */
const UNSAFE_IN_CSV = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;
/** What JSON.stringify leaves raw in strings (it escapes C0 itself; the line breaks it writes between members are layout). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const HAS_UNSAFE_IN_JSON = new RegExp(UNSAFE_IN_JSON.source);
/** A cell a spreadsheet reads as a formula (OWASP's list): it gets a leading single quote. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A tix token: the shape commander's errors redact in program.ts (which keeps a copy: start-up may share no module with the command chunks). */
const TOKEN_SHAPED = /\btix_[A-Za-z0-9_-]{16,}/g;

/** `\u{1b}` for ESC, `\u{202e}` for RIGHT-TO-LEFT OVERRIDE: visible, and never read as the character itself. */
const marker = (ch: string) => `\\u{${ch.codePointAt(0)!.toString(16)}}`;

/** One line: tabs and line breaks become spaces, every other unsafe character a marker. */
export function oneLine(s: string): string {
  return s.replace(UNSAFE, (ch) => (ch === '\t' || ch === '\n' || ch === '\r' ? ' ' : marker(ch)));
}

/** Keeps line breaks (CRLF and CR become LF), tabs become spaces, every other unsafe character a marker. */
export function multiLine(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(UNSAFE, (ch) => (ch === '\n' ? ch : ch === '\t' ? ' ' : marker(ch)));
}

/** A copy of a server record with every string in it made safe to print, line breaks kept: the input of every human view. */
export function forTerminal<T>(value: T): T {
  if (typeof value === 'string') return multiLine(value) as T;
  if (Array.isArray(value)) return value.map(forTerminal) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [oneLine(k), forTerminal(v)])) as T;
  }
  return value;
}

/** JSON whose strings carry no raw control, bidi or separator character: each is a \uXXXX escape, so it parses to the same value. */
export function jsonText(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent);
  // a test before the replace: most records hold nothing to escape, and then cost ~15% over JSON.stringify, not ~80%
  return HAS_UNSAFE_IN_JSON.test(json) ? json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** A CSV cell's text: markers for unsafe characters, and a leading quote on a cell a spreadsheet would run as a formula. */
export function spreadsheetText(s: string): string {
  const clean = s.replace(UNSAFE_IN_CSV, marker);
  return FORMULA_START.test(s) ? `'${clean}` : clean;
}

/** An error message or a trace line: one line, no unsafe character, no token-shaped word. */
export function messageText(s: string): string {
  return oneLine(s.replace(TOKEN_SHAPED, 'tix_[redacted]'));
}
