import type { FastifyInstance } from 'fastify';
import { notImplemented } from '../../errors/scim-error.ts';
import { route } from '../method-router.ts';

/** RFC 7644 §3.11 /Me: 501 until it is built, as the RFC asks. */
export function registerUnsupportedRoutes(app: FastifyInstance): void {
  const me = async () => {
    throw notImplemented('/Me is not supported: a static tenant token names no user (RFC 7644 §3.11)');
  };
  route(app, '/Me', { GET: me, PUT: me, PATCH: me, DELETE: me });
}
