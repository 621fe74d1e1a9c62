import { invalidValue, uniqueness } from '../../errors/scim-error.ts';
import type { MemberDelta, MemberInput, ReferenceView, ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import type { OutboxRecord } from '../ports/outbox.ts';
import type { CreateCommand, CursorKey, Include, QueryResult, ResourceQuery } from '../ports/resources.ts';
import type { TokenRecord } from '../ports/tenants.ts';
import { compileFilter } from './compile-filter.ts';
import type { SqlDialect } from './dialect.ts';
import { join, raw, type Sql, sql } from './fragment.ts';
import { promote } from './promote.ts';
import { type TenantStateRow, toTenantState } from './tenant-state.ts';

/** Row shapes, conversions and query parts the SQL stores share (their tables have the same columns). */

export interface TokenRow extends TenantStateRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly tenant_name: string;
  readonly label: string | null;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
}

export interface OutboxRow {
  readonly tenant_id: string;
  readonly tenant_name: string;
  readonly sequence: number;
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly source: string;
  readonly time: string;
  readonly data: string;
}

export const OUTBOX_SELECT =
  'SELECT o.tenant_id, t.name AS tenant_name, o.sequence, o.id, o.type, o.subject, o.source, o.time, o.data FROM outbox o JOIN tenants t ON t.id = o.tenant_id';

export function toRecord(row: OutboxRow): OutboxRecord {
  return {
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    sequence: row.sequence,
    id: row.id,
    type: row.type,
    subject: row.subject,
    source: row.source,
    time: row.time,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const ms = (text: string) => {
  const value = Date.parse(text);
  if (Number.isNaN(value)) throw new Error(`not an ISO 8601 timestamp: ${text}`);
  return value;
};

export const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    label: orUndefined(row.label),
    createdAt: row.created_at,
    expiresAt: orUndefined(row.expires_at),
    revokedAt: orUndefined(row.revoked_at),
    lastUsedAt: orUndefined(row.last_used_at),
    ...toTenantState(row),
  };
}

