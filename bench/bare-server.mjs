// The bench's baseline server: one Fastify route answering a constant JSON body (a real ticket,
// passed in BARE_BODY), no auth, no database; with BARE_LIST_BODY, the list route answers that page.
// Prints its URL on stdout.
import Fastify from 'fastify';

const body = JSON.parse(process.env.BARE_BODY ?? '{"id":1}');
const app = Fastify({ logger: false });
app.get('/v1/tickets/:id', async () => body);
if (process.env.BARE_LIST_BODY) {
  const list = JSON.parse(process.env.BARE_LIST_BODY);
  app.get('/v1/tickets', async () => list);
}
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`http://127.0.0.1:${app.server.address().port}\n`);
const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
