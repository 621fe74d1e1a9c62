import { timingSafeEqual } from 'node:crypto';
import { hashSecret, mintSecret, newTokenId } from '../auth/secrets.ts';
import { notFound, ScimError } from '../errors/scim-error.ts';
import type { AdminStore, AdminTokenRecord } from '../store/ports/admin.ts';
import { parseDuration } from './duration.ts';

/** Who an admin API request acts as: an admin token's id, or ENV_ADMIN_TOKEN_ID. */
export interface AdminPrincipal {
  readonly tokenId: string;
}

/** The id SCIMD_ADMIN_TOKEN acts under (in the audit log and logs). */
export const ENV_ADMIN_TOKEN_ID = 'SCIMD_ADMIN_TOKEN';

const ADMIN_SECRET_PREFIX = 'scimd_admin_';

const adminUnauthorized = (detail: string) => new ScimError(401, undefined, detail, { 'www-authenticate': 'Bearer realm="scimd-admin"' });

export interface MintedAdminToken {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string | undefined;
}

/**
 * Tokens of the admin API: SCIMD_ADMIN_TOKEN from the configuration, and tokens minted with
 * `scimd admin-tokens create`, stored hashed in a table of their own (admin_tokens), so that a
 * SCIM token can never open /admin and an admin token never opens the SCIM API.
 */
export function createAdminTokenService(store: AdminStore, options: { envToken?: string | undefined; clock?: () => Date } = {}) {
  const clock = options.clock ?? (() => new Date());
  const envDigest = options.envToken === undefined ? undefined : Buffer.from(hashSecret(options.envToken), 'hex');

  async function authenticate(authorization: string | undefined): Promise<AdminPrincipal> {
    const match = authorization ? /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(authorization) : null;
    if (!match?.[1]) throw adminUnauthorized('an admin bearer token is required (Authorization: Bearer <admin token>)');
    const hash = hashSecret(match[1]);
    // Digests of equal length compared in constant time: the configured secret leaks nothing.
    if (envDigest && timingSafeEqual(envDigest, Buffer.from(hash, 'hex'))) return { tokenId: ENV_ADMIN_TOKEN_ID };
    const token = await store.findAdminTokenByHash(hash);
    const now = clock();
    if (!token || token.revokedAt) throw adminUnauthorized('the admin token is not valid');
    if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) throw adminUnauthorized('the admin token has expired');
    // Admin calls are rare: recording each use costs nothing that matters.
    await store.touchAdminToken(token.id, now.toISOString());
    return { tokenId: token.id };
  }

  async function mint(options: { expires?: string; label?: string } = {}): Promise<MintedAdminToken> {
    const now = clock();
    const expiresAt = options.expires ? new Date(now.getTime() + parseDuration(options.expires)).toISOString() : undefined;
    const secret = mintSecret(ADMIN_SECRET_PREFIX);
    const record = await store.createAdminToken({
      id: newTokenId('adm_'),
      hash: hashSecret(secret),
      createdAt: now.toISOString(),
      ...(options.label ? { label: options.label } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { id: record.id, token: secret, expiresAt };
  }

  return {
    authenticate,
    mint,
    list: (): Promise<readonly AdminTokenRecord[]> => store.listAdminTokens(),
    revoke: async (id: string): Promise<void> => {
      if (!(await store.revokeAdminToken(id, clock().toISOString()))) throw notFound(`no admin token with id "${id}"`);
    },
  };
}

export type AdminTokenService = ReturnType<typeof createAdminTokenService>;
