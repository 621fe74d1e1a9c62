import type { FastifyInstance, FastifyReply } from 'fastify';
import { ASYMMETRIC_ALGORITHMS } from '../../auth/jwt.ts';
import { toScimError } from '../../errors/from-unknown.ts';
import type { SigningKeys } from '../../service/oauth-signing-keys.ts';
import { ACCESS_TOKEN_SCOPE, OAuthError, type TokenService } from '../../service/oauth-token.ts';
import { route } from '../method-router.ts';

/** scimd's own OAuth 2.0 endpoints, on the service's origin (docs/oauth.md). */
const TOKEN_PATH = '/oauth/token';
const JWKS_PATH = '/oauth/jwks.json';
/** RFC 8414 §3: the authorization server metadata. */
const METADATA_PATH = '/.well-known/oauth-authorization-server';

const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §5.1 and §5.2: token answers, errors included, are never cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  return reply
    .code(error.status)
    .headers({ ...NO_STORE, ...error.headers })
    .type('application/json')
    .send({ error: error.error, error_description: error.message });
}

/**
 * RFC 6749 §3.2 and §3.1: form parameters, each at most once; a parameter without a value
 * counts as absent.
 */
function formParams(body: unknown, contentType: string | undefined): Map<string, string> {
  if (typeof body !== 'string' || contentType?.split(';')[0]?.trim().toLowerCase() !== FORM) {
    throw new OAuthError('invalid_request', `the token request body must be ${FORM}`);
  }
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (params.has(name)) throw new OAuthError('invalid_request', `parameter "${name}" is given more than once`);
    if (value !== '') params.set(name, value);
  }
  return params;
}

/**
 * POST /oauth/token (RFC 6749 §4.4, client credentials), GET /oauth/jwks.json (the public keys
 * of the access tokens) and the RFC 8414 metadata that names both, in a scope of their own: a form body parser, and errors answered as
 * RFC 6749 §5.2 bodies, not SCIM ones.
 */
export async function registerOAuthTokenRoutes(
  app: FastifyInstance,
  tokens: TokenService,
  keys: SigningKeys,
  publicUrl: string | undefined,
): Promise<void> {
  await app.register(async (scope) => {
    // The body stays text: formParams reads it, and refuses any other media type with invalid_request.
    scope.addContentTypeParser([FORM, '*'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      const { scimError, internal } = toScimError(error, request.id);
      if (internal) request.log.error({ err: error }, 'unhandled error');
      const code = scimError.status >= 500 ? 'server_error' : 'invalid_request';
      return sendOAuthError(reply, new OAuthError(code, scimError.detail, scimError.status, { ...scimError.headers }));
    });
    route(scope, TOKEN_PATH, {
      POST: async (request, reply) => {
        const origin = publicUrl ?? `${request.protocol}://${request.host}`;
        const answer = await tokens.token({
          params: formParams(request.body, request.headers['content-type']),
          authorization: request.headers.authorization,
          address: request.ip,
          endpoint: `${origin}${TOKEN_PATH}`,
        });
        return reply.code(200).headers(NO_STORE).type('application/json').send(answer);
      },
    });
    route(scope, METADATA_PATH, {
      GET: async (request, reply) => {
        const origin = publicUrl ?? `${request.protocol}://${request.host}`;
        return reply
          .code(200)
          .type('application/json')
          .header('cache-control', 'public, max-age=300')
          .send({
            issuer: tokens.issuer,
            token_endpoint: `${origin}${TOKEN_PATH}`,
            jwks_uri: `${origin}${JWKS_PATH}`,
            grant_types_supported: ['client_credentials'],
            response_types_supported: [],
            scopes_supported: [ACCESS_TOKEN_SCOPE],
            token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
            token_endpoint_auth_signing_alg_values_supported: ASYMMETRIC_ALGORITHMS.filter((alg) => alg !== 'Ed25519'),
          });
      },
    });
    route(scope, JWKS_PATH, {
      GET: async (_request, reply) =>
        reply
          .code(200)
          .type('application/jwk-set+json')
          .header('cache-control', 'public, max-age=300')
          .send(await keys.jwks()),
    });
  });
}
