import { notFound } from '../../errors/scim-error.ts';
import type { LockoutRecord, PasswordVerifyStore, VerifySettings, VerifyUser } from '../ports/password-verify.ts';
import type { NewToken } from '../ports/tenants.ts';
import { raw, sql } from './fragment.ts';
import { orUndefined, type TokenRow, toToken } from './rows.ts';
import { type ConstraintOf, hasNul, type RunSql } from './run.ts';
import { TENANT_STATE_COLUMNS } from './tenant-state.ts';

/** Password verification's tables (migration 26), the same SQL on both databases (docs/password-sync.md). */

const TOKEN_SELECT = sql`SELECT k.id, k.tenant_id, t.name AS tenant_name, k.label, k.created_at, k.expires_at, k.revoked_at,
  k.last_used_at, ${raw(TENANT_STATE_COLUMNS)} FROM verify_tokens k JOIN tenants t ON t.id = k.tenant_id`;

interface LockoutRow {
  readonly tenant_id: string;
  readonly user_name: string;
  readonly failures: number | string;
  readonly locked_until_ms: number | string;
  readonly last_failure_at: string;
  readonly hash_tag: string | null;
}

const LOCKOUT_SELECT = sql`SELECT tenant_id, user_name, failures, locked_until_ms, last_failure_at, hash_tag FROM verify_lockouts`;

const toLockout = (row: LockoutRow): LockoutRecord => ({
  tenantId: row.tenant_id,
  userName: row.user_name,
  failures: Number(row.failures),
  lockedUntilMs: Number(row.locked_until_ms),
  lastFailureAt: row.last_failure_at,
  hashTag: orUndefined(row.hash_tag),
});

