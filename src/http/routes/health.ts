import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../errors/scim-error.ts';
import type { Metrics } from '../../metrics/registry.ts';
import { route } from '../method-router.ts';

/**
 * How long /readyz waits for the database: under the health-check timeout of any load balancer
 * (AWS target groups: 2 s at the least), so that an instance whose database does not answer is
 * taken out of rotation instead of timing the check out (docs/postgresql.md, "Timeouts").
 */
const READY_TIMEOUT_MS = 1000;

/** Liveness (the process answers) and readiness (the database answers); no authentication. */
export function registerHealthRoutes(app: FastifyInstance, ping: () => Promise<void>): void {
  route(app, '/healthz', { GET: async (_request, reply) => reply.send({ status: 'ok' }) });
  route(app, '/readyz', {
    GET: async (request, reply) => {
      try {
        await withinReadyTimeout(ping());
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new ScimError(503, undefined, 'the database is not reachable', { 'retry-after': '5' });
      }
      return reply.send({ status: 'ready' });
    },
  });
}

/** `ping`, or a rejection after READY_TIMEOUT_MS; a ping still running then ends on its own bounds. */
function withinReadyTimeout(ping: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  return Promise.race([ping, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GET /metrics: the Prometheus text exposition. Without SCIMD_METRICS_TOKEN it needs no
 * authentication, like /healthz (expose it to the monitoring network only); with it, that bearer
 * token, compared in constant time.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  route(app, '/metrics', {
    GET: async (request, reply) => {
      if (expected !== undefined) {
        const given = Buffer.from(request.headers.authorization ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new ScimError(401, undefined, 'the metrics token is required (Authorization: Bearer <SCIMD_METRICS_TOKEN>)', {
            'www-authenticate': 'Bearer realm="scimd-metrics"',
          });
        }
      }
      return reply.type(metrics.contentType).send(await metrics.text());
    },
  });
}
