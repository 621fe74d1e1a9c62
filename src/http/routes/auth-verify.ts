import type { FastifyInstance } from 'fastify';
import type { PasswordVerifier } from '../../service/password-verify.ts';
import { route } from '../method-router.ts';

/**
 * POST /auth/verify on the service's origin (docs/password-sync.md): `{"userName","password"}`
 * with a verify token → 200 `{id, userName, active, tenant}`, or the one 401 for every refused
 * credential. Only a verify token opens it (SCIM and admin tokens are in other tables); the
 * request log never sees it, so the password is never stored.
 */
export function registerAuthVerifyRoute(app: FastifyInstance, verifier: PasswordVerifier): void {
  route(
    app,
    '/auth/verify',
    { POST: async (request) => verifier.check(request.principal!, request.body, request.id) },
    {
      onRequest: async (request) => {
        request.principal = await verifier.authenticate(request.headers.authorization);
      },
    },
  );
}
