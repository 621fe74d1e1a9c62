import type { JsonElements, SqlDialect } from '../sql/dialect.ts';
import { join, quoteLiteral, raw, type Sql, sql } from '../sql/fragment.ts';
import type { ConstraintOf } from '../sql/run.ts';
import type { WriteDialect } from '../sql/writes.ts';

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
  unionMember: (select) => sql`SELECT * FROM (${select})`,
  fold: (expr) => sql`scim_fold(${expr})`,
  jsonString: (expr) => sql`json_quote(${expr})`,
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

export function isUniqueViolation(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Rows a table parameter binds one by one (WriteDialect.table). */
const FEW_ROWS = 4;

const constraintOf: ConstraintOf = (error) => {
  if (isUniqueViolation(error)) return 'unique';
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ? 'foreignKey' : undefined;
};

/** The resource statements' SQLite parts (src/store/sql/resources.ts, writes.ts). */
export const sqliteWrites: WriteDialect = {
  sql: sqliteDialect,
  groupsColumn: `(SELECT json_group_array(json_array(m.group_row, o.id, o.resource_type, json_extract(o.doc, '$.displayName'),
      EXISTS (SELECT 1 FROM memberships p WHERE p.member_row = m.group_row)))
    FROM memberships m JOIN resources o ON o.row_key = m.group_row
    WHERE m.member_row = r.row_key) AS groups_json`,
  memberDisplay: 'o.ref_display',
  // One key (the common GET of one group) needs no json_each.
  keyIn: (keys) => (keys.length === 1 ? sql`= ${keys[0]!}` : sql`IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`),
  // BEGIN IMMEDIATE: a write is the only writer of the file, from its first statement on.
  lockForUpdate: '',
  lockRow: '',
  // A few rows (a write's event, a user's emails) as bound VALUES, with nothing to encode; more
  // as one JSON array parameter, so that the statement cache holds a few texts only.
  table(alias, columns, values) {
    if (values.length > 0 && values.length <= FEW_ROWS) {
      const named = columns.map((c, i) => `column${i + 1} AS ${c.name}`).join(', ');
      const rows = values.map((row, i) => sql`(${join([...row.map((v) => sql`${v}`), raw(String(i + 1))], ', ')})`);
      return sql`(SELECT ${raw(named)}, column${raw(String(columns.length + 1))} AS ord FROM (VALUES ${join(rows, ', ')})) AS ${raw(alias)}`;
    }
    const named = columns.map((c, i) => `value ->> ${i} AS ${c.name}`).join(', ');
    return sql`(SELECT ${raw(named)}, key + 1 AS ord FROM json_each(${JSON.stringify(values)})) AS ${raw(alias)}`;
  },
  valuesRows: FEW_ROWS,
  json: (text) => sql`${text}`,
  jsonText: (container, path) => sql`${container} -> ${jsonPath(path)}`,
  jsonRemove: (container, path) => sql`json_remove(${container}, ${jsonPath(path)})`,
  nestingLock: () => undefined,
  nameLock: () => undefined,
  numbersEvents: true,
  nowMs: () => sql`${Date.now()}`,
  // Not moved by an INSERT into a WITHOUT ROWID table (request_log_resources).
  lastInsertedKey: raw('last_insert_rowid()'),
  keyByReturning: false,
  asStored: (doc) => doc,
  constraintOf,
  onNameKey: (error) => (error as Error).message.includes('resources.name_key'),
};
