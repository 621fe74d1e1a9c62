import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../errors/scim-error.ts';
import { route } from '../method-router.ts';

/** Liveness (the process answers) and readiness (the database answers); no authentication. */
export function registerHealthRoutes(app: FastifyInstance, ping: () => Promise<void>): void {
  route(app, '/healthz', { GET: async (_request, reply) => reply.send({ status: 'ok' }) });
  route(app, '/readyz', {
    GET: async (request, reply) => {
      try {
        await ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new ScimError(503, undefined, 'the database is not reachable', { 'retry-after': '5' });
      }
      return reply.send({ status: 'ready' });
    },
  });
}
