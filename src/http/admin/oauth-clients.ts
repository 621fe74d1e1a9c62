import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ClientWithSecrets, type IssuedSecret, type OAuthClientService, oauthClientView } from '../../service/oauth-clients.ts';
import { emptyBodyAsObject, TENANT_NAME_PARAMS } from './models.ts';

export interface OAuthClientAdminDeps {
  readonly oauthClients: OAuthClientService;
  readonly clock?: () => Date;
}

const tags = ['oauth'];
const time = { type: 'string', format: 'date-time' } as const;
const SECRET = {
  type: 'object',
  required: ['id', 'hint', 'createdAt', 'expiresAt', 'expired', 'lastUsedAt'],
  properties: {
    id: { type: 'string', examples: ['sec_5f2c0e9a1b7d3c48'] },
    hint: { type: 'string', description: 'the first characters of the secret, to tell secrets apart', examples: ['scimd_cs_Q3xv'] },
    createdAt: time,
    expiresAt: time,
    expired: { type: 'boolean' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'when it last got a token' },
  },
} as const;
const CLIENT = {
  type: 'object',
  description: "One of scimd's own OAuth 2.0 clients (docs/oauth.md): never its secrets, only their hints",
  required: ['clientId', 'tenant', 'name', 'tokenLifetimeSeconds', 'secrets', 'createdAt', 'updatedAt'],
  properties: {
    clientId: { type: 'string', examples: ['client_0f3c2a9e8b7d6c5a4f3e2d1c'] },
    tenant: { type: 'string' },
    name: { type: 'string' },
    tokenLifetimeSeconds: { type: 'integer', minimum: 3600, maximum: 21600 },
    jwks: {
      type: 'object',
      description: 'the public keys its private_key_jwt assertions are signed with (RFC 7523)',
      properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
    federatedSubject: { type: 'string', description: "workload identity federation: the sub of the tenant's trusted issuer's assertions" },
    federatedAudience: { type: 'string' },
    secrets: { type: 'array', items: SECRET },
    createdAt: time,
    updatedAt: time,
  },
} as const;
const ISSUED = {
  type: 'object',
  description: 'A new client secret: shown this once, stored only as its hash',
  required: ['client_id', 'client_secret', 'secretId', 'expiresAt'],
  properties: {
    client_id: { type: 'string' },
    client_secret: { type: 'string' },
    secretId: { type: 'string' },
    expiresAt: time,
  },
} as const;
const CLIENT_PARAMS = {
  type: 'object',
  required: ['name', 'clientId'],
  properties: { name: { type: 'string', description: 'the tenant name' }, clientId: { type: 'string' } },
} as const;
const SECRET_PARAMS = {
  type: 'object',
  required: ['name', 'clientId', 'secretId'],
  properties: { ...CLIENT_PARAMS.properties, secretId: { type: 'string' } },
} as const;
const SETTINGS_DESCRIPTION =
  'name, tokenLifetimeSeconds (3600-21600, clamped; default 3600), jwks (a public JWK Set, JWK or PEM public key), federatedSubject, federatedAudience';

type Params = { name: string; clientId: string; secretId: string };
const paramsOf = (request: FastifyRequest) => request.params as Params;
const issuedView = (clientId: string, issued: IssuedSecret) => ({
  client_id: clientId,
  client_secret: issued.secret,
  secretId: issued.id,
  expiresAt: issued.expiresAt,
});

/**
 * scimd's own OAuth 2.0 clients on the admin API (paths relative to its /admin prefix; the admin
 * plugin authenticates). A secret is in the answer that creates it and never again. A customer's
 * setup session may call them for its own tenant (what Entra ID's client credentials setup asks for).
 */
export function registerOAuthClientAdminRoutes(admin: FastifyInstance, deps: OAuthClientAdminDeps): void {
  const { oauthClients } = deps;
  const clock = deps.clock ?? (() => new Date());
  const view = (client: ClientWithSecrets) => oauthClientView(client, clock());

  admin.get('/tenants/:name/oauth/clients', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: "List a tenant's OAuth clients",
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: { type: 'object', required: ['clients'], properties: { clients: { type: 'array', items: CLIENT } } } },
    },
    handler: async (request) => ({ clients: (await oauthClients.list(paramsOf(request).name)).map(view) }),
  });
  admin.post('/tenants/:name/oauth/clients', {
    config: { setupAccess: 'tenant' },
    preValidation: emptyBodyAsObject,
    schema: {
      summary: 'Create an OAuth client (client credentials grant)',
      description: `${SETTINGS_DESCRIPTION}; secret (false: no first secret), secretExpiresInDays (1-730, default 180). The answer holds the client_secret, shown once.`,
      tags,
      params: TENANT_NAME_PARAMS,
      response: {
        201: {
          type: 'object',
          required: ['client'],
          properties: {
            client: CLIENT,
            client_id: { type: 'string' },
            client_secret: { type: 'string' },
            secretId: { type: 'string' },
            expiresAt: time,
          },
        },
      },
    },
    handler: async (request, reply) => {
      const created = await oauthClients.create(paramsOf(request).name, request.body);
      const secret = created.issued ? issuedView(created.client.id, created.issued) : { client_id: created.client.id };
      return reply.code(201).send({ client: view(created), ...secret });
    },
  });
  admin.get('/tenants/:name/oauth/clients/:clientId', {
    config: { setupAccess: 'tenant' },
    schema: { summary: 'Show an OAuth client', tags, params: CLIENT_PARAMS, response: { 200: CLIENT } },
    handler: async (request) => view(await oauthClients.show(paramsOf(request).name, paramsOf(request).clientId)),
  });
  admin.patch('/tenants/:name/oauth/clients/:clientId', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: 'Change an OAuth client',
      description: `The fields given change: ${SETTINGS_DESCRIPTION}; null clears jwks, federatedSubject, federatedAudience.`,
      tags,
      params: CLIENT_PARAMS,
      response: { 200: CLIENT },
    },
    handler: async (request) => view(await oauthClients.update(paramsOf(request).name, paramsOf(request).clientId, request.body)),
  });
  admin.delete('/tenants/:name/oauth/clients/:clientId', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: 'Revoke an OAuth client: its secrets go, its access tokens are refused',
      tags,
      params: CLIENT_PARAMS,
      response: { 204: { description: 'Revoked', type: 'null' } },
    },
    handler: async (request, reply) => {
      await oauthClients.remove(paramsOf(request).name, paramsOf(request).clientId);
      return reply.code(204).send();
    },
  });
  admin.post('/tenants/:name/oauth/clients/:clientId/secrets', {
    config: { setupAccess: 'tenant' },
    preValidation: emptyBodyAsObject,
    schema: {
      summary: 'Add a client secret (rotation: the others stay valid until they expire or are revoked)',
      description: 'expiresInDays: 1-730, default 180. The answer holds the client_secret, shown once.',
      tags,
      params: CLIENT_PARAMS,
      response: { 201: ISSUED },
    },
    handler: async (request, reply) => {
      const { name, clientId } = paramsOf(request);
      return reply.code(201).send(issuedView(clientId, await oauthClients.addSecret(name, clientId, request.body)));
    },
  });
  admin.delete('/tenants/:name/oauth/clients/:clientId/secrets/:secretId', {
    config: { setupAccess: 'tenant' },
    schema: { summary: 'Revoke a client secret', tags, params: SECRET_PARAMS, response: { 204: { description: 'Revoked', type: 'null' } } },
    handler: async (request, reply) => {
      const { name, clientId, secretId } = paramsOf(request);
      await oauthClients.revokeSecret(name, clientId, secretId);
      return reply.code(204).send();
    },
  });
}
