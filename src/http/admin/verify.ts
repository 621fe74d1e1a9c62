import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PasswordVerifier } from '../../service/password-verify.ts';
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

const tags = ['password verification'];
const TOKEN_LIST = { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: TOKEN } } } as const;
const LOCKOUT = {
  type: 'object',
  required: ['userName', 'failures', 'locked', 'lastFailureAt'],
  properties: {
    userName: { type: 'string', description: 'as sent in the last failed check (known to the tenant or not)' },
    failures: { type: 'integer', description: 'failed checks in a row' },
    locked: { type: 'boolean', description: 'checks of this userName are refused now, without looking at the password' },
    lockedUntil: { type: ['string', 'null'], format: 'date-time' },
    lastFailureAt: { type: 'string', format: 'date-time' },
  },
} as const;
const SETTINGS = {
  type: 'object',
  required: ['clearLockoutOnPasswordChange'],
  additionalProperties: false,
  properties: {
    clearLockoutOnPasswordChange: {
      type: 'boolean',
      description: 'a password the identity provider changes ends the lockout of that user (default false)',
    },
  },
} as const;

type Named<T = unknown> = FastifyRequest<{ Params: { name: string }; Body: T }>;

/**
 * Password verification on the admin API (docs/password-sync.md): verify tokens (mint, list,
 * revoke, rotate), lockouts (list, clear) and the tenant's setting.
 */
export function registerVerifyAdminRoutes(admin: FastifyInstance, verifier: PasswordVerifier): void {
  admin.get('/verify-tokens', {
    schema: { summary: "List every tenant's verify tokens", tags, response: { 200: TOKEN_LIST } },
    handler: async () => ({ tokens: await verifier.listTokens() }),
  });

  admin.get('/tenants/:name/verify-tokens', {
    schema: { summary: "List a tenant's verify tokens", tags, params: TENANT_NAME_PARAMS, response: { 200: TOKEN_LIST } },
    handler: async (request) => ({ tokens: await verifier.listTokens((request as Named).params.name) }),
  });

  admin.post('/tenants/:name/verify-tokens', {
    schema: {
      summary: 'Mint a verify token for a tenant',
      description: 'For POST /auth/verify of this tenant only; the secret is in this answer only.',
      tags,
      params: TENANT_NAME_PARAMS,
      body: { type: 'object', additionalProperties: false, properties: { label: { type: 'string', maxLength: 200 }, expires: DURATION } },
      response: { 201: { description: 'Minted', ...MINTED_TOKEN } },
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { params, body } = request as Named<{ label?: string; expires?: string }>;
      return reply.code(201).send(mintedToken(await verifier.mintToken(params.name, body)));
    },
  });

  admin.delete('/verify-tokens/:id', {
    schema: { summary: 'Revoke a verify token', tags, params: TOKEN_ID_PARAMS, response: { 200: TOKEN } },
    handler: async (request) => verifier.revokeToken((request as FastifyRequest<{ Params: { id: string } }>).params.id),
  });

  admin.post('/verify-tokens/:id/rotate', {
    schema: {
      summary: 'Rotate a verify token',
      description: `A successor with the old label and lifetime unless \`expires\` is given; the old token keeps working for \`overlap\` (default ${DEFAULT_ROTATION_OVERLAP}; 0m ends it now).`,
      tags,
      params: TOKEN_ID_PARAMS,
      body: ROTATION_BODY,
      response: { 201: ROTATED },
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { params, body } = request as FastifyRequest<{ Params: { id: string }; Body: { overlap?: string; expires?: string } }>;
      const rotated = await verifier.rotateToken(params.id, body);
      return reply.code(201).send({ token: mintedToken(rotated.minted), previous: rotated.previous });
    },
  });

  admin.get('/tenants/:name/lockouts', {
    schema: {
      summary: "A tenant's userNames with failed password checks",
      description: 'Most recent failure first; `locked` ones are refused until lockedUntil or until cleared.',
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: { type: 'object', required: ['lockouts'], properties: { lockouts: { type: 'array', items: LOCKOUT } } } },
    },
    handler: async (request) => ({ lockouts: await verifier.listLockouts((request as Named).params.name) }),
  });

  admin.delete('/tenants/:name/lockouts/:userName', {
    schema: {
      summary: 'Clear the lockout of a userName',
      description: 'Forgets its failures: the next check is judged by the password alone. 404 when none are recorded.',
      tags,
      params: {
        type: 'object',
        required: ['name', 'userName'],
        properties: { name: { type: 'string', description: 'the tenant name' }, userName: { type: 'string' } },
      },
      response: { 204: { description: 'Cleared', type: 'null' } },
    },
    handler: async (request, reply) => {
      const { name, userName } = (request as FastifyRequest<{ Params: { name: string; userName: string } }>).params;
      await verifier.clearLockout(name, userName);
      return reply.code(204).send();
    },
  });

  admin.get('/tenants/:name/verify-settings', {
    schema: { summary: "A tenant's password verification settings", tags, params: TENANT_NAME_PARAMS, response: { 200: SETTINGS } },
    handler: async (request) => verifier.getSettings((request as Named).params.name),
  });

  admin.put('/tenants/:name/verify-settings', {
    schema: {
      summary: "Set a tenant's password verification settings",
      tags,
      params: TENANT_NAME_PARAMS,
      body: SETTINGS,
      response: { 200: SETTINGS },
    },
    handler: async (request) => {
      const { params, body } = request as Named<{ clearLockoutOnPasswordChange: boolean }>;
      return verifier.putSettings(params.name, body);
    },
  });
}
