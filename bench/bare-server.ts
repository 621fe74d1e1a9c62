import Fastify from 'fastify';

// The yardstick: a bare Fastify route returning a fixed small JSON, in its own process like scimd.
const app = Fastify({ logger: false });
const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] };
app.get('/bare', async (_request, reply) => reply.type('application/scim+json').send(body));
// A fixed JSON text of ?bytes= bytes (bench/big-groups.ts): what sending a body that size costs alone.
const texts = new Map<number, string>();
app.get('/bare-bytes', async (request, reply) => {
  const bytes = Number((request.query as { bytes?: string }).bytes);
  let text = texts.get(bytes);
  if (text === undefined) texts.set(bytes, (text = JSON.stringify({ filler: 'x'.repeat(Math.max(bytes - 14, 0)) })));
  return reply.type('application/scim+json').send(text);
});
const port = Number(process.env['PORT']);
await app.listen({ host: '127.0.0.1', port });
process.stdout.write('listening\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
