import type { Sql } from './fragment.ts';

/**
 * How a JSON scalar is read: the PostgreSQL dialect needs to cast `#>>` text; SQLite does not.
 * 'boolean' reads a JSON boolean as 1 / 0 (what SQLite's json_extract returns), for sorting.
 */
export type ScalarKind = 'string' | 'number' | 'dateTime' | 'boolean';

/** Rows of a JSON array expanded with `alias` (SQLite json_each, PostgreSQL jsonb_array_elements). */
export interface JsonElements {
  /** A FROM item. */
  readonly from: Sql;
  /** The element itself, as a JSON value to read sub-attributes from. */
  readonly element: Sql;
  readonly isObject: Sql;
  /** The member name, when the expanded value is an object. */
  readonly key: Sql;
  /** The element as a scalar (simple multi-valued attributes). */
  scalar(kind: ScalarKind): Sql;
  isBoolean(value: boolean): Sql;
  /** Two-valued presence of the element (docs/filtering.md "Present"). */
  readonly present: Sql;
}

/**
 * The few places where SQL engines differ, as Kysely's DialectAdapter does. The filter compiler,
 * the sort builder and the paging code speak only through this, so that a PostgreSQL (jsonb)
 * dialect is one new file. Every method returns SQL whose truth value is never NULL unless its
 * doc says so; `path` elements are canonical names from the schema registry, never client text.
 */
export interface SqlDialect {
  readonly name: string;
  readonly true: Sql;
  readonly false: Sql;
  /**
   * False when the engine's text type cannot hold U+0000 (PostgreSQL): the store then refuses
   * such values, and the compiler decides comparisons with a needle holding one without binding
   * it. Undefined means true.
   */
  readonly textHoldsNul?: boolean;
  /** `pred` with NULL read as false. */
  isTrue(pred: Sql): Sql;
  /** The scalar at `path` in the JSON `container`, NULL when absent or JSON null. */
  jsonScalar(container: Sql, path: readonly string[], kind: ScalarKind): Sql;
  /** Two-valued: the value at `path` is exactly the JSON boolean `value`. */
  jsonIsBoolean(container: Sql, path: readonly string[], value: boolean): Sql;
  /** Two-valued: the value at `path` is an object. */
  jsonIsObject(container: Sql, path: readonly string[]): Sql;
  /** Two-valued presence of the value at `path` (not null, "", [] or an object with nothing present). */
  jsonPresent(container: Sql, path: readonly string[]): Sql;
  jsonElements(container: Sql, path: readonly string[], alias: string): JsonElements;
  /**
   * Two-valued: `expr` is among the values the uncorrelated `subquery` returns. For sets that a
   * recursive walk computes (nested groups), which the planner cannot estimate.
   */
  inSubquery(expr: Sql, subquery: Sql): Sql;
  /**
   * A SELECT with an ORDER BY and LIMIT of its own as one member of a UNION ALL. SQLite takes it
   * only as a subquery; PostgreSQL in parentheses, where an untyped NULL column stays untyped
   * until the union resolves it (in a subquery it would become text, and match no number).
   */
  unionMember(select: Sql): Sql;
  /** Case folding identical to `fold()` of src/filter/fold.ts (JavaScript toLowerCase). */
  fold(expr: Sql): Sql;
  /** The JSON text of a text value: a JSON string, quotes included, as JSON.stringify writes it. */
  jsonString(expr: Sql): Sql;
  /** A dateTime string as epoch milliseconds, as JavaScript's Date.parse reads it. */
  instant(expr: Sql): Sql;
  /** Substring tests in which no character of `needle` is special (no LIKE wildcards leak). */
  contains(haystack: Sql, needle: string): Sql;
  startsWith(haystack: Sql, needle: string): Sql;
  endsWith(haystack: Sql, needle: string): Sql;
}