/** Membership delta bookkeeping: an add undoes an earlier remove of the same id and vice versa. */
export class DeltaTracker {
  readonly added = new Set<string>();
  readonly removed = new Set<string>();
  readonly #groups = new Set<string>();
  readonly #skipped = new Set<string>();
  skip(ids: readonly string[]) {
    for (const id of ids) this.#skipped.add(id);
  }
  add(id: string, type: ResourceTypeName) {
    if (type === 'Group') this.#groups.add(id);
    if (!this.removed.delete(id)) this.added.add(id);
  }
  remove(id: string, type: ResourceTypeName) {
    if (type === 'Group') this.#groups.add(id);
    if (!this.added.delete(id)) this.removed.add(id);
  }
  result(): MemberDelta {
    const groups = [...this.added, ...this.removed].filter((id) => this.#groups.has(id));
    return {
      added: [...this.added],
      removed: [...this.removed],
      ...(groups.length > 0 ? { groups } : {}),
      ...(this.#skipped.size > 0 ? { skipped: [...this.#skipped] } : {}),
    };
  }
}

export function emptyResult(total: number | undefined): QueryResult {
  return { totalResults: total, resources: [], firstKey: undefined, lastKey: undefined, hasNext: false, hasPrevious: false };
}

/**
 * LIMIT as a literal, not a parameter: SQLite plans a bound LIMIT ~3 µs slower per statement,
 * which doubles the cost of an indexed lookup. The value is an integer computed by the service.
 */
export function limit(count: number): Sql {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`invalid LIMIT ${count}`);
  return raw(String(count));
}

/** A member (of a group) or a group (of a user) as the reference queries return it. */
export interface ReferenceRow {
  readonly owner: number;
  readonly value: string;
  readonly type: string;
  readonly resource_type: ResourceTypeName;
  readonly display: string | null;
}

/** Reference rows of a page, grouped by the row that owns them, in the order read. */
export function groupReferences(refs: readonly ReferenceRow[]): Map<number, ReferenceView[]> {
  const byOwner = new Map<number, ReferenceView[]>();
  for (const ref of refs) {
    let list = byOwner.get(ref.owner);
    if (!list) byOwner.set(ref.owner, (list = []));
    list.push({
      value: ref.value,
      type: ref.type,
      resourceType: ref.resource_type,
      display: typeof ref.display === 'string' ? ref.display : undefined,
    });
  }
  return byOwner;
}

/**
 * A user's direct groups from the JSON array a store reads with the user's row, one
 * [group row, id, resource type, displayName or null, whether that group is itself in a group]
 * per group, all of type "direct", in the order the groups were created. `nested`: one of them is
 * in a group, so the user has indirect groups too, which only the recursive walk finds.
 */
function directGroupsFromJson(text: string): { readonly groups: ReferenceView[]; readonly nested: boolean } {
  const entries = JSON.parse(text) as [number, string, ResourceTypeName, unknown, unknown][];
  // Sorted here rather than by an ORDER BY inside the aggregate, which costs SQLite a sorter per row.
  if (entries.length > 1) entries.sort((a, b) => a[0] - b[0]);
  let nested = false;
  const groups = entries.map(([, value, resourceType, display, inGroup]) => {
    if (inGroup === true || inGroup === 1) nested = true;
    return { value, type: 'direct', resourceType, display: typeof display === 'string' ? display : undefined };
  });
  return { groups, nested };
}

/** The columns of a resource row that every read selects (and, on a user, its groups). */
export interface ResourceRowBase {
  readonly row_key: number;
  readonly resource_type: ResourceTypeName;
  readonly id: string;
  readonly version: number;
  readonly created_ms: number;
  readonly modified_ms: number;
  readonly password_hash: string | null;
  /** Only when the statement read a user's groups (columnsFor). */
  readonly groups_json?: string;
}

/**
 * A page of rows as resources, in two steps because a store may need a statement in between:
 * `hydrate` first names the users whose groups are nested (for the recursive walk); `finish`
 * then builds the resources from the page's members and those users' indirect groups.
 */
export function hydrate<R extends ResourceRowBase>(rows: readonly R[], doc: (row: R) => Record<string, unknown>, include: Include) {
  const direct = new Map<number, ReturnType<typeof directGroupsFromJson>>();
  for (const row of rows)
    if (row.groups_json !== undefined && row.resource_type === 'User') direct.set(row.row_key, directGroupsFromJson(row.groups_json));
  return {
    nested: rows.filter((row) => direct.get(row.row_key)?.nested),
    finish: (
      members: ReadonlyMap<number, ReferenceView[]> | undefined,
      indirect: ReadonlyMap<number, ReferenceView[]> | undefined,
    ): StoredResource[] =>
      rows.map((row) => {
        const groups = direct.get(row.row_key);
        const created = iso(row.created_ms);
        return {
          id: row.id,
          resourceType: row.resource_type,
          doc: doc(row),
          version: row.version,
          created,
          lastModified: row.modified_ms === row.created_ms ? created : iso(row.modified_ms),
          ...(members && row.resource_type === 'Group' ? { members: members.get(row.row_key) ?? [] } : {}),
          ...(groups ? { groups: groups.nested ? (indirect?.get(row.row_key) ?? []) : groups.groups } : {}),
          ...(include.passwordHash ? { passwordHash: orUndefined(row.password_hash) } : {}),
        };
      }),
  };
}

/**
 * A created resource's row, as both stores insert it: the values of (tenant_id, resource_type,
 * id, doc, password_hash, created_ms, modified_ms, name_key, display_name, external_id, ref_display) in that
 * order (version is the literal 1), and the resource as the write returns it.
 */
export function newResourceRow(tenantId: string, command: CreateCommand) {
  const promoted = promote(command.resourceType, command.id, command.doc);
  const now = ms(command.now);
  const created = iso(now);
  return {
    values: [
      tenantId,
      command.resourceType,
      command.id,
      JSON.stringify(command.doc),
      command.passwordHash ?? null,
      now,
      now,
      promoted.nameKey,
      promoted.displayName,
      promoted.externalId,
      promoted.refDisplay,
    ],
    resource: {
      id: command.id,
      resourceType: command.resourceType,
      doc: command.doc,
      version: 1,
      created,
      lastModified: created,
    } as StoredResource,
  };
}

/** The keyset position of a row read with its `sort_value`. */
export function cursorKeyOf(
  row: { readonly row_key: number; readonly sort_value?: CursorKey['sortValue'] | undefined } | undefined,
): CursorKey | undefined {
  return row && { sortValue: row.sort_value ?? null, rowKey: row.row_key };
}

/** 409 for a unique index that fired: the name key (userName / group displayName) or the id. */
export function resourceConflict(onNameKey: boolean, resourceType: ResourceTypeName, id: string, doc: Readonly<Record<string, unknown>>) {
  if (!onNameKey) return uniqueness(`a resource with id ${id} already exists`);
  const attribute = resourceType === 'User' ? 'userName' : 'displayName';
  return uniqueness(`${attribute} ${JSON.stringify(doc[attribute])} is already in use`);
}

/** `r.tenant_id = ? AND (one target's type and filter OR …)`: the scope of every list query. */
export function whereOfQuery(dialect: SqlDialect, tenantId: string, query: ResourceQuery): Sql {
  if (query.targets.length === 0) throw new Error('a query needs at least one target');
  const parts = query.targets.map((target) => {
    const type = sql`r.resource_type = ${target.resourceType}`;
    if (!target.filter) return type;
    const filter = compileFilter(target.filter, { dialect, tenantId, resourceType: target.resourceType });
    return sql`(${type} AND ${filter})`;
  });
  const targets = parts.length === 1 ? parts[0]! : sql`(${join(parts, ' OR ')})`;
  return sql`r.tenant_id = ${tenantId} AND ${targets}`;
}

/** 400 invalidValue when the client's `members[].type` contradicts what the id really is (MemberRules.wrongType refuse). */
export function refuseWrongMemberType(member: MemberInput, actual: ResourceTypeName): void {
  if (member.type !== undefined && member.type.toLowerCase() !== actual.toLowerCase()) {
    throw invalidValue(`member ${JSON.stringify(member.value)} is a ${actual}, not a ${JSON.stringify(member.type)}`);
  }
}

/** How many unknown member ids an error names; the rest are counted. */
const NAMED_UNKNOWN_MEMBERS = 20;

/** 400 invalidValue naming the member ids no resource of the tenant has (MemberRules.unknown refuse). */
export function unknownMembers(ids: readonly string[]) {
  if (ids.length === 1) return invalidValue(`member ${JSON.stringify(ids[0])} does not exist`);
  const named = ids.slice(0, NAMED_UNKNOWN_MEMBERS).map((id) => JSON.stringify(id));
  const more = ids.length - named.length;
  return invalidValue(`members ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''} do not exist`);
}
