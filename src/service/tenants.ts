import { randomUUID } from 'node:crypto';
import { hashSecret, mintSecret, newTokenId } from '../auth/secrets.ts';
import { badRequest, notFound, unauthorized } from '../errors/scim-error.ts';
import type { SubjectAttribute, TenantRecord, TenantStore, TokenRecord } from '../store/ports.ts';

export const DEFAULT_TENANT = 'default';

const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const AUTH_CACHE_MS = 1000;
const AUTH_CACHE_ENTRIES = 10_000;

/** Who a request acts for, once its bearer token is accepted. */
export interface Principal {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly tokenId: string;
  /** Only for a JWT access token: its `sub`, and how /Me maps it to a user (RFC 7644 §3.11). */
  readonly subject?: { readonly value: string; readonly attribute: SubjectAttribute };
}

/** RFC 6750 §2.1: the token of an `Authorization: Bearer <token>` header; 401 without one. */
export function bearerTokenOf(authorization: string | undefined): string {
  const match = authorization ? /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) throw unauthorized('a bearer token is required (Authorization: Bearer <token>)');
  return match[1];
}

export interface MintedToken {
  readonly tenant: string;
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string | undefined;
}

/** "90d", "12h", "30m" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text.trim());
  if (!match) throw badRequest(`expected a duration like 90d, 12h or 30m, got "${text}"`);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}

/**
 * Tenants and their bearer tokens: the one service layer behind the CLI (and, later, the admin
 * API). Tokens are stored only as hashes; a secret is shown once, when minted.
 */
export function createTenantService(store: TenantStore, clock: () => Date = () => new Date()) {
  /** Last-used times are written at most once a minute per token, not on every request. */
  const lastTouched = new Map<string, number>();
  /**
   * Accepted tokens, by digest, for AUTH_CACHE_MS: an identity provider's burst of requests then
   * costs one token lookup a second. A revocation in this process clears it at once; one made by
   * another process (the CLI) takes effect within AUTH_CACHE_MS.
   */
  const accepted = new Map<string, { principal: Principal; until: number }>();

  async function createTenant(name: string): Promise<TenantRecord> {
    if (!TENANT_NAME.test(name)) {
      throw badRequest('a tenant name is 1 to 63 characters of a-z, 0-9, "-" and "_", starting with a letter or digit');
    }
    return store.createTenant({ id: randomUUID(), name, createdAt: clock().toISOString() });
  }

  async function ensureTenant(name: string): Promise<{ tenant: TenantRecord; created: boolean }> {
    const existing = await store.findTenantByName(name);
    if (existing) return { tenant: existing, created: false };
    return { tenant: await createTenant(name), created: true };
  }

  async function mintToken(tenantName: string, options: { expires?: string; label?: string } = {}): Promise<MintedToken> {
    const tenant = await store.findTenantByName(tenantName);
    if (!tenant) throw notFound(`no tenant named "${tenantName}"`);
    const now = clock();
    const expiresAt = options.expires ? new Date(now.getTime() + parseDuration(options.expires)).toISOString() : undefined;
    const secret = mintSecret();
    const record = await store.createToken({
      id: newTokenId(),
      tenantId: tenant.id,
      hash: hashSecret(secret),
      createdAt: now.toISOString(),
      ...(options.label ? { label: options.label } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { tenant: tenant.name, id: record.id, token: secret, expiresAt };
  }

  /** Makes a secret chosen by the operator (SCIMD_BOOTSTRAP_TOKEN) valid for a tenant, once. */
  async function ensureToken(tenantName: string, secret: string, label: string): Promise<TokenRecord> {
    const hash = hashSecret(secret);
    const existing = await store.findTokenByHash(hash);
    if (existing && !existing.revokedAt) return existing;
    const { tenant } = await ensureTenant(tenantName);
    return store.createToken({ id: newTokenId(), tenantId: tenant.id, hash, label, createdAt: clock().toISOString() });
  }

  /** RFC 6750 bearer authentication: the Authorization header → the tenant it acts for. */
  async function authenticate(authorization: string | undefined): Promise<Principal> {
    const hash = hashSecret(bearerTokenOf(authorization));
    const now = clock();
    const cached = accepted.get(hash);
    if (cached && cached.until > now.getTime()) return cached.principal;
    const token = await store.findTokenByHash(hash);
    // Looking up by SHA-256 digest is the constant-time comparison: what an index lookup's timing
    // could reveal is a prefix of the digest, which tells nothing about the secret.
    if (!token || token.revokedAt) {
      throw unauthorized('the bearer token is not valid');
    }
    if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) {
      throw unauthorized('the bearer token has expired');
    }
    const last = lastTouched.get(token.id) ?? 0;
    if (now.getTime() - last > 60_000) {
      lastTouched.set(token.id, now.getTime());
      await store.touchToken(token.id, now.toISOString());
    }
    const principal = { tenantId: token.tenantId, tenantName: token.tenantName, tokenId: token.id };
    if (accepted.size >= AUTH_CACHE_ENTRIES) accepted.clear();
    const expiry = token.expiresAt ? Date.parse(token.expiresAt) : Number.POSITIVE_INFINITY;
    accepted.set(hash, { principal, until: Math.min(now.getTime() + AUTH_CACHE_MS, expiry) });
    return principal;
  }

  return {
    createTenant,
    ensureTenant,
    listTenants: () => store.listTenants(),
    mintToken,
    ensureToken,
    listTokens: async (tenantName?: string) => {
      if (tenantName === undefined) return store.listTokens();
      const tenant = await store.findTenantByName(tenantName);
      if (!tenant) throw notFound(`no tenant named "${tenantName}"`);
      return store.listTokens(tenant.id);
    },
    revokeToken: async (id: string) => {
      if (!(await store.revokeToken(id, clock().toISOString()))) throw notFound(`no token with id "${id}"`);
      accepted.clear();
    },
    authenticate,
  };
}

export type TenantService = ReturnType<typeof createTenantService>;
