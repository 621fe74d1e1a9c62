import type { NewToken, TokenRecord } from './tenants.ts';

/**
 * Password verification (POST /auth/verify, docs/password-sync.md): its tokens, the user a check
 * reads, and the per-user lockouts. Verify tokens have the shape of SCIM tokens but a table of
 * their own: neither kind is ever accepted in the other's place.
 */

/** What a check needs of a user: found by the folded userName (the uniqueness key). */
export interface VerifyUser {
  readonly id: string;
  readonly userName: string;
  /** The `active` attribute as stored; undefined when absent. */
  readonly active: unknown;
  readonly passwordHash: string | undefined;
}

/** Failed checks against one folded userName of a tenant (known or not). */
export interface LockoutRecord {
  readonly tenantId: string;
  /** As sent in the last failed check. */
  readonly userName: string;
  /** Consecutive failures since the last success or clearing. */
  readonly failures: number;
  /** Epoch ms before which checks are refused unseen; 0 when not locked. */
  readonly lockedUntilMs: number;
  readonly lastFailureAt: string;
  /** A digest of the password hash the last failure was checked against; undefined for an unknown user. */
  readonly hashTag: string | undefined;
}

export interface VerifySettings {
  /** A password the identity provider changes ends the user's lockout. */
  readonly clearLockoutOnPasswordChange: boolean;
}

export interface PasswordVerifyStore {
  createVerifyToken(token: NewToken): Promise<TokenRecord>;
  /** Revoked and expired ones too: the caller decides. */
  findVerifyTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  findVerifyTokenById(id: string): Promise<TokenRecord | undefined>;
  listVerifyTokens(tenantId?: string): Promise<readonly TokenRecord[]>;
  /** False when no such token. */
  revokeVerifyToken(id: string, at: string): Promise<boolean>;
  /** Makes a live token expire at `at` at the latest (a rotation's old token); undefined when no such token. */
  expireVerifyToken(id: string, at: string): Promise<TokenRecord | undefined>;
  touchVerifyToken(id: string, at: string): Promise<void>;

  /** The tenant's user whose folded userName is `nameKey`. */
  findVerifyUser(tenantId: string, nameKey: string): Promise<VerifyUser | undefined>;
  /**
   * Replaces a user's password hash only while it is still `expected` (a rehash at a higher cost
   * loses to a password change made meanwhile). No version, no event: the hash is never shown.
   */
  replacePasswordHash(tenantId: string, userId: string, expected: string, replacement: string): Promise<boolean>;

  findLockout(tenantId: string, nameKey: string): Promise<LockoutRecord | undefined>;
  /**
   * Counts one failure (creating the row at 1) and returns the count now. `lockUntilMs(failures)`
   * says until when that count locks the name (0: not locked); a later lock is never shortened.
   */
  recordFailure(
    tenantId: string,
    nameKey: string,
    failure: { readonly userName: string; readonly at: string; readonly hashTag: string | undefined },
    lockUntilMs: (failures: number) => number,
  ): Promise<LockoutRecord>;
  /** Forgets the failures of one name (a success, the operator, a password change); false when there were none. */
  clearLockout(tenantId: string, nameKey: string): Promise<boolean>;
  /**
   * Forgets, in every tenant, the names whose last failure is before `before` (ISO 8601) and that
   * are not locked at `nowMs`: counts of the past, and locks long over. Returns how many.
   */
  pruneLockouts(before: string, nowMs: number): Promise<number>;
  /** The tenant's names with failures, most recent failure first. */
  listLockouts(tenantId: string): Promise<readonly LockoutRecord[]>;

  /** The defaults when the tenant has none stored. */
  getVerifySettings(tenantId: string): Promise<VerifySettings>;
  putVerifySettings(tenantId: string, settings: VerifySettings): Promise<VerifySettings>;
}
