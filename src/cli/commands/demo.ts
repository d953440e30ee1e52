// tix demo: a throwaway seeded server in this process, and a triage session against it over real HTTP.
import { Context } from '../context.js';
import { ticketListWriter } from '../output/index.js';

/** Tickets the narrated walk triages: enough to show it, few enough to read. */
const NARRATED_TRIAGES = 8;

export async function run(ctx: Context) {
  const { startServer } = await import('../../server/main.js');
  const server = await startServer({ host: '127.0.0.1', port: 0, db: ':memory:', demo: true });
  // the demo talks to its own server, whatever profile or TIX_URL says
  const demo = new Context({ io: ctx.io, env: { ...ctx.env, TIX_URL: server.url, TIX_TOKEN: server.bootstrapToken }, globals: { ...ctx.globals, url: undefined, profile: undefined } });
  const say = (s: string) => ctx.io.stderr.write(`${s}\n`);
  try {
    say(`tix demo: a seeded server is running at ${server.url} (in memory; gone when the demo ends)\n`);
    const client = await demo.client();
    say('1. The open queue, in queue order (priority, then first come, first served):');
    const writer = ticketListWriter(ctx.io.stdout, demo.outputOptions());
    for await (const t of client.allTickets({ q: 'state:open', max: 12 })) writer.write(t);
    writer.end();

    say(`\n2. Triage the new queue${demo.canPrompt ? ' (your turn: pick priority, team, type, level, assignee)' : ' (narrated: the rubric\'s suggestions are applied)'}:`);
    const { walkNewQueue } = await import('./triage-walk.js');
    // narrated, a handful shows the walk; on a terminal the whole queue is yours to triage or quit
    await walkNewQueue(demo, client, { interactive: demo.canPrompt, limit: demo.canPrompt ? undefined : NARRATED_TRIAGES });

    // a ticket the desk now knows to be worse than it looked: raise it one step, with the reason
    const raise = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' } as const;
    const [top] = (await client.listTickets({ q: 'state:open -status:escalated -priority:critical', limit: 1 })).items;
    if (top) {
      say(`\n3. Reprioritize #${top.id} with a written justification (stored as an internal note and an event):`);
      const r = await client.reprioritize(top.id, { priority: raise[top.priority], reason: 'demo: the customer reports many more users affected since this morning' });
      say(`   #${top.id} is now ${r.ticket.priority} (was ${top.priority})`);
      say(`\n4. Escalate #${top.id} to engineering:`);
      const e = await client.escalate(top.id, { reason: 'demo: needs a code fix in the checkout service', estimated_resolution: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10) });
      say(`   ${e.ticket.escalation} opened; ticket status ${e.ticket.status}`);
      for (const to of ['under_evaluation', 'engineering_in_progress', 'resolution_verification', 'resolved'] as const) {
        await client.advance(e.ticket.escalation!, { to, note: `demo: ${to.replace(/_/g, ' ')}` });
        say(`   ${e.ticket.escalation} → ${to}`);
      }
      say(`\n5. Close #${top.id} with the resolution:`);
      const c = await client.closeTicket(top.id, { resolution: 'demo: hotfix deployed and verified with the customer' });
      say(`   #${top.id} is ${c.ticket.status}`);
      const events = await client.events(top.id);
      say(`\n6. The audit trail of #${top.id}:`);
      for (const ev of events) say(`   ${ev.at}  ${ev.kind.padEnd(20)} ${ev.from ?? ''}${ev.to ? ` → ${ev.to}` : ''}  by ${ev.actor}${ev.internal ? '  [internal]' : ''}`);
    }
    say('\nDone. Run your own: `tix serve --demo` in one terminal, `tix list` in another.');
  } finally {
    await demo.dispose();
    await server.close();
  }
}
