import type { JsonElements, SqlDialect } from '../sql/dialect.ts';
import { quoteLiteral, raw, type Sql, sql } from '../sql/fragment.ts';

/**
 * `$."a"."b"`: every label quoted, because extension URNs contain ':' and '.'. SQLite's path
 * syntax has no escape for '"' inside a label, so such a name (never produced by the registry,
 * whose names follow RFC 7643 §2.1 ATTRNAME or are URNs) is refused rather than mangled.
 */
export function jsonPath(path: readonly string[]): Sql {
  return quoteLiteral(jsonPathText(path));
}

/** The text of jsonPath, for binding as a parameter. */
export function jsonPathText(path: readonly string[]): string {
  for (const label of path) {
    if (/["\\\u0000-\u001f]/.test(label)) throw new Error(`attribute name not usable in a JSON path: ${JSON.stringify(label)}`);
  }
  return ['$', ...path.map((label) => `"${label}"`)].join('.');
}

/**
 * docs/filtering.md "Present", recursively as the evaluator has it: an array or object is present
 * when some leaf inside it is neither null nor "". `json` is a JSON text or a json_each value.
 */
const leafPresent = (json: Sql) =>
  sql`EXISTS (SELECT 1 FROM json_tree(${json}) AS scim_leaf WHERE scim_leaf.type NOT IN ('object', 'array', 'null') AND NOT (scim_leaf.type = 'text' AND scim_leaf.atom = ''))`;

/** Presence of a json_each row. */
const memberPresent = (alias: string) =>
  sql`(CASE ${raw(alias)}.type WHEN 'text' THEN ${raw(alias)}.value <> '' WHEN 'null' THEN 0 WHEN 'array' THEN ${leafPresent(raw(`${alias}.value`))} WHEN 'object' THEN ${leafPresent(raw(`${alias}.value`))} ELSE 1 END)`;

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  true: raw('1'),
  false: raw('0'),
  isTrue: (pred) => sql`coalesce(${pred}, 0)`,
  jsonScalar: (container, path) => sql`json_extract(${container}, ${jsonPath(path)})`,
  jsonIsBoolean: (container, path, value) =>
    sql`coalesce(json_type(${container}, ${jsonPath(path)}) = ${raw(value ? "'true'" : "'false'")}, 0)`,
  jsonIsObject: (container, path) => sql`coalesce(json_type(${container}, ${jsonPath(path)}) = 'object', 0)`,
  jsonPresent(container, path) {
    const p = jsonPath(path);
    const nested = leafPresent(sql`json_extract(${container}, ${p})`);
    return sql`coalesce(CASE json_type(${container}, ${p}) WHEN 'text' THEN json_extract(${container}, ${p}) <> '' WHEN 'null' THEN 0 WHEN 'array' THEN ${nested} WHEN 'object' THEN ${nested} ELSE json_type(${container}, ${p}) IS NOT NULL END, 0)`;
  },
  jsonElements(container, path, alias): JsonElements {
    const a = raw(alias);
    return {
      from: sql`json_each(${container}, ${jsonPath(path)}) AS ${a}`,
      element: sql`${a}.value`,
      isObject: sql`${a}.type = 'object'`,
      key: sql`${a}.key`,
      scalar: () => sql`${a}.value`,
      isBoolean: (value) => sql`${a}.type = ${raw(value ? "'true'" : "'false'")}`,
      present: memberPresent(alias),
    };
  },
  inSubquery: (expr, subquery) => sql`${expr} IN (${subquery})`,
  fold: (expr) => sql`scim_fold(${expr})`,
  instant: (expr) => sql`scim_instant(${expr})`,
  // Compared as UTF-8 bytes (SQLite's text functions stop at U+0000, and a value may hold one),
  // and two-valued. Every value contains, starts and ends with "": substr and instr on an empty
  // blob answer NULL, so the empty needle is handled apart.
  contains: (haystack, needle) =>
    needle === '' ? sql`${haystack} IS NOT NULL` : sql`coalesce(instr(CAST(${haystack} AS BLOB), ${Buffer.from(needle, 'utf8')}) > 0, 0)`,
  startsWith: (haystack, needle) => {
    const bytes = Buffer.from(needle, 'utf8');
    return bytes.length === 0
      ? sql`${haystack} IS NOT NULL`
      : sql`coalesce(substr(CAST(${haystack} AS BLOB), 1, ${bytes.length}) = ${bytes}, 0)`;
  },
  endsWith: (haystack, needle) => {
    const bytes = Buffer.from(needle, 'utf8');
    return bytes.length === 0
      ? sql`${haystack} IS NOT NULL`
      : sql`coalesce(substr(CAST(${haystack} AS BLOB), ${-bytes.length}) = ${bytes}, 0)`;
  },
};
