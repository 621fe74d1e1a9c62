import type { JsonElements, SqlDialect } from '../sql/dialect.ts';
import { quoteLiteral, raw, sql, type Sql } from '../sql/fragment.ts';

/**
 * `$."a"."b"`: every label quoted, because extension URNs contain ':' and '.'. SQLite's path
 * syntax has no escape for '"' inside a label, so such a name (never produced by the registry,
 * whose names follow RFC 7643 §2.1 ATTRNAME or are URNs) is refused rather than mangled.
 */
export function jsonPath(path: readonly string[]): Sql {
  for (const label of path) {
    if (/["\\\u0000-\u001f]/.test(label)) throw new Error(`attribute name not usable in a JSON path: ${JSON.stringify(label)}`);
  }
  return quoteLiteral(['$', ...path.map((label) => `"${label}"`)].join('.'));
}

/** Presence of a json_each row, one level deep (sub-attributes of SCIM complex values are simple). */
const memberPresent = (alias: string) =>
  raw(
    `(CASE ${alias}.type WHEN 'text' THEN ${alias}.value <> '' WHEN 'null' THEN 0 ` +
      `WHEN 'array' THEN json_array_length(${alias}.value) > 0 WHEN 'object' THEN ${alias}.value <> '{}' ELSE 1 END)`,
  );

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
    // A fixed alias keeps the SQL text stable for the statement cache; `container` is the document
    // or an array element, never a member row, so the name cannot capture it.
    const m = raw('scim_present_member');
    return sql`coalesce(CASE json_type(${container}, ${p}) WHEN 'text' THEN json_extract(${container}, ${p}) <> '' WHEN 'null' THEN 0 WHEN 'array' THEN json_array_length(${container}, ${p}) > 0 WHEN 'object' THEN EXISTS (SELECT 1 FROM json_each(${container}, ${p}) AS ${m} WHERE ${memberPresent(m.sql)}) ELSE json_type(${container}, ${p}) IS NOT NULL END, 0)`;
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
  fold: (expr) => sql`scim_fold(${expr})`,
  instant: (expr) => sql`scim_instant(${expr})`,
  contains: (haystack, needle) => sql`instr(${haystack}, ${needle}) > 0`,
  startsWith: (haystack, needle) => sql`substr(${haystack}, 1, ${[...needle].length}) = ${needle}`,
  endsWith: (haystack, needle) => {
    const length = [...needle].length;
    // substr(x, -0) would be the whole string: the empty suffix is handled apart.
    return length === 0 ? sql`${haystack} IS NOT NULL` : sql`substr(${haystack}, ${-length}) = ${needle}`;
  },
};
