import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.ts';
import { notImplemented } from '../../errors/scim-error.ts';
import type { MeService } from '../../service/me.ts';
import type { ResourceService } from '../../service/resources.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { resourceHandlers } from './resources.ts';

/**
 * RFC 7644 §3.11: /Me is an alias of /Users/{the subject's user id}; GET, PUT, PATCH and DELETE
 * behave exactly as there (ETags, If-Match, Prefer, attributes). The response is the user itself
 * (meta.location names its /Users URL), not a 308 redirect. POST /Me is 501: users are created by
 * the provisioning client at /Users, never by themselves.
 */
export function registerMeRoutes(app: FastifyInstance, config: Config, resources: ResourceService, me: MeService): void {
  route(app, '/Me', {
    ...resourceHandlers(config, resources, 'User', (request) => me.userIdOf(scopeOf(config, request), request.principal!)),
    POST: async () => {
      throw notImplemented('POST /Me is not supported: users are created at /Users by the provisioning client (RFC 7644 §3.11)');
    },
  });
}
