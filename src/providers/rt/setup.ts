// What an RT instance needs before tix can work on it: the custom fields and the engineering queue.
// Idempotent: whatever exists is left as it is, missing values are added.
import { CHANNELS, STATUSES, TEAMS, TICKET_TYPES } from '../../domain/enums.js';
import { ApiError } from '../../client/errors.js';
import type { RtHttp } from './http.js';
import { CF, ENGINEERING_QUEUE } from './mapping.js';

export interface SetupStep {
  what: string;
  outcome: 'created' | 'existed' | 'updated';
}

const FIELDS: { name: string; values?: readonly string[]; description: string }[] = [
  { name: CF.status, values: STATUSES, description: 'the tix status (RT status holds its lifecycle group)' },
  { name: CF.team, values: TEAMS, description: 'the team working the ticket' },
  { name: CF.level, values: ['1', '2', '3'], description: 'support level' },
  { name: CF.type, values: TICKET_TYPES, description: 'the ticket type' },
  { name: CF.channel, values: CHANNELS, description: 'how the ticket arrived' },
  { name: CF.escalation, description: 'the running escalation, CP-<engineering ticket>' },
];

export async function setupRt(http: RtHttp): Promise<SetupStep[]> {
  const steps: SetupStep[] = [];
  try {
    await http.call('GET', `/queue/${ENGINEERING_QUEUE}`, { about: `queue ${ENGINEERING_QUEUE}` });
    steps.push({ what: `queue ${ENGINEERING_QUEUE}`, outcome: 'existed' });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    await http.call('POST', '/queue', { body: { Name: ENGINEERING_QUEUE, Description: 'escalations opened by tix' } });
    steps.push({ what: `queue ${ENGINEERING_QUEUE}`, outcome: 'created' });
  }
  for (const f of FIELDS) {
    const found = await http.call<{ items: { id: string | number }[] }>('GET', '/customfields', {
      query: { query: JSON.stringify([{ field: 'Name', value: f.name }, { field: 'LookupType', value: 'RT::Queue-RT::Ticket' }]) },
    });
    let id = found.body.items?.[0]?.id;
    let outcome: SetupStep['outcome'] = 'existed';
    if (id === undefined) {
      const made = await http.call<{ id: string | number }>('POST', '/customfield', {
        body: { Name: f.name, Description: f.description, Type: f.values ? 'Select' : 'Freeform', MaxValues: 1, LookupType: 'RT::Queue-RT::Ticket', Queue: 0 },
      });
      id = made.body.id;
      outcome = 'created';
    }
    if (f.values) {
      const have = await http.call<{ items: { name: string }[] }>('GET', `/customfield/${id}/values`, { query: { per_page: 100 } });
      const names = new Set((have.body.items ?? []).map((v) => v.name));
      let order = 0;
      for (const v of f.values) {
        order++;
        if (names.has(v)) continue;
        await http.call('POST', `/customfield/${id}/value`, { body: { Name: v, SortOrder: order } });
        if (outcome === 'existed') outcome = 'updated';
      }
    }
    steps.push({ what: `custom field "${f.name}"`, outcome });
  }
  return steps;
}
