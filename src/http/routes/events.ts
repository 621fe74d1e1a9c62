import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { invalidValue } from '../../errors/scim-error.ts';
import { sequenceOf } from '../../events/cloud-event.ts';
import type { EventFeed } from '../../events/feed.ts';
import { route } from '../method-router.ts';
import { SECURITY_HEADERS } from '../plugins/security-headers.ts';
import { scopeOf } from '../request-context.ts';

function nonNegative(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw);
  // Beyond 2^53 a number is no longer exact, and PostgreSQL refuses it as a bigint parameter.
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidValue(`${name} must be a non-negative integer below 2^53, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Number(text);
}

/**
 * The built-in event feed (docs/events.md, Feed), tenant-scoped by the bearer token:
 * `GET /Events?after=<sequence>&count=<n>` answers a page of events; with
 * `Accept: text/event-stream` the same events stream as Server-Sent Events, resuming after
 * `Last-Event-ID` (the sequence) or `after`, and following new events as they commit.
 */
export function registerEventRoutes(app: FastifyInstance, config: Config, feed: EventFeed, pollMs = 1000): void {
  // Open streams end when the server closes, else app.close() would wait for them forever.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  route(app, '/Events', {
    GET: async (request: FastifyRequest, reply) => {
      const scope = scopeOf(config, request);
      const query = request.query as Record<string, unknown>;
      const lastEventId = request.headers['last-event-id'];
      let after = nonNegative(typeof lastEventId === 'string' ? lastEventId : query['after'], 'after', 0);
      const count = Math.min(nonNegative(query['count'], 'count', config.defaultPageSize), config.maxResults);
      // A stream drains page by page until a page comes back short: a page of 0 would never end.
      const streamPage = Math.max(count, 1);
      if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
        const events = await feed.read(scope.tenantId, after, count);
        return reply
          .code(200)
          .type('application/json; charset=utf-8')
          .send({ events, lastSequence: events.length > 0 ? sequenceOf(events[events.length - 1]!) : after });
      }

      reply.hijack();
      const res = reply.raw;
      // A hijacked reply skips the onSend hooks: the security headers are written here.
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      res.write(': scimd event feed\n\n');
      let closed = false;
      let pending: Promise<void> = Promise.resolve();
      const pump = () =>
        (pending = pending
          .then(async () => {
            // Drain everything committed since `after`, page by page; every event is written once.
            while (!closed) {
              const events = await feed.read(scope.tenantId, after, streamPage);
              for (const e of events) res.write(`id: ${sequenceOf(e)}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
              if (events.length > 0) after = sequenceOf(events[events.length - 1]!);
              if (events.length < streamPage) break;
            }
          })
          .catch((err: unknown) => {
            request.log.warn({ err }, 'event feed stream failed');
            res.end();
          }));
      const unsubscribe = feed.subscribe(pump);
      // Events committed by another process (scimd CLI, another instance) arrive by polling.
      const timer = setInterval(pump, pollMs);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      const end = () => res.end();
      streams.add(end);
      res.on('close', () => {
        closed = true;
        streams.delete(end);
        unsubscribe();
        clearInterval(timer);
        clearInterval(heartbeat);
      });
      pump();
    },
  });
}
