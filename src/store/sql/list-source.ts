import type { ResourceTypeName } from '../../schema/resource.ts';
import { specOf } from '../../schema/types/catalogue.ts';
import type { Include, ResourceQuery } from '../ports/resources.ts';
import { raw, type Sql, sql } from './fragment.ts';
import type { ResourceDialect } from './resources.ts';
import { whereOfQuery } from './rows.ts';
import { type SortKey, sortKey } from './sort.ts';

/**
 * Where the rows of a list come from (docs/resource-types.md): users and groups from `resources`,
 * the generic types from `typed_resources`, and a list of both (the root /.search of a tenant that
 * enabled Roles) from the two tables at once. Whatever the source, its rows have the same columns
 * under the alias `r`, so that one page function (queryResources) counts, seeks, skips and
 * remembers positions for every list.
 */
export interface ListSource {
  /** The table, or a derived table, that `FROM … r` reads. */
  readonly table: Sql;
  /** The list's condition on `r`. */
  readonly where: Sql;
  /** The list's order (sort value, then row key). */
  readonly key: SortKey;
  /** The row columns selected from `r` (ResourceRow), before `sort_value`. */
  readonly columns: Sql;
}

/** The columns of a row of either table (typed_resources has no password hash). */
export const COLUMNS = 'r.row_key, r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, r.password_hash';
const TYPED_REST = 'r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, NULL AS password_hash';
export const TYPED_COLUMNS = `r.row_key, ${TYPED_REST}`;

/** A resources row's columns, with a user's groups when the read needs them. */
export const columnsFor = (d: ResourceDialect, include: Include) => raw(include.groups ? `${COLUMNS}, ${d.groupsColumn}` : COLUMNS);

/**
 * 2^52: above any row key of resources (a table would need 2^52 inserts to reach it), and a
 * typed_resources key plus it stays below 2^53, exact as a JavaScript number (in cursors).
 */
const GENERIC_KEY_OFFSET = 2 ** 52;

const isGeneric = (type: ResourceTypeName) => specOf(type)?.storage === 'generic';

export function listSource(d: ResourceDialect, tenantId: string, query: ResourceQuery): ListSource {
  const generic = query.targets.filter((t) => isGeneric(t.resourceType));
  const builtin = query.targets.filter((t) => !isGeneric(t.resourceType));
  const single = (table: string, columns: Sql): ListSource => ({
    table: raw(table),
    where: whereOfQuery(d.sql, tenantId, query),
    key: sortKey(d.sql, tenantId, query.targets),
    columns,
  });
  if (generic.length === 0) return single('resources', columnsFor(d, query.include));
  if (builtin.length === 0) return single('typed_resources', raw(TYPED_COLUMNS));
  // Both tables: each filtered on its own indexes, then ordered together. A generic row's key is
  // moved past every key of resources, so that row keys (the order's last term, the cursors' and
  // the hydration's key) never collide between the tables: without a sortBy, users and groups
  // come first, then the generic types' resources, each in creation order.
  const branch = (table: string, columns: string, targets: typeof query.targets) => {
    const key = sortKey(d.sql, tenantId, targets);
    const where = whereOfQuery(d.sql, tenantId, { ...query, targets });
    return { key, sql: sql`SELECT ${raw(columns)}, ${key.expr ?? raw('NULL')} AS sort_value FROM ${raw(table)} r WHERE ${where}` };
  };
  const groups = query.include.groups === true;
  const users = branch('resources', columnsFor(d, query.include).sql, builtin);
  const typed = branch(
    'typed_resources',
    `r.row_key + ${GENERIC_KEY_OFFSET} AS row_key, ${TYPED_REST}${groups ? ', NULL AS groups_json' : ''}`,
    generic,
  );
  const sorted = users.key.expr !== undefined || typed.key.expr !== undefined;
  return {
    table: sql`(${users.sql} UNION ALL ${typed.sql})`,
    where: d.sql.true,
    key: {
      expr: sorted ? raw('r.sort_value') : undefined,
      notNull: [users.key, typed.key].every((k) => k.expr !== undefined && k.notNull),
      dialect: d.sql,
    },
    columns: raw(groups ? `${COLUMNS}, r.groups_json` : COLUMNS),
  };
}
