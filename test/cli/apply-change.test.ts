// A change run in-process (as MCP tools run it) returns the envelope instead of printing it.
import { describe, expect, it } from 'vitest';
import { TixClient } from '../../src/client/index.js';
import { applyChange } from '../../src/cli/bulk.js';
import { createTicket as createTicketChange } from '../../src/cli/commands/create.js';
import { operations } from '../../src/cli/commands/mutate.js';
import { triageOperation } from '../../src/cli/commands/triage.js';
import { ResultEnvelope, ResultItem } from '../../src/domain/envelope.js';
import { createTicket, getTicket, serverForFile } from '../helpers/tix.js';

const { server } = serverForFile();

async function withClient<T>(work: (client: TixClient) => Promise<T>): Promise<T> {
  const client = new TixClient({ baseUrl: server.url, token: server.token });
  try {
    return await work(client);
  } finally {
    await client.dispose();
  }
}

describe('applyChange', () => {
  it('returns the envelope of a real run, each result streamed to onResult as it finishes', async () => {
    const ids = [(await createTicket(server, { subject: 'a' })).id, (await createTicket(server, { subject: 'b' })).id];
    const streamed: ResultItem[] = [];
    const { envelope, stoppedBy } = await withClient((client) =>
      applyChange(triageOperation({ team: 'support', level: 1 }), { client, ids: [...ids, 999999], withTickets: true, onResult: (r) => streamed.push(r) }),
    );
    expect(stoppedBy).toBeUndefined();
    expect(ResultEnvelope.parse(envelope)).toMatchObject({ ok: false, dry_run: false, summary: { changed: 2, unchanged: 0, failed: 1 } });
    expect(envelope.results.map((r) => r.id)).toEqual([...ids, 999999]);
    expect(envelope.results[0]!.changes).toEqual([
      { field: 'status', from: 'new', to: 'in_progress' },
      { field: 'team', from: null, to: 'support' },
      { field: 'level', from: null, to: 1 },
    ]);
    expect(streamed).toHaveLength(3);
  });

  it('a dry run returns what would change and changes nothing', async () => {
    const { id } = await createTicket(server, { subject: 'c' });
    const { envelope } = await withClient((client) => applyChange(operations.close('fixed'), { client, ids: [id], dryRun: true }));
    expect(envelope).toMatchObject({ ok: true, dry_run: true, results: [{ id, outcome: 'would_change', changes: [{ field: 'status', from: 'new', to: 'closed' }] }] });
    expect((await getTicket(server, id)).status).toBe('new');
  });

  it('create returns the envelope with the new ticket id', async () => {
    const { envelope } = await withClient((client) => createTicketChange(client, { subject: 'Printer jams', description: 'paper tray 2' }));
    const [r] = ResultEnvelope.parse(envelope).results;
    expect(r).toMatchObject({ outcome: 'changed', ticket: { subject: 'Printer jams' } });
    expect(r!.id).toBe(r!.ticket!.id);
  });
});
