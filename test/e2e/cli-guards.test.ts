// Guards a script leans on: a journal belongs to one run, a negated state term is the state asked for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTicket, eventsOf, getTicket, tix, serverForFile } from '../helpers/tix.js';

const { server } = serverForFile();
const scratch = mkdtempSync(join(tmpdir(), 'tix-guards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const open = async (subject: string) => (await createTicket(server, { subject, description: 'Seen from the portal since Monday.' })).id;

describe('a bulk journal', () => {
  it('refuses a re-run with another resolution, and that run changes nothing', async () => {
    const [a, b] = [await open('Export stuck at 99%'), await open('Export stuck at 98%')];
    const journal = join(scratch, 'close.journal');
    const first = await tix(['close', String(a), '--resolution', 'fixed in 2.4.2', '--journal', journal], { server });
    expect(first.code).toBe(0);
    const other = await tix(['close', String(a), String(b), '--resolution', 'duplicate of 12', '--journal', journal], { server });
    expect([other.code, other.stderr]).toEqual([2, expect.stringMatching(/belongs to another run/)]);
    expect((await getTicket(server, b)).status).toBe('new');
    expect((await eventsOf(server, a)).filter((e) => e.kind === 'closed').map((e) => e.note)).toEqual(['fixed in 2.4.2']);
  });
  it('refuses a re-run of the same command with another target status', async () => {
    const a = await open('Password reset mail never arrives');
    const journal = join(scratch, 'move.journal');
    expect((await tix(['move', String(a), '--to', 'pending_customer', '--journal', journal], { server })).code).toBe(0);
    const other = await tix(['move', String(a), '--to', 'customer_testing', '--journal', journal], { server });
    expect(other.code).toBe(2);
    expect((await getTicket(server, a)).status).toBe('pending_customer');
  });
});

describe('a negated state term', () => {
  it('lists done tickets for -state:open, not an empty queue', async () => {
    const [done, open1] = [await open('Invoice PDF shows the wrong VAT'), await open('Invoice PDF is blank')];
    expect((await tix(['close', String(done), '--resolution', 'template fixed'], { server })).code).toBe(0);
    const r = await tix(['list', '-state:open', '--format', 'ids', '--limit', '1000'], { server });
    expect(r.code).toBe(0);
    const ids = r.stdout.trim().split('\n').map(Number);
    expect(ids).toContain(done);
    expect(ids).not.toContain(open1);
  });
});
