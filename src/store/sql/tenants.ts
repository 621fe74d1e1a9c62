import { invalidValue, notFound, uniqueness } from '../../errors/scim-error.ts';
import type { DeletedTenant, NewTenant, NewToken, StoredProfile, TenantStore, TokenRecord } from '../ports/tenants.ts';
import { TENANT_SELECT, type TenantRow, tenantDeletion, toTenant } from './admin.ts';
import { raw, sql } from './fragment.ts';
import { type TokenRow, toToken } from './rows.ts';
import { hasNul, type Plan, rows, type SqlRunner } from './run.ts';
import { TENANT_STATE_COLUMNS } from './tenant-state.ts';

const TOKEN_SELECT = raw(
  `SELECT k.id, k.tenant_id, t.name AS tenant_name, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, ${TENANT_STATE_COLUMNS} FROM tokens k JOIN tenants t ON t.id = k.tenant_id`,
);

/** What migration 45 gives every tenant, and a new one starts with. */
const DEFAULT_PROFILE: StoredProfile = { name: 'lenient', overrides: {} };

/** The TenantStore both stores share: tenants and their SCIM bearer tokens. */
export function tenantQueries(db: SqlRunner): TenantStore {
  const { run } = db;
  /** A value the database cannot hold (U+0000 on PostgreSQL) names nothing stored. */
  const unstorable = (text: string) => !db.textHoldsNul && hasNul(text);
  const firstToken = async (rowsRead: Promise<TokenRow[]>) => {
    const [row] = await rowsRead;
    return row && toToken(row);
  };
  const findTokenById = async (id: string): Promise<TokenRecord | undefined> =>
    unstorable(id) ? undefined : firstToken(run<TokenRow>(sql`${TOKEN_SELECT} WHERE k.id = ${id}`));

  function* deletion(id: string): Plan<DeletedTenant | undefined> {
    const counts = { resources: 0, tokens: 0, events: 0, tenant: 0 };
    for (const step of tenantDeletion(id)) {
      // RETURNING 1 counts the rows on both databases, without the drivers' own row counts.
      const changes = (yield* rows(sql`${step.query} RETURNING 1`)).length;
      if (step.counts) counts[step.counts] += changes;
    }
    const { tenant, ...deleted } = counts;
    return tenant > 0 ? deleted : undefined;
  }

  return {
    async createTenant(tenant: NewTenant) {
      if (unstorable(tenant.name) || unstorable(tenant.id)) throw invalidValue('a tenant name cannot contain U+0000');
      try {
        await run(sql`INSERT INTO tenants (id, name, created_at) VALUES (${tenant.id}, ${tenant.name}, ${tenant.createdAt})`);
      } catch (error) {
        if (db.constraintOf(error) === 'unique') {
          throw uniqueness(`a tenant named "${tenant.name}" (or with id ${tenant.id}) already exists`);
        }
        throw error;
      }
      return { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt, profile: DEFAULT_PROFILE };
    },
    async listTenants() {
      return (await run<TenantRow>(sql`${raw(TENANT_SELECT)} ORDER BY name`)).map(toTenant);
    },
    async findTenantByName(name: string) {
      if (unstorable(name)) return undefined;
      const [row] = await run<TenantRow>(sql`${raw(TENANT_SELECT)} WHERE name = ${name}`);
      return row && toTenant(row);
    },
    async setTenantDisabled(id: string, at: string | null) {
      if (unstorable(id)) return false;
      const changed =
        at === null
          ? run(sql`UPDATE tenants SET disabled_at = NULL WHERE id = ${id} RETURNING id`)
          : run(sql`UPDATE tenants SET disabled_at = coalesce(disabled_at, ${at}) WHERE id = ${id} RETURNING id`);
      return (await changed).length > 0;
    },
    async setTenantProfile(id: string, profile: StoredProfile) {
      if (unstorable(id)) return false;
      const overrides = JSON.stringify(profile.overrides);
      return (
        (await run(sql`UPDATE tenants SET profile = ${profile.name}, profile_overrides = ${overrides} WHERE id = ${id} RETURNING id`))
          .length > 0
      );
    },
    async deleteTenant(id: string) {
      if (unstorable(id)) return undefined;
      return db.transact(() => deletion(id));
    },
    async createToken(token: NewToken) {
      try {
        await run(sql`INSERT INTO tokens (id, tenant_id, hash, label, created_at, expires_at)
          VALUES (${token.id}, ${token.tenantId}, ${token.hash}, ${token.label ?? null}, ${token.createdAt}, ${token.expiresAt ?? null})`);
      } catch (error) {
        const violated = db.constraintOf(error);
        if (violated === 'unique') throw uniqueness(`token ${token.id} already exists`);
        if (violated === 'foreignKey') throw notFound(`tenant ${token.tenantId} not found`);
        throw error;
      }
      return (await findTokenById(token.id))!;
    },
    async findTokenByHash(hash: string) {
      return unstorable(hash) ? undefined : firstToken(run<TokenRow>(sql`${TOKEN_SELECT} WHERE k.hash = ${hash}`));
    },
    async listTokens(tenantId?: string) {
      const rows = await run<TokenRow>(
        tenantId === undefined
          ? sql`${TOKEN_SELECT} ORDER BY k.created_at, k.id`
          : sql`${TOKEN_SELECT} WHERE k.tenant_id = ${tenantId} ORDER BY k.created_at, k.id`,
      );
      return rows.map(toToken);
    },
    async revokeToken(id: string, at: string) {
      if (unstorable(id)) return false;
      return (await run(sql`UPDATE tokens SET revoked_at = coalesce(revoked_at, ${at}) WHERE id = ${id} RETURNING id`)).length > 0;
    },
    async touchToken(id: string, at: string) {
      if (unstorable(id)) return;
      await run(sql`UPDATE tokens SET last_used_at = ${at} WHERE id = ${id}`);
    },
    findTokenById,
    async expireToken(id: string, at: string) {
      if (unstorable(id)) return undefined;
      await run(
        sql`UPDATE tokens SET expires_at = ${at} WHERE id = ${id} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${at})`,
      );
      return findTokenById(id);
    },
  };
}
