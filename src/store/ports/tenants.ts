/** Tenants and their SCIM bearer tokens. */

/**
 * A tenant's compatibility profile as stored (migration 45): its name, `lenient` unless set, and
 * the single behaviours it overrides. src/service/profiles.ts gives both their meaning.
 */
export interface StoredProfile {
  readonly name: string;
  readonly overrides: Readonly<Record<string, unknown>>;
}

export interface NewTenant {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface TenantRecord extends NewTenant {
  /** Set while the tenant is disabled (its SCIM tokens are refused); absent when enabled. */
  readonly disabledAt?: string;
  readonly profile: StoredProfile;
}

/** What a credential's lookup carries of its tenant, so that authentication needs no second query. */
export interface TenantState {
  /** When the tenant is disabled: since when (absent when it is enabled). */
  readonly tenantDisabledAt?: string;
  readonly tenantProfile: StoredProfile;
}

export interface TokenRecord extends TenantState {
  readonly id: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly label: string | undefined;
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly lastUsedAt: string | undefined;
}

export interface NewToken {
  readonly id: string;
  readonly tenantId: string;
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  readonly hash: string;
  readonly label?: string;
  readonly expiresAt?: string;
  readonly createdAt: string;
}

/** What a tenant deletion removed. */
export interface DeletedTenant {
  readonly resources: number;
  readonly tokens: number;
  readonly events: number;
}

export interface TenantStore {
  /** Throws uniqueness (409) when the name is taken. */
  createTenant(tenant: NewTenant): Promise<TenantRecord>;
  listTenants(): Promise<readonly TenantRecord[]>;
  findTenantByName(name: string): Promise<TenantRecord | undefined>;
  createToken(token: NewToken): Promise<TokenRecord>;
  /** The token with this hash (revoked and expired ones too: the caller decides). */
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(tenantId?: string): Promise<readonly TokenRecord[]>;
  /** False when no such token exists. */
  revokeToken(id: string, at: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
  findTokenById(id: string): Promise<TokenRecord | undefined>;
  /**
   * Makes a live token expire at `at` at the latest (an earlier expiry is kept): the old token of
   * a rotation. Returns the token as stored after the change; undefined when no such token.
   */
  expireToken(id: string, at: string): Promise<TokenRecord | undefined>;
  /** `at` disables the tenant (an already disabled one keeps its time), null enables it. False when no such tenant. */
  setTenantDisabled(id: string, at: string | null): Promise<boolean>;
  /** Replaces the tenant's profile and overrides. False when no such tenant. */
  setTenantProfile(id: string, profile: StoredProfile): Promise<boolean>;
  /**
   * Deletes the tenant and everything it owns (resources, memberships, values index, outbox and
   * delivery state, tokens, and any table keyed to tenants with ON DELETE CASCADE) in one
   * transaction. Audit entries are kept. Undefined when no such tenant.
   */
  deleteTenant(id: string): Promise<DeletedTenant | undefined>;
}
