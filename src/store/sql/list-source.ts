import type { ResourceTypeName } from '../../schema/resource.ts';
import { specOf } from '../../schema/types/catalogue.ts';
import type { CursorKey, Include, QueryTarget, ResourceQuery } from '../ports/resources.ts';
import type { SqlDialect } from './dialect.ts';
import { join, raw, type Sql, shapeMemo, sql } from './fragment.ts';
import type { ResourceDialect } from './resource-dialect.ts';
import { limit, whereOfQuery } from './rows.ts';
import { afterKey, orderBy, type SortKey, sortKey } from './sort.ts';

/**
 * Where the rows of a list come from (docs/resource-types.md): users and groups from `resources`,
 * the generic types from `typed_resources`, and a list of both (the root /.search of a tenant that
 * enabled Roles) from the two tables at once. Whatever the source, its rows have the same columns
 * under the alias `r`, so that one page function (queryResources) counts, seeks, skips and
 * remembers positions for every list.
 */
export interface ListSource {
  /** The table, or a derived table, that `FROM … r` reads: every row of the list. */
  readonly table: Sql;
  /** The list's condition on `r`. */
  readonly where: Sql;
  /** The list's order (sort value, then row key). */
  readonly key: SortKey;
  /**
   * One statement: the rows (ResourceRow with `sort_value`) after `after` in the order, `skip`
   * of them skipped, at most `count`: a seek on the order's index then a short OFFSET, so that a
   * page costs what its size does, whatever its depth.
   */
  rows(descending: boolean, after: CursorKey | undefined, count: number, skip?: number): Sql;
}

/** The columns of a row of either table (typed_resources has no password hash). */
export const COLUMNS = 'r.row_key, r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, r.password_hash';
const TYPED_REST = 'r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, NULL AS password_hash';
export const TYPED_COLUMNS = `r.row_key, ${TYPED_REST}`;

/** A resources row's columns, with a user's groups when the read needs them. */
export const columnsFor = (d: ResourceDialect, include: Include): Sql =>
  include.groups ? columnShapes(d, 'groups', () => raw(`${COLUMNS}, ${d.groupsColumn}`)) : PLAIN_COLUMNS;

const PLAIN_COLUMNS = raw(COLUMNS);
const columnShapes = shapeMemo<ResourceDialect>();

/**
 * 2^52: above any row key of resources (a table would need 2^52 inserts to reach it), and a
 * typed_resources key plus it stays below 2^53, exact as a JavaScript number (in cursors).
 */
const GENERIC_KEY_OFFSET = 2 ** 52;

const isGeneric = (type: ResourceTypeName) => specOf(type)?.storage === 'generic';

export function listSource(d: ResourceDialect, tenantId: string, query: ResourceQuery): ListSource {
  const generic = query.targets.filter((t) => isGeneric(t.resourceType));
  const builtin = query.targets.filter((t) => !isGeneric(t.resourceType));
  const where = (targets: readonly QueryTarget[]) => whereOfQuery(d.sql, tenantId, { ...query, targets });
  if (generic.length === 0 || builtin.length === 0) {
    const [table, columns] = generic.length === 0 ? ['resources', columnsFor(d, query.include)] : ['typed_resources', raw(TYPED_COLUMNS)];
    const branch: Branch = {
      table: raw(table),
      columns,
      where: where(query.targets),
      key: sortKey(d.sql, tenantId, query.targets),
      shift: 0,
      absent: false,
    };
    return {
      table: branch.table,
      where: branch.where,
      key: branch.key,
      rows: (desc, after, count, skip = 0) => branchRows(branch, desc, after, count, skip),
    };
  }
  // Both tables: each filtered and ordered on its own indexes, then merged. A generic row's key is
  // moved past every key of resources, so that row keys (the order's last term, the cursors' and
  // the hydration's key) never collide between the tables: without a sortBy, users and groups
  // come first, then the generic types' resources, each in creation order.
  const groups = query.include.groups === true;
  const sorted = query.targets.some((t) => t.sortBy !== undefined);
  const branchOf = (table: string, columns: string, targets: readonly QueryTarget[], shift: number): Branch => {
    const key = sortKey(d.sql, tenantId, targets);
    return { table: raw(table), columns: raw(columns), where: where(targets), key, shift, absent: sorted && !key.expr };
  };
  const branches = [
    branchOf('resources', columnsFor(d, query.include).sql, builtin, 0),
    branchOf(
      'typed_resources',
      `r.row_key + ${GENERIC_KEY_OFFSET} AS row_key, ${TYPED_REST}${groups ? ', NULL AS groups_json' : ''}`,
      generic,
      GENERIC_KEY_OFFSET,
    ),
  ];
  const key: SortKey = {
    expr: sorted ? raw('r.sort_value') : undefined,
    notNull: branches.every((b) => b.key.expr !== undefined && b.key.notNull),
    dialect: d.sql,
  };
  const columns = raw(groups ? `${COLUMNS}, r.groups_json` : COLUMNS);
  const select = (b: Branch) => sql`SELECT ${b.columns}, ${b.key.expr ?? raw('NULL')} AS sort_value FROM ${b.table} r WHERE ${b.where}`;
  return {
    table: sql`(${join(branches.map(select), ' UNION ALL ')})`,
    where: d.sql.true,
    key,
    // Each table's first skip + count rows after the cursor, on its own index; then the page of their merge.
    rows: (desc, after, count, skip = 0) => {
      const parts = branches.map((b) => d.sql.unionMember(branchRows(b, desc, after, skip + count, 0)));
      return sql`SELECT ${columns}, r.sort_value FROM (${join(parts, ' UNION ALL ')}) r ${orderBy(key, desc)} LIMIT ${limit(count)}${offset(skip)}`;
    },
  };
}

/** One table of a list: its rows' columns, condition and order, and how far its row keys are moved in the list. */
interface Branch {
  readonly table: Sql;
  readonly columns: Sql;
  readonly where: Sql;
  readonly key: SortKey;
  readonly shift: number;
  /**
   * In a sorted list, none of the table's types has the sortBy attribute: its rows sort as absent
   * values (last ascending, first descending), among themselves by row key.
   */
  readonly absent: boolean;
}

function branchRows(b: Branch, descending: boolean, after: CursorKey | undefined, count: number, skip: number): Sql {
  // The cursor's row key in this table's keys: moving both sides of the comparison keeps the order.
  const cursor = after && { ...after, rowKey: after.rowKey - b.shift };
  const seek = cursor
    ? sql` AND ${b.absent ? afterAbsent(b.key.dialect, descending, cursor) : afterKey(b.key, descending, cursor)}`
    : raw('');
  return sql`SELECT ${b.columns}, ${b.key.expr ?? raw('NULL')} AS sort_value FROM ${b.table} r WHERE ${b.where}${seek} ${orderBy(b.key, descending)} LIMIT ${limit(count)}${offset(skip)}`;
}

/** afterKey for rows whose sort value is absent: after a present value ascending, before it descending. */
function afterAbsent(dialect: SqlDialect, descending: boolean, cursor: CursorKey): Sql {
  if (cursor.sortValue === null) return sql`r.row_key ${raw(descending ? '<' : '>')} ${cursor.rowKey}`;
  return descending ? dialect.false : dialect.true;
}

const offset = (skip: number) => (skip > 0 ? sql` OFFSET ${limit(skip)}` : raw(''));
