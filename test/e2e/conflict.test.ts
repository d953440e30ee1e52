// Conflicts: a write based on a stale read is refused (412 → exit 5) and says what changed and who changed it.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/client/errors.js';
import { TixClient } from '../../src/client/index.js';
import { exitCodeFor } from '../../src/cli/errors.js';
import { api, createTicket, eventsOf, getTicket, serverForFile } from '../helpers/tix.js';

const { server, users } = serverForFile();

describe('If-Match', () => {
  it('a stale version is refused with 412, exit 5, the ticket unchanged and the change named with its author', async () => {
    const t = await createTicket(server, { subject: 'stale read' });
    const client = new TixClient({ baseUrl: server.url, token: server.token });
    try {
      const read = await client.getTicket(t.id);
      await api(server, 'POST', `/v1/tickets/${t.id}/priority`, { token: users.agent.token, body: { priority: 'high', reason: 'customer called, many users affected' } });
      const err = await client.reprioritize(t.id, { priority: 'low', reason: 'cosmetic only, per screenshot' }, { ifMatch: read.version }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(412);
      expect(exitCodeFor(err)).toBe(5);
      expect((err as ApiError).message).toMatch(new RegExp(`version ${read.version}, now ${read.version + 1}`));
      expect((err as ApiError).message).toMatch(/priority_changed medium → high by agent\.e2e/);
      const after = await getTicket(server, t.id);
      expect(after.priority).toBe('high');
      expect((await eventsOf(server, t.id)).filter((e) => e.kind === 'priority_changed')).toHaveLength(1);
      // with the current version the same write goes through
      const ok = await client.reprioritize(t.id, { priority: 'low', reason: 'cosmetic only, per screenshot' }, { ifMatch: after.version });
      expect(ok.ticket.priority).toBe('low');
    } finally {
      await client.dispose();
    }
  });
});
