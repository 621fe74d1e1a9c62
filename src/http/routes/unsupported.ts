import type { FastifyInstance } from 'fastify';
import { notImplemented } from '../../errors/scim-error.ts';
import { route } from '../method-router.ts';

/** RFC 7644 §3.11 /Me and §3.7 /Bulk: 501 until they are built, as ServiceProviderConfig says. */
export function registerUnsupportedRoutes(app: FastifyInstance): void {
  const me = async () => {
    throw notImplemented('/Me is not supported: a static tenant token names no user (RFC 7644 §3.11)');
  };
  route(app, '/Me', { GET: me, PUT: me, PATCH: me, DELETE: me });
  route(app, '/Bulk', {
    POST: async () => {
      throw notImplemented('Bulk is not supported yet (ServiceProviderConfig.bulk.supported is false)');
    },
  });
}
