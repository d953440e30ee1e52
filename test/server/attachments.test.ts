// Attachments over real HTTP: names in any script come back intact, content must match a binary type, requesters have a storage quota.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/server/app.js';
import { asciiFallback, contentDisposition } from '../../src/server/disposition.js';
import { problemOf, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const srv of servers.splice(0)) await srv.close();
});

async function listening(app: Partial<Omit<AppOptions, 'store' | 'now'>> = {}) {
  const srv = await startServer({ app });
  servers.push(srv);
  await srv.app.listen({ host: '127.0.0.1', port: 0 });
  const address = srv.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { srv, url };
}

const PDF = (text: string) => Buffer.from(`%PDF-1.7\n%âãÏÓ\n1 0 obj << /Title (${text}) >> endobj\n%%EOF\n`, 'latin1');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** Posts one comment with `files` as `as`, through real HTTP. */
async function attach(srv: TestServer, url: string, as: string, ticketId: number, files: Array<{ name: string; data: Buffer }>) {
  const res = await fetch(`${url}/v1/tickets/${ticketId}/comments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.tokens.get(as)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'files attached', public: true, attachments: files.map((f) => ({ name: f.name, data: f.data.toString('base64') })) }),
  });
  return { status: res.status, body: (await res.json()) as { attachments?: Array<{ id: number; name: string }>; code?: string; detail?: string } };
}

/** The file name a Content-Disposition header gives, as RFC 6266 clients read it: filename* first. */
function nameFrom(header: string): string {
  const ext = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (ext) return decodeURIComponent(ext[1]!);
  return /filename="([^"]*)"/.exec(header)![1]!;
}

describe('attachment names in any script', () => {
  it.each([
    ['отчёт_2026.pdf', PDF('otchet')],
    ['報告.txt', Buffer.from('四半期報告\n')],
    ['résumé.pdf', PDF('resume')],
    ['plain name.png', PNG],
    ['quote"and 100%.txt', Buffer.from('odd but fine\n')],
  ])('%s is downloaded intact, with its name, as its declared type and nothing else', async (name, data) => {
    const { srv, url } = await listening();
    const t = await srv.open('carol');
    const posted = await attach(srv, url, 'carol', t.id, [{ name, data }]);
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const id = posted.body.attachments![0]!.id;
    const res = await fetch(`${url}/v1/attachments/${id}`, { headers: { authorization: `Bearer ${srv.tokens.get('carol')}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const disposition = res.headers.get('content-disposition')!;
    // the header itself is ASCII; the name travels percent-encoded UTF-8 beside an ASCII stand-in
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]*"/);
    expect([...disposition].every((c) => c.charCodeAt(0) < 0x7f)).toBe(true);
    expect(nameFrom(disposition)).toBe(name);
  });

  it('the ASCII stand-in keeps what it can of the name', () => {
    expect(asciiFallback('résumé.pdf')).toBe('resume.pdf');
    expect(asciiFallback('отчёт_2026.pdf')).toBe('______2026.pdf');
    expect(asciiFallback('a"b\\c%d\r\n.txt')).toBe('a_b_c_d__.txt');
    expect(contentDisposition('notes.txt')).toBe('attachment; filename="notes.txt"');
    expect(contentDisposition("it's (final)*.txt")).toBe(`attachment; filename="it's (final)*.txt"`);
    expect(contentDisposition('報告 (1).txt')).toBe(`attachment; filename="__ (1).txt"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%281%29.txt`);
  });
});

