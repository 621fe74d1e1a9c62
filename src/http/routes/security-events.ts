import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { SetSigner } from '../../events/set/keys.ts';
import { parsePollRequest, SetPollError, type SetPoller } from '../../events/set/poll.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';

/** Where the public keys that verify our SETs are published (docs/security-events.md). */
export const SET_JWKS_PATH = '/.well-known/scim-set-jwks.json';

/** The RFC 8936 poll endpoint under the SCIM base path; also the `aud` of the SETs it returns. */
export const SET_POLL_PATH = '/Events/SET/poll';

/** The JWK Set of the SET signing keys: public, unauthenticated, cacheable. */
export function registerSetJwksRoute(app: FastifyInstance, signer: SetSigner): void {
  route(app, SET_JWKS_PATH, {
    GET: async (_request, reply) =>
      reply.code(200).type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(signer.jwks),
  });
}

/**
 * RFC 8936 §2: `POST {basePath}/Events/SET/poll` with the tenant's bearer token, body
 * `{maxEvents, returnImmediately, ack, setErrs}`, answer `{sets: {jti: SET}, moreAvailable}`.
 * A malformed request is 400 with the RFC 8935 §2.3 body `{"err": "invalid_request", …}`.
 */
export function registerSetPollRoute(app: FastifyInstance, config: Config, poller: SetPoller): void {
  // Waiting long polls answer at once when the server closes, else app.close() would wait for them.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  route(app, SET_POLL_PATH, {
    POST: async (request, reply) => {
      const scope = scopeOf(config, request);
      let parsed;
      try {
        parsed = parsePollRequest(request.body);
      } catch (error) {
        if (!(error instanceof SetPollError)) throw error;
        return reply.code(400).type('application/json').send({ err: error.err, description: error.message });
      }
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const response = await poller.poll(
        scope.tenantId,
        `${scope.baseUrl}${SET_POLL_PATH}`,
        parsed,
        AbortSignal.any([gone.signal, closing.signal]),
      );
      return reply.code(200).type('application/json').send(response);
    },
  });
}
