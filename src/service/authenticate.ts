import { peekJwt } from '../auth/jwt.ts';
import type { OAuthService } from './oauth.ts';
import type { TokenService } from './oauth-token.ts';
import { bearerTokenOf, type Principal, type TenantService } from './tenants.ts';

/** `connection`: the request's socket, which lets a keep-alive connection skip re-hashing a static token. */
export type Authenticate = (authorization: string | undefined, connection?: object) => Promise<Principal>;

/**
 * RFC 6750 bearer authentication for the SCIM endpoints: a JWT scimd issued itself (POST
 * /oauth/token) is verified with its own keys, any other JWT goes to the OAuth issuer of its
 * tenant, and any other token is a static tenant token. A static token (scimd_…, no dots) is told
 * apart by one regular expression test, so it pays nothing for JWT support.
 */
export function createAuthenticator(
  tenants: Pick<TenantService, 'authenticate'>,
  oauth: Pick<OAuthService, 'authenticate'>,
  tokens: Pick<TokenService, 'issued' | 'authenticate'>,
): Authenticate {
  return async (authorization, connection) => {
    const token = bearerTokenOf(authorization);
    const claims = peekJwt(token);
    if (!claims) return tenants.authenticate(authorization, connection);
    return tokens.issued(claims) ? tokens.authenticate(token) : oauth.authenticate(token);
  };
}
