import { uniqueness } from '../../errors/scim-error.ts';
import type { AdminStore, AdminTokenRecord, AuditEntry, AuditQuery, AuditRecord, NewAdminToken } from '../ports/admin.ts';
import type { DeletedTenant, TenantRecord } from '../ports/tenants.ts';
import { join, raw, type Sql, sql, unanswered } from './fragment.ts';
import { orUndefined } from './rows.ts';
import { hasNul, type SqlRunner } from './run.ts';
import { toStoredProfile } from './tenant-state.ts';

/** What both SQL stores share for tenants' lifecycle, admin tokens and the audit log (migration 5). */

export interface TenantRow {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly disabled_at: string | null;
  readonly profile: string;
  readonly profile_overrides: string;
}

export const TENANT_SELECT = 'SELECT id, name, created_at, disabled_at, profile, profile_overrides FROM tenants';

export function toTenant(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    ...(row.disabled_at !== null ? { disabledAt: row.disabled_at } : {}),
    profile: toStoredProfile(row.profile, row.profile_overrides),
  };
}

interface AdminTokenRow {
  readonly id: string;
  readonly label: string | null;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
}

const ADMIN_TOKEN_SELECT = raw('SELECT id, label, created_at, expires_at, revoked_at, last_used_at FROM admin_tokens');

function toAdminToken(row: AdminTokenRow): AdminTokenRecord {
  return {
    id: row.id,
    label: orUndefined(row.label),
    createdAt: row.created_at,
    expiresAt: orUndefined(row.expires_at),
    revokedAt: orUndefined(row.revoked_at),
    lastUsedAt: orUndefined(row.last_used_at),
  };
}

/**
 * The statements that delete a tenant, in one transaction, in this order: the many rows by index
 * range before the rows they hang on (memberships and the values index would otherwise be
 * cascaded row by row), then resources, the outbox and tokens, counted for the answer. The tenant
 * row (`counts: 'tenant'`: deleting nothing means there was no tenant) takes with it (ON DELETE
 * CASCADE) outbox counters, delivery cursors, leases and whatever later migrations key to tenants.
 * PostgreSQL's outbox has no foreign key to tenants (its migration 113), so its events go once
 * more after the tenant row: those of a create that committed while this transaction waited for
 * the row (the create's own foreign key held it until then). Every other write's event comes with
 * a resource row that the resources step waited for.
 */
export function tenantDeletion(tenantId: string): readonly { readonly counts?: keyof DeletedTenant | 'tenant'; readonly query: Sql }[] {
  const events = sql`DELETE FROM outbox WHERE tenant_id = ${tenantId}`;
  return [
    {
      query: sql`DELETE FROM memberships WHERE group_row IN (SELECT row_key FROM resources WHERE tenant_id = ${tenantId})`,
    },
    { query: sql`DELETE FROM resource_values WHERE tenant_id = ${tenantId}` },
    { counts: 'resources', query: sql`DELETE FROM resources WHERE tenant_id = ${tenantId}` },
    { counts: 'events', query: events },
    { counts: 'tokens', query: sql`DELETE FROM tokens WHERE tenant_id = ${tenantId}` },
    { query: sql`DELETE FROM request_log WHERE tenant_id = ${tenantId}` },
    { counts: 'tenant', query: sql`DELETE FROM tenants WHERE id = ${tenantId}` },
    { counts: 'events', query: events },
  ];
}

const AUDIT_COLUMNS = 'seq, time, tenant_id, tenant_name, token_id, operation, resource_type, resource_id, status, request_id, reason';

interface AuditRow {
  readonly seq: number;
  readonly time: string;
  readonly tenant_id: string | null;
  readonly tenant_name: string | null;
  readonly token_id: string | null;
  readonly operation: string;
  readonly resource_type: string | null;
  readonly resource_id: string | null;
  readonly status: number;
  readonly request_id: string | null;
  readonly reason: string | null;
}

function toAudit(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    time: row.time,
    tenantId: orUndefined(row.tenant_id),
    tenantName: orUndefined(row.tenant_name),
    tokenId: orUndefined(row.token_id),
    operation: row.operation,
    resourceType: orUndefined(row.resource_type),
    resourceId: orUndefined(row.resource_id),
    status: row.status,
    requestId: orUndefined(row.request_id),
    ...(row.reason !== null ? { reason: row.reason } : {}),
  };
}

