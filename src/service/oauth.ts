import { ASYMMETRIC_ALGORITHMS, type JwtVerifier, peekJwt } from '../auth/jwt.ts';
import { badRequest, forbidden, invalidToken, notFound } from '../errors/scim-error.ts';
import type { OAuthIssuerRecord, OAuthIssuerSettings, OAuthIssuerStore, SubjectAttribute } from '../store/ports/oauth-issuers.ts';
import type { TenantStore } from '../store/ports/tenants.ts';
import { resolveProfile } from './profiles.ts';
import { CredentialRefused, type Principal } from './tenants.ts';

/** Issuer look-ups are remembered this long; a change made by another process applies within it. */
const ISSUER_CACHE_MS = 1000;
const ISSUER_CACHE_ENTRIES = 10_000;

export const OAUTH_DEFAULTS = {
  tenantClaim: 'tenant',
  algorithms: ['RS256'],
  clockSkewSeconds: 60,
  subjectAttribute: 'userName',
} as const;

const SETTINGS_FIELDS = [
  'issuer',
  'jwksUrl',
  'audience',
  'tenantClaim',
  'tenantValue',
  'algorithms',
  'clockSkewSeconds',
  'subjectAttribute',
];
const SUBJECT_ATTRIBUTES: readonly SubjectAttribute[] = ['userName', 'id'];
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_CLOCK_SKEW_SECONDS = 300;

/** Printable, bounded text: these values end up in SQL parameters, logs and error details. */
function text(input: Record<string, unknown>, field: string, fallback?: string): string {
  const value = input[field] ?? fallback;
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`OAuth issuer: "${field}" is required (a non-empty string)`);
  if (value.length > 2048 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw badRequest(`OAuth issuer: "${field}" must be at most 2048 printable characters`);
  }
  return value.trim();
}

function jwksUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`OAuth issuer: "jwksUrl" must be an absolute URL, got "${raw}"`);
  }
  // Keys fetched over plain HTTP could be swapped by anyone on the path; loopback is for local setups and tests.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw badRequest('OAuth issuer: "jwksUrl" must be an https URL (http only for localhost)');
  }
  return url.href;
}

function algorithms(raw: unknown): string[] {
  const list = typeof raw === 'string' ? raw.split(',').map((a) => a.trim()) : raw;
  if (!Array.isArray(list) || list.length === 0 || list.some((a) => typeof a !== 'string')) {
    throw badRequest('OAuth issuer: "algorithms" must be a non-empty list such as ["RS256"]');
  }
  for (const alg of list as string[]) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw badRequest(
        `OAuth issuer: algorithm "${alg}" is not allowed; use asymmetric ones (${ASYMMETRIC_ALGORITHMS.join(', ')}): ` +
          '"none" and HMAC (HS*) are never accepted',
      );
    }
  }
  return [...new Set(list as string[])];
}

function clockSkew(raw: unknown): number {
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_CLOCK_SKEW_SECONDS) {
    throw badRequest(`OAuth issuer: "clockSkewSeconds" must be a whole number from 0 to ${MAX_CLOCK_SKEW_SECONDS}`);
  }
  return value;
}

/**
 * A tenant's issuer settings from an admin API body or CLI flags, with defaults: tenantClaim
 * "tenant" whose value must be the tenant's name, RS256, 60 s of clock skew, `sub` = userName.
 */
export function parseOAuthSettings(input: unknown, tenantName: string): OAuthIssuerSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('OAuth issuer: expected a JSON object');
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !SETTINGS_FIELDS.includes(k));
  if (unknown.length > 0) throw badRequest(`OAuth issuer: unknown field(s) ${unknown.join(', ')}; known: ${SETTINGS_FIELDS.join(', ')}`);
  const subjectAttribute = body['subjectAttribute'] ?? OAUTH_DEFAULTS.subjectAttribute;
  if (!SUBJECT_ATTRIBUTES.includes(subjectAttribute as SubjectAttribute)) {
    throw badRequest(`OAuth issuer: "subjectAttribute" must be one of ${SUBJECT_ATTRIBUTES.join(', ')}`);
  }
  return {
    issuer: text(body, 'issuer'),
    jwksUrl: jwksUrl(text(body, 'jwksUrl')),
    audience: text(body, 'audience'),
    tenantClaim: text(body, 'tenantClaim', OAUTH_DEFAULTS.tenantClaim),
    tenantValue: text(body, 'tenantValue', tenantName),
    algorithms: algorithms(body['algorithms'] ?? OAUTH_DEFAULTS.algorithms),
    clockSkewSeconds: clockSkew(body['clockSkewSeconds'] ?? OAUTH_DEFAULTS.clockSkewSeconds),
    subjectAttribute: subjectAttribute as SubjectAttribute,
  };
}