/** The PasswordVerifyStore both stores share: the same SQL, run by each store's own driver. */
export function passwordVerifyQueries(run: RunSql, constraintOf: ConstraintOf): PasswordVerifyStore {
  const tokenBy = async (column: 'id' | 'hash', value: string) => {
    if (hasNul(value)) return undefined;
    const where = column === 'id' ? sql`k.id = ${value}` : sql`k.hash = ${value}`;
    const [row] = await run<TokenRow>(sql`${TOKEN_SELECT} WHERE ${where}`);
    return row && toToken(row);
  };
  const findLockout = async (tenantId: string, nameKey: string) => {
    if (hasNul(nameKey)) return undefined;
    const [row] = await run<LockoutRow>(sql`${LOCKOUT_SELECT} WHERE tenant_id = ${tenantId} AND name_key = ${nameKey}`);
    return row && toLockout(row);
  };
  return {
    async createVerifyToken(token: NewToken) {
      try {
        await run(sql`INSERT INTO verify_tokens (id, tenant_id, hash, label, created_at, expires_at)
          VALUES (${token.id}, ${token.tenantId}, ${token.hash}, ${token.label ?? null}, ${token.createdAt}, ${token.expiresAt ?? null})`);
      } catch (error) {
        if (constraintOf(error) === 'foreignKey') throw notFound(`tenant ${token.tenantId} not found`);
        throw error;
      }
      const created = await tokenBy('id', token.id);
      if (!created) throw notFound(`tenant ${token.tenantId} not found`);
      return created;
    },
    findVerifyTokenByHash: (hash) => tokenBy('hash', hash),
    findVerifyTokenById: (id) => tokenBy('id', id),
    async listVerifyTokens(tenantId?: string) {
      const where = tenantId === undefined ? sql`` : sql` WHERE k.tenant_id = ${tenantId}`;
      return (await run<TokenRow>(sql`${TOKEN_SELECT}${where} ORDER BY k.created_at, k.id`)).map(toToken);
    },
    async revokeVerifyToken(id, at) {
      if (hasNul(id)) return false;
      return (await run(sql`UPDATE verify_tokens SET revoked_at = coalesce(revoked_at, ${at}) WHERE id = ${id} RETURNING id`)).length > 0;
    },
    async expireVerifyToken(id, at) {
      if (hasNul(id)) return undefined;
      await run(sql`UPDATE verify_tokens SET expires_at = ${at}
        WHERE id = ${id} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${at})`);
      return tokenBy('id', id);
    },
    async touchVerifyToken(id, at) {
      await run(sql`UPDATE verify_tokens SET last_used_at = ${at} WHERE id = ${id}`);
    },

    async findVerifyUser(tenantId, nameKey): Promise<VerifyUser | undefined> {
      if (hasNul(nameKey)) return undefined;
      const [row] = await run<{ id: string; doc: string | Record<string, unknown>; password_hash: string | null }>(
        sql`SELECT id, doc, password_hash FROM resources WHERE tenant_id = ${tenantId} AND resource_type = 'User' AND name_key = ${nameKey}`,
      );
      if (!row) return undefined;
      // SQLite keeps the document as text, PostgreSQL as jsonb (which the driver parses).
      const doc = typeof row.doc === 'string' ? (JSON.parse(row.doc) as Record<string, unknown>) : row.doc;
      return { id: row.id, userName: String(doc['userName']), active: doc['active'], passwordHash: orUndefined(row.password_hash) };
    },
    async replacePasswordHash(tenantId, userId, expected, replacement) {
      const rows = await run(sql`UPDATE resources SET password_hash = ${replacement}
        WHERE tenant_id = ${tenantId} AND resource_type = 'User' AND id = ${userId} AND password_hash = ${expected} RETURNING id`);
      return rows.length > 0;
    },

    findLockout,
    async recordFailure(tenantId, nameKey, failure, lockUntilMs) {
      const [counted] = await run<{ failures: number | string }>(sql`INSERT INTO verify_lockouts
          (tenant_id, name_key, user_name, failures, locked_until_ms, last_failure_at, hash_tag)
        VALUES (${tenantId}, ${nameKey}, ${failure.userName}, 1, 0, ${failure.at}, ${failure.hashTag ?? null})
        ON CONFLICT (tenant_id, name_key) DO UPDATE SET failures = verify_lockouts.failures + 1,
          user_name = excluded.user_name, last_failure_at = excluded.last_failure_at, hash_tag = excluded.hash_tag
        RETURNING failures`);
      const until = lockUntilMs(Number(counted!.failures));
      if (until > 0) {
        await run(sql`UPDATE verify_lockouts SET locked_until_ms = CASE WHEN locked_until_ms > ${until} THEN locked_until_ms ELSE ${until} END
          WHERE tenant_id = ${tenantId} AND name_key = ${nameKey}`);
      }
      return (await findLockout(tenantId, nameKey))!;
    },
    async clearLockout(tenantId, nameKey) {
      if (hasNul(nameKey)) return false;
      const rows = await run(sql`DELETE FROM verify_lockouts WHERE tenant_id = ${tenantId} AND name_key = ${nameKey} RETURNING name_key`);
      return rows.length > 0;
    },
    async pruneLockouts(before, nowMs) {
      const rows = await run(
        sql`DELETE FROM verify_lockouts WHERE last_failure_at < ${before} AND locked_until_ms <= ${nowMs} RETURNING name_key`,
      );
      return rows.length;
    },
    async listLockouts(tenantId) {
      return (await run<LockoutRow>(sql`${LOCKOUT_SELECT} WHERE tenant_id = ${tenantId} ORDER BY last_failure_at DESC, name_key`)).map(
        toLockout,
      );
    },

    async getVerifySettings(tenantId): Promise<VerifySettings> {
      const [row] = await run<{ clear_lockout_on_password_change: number }>(
        sql`SELECT clear_lockout_on_password_change FROM verify_settings WHERE tenant_id = ${tenantId}`,
      );
      return { clearLockoutOnPasswordChange: row ? Number(row.clear_lockout_on_password_change) === 1 : false };
    },
    async putVerifySettings(tenantId, settings) {
      const flag = settings.clearLockoutOnPasswordChange ? 1 : 0;
      try {
        await run(sql`INSERT INTO verify_settings (tenant_id, clear_lockout_on_password_change) VALUES (${tenantId}, ${flag})
          ON CONFLICT (tenant_id) DO UPDATE SET clear_lockout_on_password_change = excluded.clear_lockout_on_password_change`);
      } catch (error) {
        if (constraintOf(error) === 'foreignKey') throw notFound(`tenant ${tenantId} not found`);
        throw error;
      }
      return settings;
    },
  };
}
