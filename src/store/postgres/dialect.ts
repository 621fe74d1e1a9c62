import type { JsonElements, ScalarKind, SqlDialect } from '../sql/dialect.ts';
import { join, quoteLiteral, raw, type Sql, sql } from '../sql/fragment.ts';
import type { WriteDialect } from '../sql/writes.ts';
import { sqlState } from './errors.ts';

/**
 * `ARRAY['a','b']::text[]` for `#>` / `#>>`. Labels come from the schema registry (RFC 7643 §2.1
 * ATTRNAME or schema URNs); quoteLiteral doubles any quote, so no label can end the literal. A
 * label with '"', '\\' or a control character is refused as SQLite's dialect refuses it: the
 * registry never produces one, so meeting one means a bug upstream, and both stores agree.
 */
function jsonPath(path: readonly string[]): Sql {
  if (path.length === 0) return raw(`'{}'::text[]`);
  for (const label of path) {
    if (/["\\\u0000-\u001f]/.test(label)) throw new Error(`attribute name not usable in a JSON path: ${JSON.stringify(label)}`);
  }
  const labels = path.map((label) => quoteLiteral(label).sql).join(', ');
  return raw(`ARRAY[${labels}]::text[]`);
}

const at = (container: Sql, path: readonly string[]): Sql => (path.length === 0 ? container : sql`(${container} #> ${jsonPath(path)})`);

/**
 * A JSON scalar of the expected JSON type, else NULL: a value of the wrong JSON type counts as
 * absent (docs/filtering.md). Strings carry the "C" collation, so that `<`/`>` order by code
 * point whatever the database's default collation is; numbers are float8 so they compare exactly
 * as JavaScript numbers do (and come back to JavaScript as numbers, for cursor keys).
 */
function scalar(value: Sql, kind: ScalarKind): Sql {
  switch (kind) {
    case 'string':
    case 'dateTime':
      return sql`(CASE WHEN jsonb_typeof(${value}) = 'string' THEN (${value} #>> '{}') END) COLLATE "C"`;
    case 'number':
      return sql`(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value} #>> '{}')::float8 END)`;
    case 'boolean':
      // As SQLite's json_extract reads it: 1 / 0, so that false sorts before true.
      return sql`(CASE jsonb_typeof(${value}) WHEN 'boolean' THEN (CASE WHEN ${value} = 'true'::jsonb THEN 1 ELSE 0 END) END)`;
    default:
      return kind satisfies never;
  }
}

/**
 * The PostgreSQL (jsonb) dialect. It relies on three functions the migrations create:
 * scim_fold (lower() under the ICU root collation, see docs/filtering.md "PostgreSQL"),
 * scim_instant (src/schema/datetime.ts in SQL) and scim_present (docs/filtering.md "Present").
 * PostgreSQL text cannot hold U+0000, so a needle containing one is decided here without
 * binding it: stored values never contain U+0000 (the store refuses them).
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  true: raw('true'),
  false: raw('false'),
  textHoldsNul: false,
  isTrue: (pred) => sql`coalesce(${pred}, false)`,
  jsonScalar: (container, path, kind) => scalar(at(container, path), kind),
  jsonIsBoolean: (container, path, value) =>
    sql`coalesce(${at(container, path)} = ${raw(value ? `'true'::jsonb` : `'false'::jsonb`)}, false)`,
  jsonIsObject: (container, path) => sql`coalesce(jsonb_typeof(${at(container, path)}) = 'object', false)`,
  jsonPresent: (container, path) => sql`scim_present(${at(container, path)})`,
  jsonElements(container, path, alias): JsonElements {
    const a = raw(alias);
    const value = raw(`${alias}.value`);
    // The root document is an object: its members (schemasSource reads their names). Anything
    // else is a multi-valued attribute: its elements, keyed by position so ORDER BY key keeps
    // the array order (jsonb_array_elements refuses a non-array, hence the guard).
    const from =
      path.length === 0
        ? sql`jsonb_each(CASE WHEN jsonb_typeof(${container}) = 'object' THEN ${container} ELSE '{}'::jsonb END) AS ${a}(key, value)`
        : sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${at(container, path)}) = 'array' THEN ${at(container, path)} ELSE '[]'::jsonb END) WITH ORDINALITY AS ${a}(value, key)`;
    return {
      from,
      element: value,
      isObject: sql`jsonb_typeof(${value}) = 'object'`,
      key: path.length === 0 ? sql`(${a}.key COLLATE "C")` : sql`${a}.key`,
      scalar: (kind) => scalar(value, kind),
      isBoolean: (v) => sql`${value} = ${raw(v ? `'true'::jsonb` : `'false'::jsonb`)}`,
      present: sql`scim_present(${value})`,
    };
  },
  // An InitPlan: the subquery runs once and each value is an index probe, whatever the
  // estimates. As `IN (subquery)`, a table loaded since its last ANALYZE got a semi-join that
  // re-ran the walk's join for every row (seconds for 10,000 groups).
  inSubquery: (expr, subquery) => sql`${expr} = ANY(ARRAY(${subquery}))`,
  unionMember: (select) => sql`(${select})`,
  fold: (expr) => sql`scim_fold(${expr})`,
  jsonString: (expr) => sql`to_json(${expr}::text)::text`,
  instant: (expr) => sql`scim_instant(${expr})`,
  // strpos/left/right compare characters exactly under the deterministic "C" collation, and no
  // character of the needle is special (no LIKE). Every string contains "", and no stored string
  // contains U+0000.
  contains: (haystack, needle) =>
    needle === ''
      ? sql`${haystack} IS NOT NULL`
      : needle.includes('\u0000')
        ? raw('false')
        : sql`coalesce(strpos(${haystack}, ${needle}) > 0, false)`,
  startsWith: (haystack, needle) =>
    needle === ''
      ? sql`${haystack} IS NOT NULL`
      : needle.includes('\u0000')
        ? raw('false')
        : sql`coalesce(left(${haystack}, ${raw(String([...needle].length))}) = ${needle}, false)`,
  endsWith: (haystack, needle) =>
    needle === ''
      ? sql`${haystack} IS NOT NULL`
      : needle.includes('\u0000')
        ? raw('false')
        : sql`coalesce(right(${haystack}, ${raw(String([...needle].length))}) = ${needle}, false)`,
};

/** First key of the per-tenant advisory lock that serialises group-in-group additions (sql/writes.ts addMembers). */
const NESTING_LOCK_CLASS = 0x5c1d_0007;
/** First key of the advisory lock that serialises the writers of one opt-in unique name (sql/writes.ts refuseTakenName). */
const NAME_LOCK_CLASS = 0x5c1d_0008;

/** The resource statements' PostgreSQL parts (src/store/sql/resources.ts, writes.ts). */
export const postgresWrites: WriteDialect = {
  sql: postgresDialect,
  groupsColumn: `(SELECT coalesce(json_agg(json_build_array(m.group_row, o.id, o.resource_type, o.doc ->> 'displayName',
      EXISTS (SELECT 1 FROM memberships p WHERE p.member_row = m.group_row))), '[]')::text
    FROM memberships m JOIN resources o ON o.row_key = m.group_row
    WHERE m.member_row = r.row_key) AS groups_json`,
  memberDisplay: 'o.ref_display',
  keyIn: (keys) => sql`= ANY(${keys}::bigint[])`,
  lockForUpdate: 'FOR NO KEY UPDATE',
  lockRow: 'FOR UPDATE',
  // One array per column, whatever the number of rows. A text column holds only strings here
  // (SQLite keeps a number as a number; json_extract reads it back as one).
  table(alias, columns, values) {
    const arrays = columns.map(
      (c, i) => sql`${values.map((row) => (c.type === 'text' && typeof row[i] !== 'string' ? null : row[i]))}::${raw(c.type)}[]`,
    );
    return sql`unnest(${join(arrays, ', ')}) WITH ORDINALITY AS ${raw(alias)}(${raw(columns.map((c) => c.name).join(', '))}, ord)`;
  },
  valuesRows: 1,
  json: (text) => sql`CAST(${text} AS jsonb)`,
  jsonText: (container, path) => sql`(${container} #> ${jsonPath(path)})::text`,
  jsonRemove: (container, path) => sql`${container} #- ${jsonPath(path)}`,
  nestingLock: (tenantId) => sql`SELECT pg_advisory_xact_lock(${NESTING_LOCK_CLASS}, hashtext(${tenantId}))`,
  nameLock: (tenantId, resourceType, nameKey) =>
    sql`SELECT pg_advisory_xact_lock(${NAME_LOCK_CLASS}, hashtext(${tenantId} || ' ' || ${resourceType} || ' ' || ${nameKey}))`,
  // The sequencer numbers events once committed (sequencer.ts).
  numbersEvents: false,
  nowMs: () => raw('(extract(epoch FROM clock_timestamp()) * 1000)::bigint'),
  lastInsertedKey: raw('lastval()'),
  keyByReturning: true,
  asStored: (doc) => inJsonbOrder(doc) as Readonly<Record<string, unknown>>,
  constraintOf: (error) => (({ '23505': 'unique', '23503': 'foreignKey' }) as const)[sqlState(error) ?? ''],
  onNameKey: (error) => (error as { constraint?: string }).constraint === 'resources_name',
};

/**
 * A JSON value with each object's keys in jsonb's order (shorter keys first, keys of one length by
 * their UTF-8 bytes), as PostgreSQL gives a stored document back.
 */
export function inJsonbOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inJsonbOrder);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort(byJsonbKeyOrder)) {
    const member = inJsonbOrder(source[key]);
    // A "__proto__" key is data, as JSON.parse makes it, not the prototype.
    if (key === '__proto__') Object.defineProperty(ordered, key, { value: member, enumerable: true, writable: true, configurable: true });
    else ordered[key] = member;
  }
  return ordered;
}

const NOT_ASCII = /[^\x00-\x7f]/;

function byJsonbKeyOrder(a: string, b: string): number {
  // ASCII: one byte a character, and code units compare as bytes do.
  if (!NOT_ASCII.test(a) && !NOT_ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));
}
