import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TenantService } from '../../service/tenants.ts';
import { DEFAULT_ROTATION_OVERLAP } from '../../service/tokens.ts';
import {
  DURATION,
  emptyBodyAsObject,
  MINTED_TOKEN,
  mintedToken,
  ROTATED,
  ROTATION_BODY,
  TENANT_NAME_PARAMS,
  TOKEN,
  TOKEN_ID_PARAMS,
} from './models.ts';

const tags = ['tokens'];
const TOKEN_LIST = { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: TOKEN } } } as const;

/** SCIM bearer tokens: mint, list (never a secret), revoke, rotate with an overlap window. */
export function registerTokenRoutes(admin: FastifyInstance, tenants: TenantService): void {
  admin.get('/tokens', {
    schema: { summary: 'List the SCIM tokens of every tenant', tags, response: { 200: TOKEN_LIST } },
    handler: async () => ({ tokens: await tenants.listTokens() }),
  });

  admin.get('/tenants/:name/tokens', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: "List a tenant's SCIM tokens",
      description: 'With state and last use; never a secret or hash.',
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: TOKEN_LIST },
    },
    handler: async (request) => ({
      tokens: await tenants.listTokens((request as FastifyRequest<{ Params: { name: string } }>).params.name),
    }),
  });

  admin.post('/tenants/:name/tokens', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: 'Mint a SCIM token for a tenant',
      description: 'The secret is in this answer only.',
      tags,
      params: TENANT_NAME_PARAMS,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { label: { type: 'string', maxLength: 200 }, expires: DURATION },
      },
      response: { 201: { description: 'Minted', ...MINTED_TOKEN } },
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { params, body } = request as FastifyRequest<{ Params: { name: string }; Body: { label?: string; expires?: string } }>;
      const token = await tenants.mintToken(params.name, body);
      return reply.code(201).send(mintedToken(token));
    },
  });

  admin.delete('/tokens/:id', {
    config: { setupAccess: 'token' },
    schema: {
      summary: 'Revoke a SCIM token',
      description: 'At once on this instance, within a second on the others.',
      tags,
      params: TOKEN_ID_PARAMS,
      response: { 200: TOKEN },
    },
    handler: async (request) => tenants.revokeToken((request as FastifyRequest<{ Params: { id: string } }>).params.id),
  });

  admin.post('/tokens/:id/rotate', {
    config: { setupAccess: 'token' },
    schema: {
      summary: 'Rotate a SCIM token',
      description: `Mints a new token for the same tenant, with the old one's label and lifetime unless \`expires\` is given; the old token keeps working for \`overlap\` (default ${DEFAULT_ROTATION_OVERLAP}; 0m ends it now), then expires.`,
      tags,
      params: TOKEN_ID_PARAMS,
      body: ROTATION_BODY,
      response: { 201: ROTATED },
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { params, body } = request as FastifyRequest<{ Params: { id: string }; Body: { overlap?: string; expires?: string } }>;
      const rotated = await tenants.rotateToken(params.id, body);
      return reply.code(201).send({ token: mintedToken(rotated.minted), previous: rotated.previous });
    },
  });
}