describe('binary types are checked by content', () => {
  it.each([
    ['page.png', Buffer.from('<html><script>alert(1)</script></html>')],
    ['report.pdf', Buffer.from('<!doctype html><p>not a pdf</p>')],
    ['photo.jpg', PNG],
    ['anim.gif', PDF('x')],
    ['sheet.xlsx', Buffer.from('<html></html>')],
    ['letter.doc', Buffer.from('{\\rtf1 not an OLE file}')],
    ['clip.mp4', Buffer.from('<svg onload=alert(1)>')],
    ['empty.png', Buffer.alloc(0)],
  ])('%s whose bytes are another type is 400, and nothing is stored', async (name, data) => {
    const { srv, url } = await listening();
    const t = await srv.open('carol');
    const posted = await attach(srv, url, 'alice', t.id, [{ name, data }]);
    expect(posted.status).toBe(400);
    expect(posted.body.detail).toMatch(/content is not/);
    expect(await srv.comments(t.id)).toHaveLength(0);
  });

  it.each([
    ['photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46])],
    ['anim.gif', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['sheet.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])],
    ['letter.doc', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0])],
    ['clip.mp4', Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32])],
    ['clip.mov', Buffer.from([0, 0, 0, 0x14, 0x6d, 0x6f, 0x6f, 0x76, 0, 0, 0, 0])],
    ['notes.txt', Buffer.from('<html> in a text file is text, served as text/plain with nosniff')],
  ])('%s whose bytes match is accepted', async (name, data) => {
    const { srv, url } = await listening();
    const t = await srv.open('carol');
    expect((await attach(srv, url, 'alice', t.id, [{ name, data }])).status).toBe(201);
  });
});

describe('requester storage quota', () => {
  const file = (kb: number) => ({ name: 'scan.pdf', data: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(kb * 1024 - 9, 0x20)]) });

  it('past the quota a requester gets 413 quota_exceeded and nothing is stored; agents and other requesters are not held to it', async () => {
    const { srv, url } = await listening({ requesterQuotaBytes: 1200 * 1024 });
    const t = await srv.open('carol');
    expect((await attach(srv, url, 'carol', t.id, [file(400), file(400)])).status).toBe(201);
    const before = await srv.comments(t.id);
    const over = await attach(srv, url, 'carol', t.id, [file(300), file(300)]);
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ code: 'quota_exceeded', status: 413 });
    expect(over.body.detail).toMatch(/quota of 1\.2 MB/);
    expect(await srv.comments(t.id)).toEqual(before);
    // what still fits is taken
    expect((await attach(srv, url, 'carol', t.id, [file(300)])).status).toBe(201);
    // a comment without files is never held up
    expect((await srv.call('carol', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'and one more thing' })).statusCode).toBe(201);
    expect((await attach(srv, url, 'alice', t.id, [file(450), file(450), file(450)])).status).toBe(201);
    const d = await srv.open('dave');
    expect((await attach(srv, url, 'dave', d.id, [file(450), file(450)])).status).toBe(201);
  });

  it('the quota counts through /v1/batch too, and out of reach is 404 before the quota is named', async () => {
    const srv = await startServer({ app: { requesterQuotaBytes: 500 * 1024 } });
    servers.push(srv);
    const t = await srv.open('carol');
    const op = (id: number) => ({ op: 'comment', id, body: { body: 'scan', attachments: [{ name: 'scan.pdf', data: file(300).data.toString('base64') }] } });
    const res = await srv.call('carol', 'POST', '/v1/batch', { operations: [op(t.id), op(t.id)] });
    expect((res.json() as { results: Array<{ status: number; error?: { code: string } }> }).results.map((r) => [r.status, r.error?.code])).toEqual([
      [200, undefined],
      [413, 'quota_exceeded'],
    ]);
    const other = await srv.call('zed', 'POST', `/v1/tickets/${t.id}/comments`, op(t.id).body);
    expect(other.statusCode).toBe(404);
    expect(problemOf(other).detail).not.toMatch(/quota/);
  });

  it('two uploads at once cannot both squeeze under the quota', async () => {
    const srv = await startServer({ app: { requesterQuotaBytes: 500 * 1024 } });
    servers.push(srv);
    const t = await srv.open('carol');
    const upload = () => srv.call('carol', 'POST', `/v1/tickets/${t.id}/comments`, { body: 'scan', attachments: [{ name: 'scan.pdf', data: file(300).data.toString('base64') }] });
    const answers = await Promise.all([upload(), upload(), upload()]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 413, 413]);
    expect(await srv.store.attachmentBytesBy('carol')).toBe(300 * 1024);
  });

  it('has a default', async () => {
    const { DEFAULT_REQUESTER_QUOTA_BYTES } = await import('../../src/server/service.js');
    expect(DEFAULT_REQUESTER_QUOTA_BYTES).toBe(25 * 1024 * 1024);
  });
});
