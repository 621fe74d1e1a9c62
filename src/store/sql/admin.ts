import type { AdminTokenRecord, AuditEntry, AuditQuery, AuditRecord } from '../ports/admin.ts';
import type { DeletedTenant, TenantRecord } from '../ports/tenants.ts';
import { join, raw, type Sql, sql } from './fragment.ts';
import { orUndefined } from './rows.ts';

/** What both SQL stores share for tenants' lifecycle, admin tokens and the audit log (migration 5). */

export interface TenantRow {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly disabled_at: string | null;
}

export const TENANT_SELECT = 'SELECT id, name, created_at, disabled_at FROM tenants';

export function toTenant(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    ...(row.disabled_at !== null ? { disabledAt: row.disabled_at } : {}),
  };
}

export interface AdminTokenRow {
  readonly id: string;
  readonly label: string | null;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
}

export const ADMIN_TOKEN_SELECT = 'SELECT id, label, created_at, expires_at, revoked_at, last_used_at FROM admin_tokens';

export function toAdminToken(row: AdminTokenRow): AdminTokenRecord {
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
 * row goes last and takes with it (ON DELETE CASCADE) outbox counters, delivery cursors, leases
 * and whatever later migrations key to tenants; it deleting nothing means there was no tenant.
 */
export function tenantDeletion(tenantId: string): readonly { readonly counts?: keyof DeletedTenant; readonly query: Sql }[] {
  return [
    { query: sql`DELETE FROM memberships WHERE group_row IN (SELECT row_key FROM resources WHERE tenant_id = ${tenantId})` },
    { query: sql`DELETE FROM resource_values WHERE tenant_id = ${tenantId}` },
    { counts: 'resources', query: sql`DELETE FROM resources WHERE tenant_id = ${tenantId}` },
    { counts: 'events', query: sql`DELETE FROM outbox WHERE tenant_id = ${tenantId}` },
    { counts: 'tokens', query: sql`DELETE FROM tokens WHERE tenant_id = ${tenantId}` },
    { query: sql`DELETE FROM request_log WHERE tenant_id = ${tenantId}` },
    { query: sql`DELETE FROM tenants WHERE id = ${tenantId}` },
  ];
}

const AUDIT_COLUMNS = 'seq, time, tenant_id, tenant_name, token_id, operation, resource_type, resource_id, status, request_id';

export interface AuditRow {
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
}

export function toAudit(row: AuditRow): AuditRecord {
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
  };
}

/** One multi-row INSERT for a batch of entries (never empty). */
export function auditInsert(entries: readonly AuditEntry[]): Sql {
  const rows = entries.map(
    (e) =>
      sql`(${e.time}, ${Date.parse(e.time)}, ${e.tenantId ?? null}, ${e.tenantName ?? null}, ${e.tokenId ?? null}, ${e.operation}, ${e.resourceType ?? null}, ${e.resourceId ?? null}, ${e.status}, ${e.requestId ?? null})`,
  );
  return sql`INSERT INTO audit_log (time, time_ms, tenant_id, tenant_name, token_id, operation, resource_type, resource_id, status, request_id) VALUES ${join(rows, ', ')}`;
}

/** Newest first on the seq key (a keyset page: `beforeSeq` is the last seq of the previous page). */
export function auditSelect(query: AuditQuery): Sql {
  const conditions: Sql[] = [raw('1 = 1')];
  if (query.tenantName !== undefined) conditions.push(sql`tenant_name = ${query.tenantName}`);
  if (query.since !== undefined) conditions.push(sql`time_ms >= ${Date.parse(query.since)}`);
  if (query.until !== undefined) conditions.push(sql`time_ms < ${Date.parse(query.until)}`);
  if (query.beforeSeq !== undefined) conditions.push(sql`seq < ${query.beforeSeq}`);
  return sql`SELECT ${raw(AUDIT_COLUMNS)} FROM audit_log WHERE ${join(conditions, ' AND ')} ORDER BY seq DESC LIMIT ${query.limit}`;
}
