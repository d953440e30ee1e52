// Attachments: at most 5 files per comment, 500 KB each, of the accepted types; anything else is refused clearly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiFailure, api, commentsOf, createTicket, tix, serverForFile } from '../helpers/tix.js';

const { server, users } = serverForFile();
const dir = mkdtempSync(join(tmpdir(), 'tix-attach-'));
const file = (name: string, bytes: number | string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, typeof bytes === 'number' ? Buffer.alloc(bytes, 7) : bytes);
  return path;
};
/** `bytes` long, beginning as files of that type begin (the server checks binary types by content). */
const signed = (signature: number[] | string, bytes: number) => Buffer.concat([typeof signature === 'string' ? Buffer.from(signature) : Buffer.from(signature), Buffer.alloc(bytes - signature.length, 7)]);
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];


describe('attachments', () => {
  it('a comment carries accepted files, and the server returns the same bytes', async () => {
    const t = await createTicket(server, { subject: 'with a HAR' });
    const har = file('session.har', '{"log":{"entries":[]}}');
    const png = file('screen.png', signed(PNG, 2048));
    const r = await tix(['comment', String(t.id), '--body', 'capture attached', '--attach', har, png], { server });
    expect(r.code).toBe(0);
    const [c] = await commentsOf(server, t.id);
    const attached = (c as unknown as { attachments: { id: number; name: string; size: number; content_type: string }[] }).attachments;
    expect(attached.map((a) => [a.name, a.size, a.content_type])).toEqual([
      ['session.har', 22, 'application/json'],
      ['screen.png', 2048, 'image/png'],
    ]);
    const res = await fetch(`${server.url}/v1/attachments/${attached[0]!.id}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"log":{"entries":[]}}');
  });

  it('refuses an unaccepted type, a file over 500 KB and a sixth file, with exit 2 and nothing posted', async () => {
    const t = await createTicket(server, { subject: 'bad files' });
    const exe = await tix(['comment', String(t.id), '--body', 'x', '--attach', file('tool.exe', 10)], { server });
    expect(exe.code).toBe(2);
    expect(exe.stderr).toMatch(/tool\.exe: type not accepted; allowed: CSV, TSV, XLSX, DOC, DOCX, PDF, TXT, JPG, PNG, GIF, MP4, MOV, HAR/);
    const big = await tix(['comment', String(t.id), '--body', 'x', '--attach', file('big.pdf', 500 * 1024 + 1)], { server });
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/over the 500 KB limit/);
    const six = Array.from({ length: 6 }, (_, i) => file(`f${i}.txt`, 'hi'));
    const many = await tix(['comment', String(t.id), '--body', 'x', '--attach', ...six], { server });
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/at most 5/);
    const exactly500 = await tix(['comment', String(t.id), '--body', 'x', '--attach', file('ok.pdf', signed('%PDF-1.7\n', 500 * 1024))], { server });
    expect(exactly500.code).toBe(0);
    expect(await commentsOf(server, t.id)).toHaveLength(1);
  });

  it('the API refuses the same files sent directly, whatever the client', async () => {
    const t = await createTicket(server, { subject: 'api files' });
    const post = (attachments: { name: string; data: string }[]) =>
      api(server, 'POST', `/v1/tickets/${t.id}/comments`, { body: { body: 'x', attachments } }).then(
        () => 201,
        (e: ApiFailure) => e.status,
      );
    expect(await post([{ name: 'virus.exe', data: 'aGk=' }])).toBe(400);
    expect(await post([{ name: 'big.pdf', data: Buffer.alloc(500 * 1024 + 1).toString('base64') }])).toBe(400);
    expect(await post(Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: 'aGk=' })))).toBe(400);
    expect(await post([{ name: 'notes.txt', data: 'aGk=' }])).toBe(201);
    expect(await commentsOf(server, t.id)).toHaveLength(1);
  });

  it('a requester cannot fetch the attachment of an internal comment on their own ticket', async () => {
    const t = await createTicket(server, { subject: 'mine' }, users.acmeRequester.token);
    await tix(['comment', String(t.id), '--body', 'internal log', '--attach', file('internal.txt', 'secret log')], { server });
    const [c] = await commentsOf(server, t.id);
    const id = (c as unknown as { attachments: { id: number }[] }).attachments[0]!.id;
    const res = await fetch(`${server.url}/v1/attachments/${id}`, { headers: { authorization: `Bearer ${users.acmeRequester.token}` } });
    expect(res.status).toBe(404);
    const staff = await fetch(`${server.url}/v1/attachments/${id}`, { headers: { authorization: `Bearer ${users.agent.token}` } });
    expect(staff.status).toBe(200);
  });
});
