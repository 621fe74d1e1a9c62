import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type OAuthService, oauthIssuerView as view } from '../../service/oauth.ts';
import { TENANT_NAME_PARAMS } from './models.ts';

export interface OAuthAdminDeps {
  readonly oauth: Pick<OAuthService, 'set' | 'show' | 'remove' | 'list'>;
}

const tags = ['oauth'];
const tenantOf = (request: FastifyRequest) => (request.params as { name: string }).name;
const ISSUER = {
  type: 'object',
  description: "A tenant's trusted issuer of JWT access tokens (docs/oauth.md)",
  properties: {
    tenant: { type: 'string' },
    tenantId: { type: 'string' },
    issuer: { type: 'string' },
    jwksUrl: { type: 'string' },
    audience: { type: 'string' },
    tenantClaim: { type: 'string' },
    tenantValue: { type: 'string' },
    algorithms: { type: 'array', items: { type: 'string' } },
    clockSkewSeconds: { type: 'integer' },
    subjectAttribute: { type: 'string', enum: ['userName', 'id'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/**
 * Per-tenant OAuth 2.0 issuers on the admin API (paths relative to its /admin prefix; the admin
 * plugin authenticates). PUT sets the whole configuration (fields and defaults:
 * docs/oauth.md) and answers 200 with it; a bad field is 400, an unknown tenant 404, an
 * (issuer, tenant claim, value) another tenant has 409.
 */
export function registerOAuthAdminRoutes(admin: FastifyInstance, deps: OAuthAdminDeps): void {
  const { oauth } = deps;
  admin.get('/oauth-issuers', {
    schema: {
      summary: "List every tenant's OAuth 2.0 issuer",
      tags,
      response: { 200: { type: 'object', required: ['issuers'], properties: { issuers: { type: 'array', items: ISSUER } } } },
    },
    handler: async () => ({ issuers: (await oauth.list()).map(view) }),
  });
  admin.get('/tenants/:name/oauth', {
    schema: { summary: "Show a tenant's OAuth 2.0 issuer", tags, params: TENANT_NAME_PARAMS, response: { 200: ISSUER } },
    handler: async (request) => view(await oauth.show(tenantOf(request))),
  });
  admin.put('/tenants/:name/oauth', {
    schema: {
      summary: "Set a tenant's OAuth 2.0 issuer",
      description:
        'issuer, jwksUrl and audience are required; tenantClaim, tenantValue, algorithms, clockSkewSeconds and subjectAttribute have defaults.',
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: ISSUER },
    },
    handler: async (request) => view(await oauth.set(tenantOf(request), request.body)),
  });
  admin.delete('/tenants/:name/oauth', {
    schema: {
      summary: "Stop trusting a tenant's OAuth 2.0 issuer",
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 204: { description: 'Removed', type: 'null' } },
    },
    handler: async (request, reply) => {
      await oauth.remove(tenantOf(request));
      return reply.code(204).send();
    },
  });
}
