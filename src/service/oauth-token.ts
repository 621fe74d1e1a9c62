import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import { ASYMMETRIC_ALGORITHMS, type JwtVerifier, peekJwt, refusal } from '../auth/jwt.ts';
import { hashSecret } from '../auth/secrets.ts';
import { forbidden, invalidToken, ScimError } from '../errors/scim-error.ts';
import type { OAuthClientRecord, OAuthClientStore } from '../store/ports/oauth-clients.ts';
import type { OAuthIssuerStore } from '../store/ports/oauth-issuers.ts';
import { ACCESS_TOKEN_ALGORITHM, type SigningKeys } from './oauth-signing-keys.ts';
import { resolveProfile } from './profiles.ts';
import { type BucketClaim, createBuckets, type RateLimit } from './rate-limit.ts';
import { CredentialRefused, type Principal } from './tenants.ts';

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The one scope scimd's access tokens carry: the tenant's SCIM API. */
export const ACCESS_TOKEN_SCOPE = 'scim';
const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Tolerance on the exp and nbf of client assertions and of our own tokens (between instances' clocks). */
const CLOCK_SKEW_SECONDS = 60;
const CLIENT_CACHE_MS = 1000;
const CLIENT_CACHE_ENTRIES = 10_000;

/**
 * An RFC 6749 §5.2 error: the token endpoint answers it as `{"error", "error_description"}`
 * (never as a SCIM error body: the token endpoint is OAuth, not SCIM).
 */
export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(error: string, description: string, status = 400, headers: Record<string, string> = {}) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = status;
    this.headers = headers;
  }
}

/** RFC 6749 §5.2: invalid_client is 401, with a challenge for HTTP Basic, the method clients most use. */
const invalidClient = (description: string) =>
  new OAuthError('invalid_client', description, 401, { 'www-authenticate': 'Basic realm="scimd"' });
const invalidRequest = (description: string) => new OAuthError('invalid_request', description);

/** A token request as the HTTP layer hands it over. */
export interface TokenRequest {
  /** The form parameters (application/x-www-form-urlencoded), each at most once. */
  readonly params: ReadonlyMap<string, string>;
  readonly authorization: string | undefined;
  /** The client's address, for the rate limit. */
  readonly address: string;
  /** The token endpoint's URL as this request reached it: an `aud` client assertions may carry. */
  readonly endpoint: string;
}

/** RFC 6749 §5.1: the successful answer. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

export interface TokenServiceDeps {
  readonly store: OAuthClientStore & OAuthIssuerStore;
  readonly keys: SigningKeys;
  /** Verifies client assertions of a tenant's trusted issuer (workload identity federation). */
  readonly verifier: JwtVerifier;
  /** The `iss` of scimd's access tokens: SCIMD_PUBLIC_URL, or urn:scimd without one. */
  readonly issuer: string;
  /** The `aud` of scimd's access tokens: the SCIM API. */
  readonly audience: string;
  /** Token requests per client address and per client_id (SCIMD_RATE_LIMIT_OAUTH_TOKEN). */
  readonly rateLimit: RateLimit;
  readonly clock?: () => Date;
}

/** RFC 6749 §2.3.1: client_id and client_secret are form-encoded before Basic encoding. */
function formDecode(text: string): string {
  return decodeURIComponent(text.replaceAll('+', ' '));
}

function basicCredentials(authorization: string): { id: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization);
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1) throw invalidClient('the Authorization header is not HTTP Basic client_id:client_secret');
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('the Basic credentials are not form-encoded correctly');
  }
}

/**
 * scimd's own token endpoint (RFC 6749 §4.4, client credentials) and the verification of the
 * access tokens it issues. A client authenticates with one of its secrets (client_secret_basic,
 * client_secret_post) or a JWT assertion (RFC 7523 §2.2): signed with a key registered for it
 * (private_key_jwt), or by its tenant's trusted issuer for its federated subject (workload
 * identity federation). The access token is a JWT (RFC 9068) for the client's tenant only.
 */
