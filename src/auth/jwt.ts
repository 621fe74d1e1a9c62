import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { invalidToken, serviceUnavailable } from '../errors/scim-error.ts';

/**
 * The signature algorithms a tenant may allow: asymmetric only, verified with the issuer's public
 * keys from its JWKS. `none` and the HMAC family (HS256…) are refused on purpose: an HMAC key is
 * a shared secret scimd would have to store, and a verifier that accepts HS* next to RS* is the
 * classic "sign with the public key as HMAC secret" forgery.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** What a tenant's issuer configuration requires of its tokens. */
export interface JwtExpectations {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
}

export interface JwksOptions {
  /** After an unknown `kid`, the JWKS is fetched again only if the last fetch is older than this. */
  readonly refreshCooldownMs: number;
  /** A JWKS older than this is fetched again before use (default 10 minutes). */
  readonly maxAgeMs?: number;
  /** How long a JWKS fetch may take (default 5 s). */
  readonly timeoutMs?: number;
}

/** Compact JWS with three segments; a static scimd token (scimd_…) never has a dot. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The claims a token says it has, NOT verified: only to find which tenant's issuer must verify
 * it. Undefined when the token is not a JWT at all (then it may be a static token).
 */
export function peekJwt(token: string): JWTPayload | undefined {
  if (!COMPACT_JWS.test(token)) return undefined;
  try {
    decodeProtectedHeader(token);
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** jose failures that mean "this token is not acceptable" (RFC 6750 invalid_token → 401), in words. */
export function refusal(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'the access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') return 'the access token is not valid yet (nbf)';
    if (error.reason === 'missing') return `the access token has no "${error.claim}" claim`;
    return `the access token's "${error.claim}" claim is not what this tenant's issuer configuration requires`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the access token's signature algorithm is not allowed for this tenant";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the access token's signature is not valid";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer's JWKS matches the access token";
  if (
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKInvalid
  ) {
    return 'the access token is malformed or uses an unsupported key';
  }
  return undefined;
}

/**
 * The JWKS could not be fetched or read (timeout, network, non-200, not a key set): the token
 * may be fine, so this is 503 + Retry-After, which identity providers retry, not a 401 that
 * makes them quarantine the connection.
 */
function jwksUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/**
 * Verifies JWT access tokens (RFC 9068 style) against a tenant's issuer: signature with a key of
 * the issuer's JWKS, `iss`, `aud`, `exp` (required), `nbf`, the allowed algorithms, with a clock
 * skew. One remote JWKS per URL, shared by the tenants that name it; jose caches it and fetches it
 * again when a token names an unknown `kid` (key rotation), at most once per cooldown.
 */
export function createJwtVerifier(options: JwksOptions, clock: () => Date = () => new Date()) {
  const keySets = new Map<string, JWTVerifyGetKey>();

  function keysAt(url: string): JWTVerifyGetKey {
    let keys = keySets.get(url);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(url), {
        cooldownDuration: options.refreshCooldownMs,
        cacheMaxAge: options.maxAgeMs ?? 600_000,
        timeoutDuration: options.timeoutMs ?? 5000,
      });
      keySets.set(url, keys);
    }
    return keys;
  }

  /** The verified claims; throws 401 invalid_token, or 503 when the JWKS cannot be had. */
  async function verify(token: string, expect: JwtExpectations): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, keysAt(expect.jwksUrl), {
        issuer: expect.issuer,
        audience: expect.audience,
        algorithms: [...expect.algorithms],
        clockTolerance: expect.clockSkewSeconds,
        currentDate: clock(),
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      const reason = refusal(error);
      if (reason !== undefined) throw invalidToken(reason);
      if (jwksUnavailable(error)) throw serviceUnavailable(`the token issuer's keys (JWKS) cannot be fetched now; retry later`, 5);
      throw error;
    }
  }

  return { verify };
}

export type JwtVerifier = ReturnType<typeof createJwtVerifier>;
