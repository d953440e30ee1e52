// Attachment rules (docs/domain.md): at most 5 files per comment, 500 KB each, of known document/media types.
export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 500 * 1024;

export const ATTACHMENT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  txt: 'text/plain',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  har: 'application/json',
};

const extensionOf = (name: string) => /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();

/** The content type of an allowed file, or why it is refused. */
export function checkAttachment(name: string, size: number): { ok: true; contentType: string } | { ok: false; reason: string } {
  const ext = extensionOf(name);
  const type = ext ? ATTACHMENT_TYPES[ext] : undefined;
  if (!type) {
    return { ok: false, reason: `${name}: type not accepted; allowed: ${Object.keys(ATTACHMENT_TYPES).filter((e) => e !== 'jpeg').map((e) => e.toUpperCase()).join(', ')}` };
  }
  if (size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: `${name}: ${Math.ceil(size / 1024)} KB is over the 500 KB limit per file` };
  return { ok: true, contentType: type };
}

export function checkAttachmentCount(n: number): string | null {
  return n > MAX_ATTACHMENTS ? `${n} files attached; at most ${MAX_ATTACHMENTS} per comment` : null;
}

/** How a binary type's files begin: the declared extension must match the content. Text types are not checked. */
const SIGNATURES: Record<string, (b: Uint8Array) => boolean> = {
  pdf: (b) => indexOf(b.subarray(0, 1024), [0x25, 0x50, 0x44, 0x46, 0x2d]) >= 0, // %PDF-, within the first KB as readers allow
  png: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpg: (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  jpeg: (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  gif: (b) => startsWith(b, [0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61,
  xlsx: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]), // a ZIP container
  docx: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]),
  doc: (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), // an OLE compound file
  mp4: (b) => atom(b) === 'ftyp',
  mov: (b) => ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(atom(b)),
};

function startsWith(b: Uint8Array, sig: number[]): boolean {
  return b.length >= sig.length && sig.every((x, i) => b[i] === x);
}

function indexOf(b: Uint8Array, sig: number[]): number {
  for (let i = 0; i + sig.length <= b.length; i++) if (sig.every((x, j) => b[i + j] === x)) return i;
  return -1;
}

/** The type of a QuickTime/MP4 file's first box: shorter than any name when the file ends first. */
const atom = (b: Uint8Array) => String.fromCharCode(...b.subarray(4, 8));

/** Why the content of an allowed file does not match its type, or null when it does. */
export function checkAttachmentContent(name: string, data: Uint8Array): string | null {
  const ext = extensionOf(name);
  const matches = ext ? SIGNATURES[ext] : undefined;
  if (!matches || matches(data)) return null;
  return `${name}: the content is not a ${ext!.toUpperCase()} file; send the file with the extension of its real type`;
}
