import { BEHAVIOUR_NAMES, PROFILE_NAMES } from '../../service/profiles.ts';
import type { MintedToken } from '../../service/tokens.ts';

/**
 * JSON Schemas of what the admin API takes and returns. Fastify validates bodies and query strings
 * with them and serialises answers through them (a field missing here never leaves the server:
 * no hash can slip into a token listing), and openapi.ts publishes them.
 */

/** preValidation for routes whose body is optional: no body validates as {}. */
export async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}

const time = (description: string) => ({ type: 'string', format: 'date-time', description }) as const;
const optionalTime = (description: string) => ({ type: ['string', 'null'], format: 'date-time', description }) as const;

export const DURATION = { type: 'string', pattern: '^\\d+[dhm]$', description: 'a duration: 90d, 12h, 30m', examples: ['90d'] } as const;

/** A profile's behaviours, each true or false (src/service/profiles.ts). */
export const BEHAVIOURS = {
  type: 'object',
  properties: Object.fromEntries(BEHAVIOUR_NAMES.map((name) => [name, { type: 'boolean' }])),
} as const;

/** A profile and overrides, as PUT /admin/tenants/{name}/profile takes them (docs/profiles.md). */
export const PROFILE_BODY = {
  type: 'object',
  required: ['profile'],
  properties: {
    profile: { type: 'string', enum: [...PROFILE_NAMES], examples: ['strict'] },
    // Unknown names get through to the service, which refuses them by name (with
    // additionalProperties false, Fastify would drop them without a word).
    overrides: { ...BEHAVIOURS, additionalProperties: { type: 'boolean' }, description: 'single behaviours set apart from the profile' },
  },
} as const;

export const TENANT = {
  type: 'object',
  required: ['id', 'name', 'createdAt', 'disabled', 'profile', 'profileOverrides', 'behaviours'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string', examples: ['contoso'] },
    createdAt: time('when the tenant was created'),
    disabled: { type: 'boolean', description: 'a disabled tenant keeps its data; its SCIM tokens are refused with 403' },
    disabledAt: optionalTime('since when the tenant is disabled'),
    profile: { type: 'string', enum: [...PROFILE_NAMES], description: 'the compatibility profile (docs/profiles.md)' },
    profileOverrides: { ...BEHAVIOURS, description: "behaviours set apart from the profile's" },
    behaviours: { ...BEHAVIOURS, description: 'what the tenant does: the profile with its overrides' },
  },
} as const;

export const TENANT_NAME_PARAMS = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'the tenant name' } },
} as const;

export const TOKEN = {
  type: 'object',
  required: ['id', 'tenant', 'state', 'createdAt'],
  properties: {
    id: { type: 'string', examples: ['tok_5f2c0e9a1b7d3c48'] },
    tenant: { type: 'string' },
    label: { type: ['string', 'null'] },
    state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    createdAt: time('when it was minted'),
    expiresAt: optionalTime('when it stops working (a rotated token: the end of the overlap)'),
    revokedAt: optionalTime('when it was revoked'),
    lastUsedAt: optionalTime('last accepted request, to the minute'),
  },
} as const;

export const MINTED_TOKEN = {
  type: 'object',
  required: ['id', 'tenant', 'token'],
  properties: {
    id: { type: 'string' },
    tenant: { type: 'string' },
    token: { type: 'string', description: 'the secret, shown this once; only its hash is stored' },
    expiresAt: optionalTime('when it stops working'),
  },
} as const;

/** A freshly minted token as answered (MINTED_TOKEN). */
export const mintedToken = (token: MintedToken) => ({ id: token.id, tenant: token.tenant, token: token.token, expiresAt: token.expiresAt });

/** The body of a token rotation (SCIM and verify tokens alike), and its 201. */
export const ROTATION_BODY = { type: 'object', additionalProperties: false, properties: { overlap: DURATION, expires: DURATION } } as const;
export const ROTATED = {
  description: 'The new token (secret shown once) and the old one as it is now',
  type: 'object',
  required: ['token', 'previous'],
  properties: { token: MINTED_TOKEN, previous: TOKEN },
} as const;

export const TOKEN_ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'the token id (tok_…)' } },
} as const;