/** A tenant's issuer as the admin API and the CLI show it: named by tenant name. */
export function oauthIssuerView(record: OAuthIssuerRecord) {
  return {
    tenant: record.tenantName,
    tenantId: record.tenantId,
    issuer: record.issuer,
    jwksUrl: record.jwksUrl,
    audience: record.audience,
    tenantClaim: record.tenantClaim,
    tenantValue: record.tenantValue,
    algorithms: record.algorithms,
    clockSkewSeconds: record.clockSkewSeconds,
    subjectAttribute: record.subjectAttribute,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export interface OAuthServiceDeps {
  readonly store: TenantStore & OAuthIssuerStore;
  readonly verifier: JwtVerifier;
  readonly clock?: () => Date;
}

/**
 * Per-tenant OAuth 2.0 issuers (the one service behind the CLI and the admin API) and the
 * authentication of JWT access tokens against them.
 */
export function createOAuthService(deps: OAuthServiceDeps) {
  const { store, verifier } = deps;
  const clock = deps.clock ?? (() => new Date());
  const byIssuer = new Map<string, { records: readonly OAuthIssuerRecord[]; until: number }>();

  async function tenantNamed(name: string) {
    const tenant = await store.findTenantByName(name);
    if (!tenant) throw notFound(`no tenant named "${name}"`);
    return tenant;
  }

  async function issuersFor(issuer: string): Promise<readonly OAuthIssuerRecord[]> {
    const now = clock().getTime();
    const cached = byIssuer.get(issuer);
    if (cached && cached.until > now) return cached.records;
    const records = await store.findOAuthIssuersByIssuer(issuer);
    if (byIssuer.size >= ISSUER_CACHE_ENTRIES) byIssuer.clear();
    byIssuer.set(issuer, { records, until: now + ISSUER_CACHE_MS });
    return records;
  }

  /**
   * A JWT access token → the tenant it acts for. The unverified `iss` and tenant claim only pick
   * the candidate issuer configuration; everything is then verified against it.
   */
  async function authenticate(token: string): Promise<Principal> {
    const claims = peekJwt(token);
    if (!claims) throw invalidToken('the access token is not a JWT');
    if (typeof claims.iss !== 'string') throw invalidToken('the access token has no "iss" claim');
    const matches = (record: OAuthIssuerRecord, payload: Record<string, unknown>) => payload[record.tenantClaim] === record.tenantValue;
    const issuer = (await issuersFor(claims.iss)).find((record) => matches(record, claims));
    if (!issuer) throw invalidToken('no tenant trusts this issuer with this tenant claim');
    const verified = await verifier.verify(token, issuer);
    // Checked again on the verified claims: the peek above only chose whose keys to verify with.
    if (!matches(issuer, verified)) throw invalidToken('no tenant trusts this issuer with this tenant claim');
    const subject = verified.sub;
    if (typeof subject !== 'string' || subject === '') throw invalidToken('the access token has no "sub" claim');
    const principal = {
      tenantId: issuer.tenantId,
      tenantName: issuer.tenantName,
      tokenId: `jwt:${subject}`,
      profile: resolveProfile(issuer.tenantProfile),
      subject: { value: subject, attribute: issuer.subjectAttribute },
    };
    if (issuer.tenantDisabledAt) throw new CredentialRefused(principal, forbidden(`tenant "${issuer.tenantName}" is disabled`));
    return principal;
  }

  return {
    async set(tenantName: string, input: unknown): Promise<OAuthIssuerRecord> {
      const tenant = await tenantNamed(tenantName);
      const record = await store.putOAuthIssuer(tenant.id, parseOAuthSettings(input, tenant.name), clock().toISOString());
      byIssuer.clear();
      return record;
    },
    async show(tenantName: string): Promise<OAuthIssuerRecord> {
      const tenant = await tenantNamed(tenantName);
      const record = await store.findOAuthIssuer(tenant.id);
      if (!record) throw notFound(`tenant "${tenantName}" has no OAuth issuer`);
      return record;
    },
    async remove(tenantName: string): Promise<void> {
      const tenant = await tenantNamed(tenantName);
      if (!(await store.deleteOAuthIssuer(tenant.id))) throw notFound(`tenant "${tenantName}" has no OAuth issuer`);
      byIssuer.clear();
    },
    list: () => store.listOAuthIssuers(),
    /** The tenant's issuer, if it has one (ServiceProviderConfig names it). */
    issuerOf: (tenantId: string) => store.findOAuthIssuer(tenantId),
    authenticate,
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
