import { hashSecret, mintSecret, newTokenId } from '../auth/secrets.ts';
import { badRequest, notFound } from '../errors/scim-error.ts';
import type { NewToken, TenantRecord, TokenRecord } from '../store/ports/tenants.ts';
import { parseDuration } from './duration.ts';

/**
 * The life of a bearer token that a tenant is given: minted (the secret shown once, only its hash
 * stored), listed, rotated with an overlap, revoked. SCIM tokens (tenants.ts) and verify tokens
 * (password-verify.ts) live in tables of their own and share this.
 */

export interface MintedToken {
  readonly tenant: string;
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string | undefined;
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** A token as the CLI and the admin API show it: never its secret or hash. */
export interface TokenView {
  readonly id: string;
  readonly tenant: string;
  readonly label: string | undefined;
  readonly state: TokenState;
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly lastUsedAt: string | undefined;
}

export function tokenState(token: TokenRecord, now: Date): TokenState {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

/** How long the old token of a rotation keeps working when the caller does not say. */
export const DEFAULT_ROTATION_OVERLAP = '24h';

/** The table a kind of token lives in. */
export interface TokenTable {
  create(token: NewToken): Promise<TokenRecord>;
  findById(id: string): Promise<TokenRecord | undefined>;
  /** Sets the token's expiry; undefined when there is no such token. */
  expire(id: string, at: string): Promise<TokenRecord | undefined>;
}

export function tokenLifecycle(options: {
  readonly table: TokenTable;
  readonly clock: () => Date;
  /** How errors name the token: "token", "verify token". */
  readonly noun: string;
  /** The id's and the secret's prefixes (auth/secrets.ts defaults when absent). */
  readonly idPrefix?: string;
  readonly secretPrefix?: string;
}) {
  const { table, clock, noun } = options;

  function view(token: TokenRecord): TokenView {
    return {
      id: token.id,
      tenant: token.tenantName,
      label: token.label,
      state: tokenState(token, clock()),
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
      revokedAt: token.revokedAt,
      lastUsedAt: token.lastUsedAt,
    };
  }

  async function find(id: string): Promise<TokenRecord> {
    const token = await table.findById(id);
    if (!token) throw notFound(`no ${noun} with id "${id}"`);
    return token;
  }

  async function mint(tenant: TenantRecord, lifetimeMs: number | undefined, label: string | undefined): Promise<MintedToken> {
    const now = clock();
    const expiresAt = lifetimeMs !== undefined ? new Date(now.getTime() + lifetimeMs).toISOString() : undefined;
    const secret = mintSecret(options.secretPrefix);
    const record = await table.create({
      id: newTokenId(options.idPrefix),
      tenantId: tenant.id,
      hash: hashSecret(secret),
      createdAt: now.toISOString(),
      ...(label ? { label } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { tenant: tenant.name, id: record.id, token: secret, expiresAt };
  }

  /**
   * Rotation: a new token for the same tenant, with the old one's label and lifetime (unless
   * `expires` says otherwise); the old token keeps working for `overlap` (default 24h), time to
   * paste the new secret where it is used, then expires.
   */
  async function rotate(
    id: string,
    request: { overlap?: string; expires?: string },
    tenantOf: (token: TokenRecord) => Promise<TenantRecord>,
  ): Promise<{ minted: MintedToken; previous: TokenView }> {
    const overlapMs = parseDuration(request.overlap ?? DEFAULT_ROTATION_OVERLAP);
    const lifetimeMs = request.expires ? parseDuration(request.expires) : undefined;
    const old = await find(id);
    const state = tokenState(old, clock());
    if (state !== 'active') throw badRequest(`${noun} ${id} is ${state}: create a new one instead`);
    const inherited = old.expiresAt ? Date.parse(old.expiresAt) - Date.parse(old.createdAt) : undefined;
    const minted = await mint(await tenantOf(old), lifetimeMs ?? inherited, old.label);
    const previous = await table.expire(id, new Date(clock().getTime() + overlapMs).toISOString());
    if (!previous) throw notFound(`no ${noun} with id "${id}"`);
    return { minted, previous: view(previous) };
  }

  return { view, find, mint, rotate };
}
