import type { FastifyInstance, FastifyRequest } from 'fastify';
import { oauthIssuerView as view, type OAuthService } from '../../service/oauth.ts';
import { route } from '../method-router.ts';

export interface OAuthAdminDeps {
  readonly oauth: Pick<OAuthService, 'set' | 'show' | 'remove' | 'list'>;
}

const tenantOf = (request: FastifyRequest) => (request.params as { tenant: string }).tenant;

/**
 * Per-tenant OAuth 2.0 issuers on the admin API (paths relative to its /admin prefix; the admin
 * plugin authenticates). PUT sets the whole configuration (fields and defaults: README "OAuth 2.0
 * access tokens") and answers 200 with it; a bad field is 400, an unknown tenant 404, an
 * (issuer, tenant claim, value) another tenant has 409.
 */
export function registerOAuthAdminRoutes(admin: FastifyInstance, deps: OAuthAdminDeps): void {
  const { oauth } = deps;
  route(admin, '/oauth-issuers', {
    GET: async () => ({ issuers: (await oauth.list()).map(view) }),
  });
  route(admin, '/tenants/:tenant/oauth', {
    GET: async (request) => view(await oauth.show(tenantOf(request))),
    PUT: async (request) => view(await oauth.set(tenantOf(request), request.body)),
    DELETE: async (request, reply) => {
      await oauth.remove(tenantOf(request));
      return reply.code(204).send();
    },
  });
}
