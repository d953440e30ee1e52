// Attachment rules (DESIGN.md §2): at most 5 files per comment, 500 KB each, of known document/media types.
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
