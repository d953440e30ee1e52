// RT's ticket history read as tix events and comments: transactions, and the messages attached to them.
import type { Comment, Event, EventKind } from '../../domain/schemas.js';
import { CF, priorityFromRt, RT_DEFAULT_STATUS, type RtStatus } from './mapping.js';

export interface RtTransaction {
  id: string | number;
  Type: string;
  Field?: string;
  OldValue?: string;
  NewValue?: string;
  Data?: string;
  Created: string;
  Creator?: { id: string | number };
}

export interface RtAttachment {
  id: string | number;
  TransactionId?: string | number;
  Filename?: string;
  ContentType?: string;
  ContentLength?: string | number;
  /** Text parts come as text. */
  Content?: string;
}

/** The message of each transaction (its first unnamed text part) and its files. */
function messagesOf(attachments: RtAttachment[]) {
  const byTxn = new Map<number, { body: string | null; files: RtAttachment[] }>();
  for (const a of attachments) {
    const txn = Number(a.TransactionId);
    const m = byTxn.get(txn) ?? { body: null, files: [] };
    if (a.Filename) m.files.push(a);
    else if (m.body === null && String(a.ContentType ?? '').startsWith('text/')) m.body = a.Content ?? '';
    byTxn.set(txn, m);
  }
  return byTxn;
}

const at = (d: string) => new Date(d).toISOString();
const actor = (t: RtTransaction) => String(t.Creator?.id ?? 'RT_System');
const rtStatus = (s: string | undefined) => (s && s in RT_DEFAULT_STATUS ? RT_DEFAULT_STATUS[s as RtStatus] : (s ?? null));

/**
 * Events from the history, oldest first. `cfNames` maps custom field ids to names (history names fields by id).
 * RT status changes that come with a `tix status` change are told once, in tix's words.
 */
export function eventsFromHistory(ticketId: number, txns: RtTransaction[], attachments: RtAttachment[], cfNames: Map<string, string> = new Map()): Event[] {
  const messages = messagesOf(attachments);
  const cfName = (t: RtTransaction) => cfNames.get(String(t.Field)) ?? String(t.Field);
  const tixStatusAt = new Set(txns.filter((t) => t.Type === 'CustomField' && cfName(t) === CF.status).map((t) => `${t.Created}|${actor(t)}`));
  const events: Event[] = [];
  const push = (t: RtTransaction, kind: EventKind, from: string | null, to: string | null, note: string | null, internal = true) =>
    events.push({ id: Number(t.id), ticket_id: ticketId, at: at(t.Created), actor: actor(t), kind, from, to, note, internal });
  for (const t of txns) {
    const body = messages.get(Number(t.id))?.body ?? null;
    switch (t.Type) {
      case 'Create':
        push(t, 'created', null, null, null, false);
        break;
      case 'Status':
        if (!tixStatusAt.has(`${t.Created}|${actor(t)}`)) push(t, 'status_changed', rtStatus(t.OldValue), rtStatus(t.NewValue), null, false);
        break;
      case 'Set':
        if (t.Field === 'Priority') push(t, 'priority_changed', priorityFromRt(Number(t.OldValue)), priorityFromRt(Number(t.NewValue)), null);
        else if (t.Field === 'Owner') push(t, 'assigned', t.OldValue || null, t.NewValue || null, null);
        else if (t.Field === 'Queue') push(t, 'updated', t.OldValue || null, t.NewValue || null, 'queue');
        else push(t, 'updated', t.OldValue || null, t.NewValue || null, t.Field ?? null);
        break;
      case 'SetWatcher':
      case 'AddWatcher':
      case 'DelWatcher':
        // the owner's role group follows each owner change: told once, as the assignment
        break;
      case 'Take':
      case 'Give':
      case 'Steal':
      case 'Untake':
        push(t, 'assigned', t.OldValue || null, t.NewValue || null, null);
        break;
      case 'CustomField': {
        const name = cfName(t);
        if (name === CF.status) push(t, 'status_changed', t.OldValue || null, t.NewValue || null, null, false);
        else if (name === CF.escalation && t.NewValue) push(t, 'escalated', null, t.NewValue, null);
        else push(t, 'updated', t.OldValue || null, t.NewValue || null, name.replace(/^tix /, ''));
        break;
      }
      case 'Comment':
        push(t, 'commented', null, null, body, true);
        break;
      case 'Correspond':
        push(t, 'commented', null, null, body, false);
        break;
      case 'AddLink':
      case 'DeleteLink':
        push(t, 'updated', t.OldValue || null, t.NewValue || null, `${t.Type === 'AddLink' ? 'link added' : 'link removed'}: ${t.Field ?? ''}`);
        break;
      default:
        push(t, 'updated', t.OldValue || null, t.NewValue || null, t.Type);
    }
  }
  // a priority change's justification is the internal note written with it
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind !== 'priority_changed') continue;
    const note = events.slice(i + 1, i + 4).find((n) => n.kind === 'commented' && n.internal && n.note?.startsWith('Priority changed from'));
    const why = note?.note && /Justification: ([\s\S]*)$/.exec(note.note)?.[1];
    if (why) e.note = why.trim();
  }
  return events;
}

/** Comments (RT's comments are internal, its correspondence public), with their files, oldest first. */
export function commentsFromHistory(ticketId: number, txns: RtTransaction[], attachments: RtAttachment[]): Comment[] {
  const messages = messagesOf(attachments);
  return txns
    .filter((t) => t.Type === 'Comment' || t.Type === 'Correspond')
    .map((t) => {
      const m = messages.get(Number(t.id));
      return {
        id: Number(t.id),
        ticket_id: ticketId,
        author: actor(t),
        body: m?.body ?? '',
        public: t.Type === 'Correspond',
        attachments: (m?.files ?? []).map((f) => ({ id: Number(f.id), name: String(f.Filename), size: Number(f.ContentLength) || 0, content_type: String(f.ContentType ?? 'application/octet-stream') })),
        created_at: at(t.Created),
      };
    });
}
