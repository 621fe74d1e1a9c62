import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, needsRehash, scryptCost, verifyPassword } from '../auth/password.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { PasswordVerifyConfig } from '../config/config.ts';
import { forbidden, invalidSyntax, invalidToken, notFound, unauthorized } from '../errors/scim-error.ts';
import { fold } from '../filter/fold.ts';
import type { AuditEntry } from '../store/ports/admin.ts';
import type { LockoutRecord, PasswordVerifyStore, VerifySettings } from '../store/ports/password-verify.ts';
import type { TenantRecord, TenantStore } from '../store/ports/tenants.ts';
import { parseDuration } from './duration.ts';
import { resolveProfile } from './profiles.ts';
import { createRateLimiter } from './rate-limit.ts';
import { bearerTokenOf, type Principal } from './tenants.ts';
import { type MintedToken, type TokenView, tokenLifecycle } from './tokens.ts';

/**
 * POST /auth/verify (docs/password-sync.md): the product's own modules check a user's password
 * against the hash password sync keeps, with a token of their own, scoped to one tenant and to
 * this check alone. Every refusal of a credential is the same 401; why, only the audit log and
 * the metrics say (`VerifyOutcome`).
 */

/** What a check ended in: `verified`, or why it was refused (the audit log's reason, the metric's label). */
export type VerifyOutcome =
  | 'verified'
  | 'unknown_user'
  | 'wrong_password'
  | 'inactive'
  | 'no_password'
  | 'locked'
  | 'rate_limited'
  | 'malformed'
  | 'invalid_token';

/** The 200 answer: who the password belongs to. */
export interface VerifiedUser {
  readonly id: string;
  readonly userName: string;
  readonly active: true;
  readonly tenant: string;
}

/** A userName's failures as the admin API and the console show them. */
export interface LockoutView {
  readonly userName: string;
  readonly failures: number;
  /** Whether checks of this name are refused now, unseen. */
  readonly locked: boolean;
  readonly lockedUntil: string | undefined;
  readonly lastFailureAt: string;
}

const VERIFY_SECRET_PREFIX = 'scimd_verify_';
/** How long a userName's failures are remembered after the last one, once no lock holds. */
export const LOCKOUT_MEMORY_MS = 24 * 3600 * 1000;
const MAX_FIELD = 4096;
/** Every refused credential gets this, word for word. */
const REFUSED = 'the user name or password is not valid';

export interface PasswordVerifierDeps {
  readonly store: PasswordVerifyStore & Pick<TenantStore, 'findTenantByName'>;
  readonly config: PasswordVerifyConfig;
  readonly clock?: () => Date;
  /** Where each check is recorded (AuditLog.record); absent: nowhere. */
  readonly audit?: (entry: AuditEntry) => void;
  /** Each check's outcome, for the metrics. */
  readonly onOutcome?: (outcome: VerifyOutcome) => void;
}

/** A digest of a stored hash: tells a changed password from the one the failures were made against. */
const hashTagOf = (passwordHash: string | undefined) =>
  passwordHash === undefined ? undefined : createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);

