import { randomUUID } from 'node:crypto';
import { hashSecret, newTokenId } from '../auth/secrets.ts';
import { badRequest, forbidden, notFound, ScimError, unauthorized, uniqueness } from '../errors/scim-error.ts';
import type { SubjectAttribute } from '../store/ports/oauth-issuers.ts';
import type { DeletedTenant, TenantRecord, TenantStore, TokenRecord } from '../store/ports/tenants.ts';
import { parseDuration } from './duration.ts';
import { type ProfileBehaviours, type ProfileName, parseOverrides, parseProfileName, resolveProfile } from './profiles.ts';
import { type MintedToken, type TokenView, tokenLifecycle } from './tokens.ts';

export const DEFAULT_TENANT = 'default';

const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const AUTH_CACHE_MS = 1000;
const AUTH_CACHE_ENTRIES = 10_000;

/** Who a request acts for, once its bearer token is accepted. */
export interface Principal {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly tokenId: string;
  /** The tenant's behaviours (src/service/profiles.ts), read with the credential: no query per request. */
  readonly profile: ProfileBehaviours;
  /** Only for a JWT access token: its `sub`, and how /Me maps it to a user (RFC 7644 §3.11). */
  readonly subject?: { readonly value: string; readonly attribute: SubjectAttribute };
}

/**
 * A genuine credential refused: a tenant's token that is revoked or expired, or any credential of
 * a disabled tenant. It names whom the credential belongs to, so that the request log records
 * the refusal for that tenant (an operator asking why Entra fails must see it); the token itself
 * never travels with it. Unknown tokens name nobody and stay a plain ScimError.
 */
export class CredentialRefused extends ScimError {
  readonly holder: Principal;

  constructor(holder: Principal, refusal: ScimError) {
    super(refusal.status, refusal.scimType, refusal.detail, { ...refusal.headers });
    this.holder = holder;
  }
}

/** RFC 6750 §2.1: the token of an `Authorization: Bearer <token>` header; 401 without one. */
export function bearerTokenOf(authorization: string | undefined): string {
  const match = authorization ? /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) throw unauthorized('a bearer token is required (Authorization: Bearer <token>)');
  return match[1];
}

