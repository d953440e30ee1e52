// Attachment rules on their own: allowed types, the size limit at its edge, and content that must match its type.
import { describe, expect, it } from 'vitest';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, checkAttachment, checkAttachmentContent, checkAttachmentCount } from '../../src/domain/attachments.js';

const bytes = (...parts: Array<number[] | string>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
const pad = (b: Uint8Array, n = 64) => new Uint8Array([...b, ...new Array(n).fill(0x20)]);

describe('checkAttachment', () => {
  it.each(Object.entries(ATTACHMENT_TYPES))('accepts .%s as %s, whatever the case of the extension', (ext, type) => {
    expect(checkAttachment(`report.${ext}`, 10)).toEqual({ ok: true, contentType: type });
    expect(checkAttachment(`REPORT.${ext.toUpperCase()}`, 10)).toEqual({ ok: true, contentType: type });
  });
  it('gives each extension its registered media type', () =>
    expect(ATTACHMENT_TYPES).toEqual({
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
    }));
  it.each(['setup.exe', 'notes', 'archive.tar.gz', 'report.pdf.', 'page.html', '.pdf.exe'])('refuses %s, naming the allowed types', (name) => {
    const r = checkAttachment(name, 10);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining(`${name}: type not accepted; allowed: CSV, TSV, XLSX, DOC, DOCX, PDF, TXT, JPG, PNG, GIF, MP4, MOV, HAR`) });
  });
  it('accepts exactly 500 KB and refuses one byte more', () => {
    expect(checkAttachment('a.pdf', MAX_ATTACHMENT_BYTES)).toMatchObject({ ok: true });
    expect(checkAttachment('a.pdf', MAX_ATTACHMENT_BYTES + 1)).toEqual({ ok: false, reason: 'a.pdf: 501 KB is over the 500 KB limit per file' });
  });
  it('allows five files a comment, not six', () => {
    expect(checkAttachmentCount(MAX_ATTACHMENTS)).toBeNull();
    expect(checkAttachmentCount(MAX_ATTACHMENTS + 1)).toBe('6 files attached; at most 5 per comment');
  });
});

describe('checkAttachmentContent', () => {
  const real: Record<string, Uint8Array> = {
    pdf: pad(bytes('%PDF-1.7\n')),
    png: pad(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    jpg: pad(bytes([0xff, 0xd8, 0xff, 0xe0])),
    jpeg: pad(bytes([0xff, 0xd8, 0xff, 0xe1])),
    gif: pad(bytes('GIF89a')),
    xlsx: pad(bytes([0x50, 0x4b, 0x03, 0x04])),
    docx: pad(bytes([0x50, 0x4b, 0x03, 0x04])),
    doc: pad(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
    mp4: pad(bytes([0, 0, 0, 0x20], 'ftypisom')),
    mov: pad(bytes([0, 0, 0, 0x14], 'moov')),
  };
  it.each(Object.keys(real))('accepts a real %s', (ext) => expect(checkAttachmentContent(`file.${ext}`, real[ext]!)).toBeNull());
  it.each(Object.keys(real))('refuses an HTML page named .%s, saying what it is not', (ext) => {
    expect(checkAttachmentContent(`file.${ext}`, pad(bytes('<html><script>alert(1)</script>')))).toBe(
      `file.${ext}: the content is not a ${ext.toUpperCase()} file; send the file with the extension of its real type`,
    );
  });
  it('finds %PDF- anywhere in the first kilobyte, not after it', () => {
    expect(checkAttachmentContent('a.pdf', bytes(' '.repeat(1000), '%PDF-1.4'))).toBeNull();
    expect(checkAttachmentContent('a.pdf', bytes(' '.repeat(1024), '%PDF-1.4'))).not.toBeNull();
    expect(checkAttachmentContent('a.pdf', bytes('%PDF-'))).toBeNull();
    expect(checkAttachmentContent('a.pdf', bytes('%PDF'))).not.toBeNull();
  });
  it('wants every byte of a signature, not one of them', () => {
    expect(checkAttachmentContent('a.png', pad(bytes([0x89, 0x00, 0x00, 0x00, 0x0d, 0x0a, 0x1a, 0x0a])))).not.toBeNull();
    expect(checkAttachmentContent('a.pdf', pad(bytes('100% a PDF-like text file')))).not.toBeNull();
    expect(checkAttachmentContent('a.gif', pad(bytes('XXXX9a')))).not.toBeNull();
  });
  it('accepts a file that is exactly its signature', () => {
    expect(checkAttachmentContent('a.png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeNull();
    expect(checkAttachmentContent('a.jpg', bytes([0xff, 0xd8, 0xff]))).toBeNull();
    expect(checkAttachmentContent('a.mp4', bytes([0, 0, 0, 0x08], 'ftyp'))).toBeNull();
  });
  it('takes GIF87a and GIF89a only', () => {
    expect(checkAttachmentContent('a.gif', pad(bytes('GIF87a')))).toBeNull();
    expect(checkAttachmentContent('a.gif', pad(bytes('GIF88a')))).not.toBeNull();
    expect(checkAttachmentContent('a.gif', pad(bytes('GIF89b')))).not.toBeNull();
    expect(checkAttachmentContent('a.gif', pad(bytes('GIF7')))).not.toBeNull();
  });
  it('refuses a file shorter than its signature, and a QuickTime box it does not know', () => {
    expect(checkAttachmentContent('a.png', bytes([0x89, 0x50, 0x4e]))).not.toBeNull();
    expect(checkAttachmentContent('a.doc', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a]))).not.toBeNull();
    expect(checkAttachmentContent('a.mp4', bytes([0, 0, 0, 0x20], 'fty'))).not.toBeNull();
    expect(checkAttachmentContent('a.mov', pad(bytes([0, 0, 0, 0x14], 'abcd')))).not.toBeNull();
    expect(checkAttachmentContent('a.mp4', pad(bytes([0, 0, 0, 0x14], 'moov')))).not.toBeNull();
    for (const box of ['ftyp', 'mdat', 'wide', 'free', 'skip', 'pnot']) expect(checkAttachmentContent('a.mov', pad(bytes([0, 0, 0, 0x14], box)))).toBeNull();
  });
  it('does not look into text types', () => {
    for (const ext of ['csv', 'tsv', 'txt', 'har']) expect(checkAttachmentContent(`a.${ext}`, bytes([0x00, 0xff, 0x01]))).toBeNull();
    expect(checkAttachmentContent('no-extension', bytes([0x00]))).toBeNull();
  });
});
