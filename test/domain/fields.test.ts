import { describe, expect, it } from 'vitest';
import { ESCALATION_FIELDS, TICKET_FIELDS, USER_FIELDS } from '../../src/domain/fields.js';
import { Escalation, Ticket, User } from '../../src/domain/schemas.js';

describe('field lists for --json', () => {
  it('lists exactly the fields of the Ticket schema, in order', () => expect([...TICKET_FIELDS]).toEqual(Object.keys(Ticket.shape)));
  it('lists exactly the fields of the Escalation schema, in order', () => expect([...ESCALATION_FIELDS]).toEqual(Object.keys(Escalation.shape)));
  it('lists exactly the fields of the User schema, in order', () => expect([...USER_FIELDS]).toEqual(Object.keys(User.shape)));
});