export const SINK_STATUS = {
  type: 'object',
  required: ['sink', 'pending', 'oldestPendingAgeSeconds'],
  properties: {
    sink: { type: 'string', description: 'the sink URL without credentials or secret' },
    pending: { type: 'integer', description: 'events not yet delivered to this sink, all tenants' },
    oldestPendingTime: optionalTime('time of the oldest undelivered event'),
    oldestPendingAgeSeconds: { type: 'number' },
    relay: {
      type: ['object', 'null'],
      description: "this instance's relay since it started; null when the relay runs elsewhere",
      properties: {
        delivered: { type: 'integer' },
        failures: { type: 'integer' },
        consecutiveFailures: { type: 'integer' },
        lastError: { type: ['string', 'null'] },
        retryAt: optionalTime('when a failing sink is tried next'),
      },
    },
  },
} as const;

export const AUDIT_ENTRY = {
  type: 'object',
  required: ['seq', 'time', 'operation', 'status'],
  properties: {
    seq: { type: 'integer' },
    time: time('when the request arrived'),
    tenantId: { type: ['string', 'null'] },
    tenant: { type: ['string', 'null'], description: 'the tenant name at the time' },
    tokenId: {
      type: ['string', 'null'],
      description: 'the SCIM token the request used; for the admin API, the admin token (or SCIMD_ADMIN_TOKEN)',
    },
    operation: {
      type: 'string',
      description: 'create, replace, patch, delete or bulk (SCIM); admin:METHOD /admin/route (admin API)',
      examples: ['patch'],
    },
    resourceType: { type: ['string', 'null'], examples: ['User'] },
    resourceId: { type: ['string', 'null'] },
    status: { type: 'integer', description: 'the HTTP status answered', examples: [200] },
    requestId: { type: ['string', 'null'], description: 'the X-Request-Id of the request, as in its log lines' },
    reason: {
      type: 'string',
      description: 'password checks (operation verify) only: why it failed (docs/password-sync.md)',
      examples: ['wrong_password'],
    },
  },
} as const;

const BODY = (what: string) =>
  ({
    type: 'object',
    required: ['bytes', 'cut'],
    description: `the ${what}, secrets redacted`,
    properties: {
      body: { type: ['string', 'null'], description: 'the text as stored (absent when there was none, or when bodies=false)' },
      bytes: { type: 'integer', description: 'size of the whole redacted body in bytes' },
      cut: { type: 'boolean', description: 'true when the stored text is only the first SCIMD_REQUEST_LOG_BODY_BYTES bytes' },
    },
  }) as const;

export const REQUEST_LOG_ENTRY = {
  type: 'object',
  required: ['id', 'time', 'method', 'path', 'query', 'status', 'latencyMs', 'requestId', 'client', 'request', 'response'],
  properties: {
    id: { type: 'string', description: 'the entry id (increasing)', examples: ['4711'] },
    time: time('when the request arrived'),
    method: { type: 'string', examples: ['PATCH'] },
    path: { type: 'string', description: 'below the SCIM base path', examples: ['/Users/2819c223-7f76-453a-919d-413861904646'] },
    query: { type: 'string', description: 'the query string without "?", secrets redacted' },
    status: { type: 'integer', examples: [200] },
    scimType: { type: ['string', 'null'], description: 'the scimType of an error answer', examples: ['uniqueness'] },
    latencyMs: { type: 'number', description: 'from arrival to the end of the response' },
    requestId: {
      type: 'string',
      description: 'the X-Request-Id of the request (the one it was sent with, or the one scimd made and returned)',
    },
    tokenId: { type: ['string', 'null'], description: 'the SCIM token (tok_…) or JWT subject (jwt:…) that made it' },
    client: { type: 'string', enum: ['entra', 'okta', 'other'], description: 'guessed from the User-Agent and the shape of the request' },
    userAgent: { type: ['string', 'null'] },
    resourceId: { type: ['string', 'null'], description: 'the resource the request named, or created' },
    request: BODY('request body'),
    response: BODY('response body'),
    operations: {
      type: 'array',
      description: "a /Bulk request's operations in the order of its BulkResponse (absent for other requests)",
      items: {
        type: 'object',
        required: ['status'],
        properties: {
          method: { type: ['string', 'null'], examples: ['POST'] },
          path: { type: ['string', 'null'], description: 'as the operation sent it', examples: ['/Users'] },
          status: { type: 'integer', examples: [201] },
          resourceId: { type: ['string', 'null'], description: 'the resource it created or named' },
        },
      },
    },
  },
} as const;
