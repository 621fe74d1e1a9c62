import type { FastifyInstance } from 'fastify';
import { notImplemented } from '../../errors/scim-error.ts';
import { route } from '../method-router.ts';

/** RFC 7644 §3.7 /Bulk: 501 until it is built, as ServiceProviderConfig says. */
export function registerUnsupportedRoutes(app: FastifyInstance): void {
  route(app, '/Bulk', {
    POST: async () => {
      throw notImplemented('Bulk is not supported yet (ServiceProviderConfig.bulk.supported is false)');
    },
  });
}
