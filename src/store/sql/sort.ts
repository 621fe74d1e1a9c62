import type { ResolvedAttribute } from '../../schema/registry.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import type { CursorKey, QueryTarget } from '../ports/resources.ts';
import type { SqlDialect } from './dialect.ts';
import { join, raw, type Sql, sql } from './fragment.ts';
import { type Loc, type LocateScope, locate } from './locate.ts';

/**
 * Sorting and keyset paging (RFC 7644 §3.4.2.3, RFC 9865). The order is total: the sort value,
 * then the internal row key. Ascending puts absent values last; descending is the exact reverse
 * (absent first, row keys descending), so that paging backwards is paging forwards reversed.
 */
export interface SortKey {
  /** Undefined when there is no sortBy: the order is the row key alone. */
  readonly expr: Sql | undefined;
  /** The expression is never NULL: plain row-value comparisons, which SQLite runs on an index. */
  readonly notNull: boolean;
  readonly dialect: SqlDialect;
}

function scalarSortExpr(dialect: SqlDialect, loc: Loc, leafType: string, caseExact: boolean): Sql {
  const kind =
    leafType === 'dateTime'
      ? 'dateTime'
      : leafType === 'integer' || leafType === 'decimal'
        ? 'number'
        : leafType === 'boolean'
          ? 'boolean'
          : 'string';
  const value = loc.value(kind);
  if (leafType === 'dateTime') return loc.instant ?? dialect.instant(value);
  if ((leafType === 'string' || leafType === 'reference') && !caseExact && !loc.folded) return dialect.fold(value);
  return value;
}

function targetSortExpr(
  dialect: SqlDialect,
  tenantId: string,
  resourceType: ResourceTypeName,
  attr: ResolvedAttribute,
): { expr: Sql; notNull: boolean } {
  let aliases = 0;
  const scope: LocateScope = { dialect, tenantId, resourceType, alias: (p) => `${p}sort${++aliases}` };
  const location = locate(scope, attr);
  const valueDef = attr.attribute.subAttributes?.find((s) => s.name === 'value');
  switch (location.kind) {
    case 'scalar':
      if (attr.leaf.type === 'complex') return { expr: raw('NULL'), notNull: false };
      return { expr: scalarSortExpr(dialect, location.loc, attr.leaf.type, attr.leaf.caseExact), notNull: location.loc.notNull ?? false };
    case 'complex': {
      if (!valueDef) return { expr: raw('NULL'), notNull: false };
      const loc: Loc = {
        value: (kind) => dialect.jsonScalar(raw('r.doc'), [...location.path, 'value'], kind),
        folded: false,
        present: dialect.true,
      };
      return { expr: scalarSortExpr(dialect, loc, valueDef.type, valueDef.caseExact), notNull: false };
    }
    case 'multi': {
      // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else its first.
      if (attr.attribute.name === 'members' || attr.attribute.name === 'groups' || attr.attribute.name === 'schemas') {
        return { expr: raw('NULL'), notNull: false };
      }
      const path = attr.subAttribute ? attr.jsonPath.slice(0, -1) : attr.jsonPath;
      const els = dialect.jsonElements(raw('r.doc'), path, scope.alias('e'));
      if (attr.attribute.type !== 'complex') {
        const expr = scalarSortExpr(
          dialect,
          { value: els.scalar, folded: false, present: els.present },
          attr.leaf.type,
          attr.leaf.caseExact,
        );
        return { expr: sql`(SELECT ${expr} FROM ${els.from} ORDER BY ${els.key} LIMIT 1)`, notNull: false };
      }
      const leaf = attr.subAttribute ?? valueDef;
      if (!leaf) return { expr: raw('NULL'), notNull: false };
      const loc: Loc = { value: (kind) => dialect.jsonScalar(els.element, [leaf.name], kind), folded: false, present: dialect.true };
      const expr = scalarSortExpr(dialect, loc, leaf.type, leaf.caseExact);
      const primary = dialect.jsonIsBoolean(els.element, ['primary'], true);
      return {
        expr: sql`(SELECT ${expr} FROM ${els.from} WHERE ${els.isObject} ORDER BY ${primary} DESC, ${els.key} LIMIT 1)`,
        notNull: false,
      };
    }
    default:
      return location satisfies never;
  }
}

export function sortKey(dialect: SqlDialect, tenantId: string, targets: readonly QueryTarget[]): SortKey {
  const sorted = targets.filter((t) => t.sortBy !== undefined);
  if (sorted.length === 0) return { expr: undefined, notNull: true, dialect };
  const parts = targets.map((t) =>
    t.sortBy
      ? { type: t.resourceType, ...targetSortExpr(dialect, tenantId, t.resourceType, t.sortBy) }
      : { type: t.resourceType, expr: raw('NULL'), notNull: false },
  );
  const notNull = parts.every((p) => p.notNull);
  if (parts.length === 1) return { expr: parts[0]!.expr, notNull, dialect };
  const whens = parts.map((p) => sql`WHEN ${raw(`'${p.type}'`)} THEN ${p.expr}`);
  return { expr: sql`(CASE r.resource_type ${join(whens, ' ')} END)`, notNull, dialect };
}

export function orderBy(key: SortKey, descending: boolean): Sql {
  const dir = raw(descending ? 'DESC' : 'ASC');
  if (!key.expr) return sql`ORDER BY r.row_key ${dir}`;
  if (key.notNull) return sql`ORDER BY ${key.expr} ${dir}, r.row_key ${dir}`;
  return sql`ORDER BY (${key.expr} IS NULL) ${dir}, ${key.expr} ${dir}, r.row_key ${dir}`;
}

const bindable = (v: CursorKey['sortValue']) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/** Rows strictly after `cursor` in the order `orderBy(key, descending)` produces; two-valued. */
export function afterKey(key: SortKey, descending: boolean, cursor: CursorKey): Sql {
  const gt = raw(descending ? '<' : '>');
  if (!key.expr) return sql`r.row_key ${gt} ${cursor.rowKey}`;
  const s = key.expr;
  const v = bindable(cursor.sortValue);
  if (key.notNull && v !== null) return sql`(${s}, r.row_key) ${gt} (${v}, ${cursor.rowKey})`;
  // Ascending: non-null values in order, then the nulls; descending is the mirror image.
  if (!descending) {
    return v === null
      ? sql`(${s} IS NULL AND r.row_key > ${cursor.rowKey})`
      : sql`(${s} > ${v} OR (${s} = ${v} AND r.row_key > ${cursor.rowKey}) OR ${s} IS NULL)`;
  }
  return v === null
    ? sql`(${s} IS NOT NULL OR r.row_key < ${cursor.rowKey})`
    : key.dialect.isTrue(sql`(${s} < ${v} OR (${s} = ${v} AND r.row_key < ${cursor.rowKey}))`);
}

/** The complement of afterKey: rows at or before `cursor`. */
export function atOrBeforeKey(key: SortKey, descending: boolean, cursor: CursorKey): Sql {
  if (!key.expr) return sql`r.row_key ${raw(descending ? '>=' : '<=')} ${cursor.rowKey}`;
  if (key.notNull && cursor.sortValue !== null) {
    return sql`(${key.expr}, r.row_key) ${raw(descending ? '>=' : '<=')} (${bindable(cursor.sortValue)}, ${cursor.rowKey})`;
  }
  return sql`(NOT ${afterKey(key, descending, cursor)})`;
}