export function createTokenService(deps: TokenServiceDeps) {
  const { store, keys, verifier, issuer, audience } = deps;
  const clock = deps.clock ?? (() => new Date());
  const buckets = createBuckets(() => clock().getTime());
  const clients = new Map<string, { client: OAuthClientRecord | undefined; until: number }>();

  function limit(claims: readonly BucketClaim[]): void {
    try {
      buckets.take(claims);
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      throw new OAuthError('temporarily_unavailable', error.detail, 429, { ...error.headers });
    }
  }

  async function bySecret(id: string, secret: string): Promise<OAuthClientRecord> {
    const client = await store.findOAuthClient(id);
    const stored = client && (await store.findOAuthClientSecret(id, hashSecret(secret)));
    if (!client || !stored) throw invalidClient('client authentication failed: unknown client_id or wrong client_secret');
    if (Date.parse(stored.expiresAt) <= clock().getTime()) {
      throw invalidClient(`client authentication failed: the client secret ${stored.hint}… expired at ${stored.expiresAt}`);
    }
    // One write per token (an identity provider asks about once an hour): it shows when an old secret is unused and can go.
    await store.touchOAuthClientSecret(stored.id, clock().toISOString());
    return client;
  }

  /** RFC 7523 §3: a JWT the client signed with a key registered for it (private_key_jwt). */
  async function byKey(client: OAuthClientRecord, assertion: string, endpoint: string): Promise<void> {
    if (!client.jwks) throw invalidClient(`client "${client.id}" has no registered key to verify its client assertion with`);
    try {
      await jwtVerify(assertion, createLocalJWKSet(JSON.parse(client.jwks) as JSONWebKeySet), {
        issuer: client.id,
        subject: client.id,
        audience: [issuer, endpoint],
        algorithms: [...ASYMMETRIC_ALGORITHMS],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: clock(),
        requiredClaims: ['exp'],
      });
    } catch (error) {
      const reason = refusal(error);
      if (reason === undefined) throw error;
      throw invalidClient(`the client assertion is not valid: ${reason.replace('the access token', 'the assertion')}`);
    }
  }

  /** Workload identity federation: a JWT of the tenant's trusted issuer whose sub is the client's federated subject. */
  async function byFederation(client: OAuthClientRecord, assertion: string, iss: unknown): Promise<void> {
    if (!client.federatedSubject)
      throw invalidClient(`client "${client.id}" accepts no assertion of another issuer (no federated subject)`);
    const trusted = await store.findOAuthIssuer(client.tenantId);
    if (!trusted || trusted.issuer !== iss)
      throw invalidClient(`the client assertion's issuer is not the trusted issuer of tenant "${client.tenantName}"`);
    let claims: Record<string, unknown>;
    try {
      claims = await verifier.verify(assertion, { ...trusted, audience: client.federatedAudience ?? trusted.audience });
    } catch (error) {
      if (error instanceof ScimError && error.status === 401) {
        throw invalidClient(`the client assertion is not valid: ${error.detail.replace('the access token', 'the assertion')}`);
      }
      if (error instanceof ScimError && error.status === 503) {
        throw new OAuthError('temporarily_unavailable', error.detail, 503, { ...error.headers });
      }
      throw error;
    }
    if (claims[trusted.tenantClaim] !== trusted.tenantValue) {
      throw invalidClient(`the client assertion's "${trusted.tenantClaim}" claim is not "${trusted.tenantValue}"`);
    }
    if (claims['sub'] !== client.federatedSubject)
      throw invalidClient(`the client assertion's subject is not the federated subject of client "${client.id}"`);
  }

  async function byAssertion(params: ReadonlyMap<string, string>, endpoint: string): Promise<OAuthClientRecord> {
    const type = params.get('client_assertion_type');
    const assertion = params.get('client_assertion');
    if (type === undefined || assertion === undefined) throw invalidRequest('client_assertion and client_assertion_type go together');
    if (type !== JWT_BEARER_ASSERTION) throw invalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    const peeked = peekJwt(assertion);
    if (!peeked) throw invalidClient('the client assertion is not a JWT');
    const id = params.get('client_id') ?? peeked.sub;
    if (typeof id !== 'string' || id === '') throw invalidClient('the client assertion names no client (no client_id, no sub)');
    limit([{ key: `c:${id}`, limit: deps.rateLimit, scope: 'client_id' }]);
    const client = await store.findOAuthClient(id);
    if (!client) throw invalidClient('client authentication failed: unknown client_id');
    if (peeked.iss === client.id) await byKey(client, assertion, endpoint);
    else await byFederation(client, assertion, peeked.iss);
    return client;
  }

  /** RFC 6749 §2.3: exactly one way of client authentication per request. */
  async function authenticateClient(request: TokenRequest): Promise<OAuthClientRecord> {
    const { params, authorization } = request;
    const basic = authorization !== undefined && /^Basic /i.test(authorization);
    const post = params.has('client_secret');
    const assertion = params.has('client_assertion') || params.has('client_assertion_type');
    if (Number(basic) + Number(post) + Number(assertion) > 1)
      throw invalidRequest('use exactly one client authentication method per request');
    if (assertion) return byAssertion(params, request.endpoint);
    if (!basic && !post) throw invalidClient('client authentication is required (HTTP Basic, client_secret or client_assertion)');
    const credentials = basic
      ? basicCredentials(authorization!)
      : { id: params.get('client_id') ?? '', secret: params.get('client_secret')! };
    if (basic && params.has('client_id') && params.get('client_id') !== credentials.id) {
      throw invalidRequest('client_id differs from the client of the Authorization header');
    }
    limit([{ key: `c:${credentials.id}`, limit: deps.rateLimit, scope: 'client_id' }]);
    return bySecret(credentials.id, credentials.secret);
  }

  /** POST /oauth/token: an access token, or an OAuthError. */
  async function token(request: TokenRequest): Promise<TokenResponse> {
    limit([{ key: `a:${request.address}`, limit: deps.rateLimit, scope: 'client address' }]);
    const grant = request.params.get('grant_type');
    if (grant === undefined) throw invalidRequest('grant_type is required');
    if (grant !== 'client_credentials')
      throw new OAuthError('unsupported_grant_type', `grant_type "${grant}" is not supported; use client_credentials`);
    const client = await authenticateClient(request);
    if (client.tenantDisabledAt) throw new OAuthError('unauthorized_client', `tenant "${client.tenantName}" is disabled`);
    const { kid, key } = await keys.signingKey();
    const now = Math.floor(clock().getTime() / 1000);
    const lifetime = client.tokenLifetimeSeconds;
    const accessToken = await new SignJWT({ client_id: client.id, tenant: client.tenantId, scope: ACCESS_TOKEN_SCOPE })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(issuer)
      .setSubject(client.id)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(key);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope: ACCESS_TOKEN_SCOPE };
  }

  async function clientCached(id: string): Promise<OAuthClientRecord | undefined> {
    const now = clock().getTime();
    const cached = clients.get(id);
    if (cached && cached.until > now) return cached.client;
    const client = await store.findOAuthClient(id);
    if (clients.size >= CLIENT_CACHE_ENTRIES) clients.clear();
    clients.set(id, { client, until: now + CLIENT_CACHE_MS });
    return client;
  }

  /** One of our access tokens → the tenant it acts for; 401 invalid_token otherwise, 403 for a disabled tenant. */
  async function authenticate(accessToken: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      const { kid } = decodeProtectedHeader(accessToken);
      if (typeof kid !== 'string') throw invalidToken('the access token names no signing key (kid)');
      const key = await keys.verificationKey(kid);
      if (!key) throw invalidToken('the access token was signed with a key scimd does not have (expired or unknown)');
      ({ payload } = await jwtVerify(accessToken, key, {
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYPE,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: clock(),
        requiredClaims: ['exp', 'sub', 'tenant'],
      }));
    } catch (error) {
      if (error instanceof ScimError) throw error;
      const reason = refusal(error) ?? (error instanceof errors.JOSEError ? 'the access token is malformed' : undefined);
      if (reason === undefined) throw error;
      throw invalidToken(reason.replace("this tenant's issuer configuration", 'scimd'));
    }
    const client = await clientCached(String(payload['sub']));
    // The tenant comes from the token and must still be the client's: a token acts for one tenant only.
    if (!client || client.tenantId !== payload['tenant']) throw invalidToken('the OAuth client of this access token no longer exists');
    const principal = {
      tenantId: client.tenantId,
      tenantName: client.tenantName,
      tokenId: `oauth:${client.id}`,
      profile: resolveProfile(client.tenantProfile),
    };
    if (client.tenantDisabledAt) throw new CredentialRefused(principal, forbidden(`tenant "${client.tenantName}" is disabled`));
    return principal;
  }

  return {
    issuer,
    token,
    authenticate,
    /** Whether a JWT's (unverified) claims say it is one of ours. */
    issued: (claims: { iss?: unknown }) => claims.iss === issuer,
    /** Forgets a changed or deleted client at once (in this process; others within a second). */
    forget: (clientId: string) => clients.delete(clientId),
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
