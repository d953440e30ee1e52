// The Request Tracker mapping and TicketSQL translation, as pure functions (the RT suite checks them on a real RT).
import { describe, expect, it } from 'vitest';
import { PRIORITIES, STATUSES } from '../../src/domain/enums.js';
import { parseQuery } from '../../src/domain/query.js';
import { failureMessages } from '../../src/providers/rt/changes.js';
import { PRIORITY_TO_RT, STATUS_TO_RT, priorityFromRt, statusFromRt, ticketFromRt } from '../../src/providers/rt/mapping.js';
import { UntranslatableTerm, orderFor, toTicketSql } from '../../src/providers/rt/ticketsql.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const sql = (q: string) => toTicketSql(parseQuery(q), { now: NOW });

describe('mapping', () => {
  it('every tix status reads back as itself from its RT status and custom field', () => {
    for (const s of STATUSES) expect(statusFromRt(STATUS_TO_RT[s], s)).toBe(s);
  });

  it('a ticket changed in RT itself (its field silent or stale) reads as its RT status says', () => {
    expect(statusFromRt('open', undefined)).toBe('in_progress');
    expect(statusFromRt('stalled', undefined)).toBe('pending_customer');
    expect(statusFromRt('resolved', 'in_progress')).toBe('closed');
    expect(statusFromRt('rejected', undefined)).toBe('expired');
    expect(statusFromRt('new', 'closed')).toBe('new');
  });

  it('every priority reads back as itself, and any RT number as the nearest level', () => {
    for (const p of PRIORITIES) expect(priorityFromRt(PRIORITY_TO_RT[p])).toBe(p);
    expect([priorityFromRt(-5), priorityFromRt(24), priorityFromRt(25), priorityFromRt(74), priorityFromRt(75), priorityFromRt(124), priorityFromRt(125), priorityFromRt(999)]).toEqual([
      'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical',
    ]);
  });

  it("reads RT's strings, epoch dates and Nobody as tix values", () => {
    const t = ticketFromRt(
      { id: '7', Subject: 's', Status: 'stalled', Priority: '100', Owner: { id: 'Nobody' }, Creator: { id: 'root' }, Requestor: [], Created: '2026-12-01T10:00:00Z', LastUpdated: '2026-12-01T11:00:00Z', Started: '1970-01-01T00:00:00Z', CustomFields: [{ name: 'tix status', values: ['blocked'] }, { name: 'tix level', values: ['2'] }] },
      { now: '2026-12-02T12:00:00.000Z', version: 42 },
    );
    expect(t).toMatchObject({ id: 7, status: 'blocked', priority: 'high', assignee: null, requester: 'root', level: 2, channel: 'portal', first_response_at: null, version: 42 });
  });

  it("finds RT's failures among the messages of a 200 answer", () => {
    expect(failureMessages(["Ticket 1: That user does not exist", "Ticket 1: Priority changed from 'Medium' to 'High'", "Ticket 1: Status 'bogus' isn't a valid status for this ticket."])).toEqual([
      'Ticket 1: That user does not exist',
      "Ticket 1: Status 'bogus' isn't a valid status for this ticket.",
    ]);
    expect(failureMessages(['Ticket 2: That ticket has unresolved dependencies'])).toEqual([]);
  });
});

describe('TicketSQL', () => {
  it('a status is its RT status with the field saying so, or an RT status whose default it is with the field silent', () => {
    expect(sql('status:pending_engineering')).toBe("( Status = 'stalled' AND CF.{tix status} = 'pending_engineering' )");
    expect(sql('status:in_progress')).toBe(
      "( ( Status = 'open' AND CF.{tix status} = 'in_progress' ) OR ( Status = 'open' AND ( CF.{tix status} IS NULL OR ( CF.{tix status} != 'in_progress' AND CF.{tix status} != 'customer_testing' AND CF.{tix status} != 'pending_reversion' AND CF.{tix status} != 'escalated' ) ) ) )",
    );
  });

  it('state is RT\'s active or inactive group; a negated status keeps every other status', () => {
    expect(sql('state:open')).toBe("Status = '__Active__'");
    expect(sql('state:done')).toBe("Status = '__Inactive__'");
    expect(sql('state:all')).toBe('id > 0');
    const others = sql('-status:new,in_progress,pending_customer,pending_engineering,customer_testing,pending_reversion,blocked,escalated,solution_provided,resolved,expired');
    expect(others).toBe(sql('status:closed'));
  });

  it('priorities are bands of RT numbers', () => {
    expect(sql('priority:critical')).toBe('Priority >= 125');
    expect(sql('priority:high,urgent')).toBe('( ( Priority >= 75 AND Priority < 125 ) OR Priority >= 125 )');
    expect(sql('-priority:low,medium')).toBe(sql('priority:critical,high'));
  });

  it('team, type, level and channel are custom fields; an empty channel is the portal', () => {
    expect(sql('team:support')).toBe("CF.{tix team} = 'support'");
    expect(sql('-level:3')).toBe("( CF.{tix level} = '1' OR CF.{tix level} = '2' OR CF.{tix level} IS NULL )");
    expect(sql('channel:portal')).toBe("( CF.{tix channel} = 'portal' OR CF.{tix channel} IS NULL )");
  });

  it('assignee me and none are RT\'s current user and Nobody; text searches subjects, quotes escaped', () => {
    expect(sql('assignee:me')).toBe("Owner = '__CurrentUser__'");
    expect(sql('-assignee:none')).toBe("Owner != 'Nobody'");
    expect(sql(`"it's down"`)).toBe("Subject LIKE 'it\\'s down'");
  });

  it('ages and dates become instants; a bare date is its whole UTC day', () => {
    expect(sql('age:>4h')).toBe("Created < '2026-12-02 08:00:00'");
    expect(sql('-idle:>3d')).toBe("LastUpdated >= '2026-11-29 12:00:00'");
    expect(sql('created:2026-11-01')).toBe("( Created >= '2026-11-01 00:00:00' AND Created < '2026-11-02 00:00:00' )");
  });

  it('a term RT cannot answer is refused by name', () => {
    for (const [q, term] of [['tag:billing', 'tag:billing'], ['org:acme', 'org:acme'], ['sla:breached', 'sla:breached'], ['-tag:vip', '-tag:vip']]) {
      expect(() => sql(`priority:high ${q}`)).toThrow(UntranslatableTerm);
      expect(() => sql(q!)).toThrow(`"${term}" has no equivalent on Request Tracker`);
    }
  });

  it('queue order is priority, then oldest first, then id', () => {
    expect(orderFor('queue')).toEqual({ orderby: ['Priority', 'Created', 'id'], order: ['DESC', 'ASC', 'ASC'] });
    expect(orderFor(undefined)).toEqual(orderFor('queue'));
  });
});