/** One multi-row INSERT for a batch of entries (never empty). */
function auditInsert(entries: readonly AuditEntry[]): Sql {
  const rows = entries.map(
    (e) =>
      sql`(${e.time}, ${Date.parse(e.time)}, ${e.tenantId ?? null}, ${e.tenantName ?? null}, ${e.tokenId ?? null}, ${e.operation}, ${e.resourceType ?? null}, ${e.resourceId ?? null}, ${e.status}, ${e.requestId ?? null}, ${e.reason ?? null})`,
  );
  return sql`INSERT INTO audit_log (time, time_ms, tenant_id, tenant_name, token_id, operation, resource_type, resource_id, status, request_id, reason) VALUES ${join(rows, ', ')}`;
}

/** Newest first on the seq key (a keyset page: `beforeSeq` is the last seq of the previous page). */
function auditSelect(query: AuditQuery): Sql {
  const conditions: Sql[] = [raw('1 = 1')];
  if (query.tenantName !== undefined) conditions.push(sql`tenant_name = ${query.tenantName}`);
  if (query.since !== undefined) conditions.push(sql`time_ms >= ${Date.parse(query.since)}`);
  if (query.until !== undefined) conditions.push(sql`time_ms < ${Date.parse(query.until)}`);
  if (query.beforeSeq !== undefined) conditions.push(sql`seq < ${query.beforeSeq}`);
  return sql`SELECT ${raw(AUDIT_COLUMNS)} FROM audit_log WHERE ${join(conditions, ' AND ')} ORDER BY seq DESC LIMIT ${query.limit}`;
}

/** The AdminStore both stores share: admin tokens and the audit log. */
export function adminQueries(db: SqlRunner): AdminStore {
  const { run } = db;
  const unstorable = (text: string) => !db.textHoldsNul && hasNul(text);
  const findOne = async (condition: Sql) => {
    const [row] = await run<AdminTokenRow>(sql`${ADMIN_TOKEN_SELECT} WHERE ${condition}`);
    return row && toAdminToken(row);
  };
  return {
    async createAdminToken(token: NewAdminToken) {
      try {
        await run(sql`INSERT INTO admin_tokens (id, hash, label, created_at, expires_at)
          VALUES (${token.id}, ${token.hash}, ${token.label ?? null}, ${token.createdAt}, ${token.expiresAt ?? null})`);
      } catch (error) {
        if (db.constraintOf(error) === 'unique') throw uniqueness(`admin token ${token.id} already exists`);
        throw error;
      }
      return (await findOne(sql`id = ${token.id}`))!;
    },
    async findAdminTokenByHash(hash: string) {
      return unstorable(hash) ? undefined : findOne(sql`hash = ${hash}`);
    },
    async listAdminTokens() {
      return (await run<AdminTokenRow>(sql`${ADMIN_TOKEN_SELECT} ORDER BY created_at, id`)).map(toAdminToken);
    },
    async revokeAdminToken(id: string, at: string) {
      if (unstorable(id)) return false;
      return (await run(sql`UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, ${at}) WHERE id = ${id} RETURNING id`)).length > 0;
    },
    async touchAdminToken(id: string, at: string) {
      if (unstorable(id)) return;
      await run(sql`UPDATE admin_tokens SET last_used_at = ${at} WHERE id = ${id}`);
    },
    async appendAudit(entries: readonly AuditEntry[]) {
      if (entries.length === 0) return;
      // Ids come from URLs: a U+0000 in one (refused later as not found) must not lose the batch.
      const storable = entries.map((e) =>
        e.resourceId !== undefined && unstorable(e.resourceId) ? { ...e, resourceId: e.resourceId.replaceAll('\u0000', '') } : e,
      );
      // A transaction rather than autocommit: on SQLite the INSERT joins the group commit of the
      // writes asked for in the same turn instead of paying a commit of its own (about 5% of a
      // create's event loop); on PostgreSQL BEGIN, the INSERT and COMMIT still leave together.
      const insert = unanswered(auditInsert(storable));
      await db.transact(function* () {
        yield insert;
      });
    },
    async listAudit(query: AuditQuery) {
      if (query.tenantName !== undefined && unstorable(query.tenantName)) return [];
      return (await run<AuditRow>(auditSelect(query))).map(toAudit);
    },
  };
}