export function createPasswordVerifier(deps: PasswordVerifierDeps) {
  const { store, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const cost = scryptCost(config.scryptN);
  const limiter = createRateLimiter({ tenant: { perSecond: 0, burst: 0 }, token: config.rateLimit }, () => clock().getTime());
  /** What an unknown user's password is checked against, so that it costs what a known user's does. */
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('base64url'), cost));
  const tokens = tokenLifecycle({
    table: {
      create: (t) => store.createVerifyToken(t),
      findById: (id) => store.findVerifyTokenById(id),
      expire: (id, at) => store.expireVerifyToken(id, at),
    },
    clock,
    noun: 'verify token',
    idPrefix: 'vtok_',
    secretPrefix: VERIFY_SECRET_PREFIX,
  });

  async function findTenant(name: string): Promise<TenantRecord> {
    const tenant = await store.findTenantByName(name);
    if (!tenant) throw notFound(`no tenant named "${name}"`);
    return tenant;
  }

  /** The verify token of an Authorization header; SCIM and admin tokens are not in its table. */
  async function authenticate(authorization: string | undefined): Promise<Principal> {
    try {
      return await principalOf(authorization);
    } catch (error) {
      deps.onOutcome?.('invalid_token');
      throw error;
    }
  }

  async function principalOf(authorization: string | undefined): Promise<Principal> {
    const token = await store.findVerifyTokenByHash(hashSecret(bearerTokenOf(authorization)));
    const now = clock();
    if (!token || token.revokedAt) throw invalidToken('the bearer token is not a valid verify token');
    if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) throw invalidToken('the verify token has expired');
    if (token.tenantDisabledAt) throw forbidden(`tenant "${token.tenantName}" is disabled`);
    if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) > 60_000)
      await store.touchVerifyToken(token.id, now.toISOString());
    return { tenantId: token.tenantId, tenantName: token.tenantName, tokenId: token.id, profile: resolveProfile(token.tenantProfile) };
  }

  function lockUntilMs(failures: number, now: number): number {
    if (failures < config.lockoutThreshold) return 0;
    const doublings = Math.min(failures - config.lockoutThreshold, 30);
    return now + Math.min(config.lockoutMaxDelaySeconds, config.lockoutDelaySeconds * 2 ** doublings) * 1000;
  }

  function record(principal: Principal, outcome: VerifyOutcome, status: number, requestId: string | undefined, userId?: string): void {
    deps.onOutcome?.(outcome);
    deps.audit?.({
      time: clock().toISOString(),
      tenantId: principal.tenantId,
      tenantName: principal.tenantName,
      tokenId: principal.tokenId,
      operation: 'verify',
      resourceType: 'User',
      resourceId: userId,
      status,
      requestId,
      ...(outcome === 'verified' ? {} : { reason: outcome }),
    });
  }

  /** `{userName, password}` or 400: a malformed request is no failed credential. */
  function credentialsOf(body: unknown): { userName: string; password: string } {
    const { userName, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof userName !== 'string' || typeof password !== 'string' || userName === '' || password === '') {
      throw invalidSyntax('the body must be a JSON object with the strings "userName" and "password"');
    }
    if (userName.length > MAX_FIELD || password.length > MAX_FIELD)
      throw invalidSyntax(`userName and password are at most ${MAX_FIELD} characters`);
    return { userName, password };
  }

  /**
   * One check. The order is fixed so that its cost tells nothing: a locked name is refused unseen
   * (known or not: unknown names lock too); every other check derives one scrypt key, against the
   * user's hash or, for an unknown user or one without a password, against a dummy hash of the
   * same cost; then one write (the failure counted, or the failures forgotten).
   */
  async function check(principal: Principal, body: unknown, requestId?: string): Promise<VerifiedUser> {
    try {
      limiter.take(principal);
    } catch (error) {
      record(principal, 'rate_limited', 429, requestId);
      throw error;
    }
    let credentials: { userName: string; password: string };
    try {
      credentials = credentialsOf(body);
    } catch (error) {
      record(principal, 'malformed', 400, requestId);
      throw error;
    }
    const { userName, password } = credentials;
    const nameKey = fold(userName);
    const [user, lockout, settings] = await Promise.all([
      store.findVerifyUser(principal.tenantId, nameKey),
      store.findLockout(principal.tenantId, nameKey),
      store.getVerifySettings(principal.tenantId),
    ]);
    const now = clock();
    const refuse = (outcome: VerifyOutcome): never => {
      record(principal, outcome, 401, requestId, user?.id);
      throw unauthorized(REFUSED);
    };
    // The tenant's setting: a password the identity provider changed since the failures ends them.
    const passwordChanged = lockout !== undefined && user !== undefined && hashTagOf(user.passwordHash) !== lockout.hashTag;
    if (passwordChanged && settings.clearLockoutOnPasswordChange) await store.clearLockout(principal.tenantId, nameKey);
    else if (lockout && lockout.lockedUntilMs > now.getTime()) refuse('locked');
    const stored = user?.passwordHash;
    const matches = await verifyPassword(password, stored ?? (await dummyHash()));
    const outcome: VerifyOutcome = !user
      ? 'unknown_user'
      : stored === undefined
        ? 'no_password'
        : !matches
          ? 'wrong_password'
          : user.active === false
            ? 'inactive'
            : 'verified';
    if (outcome !== 'verified') {
      // Names that contain U+0000 cannot be stored on PostgreSQL: no user has one, nothing to count.
      if (!nameKey.includes('\u0000')) {
        await store.recordFailure(
          principal.tenantId,
          nameKey,
          { userName, at: now.toISOString(), hashTag: hashTagOf(stored) },
          (failures) => lockUntilMs(failures, now.getTime()),
        );
      }
      return refuse(outcome);
    }
    await store.clearLockout(principal.tenantId, nameKey);
    if (needsRehash(stored!, cost))
      await store.replacePasswordHash(principal.tenantId, user!.id, stored!, await hashPassword(password, cost));
    record(principal, 'verified', 200, requestId, user!.id);
    return { id: user!.id, userName: user!.userName, active: true, tenant: principal.tenantName };
  }

  function lockoutView(lockout: LockoutRecord): LockoutView {
    const locked = lockout.lockedUntilMs > clock().getTime();
    return {
      userName: lockout.userName,
      failures: lockout.failures,
      locked,
      lockedUntil: locked ? new Date(lockout.lockedUntilMs).toISOString() : undefined,
      lastFailureAt: lockout.lastFailureAt,
    };
  }

  return {
    authenticate,
    check,
    mintToken: async (tenantName: string, options: { expires?: string; label?: string } = {}): Promise<MintedToken> =>
      tokens.mint(await findTenant(tenantName), options.expires ? parseDuration(options.expires) : undefined, options.label),
    listTokens: async (tenantName?: string): Promise<readonly TokenView[]> =>
      (tenantName === undefined ? await store.listVerifyTokens() : await store.listVerifyTokens((await findTenant(tenantName)).id)).map(
        tokens.view,
      ),
    revokeToken: async (id: string): Promise<TokenView> => {
      if (!(await store.revokeVerifyToken(id, clock().toISOString()))) throw notFound(`no verify token with id "${id}"`);
      return tokens.view(await tokens.find(id));
    },
    /** As a SCIM token's rotation: a successor with the old label and lifetime; the old one works for `overlap`. */
    rotateToken: (id: string, options: { overlap?: string; expires?: string } = {}) =>
      tokens.rotate(id, options, (old) => findTenant(old.tenantName)),
    /** Forgets failures older than LOCKOUT_MEMORY_MS that hold no lock (the server calls it every minute). */
    pruneLockouts: async (): Promise<number> => {
      const now = clock().getTime();
      return store.pruneLockouts(new Date(now - LOCKOUT_MEMORY_MS).toISOString(), now);
    },
    listLockouts: async (tenantName: string): Promise<readonly LockoutView[]> =>
      (await store.listLockouts((await findTenant(tenantName)).id)).map(lockoutView),
    /** The operator ends a lockout: the name's failures are forgotten. */
    clearLockout: async (tenantName: string, userName: string): Promise<void> => {
      if (!(await store.clearLockout((await findTenant(tenantName)).id, fold(userName)))) {
        throw notFound(`no failed checks recorded for "${userName}" in tenant "${tenantName}"`);
      }
    },
    getSettings: async (tenantName: string): Promise<VerifySettings> => store.getVerifySettings((await findTenant(tenantName)).id),
    putSettings: async (tenantName: string, settings: VerifySettings): Promise<VerifySettings> =>
      store.putVerifySettings((await findTenant(tenantName)).id, settings),
  };
}

export type PasswordVerifier = ReturnType<typeof createPasswordVerifier>;