/**
 * Tenants and their bearer tokens: the one service layer behind the CLI and the admin API
 * (/admin). Tokens are stored only as hashes; a secret is shown once, when minted.
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
  /**
   * The header a connection last authenticated with, and its principal: the next request on that
   * keep-alive connection skips the digest when it sends the same header. The comparison is with
   * what this connection itself sent, so its timing tells nothing about anyone's token. Entries
   * lapse with the cache entry they came from, and every revocation in this process voids them.
   */
  const byConnection = new WeakMap<object, { authorization: string; principal: Principal; until: number; revocations: number }>();
  let revocations = 0;
  /** After a revocation, rotation, disable or delete in this process: no cached acceptance survives it. */
  const forgetAccepted = () => {
    accepted.clear();
    revocations++;
  };
  const tokens = tokenLifecycle({
    table: {
      create: (t) => store.createToken(t),
      findById: (id) => store.findTokenById(id),
      expire: (id, at) => store.expireToken(id, at),
    },
    clock,
    noun: 'token',
  });

  async function createTenant(name: string): Promise<TenantRecord> {
    if (!TENANT_NAME.test(name)) {
      throw badRequest('a tenant name is 1 to 63 characters of a-z, 0-9, "-" and "_", starting with a letter or digit');
    }
    try {
      return await store.createTenant({ id: randomUUID(), name, createdAt: clock().toISOString() });
    } catch (error) {
      // The store's refusal names the id it was about to give; the operator needs the one that exists.
      const existing = error instanceof ScimError && error.scimType === 'uniqueness' ? await store.findTenantByName(name) : undefined;
      if (existing) throw uniqueness(`a tenant named "${name}" already exists (id ${existing.id})`);
      throw error;
    }
  }

  async function ensureTenant(name: string): Promise<{ tenant: TenantRecord; created: boolean }> {
    const existing = await store.findTenantByName(name);
    if (existing) return { tenant: existing, created: false };
    return { tenant: await createTenant(name), created: true };
  }

  async function findTenant(name: string): Promise<TenantRecord> {
    const tenant = await store.findTenantByName(name);
    if (!tenant) throw notFound(`no tenant named "${name}"`);
    return tenant;
  }

  async function mintToken(tenantName: string, options: { expires?: string; label?: string } = {}): Promise<MintedToken> {
    const lifetimeMs = options.expires ? parseDuration(options.expires) : undefined;
    return tokens.mint(await findTenant(tenantName), lifetimeMs, options.label);
  }

  /** tokens.rotate; the cached acceptance of the old token must not outlive a zero overlap. */
  async function rotateToken(id: string, options: { overlap?: string; expires?: string } = {}) {
    const rotated = await tokens.rotate(id, options, (old) => findTenant(old.tenantName));
    forgetAccepted();
    return rotated;
  }

  /**
   * A disabled tenant's tokens are refused with 403 at once in this process and, elsewhere,
   * within the authentication cache window (AUTH_CACHE_MS); its data and events stay.
   */
  async function setDisabled(name: string, disabled: boolean): Promise<TenantRecord> {
    const tenant = await findTenant(name);
    await store.setTenantDisabled(tenant.id, disabled ? clock().toISOString() : null);
    forgetAccepted();
    return findTenant(name);
  }

  /**
   * Sets the tenant's profile and its overrides of single behaviours (both replaced). Requests
   * of this process follow at once; other processes within the authentication cache window
   * (AUTH_CACHE_MS, also that of OAuth issuers and clients).
   */
  async function setProfile(name: string, profile: unknown, overrides: unknown): Promise<TenantRecord> {
    const setting: { name: ProfileName; overrides: Readonly<Record<string, boolean>> } = {
      name: parseProfileName(profile),
      overrides: parseOverrides(overrides),
    };
    const tenant = await findTenant(name);
    await store.setTenantProfile(tenant.id, setting);
    forgetAccepted();
    return findTenant(name);
  }

  async function deleteTenant(name: string): Promise<DeletedTenant & { readonly tenant: TenantRecord }> {
    const tenant = await findTenant(name);
    const deleted = await store.deleteTenant(tenant.id);
    forgetAccepted();
    if (!deleted) throw notFound(`no tenant named "${name}"`);
    return { tenant, ...deleted };
  }

  /**
   * Makes a secret chosen by the operator (SCIMD_BOOTSTRAP_TOKEN) valid for a tenant, once: a token
   * of that secret that exists is returned as it is, so a revocation or expiry since stands (the
   * caller tells by its state) instead of the secret coming back to life at the next start.
   */
  async function ensureToken(tenantName: string, secret: string, label: string): Promise<TokenRecord> {
    const hash = hashSecret(secret);
    const existing = await store.findTokenByHash(hash);
    if (existing) return existing;
    const { tenant } = await ensureTenant(tenantName);
    return store.createToken({ id: newTokenId(), tenantId: tenant.id, hash, label, createdAt: clock().toISOString() });
  }

  /**
   * RFC 6750 bearer authentication: the Authorization header → the tenant it acts for.
   * `connection` is any object that lives as long as the client's connection (the socket).
   */
  async function authenticate(authorization: string | undefined, connection?: object): Promise<Principal> {
    const now = clock();
    const known = connection && byConnection.get(connection);
    if (known && known.authorization === authorization && known.until > now.getTime() && known.revocations === revocations) {
      return known.principal;
    }
    if (authorization === undefined) throw unauthorized('a bearer token is required (Authorization: Bearer <token>)');
    const header = authorization;
    const hash = hashSecret(bearerTokenOf(header));
    const cached = accepted.get(hash);
    if (cached && cached.until > now.getTime()) {
      if (connection)
        byConnection.set(connection, { authorization: header, principal: cached.principal, until: cached.until, revocations });
      return cached.principal;
    }
    const token = await store.findTokenByHash(hash);
    // Looking up by SHA-256 digest is the constant-time comparison: what an index lookup's timing
    // could reveal is a prefix of the digest, which tells nothing about the secret.
    if (!token) throw unauthorized('the bearer token is not valid');
    const principal = {
      tenantId: token.tenantId,
      tenantName: token.tenantName,
      tokenId: token.id,
      profile: resolveProfile(token.tenantProfile),
    };
    // The same answer as an unknown token: a revoked one's holder learns nothing more.
    if (token.revokedAt) throw new CredentialRefused(principal, unauthorized('the bearer token is not valid'));
    if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) {
      throw new CredentialRefused(principal, unauthorized('the bearer token has expired'));
    }
    // 403, not 401: the token is genuine, the tenant may not act. An identity provider shows the
    // detail to its admin, who then knows to ask the operator rather than to paste a new token.
    if (token.tenantDisabledAt) throw new CredentialRefused(principal, forbidden(`tenant "${token.tenantName}" is disabled`));
    const last = lastTouched.get(token.id) ?? 0;
    if (now.getTime() - last > 60_000) {
      lastTouched.set(token.id, now.getTime());
      await store.touchToken(token.id, now.toISOString());
    }
    if (accepted.size >= AUTH_CACHE_ENTRIES) accepted.clear();
    const expiry = token.expiresAt ? Date.parse(token.expiresAt) : Number.POSITIVE_INFINITY;
    const until = Math.min(now.getTime() + AUTH_CACHE_MS, expiry);
    accepted.set(hash, { principal, until });
    if (connection) byConnection.set(connection, { authorization: header, principal, until, revocations });
    return principal;
  }

  return {
    createTenant,
    ensureTenant,
    findTenant,
    listTenants: () => store.listTenants(),
    disableTenant: (name: string) => setDisabled(name, true),
    enableTenant: (name: string) => setDisabled(name, false),
    deleteTenant,
    setProfile,
    mintToken,
    ensureToken,
    rotateToken,
    listTokens: async (tenantName?: string): Promise<readonly TokenView[]> => {
      const listed = tenantName === undefined ? await store.listTokens() : await store.listTokens((await findTenant(tenantName)).id);
      return listed.map(tokens.view);
    },
    revokeToken: async (id: string): Promise<TokenView> => {
      if (!(await store.revokeToken(id, clock().toISOString()))) throw notFound(`no token with id "${id}"`);
      forgetAccepted();
      return tokens.view(await tokens.find(id));
    },
    authenticate,
  };
}

export type TenantService = ReturnType<typeof createTenantService>;
