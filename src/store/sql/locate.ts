import { invalidFilter } from '../../errors/scim-error.ts';
import type { AttributeDefinition } from '../../schema/attribute.ts';
import type { ResolvedAttribute } from '../../schema/registry.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import { specOf } from '../../schema/types/catalogue.ts';
import type { ScalarKind, SqlDialect } from './dialect.ts';
import { raw, type Sql, sql } from './fragment.ts';
import { indexedAttribute } from './values-index.ts';

/**
 * Where the values of an attribute live for one resource row `r`: a promoted column, a JSON path
 * in `r.doc`, the values index, or the memberships table. Shared by the filter compiler and the
 * sort builder so both read an attribute from the same place.
 */

/** One scalar value: how to read it, test it for presence and, for booleans, test it exactly. */
export interface Loc {
  value(kind: ScalarKind): Sql;
  /** The stored value is already folded (promoted columns of caseExact=false attributes). */
  readonly folded: boolean;
  /** Two-valued presence. */
  readonly present: Sql;
  isBoolean?(value: boolean): Sql;
  /** Epoch milliseconds, for dateTime columns stored as numbers. */
  readonly instant?: Sql;
  /** A B-tree index on (tenant_id, resource_type, column): `sw` may add a range condition. */
  readonly rangeIndexed?: boolean;
  /** Never NULL for the resource types that have the attribute (lets sort and keyset use indexes). */
  readonly notNull?: boolean;
  /** A plain column: cheap to repeat, so `(p AND col IS NOT NULL)` replaces coalesce(p, false). */
  readonly column?: boolean;
}

/** One element of a multi-valued attribute, as seen from inside `some(...)`. */
export interface ElementView {
  /** A sub-attribute of a complex element; undefined when this source cannot read it. */
  sub(def: AttributeDefinition): Loc | undefined;
  /** The element itself, for simple multi-valued attributes. */
  readonly self: Loc | undefined;
  /** Two-valued presence of the element. */
  readonly present: Sql | undefined;
}

/** The elements of a multi-valued attribute of `r`; `some` is the existential test over them. */
export interface ElementSource {
  some(build: (view: ElementView) => Sql): Sql;
  /** Sub-attributes this source can read (undefined: any). */
  readonly readable: ReadonlySet<string> | undefined;
  readonly elementPresence: boolean;
}

export type Location =
  | { readonly kind: 'scalar'; readonly loc: Loc }
  | { readonly kind: 'complex'; readonly path: readonly string[] }
  | { readonly kind: 'multi'; readonly source: (needs: Needs) => ElementSource };

/** What a multi-valued condition reads from each element, so the cheapest source is chosen. */
export interface Needs {
  readonly subs: ReadonlySet<string>;
  readonly elementPresence: boolean;
}

export interface LocateScope {
  readonly dialect: SqlDialect;
  readonly tenantId: string;
  readonly resourceType: ResourceTypeName;
  /** Gives each subquery its own alias, deterministically, so cached SQL text repeats. */
  alias(prefix: string): string;
}

const DOC = raw('r.doc');
/** The core schema URN of a type, from the catalogue; undefined for a type scimd does not know. */
const coreSchemaIdOf = (type: ResourceTypeName): string | undefined => specOf(type)?.resourceType.schema;

export function columnLoc(scope: LocateScope, column: Sql, options: Partial<Omit<Loc, 'value' | 'present'>> = {}): Loc {
  return {
    value: () => column,
    folded: options.folded ?? false,
    column: true,
    present: options.notNull ? scope.dialect.true : scope.dialect.isTrue(sql`${column} <> ''`),
    ...options,
  };
}

export function jsonLoc(dialect: SqlDialect, container: Sql, path: readonly string[]): Loc {
  return {
    value: (kind) => dialect.jsonScalar(container, path, kind),
    folded: false,
    present: dialect.jsonPresent(container, path),
    isBoolean: (value) => dialect.jsonIsBoolean(container, path, value),
  };
}

function commonLocation(scope: LocateScope, attr: ResolvedAttribute): Location | undefined {
  const name = attr.attribute.name;
  const sub = attr.subAttribute?.name;
  if (name === 'id') return { kind: 'scalar', loc: columnLoc(scope, raw('r.id'), { rangeIndexed: true, notNull: true }) };
  if (name === 'externalId') return { kind: 'scalar', loc: columnLoc(scope, raw('r.external_id'), { rangeIndexed: true }) };
  if (name === 'schemas') return { kind: 'multi', source: () => schemasSource(scope) };
  if (name !== 'meta') return undefined;
  switch (sub) {
    case undefined:
      return { kind: 'scalar', loc: { ...columnLoc(scope, raw('NULL')), present: scope.dialect.true } };
    case 'resourceType':
      return { kind: 'scalar', loc: columnLoc(scope, raw('r.resource_type'), { notNull: true }) };
    case 'created':
      return { kind: 'scalar', loc: columnLoc(scope, raw('r.created_ms'), { instant: raw('r.created_ms'), notNull: true }) };
    case 'lastModified':
      return { kind: 'scalar', loc: columnLoc(scope, raw('r.modified_ms'), { instant: raw('r.modified_ms'), notNull: true }) };
    case 'version':
      // The weak ETag the service renders (src/service/etag.ts).
      return { kind: 'scalar', loc: columnLoc(scope, raw(`('W/"' || r.version || '"')`), { notNull: true }) };
    default:
      // meta.location depends on the request's base URL, which the store never sees.
      throw invalidFilter(`meta.${sub} cannot be used in a filter or sortBy`);
  }
}

/**
 * Filters and sorting on the attributes that are promoted to columns; undefined when the
 * attribute is read from the document. Folded columns serve only caseExact=false definitions.
 */
function promotedLocation(scope: LocateScope, attr: ResolvedAttribute): Location | undefined {
  if (attr.schema !== coreSchemaIdOf(scope.resourceType) || attr.subAttribute || attr.attribute.caseExact) return undefined;
  const name = attr.attribute.name;
  // A generic type's indexed attribute, folded in its row's display_name (src/store/sql/typed.ts).
  const spec = specOf(scope.resourceType);
  if (spec?.storage === 'generic' && name === spec.indexed) {
    return { kind: 'scalar', loc: columnLoc(scope, raw('r.display_name'), { folded: true, rangeIndexed: true }) };
  }
  if (scope.resourceType === 'User' && name === 'userName') {
    return { kind: 'scalar', loc: columnLoc(scope, raw('r.name_key'), { folded: true, rangeIndexed: true, notNull: true }) };
  }
  // A group's name_key is its id (promote.ts): its displayName is display_name, required hence never null.
  if (scope.resourceType === 'Group' && name === 'displayName') {
    return { kind: 'scalar', loc: columnLoc(scope, raw('r.display_name'), { folded: true, rangeIndexed: true, notNull: true }) };
  }
  if (scope.resourceType === 'User' && name === 'displayName') {
    return { kind: 'scalar', loc: columnLoc(scope, raw('r.display_name'), { folded: true, rangeIndexed: true }) };
  }
  return undefined;
}

export function locate(scope: LocateScope, attr: ResolvedAttribute): Location {
  if (attr.schema === undefined) {
    const common = commonLocation(scope, attr);
    if (common) return common;
  }
  const promoted = promotedLocation(scope, attr);
  if (promoted) return promoted;
  const name = attr.attribute.name;
  if (attr.schema === coreSchemaIdOf(scope.resourceType)) {
    if (scope.resourceType === 'Group' && name === 'members') return { kind: 'multi', source: () => groupMembersSource(scope) };
    if (scope.resourceType === 'User' && name === 'groups') return { kind: 'multi', source: (needs) => userGroupsSource(scope, needs) };
  }
  const path = attr.subAttribute ? attr.jsonPath.slice(0, -1) : attr.jsonPath;
  if (attr.attribute.multiValued) {
    return {
      kind: 'multi',
      source: (needs) => {
        const indexed = indexedAttribute(scope.resourceType, attr.schema, attr.attribute);
        const usable = indexed && !needs.elementPresence && [...needs.subs].every((s) => indexed.columns.has(s));
        return usable
          ? valuesIndexSource(scope, indexed.name, indexed.columns)
          : jsonSource(scope, path, attr.attribute.type === 'complex');
      },
    };
  }
  if (attr.subAttribute === undefined && attr.attribute.type === 'complex') return { kind: 'complex', path };
  return { kind: 'scalar', loc: jsonLoc(scope.dialect, DOC, attr.jsonPath) };
}

function jsonSource(scope: LocateScope, path: readonly string[], complex: boolean): ElementSource {
  const { dialect } = scope;
  return {
    readable: undefined,
    elementPresence: true,
    some(build) {
      const els = dialect.jsonElements(DOC, path, scope.alias('e'));
      const view: ElementView = complex
        ? { sub: (def) => jsonLoc(dialect, els.element, [def.name]), self: undefined, present: dialect.jsonPresent(els.element, []) }
        : {
            sub: () => undefined,
            self: { value: els.scalar, folded: false, present: els.present, isBoolean: els.isBoolean },
            present: els.present,
          };
      // Non-object elements of a complex attribute match nothing (invalid data, never written by the service).
      const where = complex ? sql`${els.isObject} AND ${build(view)}` : build(view);
      return sql`EXISTS (SELECT 1 FROM ${els.from} WHERE ${where})`;
    },
  };
}

function valuesIndexSource(
  scope: LocateScope,
  attrName: string,
  columns: ReadonlyMap<string, { readonly column: 'value' | 'type'; readonly caseExact: boolean }>,
): ElementSource {
  return {
    readable: new Set(columns.keys()),
    elementPresence: false,
    some(build) {
      const v = scope.alias('v');
      const view: ElementView = {
        sub(def) {
          const col = columns.get(def.name);
          return col ? columnLoc(scope, raw(`${v}.${col.column}`), { folded: !col.caseExact }) : undefined;
        },
        self: undefined,
        present: undefined,
      };
      // An uncorrelated IN lets SQLite start from the (tenant_id, attr, value) index and probe r by rowid.
      return sql`r.row_key IN (SELECT ${raw(v)}.resource_row FROM resource_values AS ${raw(v)} WHERE ${raw(v)}.tenant_id = ${scope.tenantId} AND ${raw(v)}.attr = ${attrName} AND ${build(view)})`;
    },
  };
}

/**
 * Group.members: the group's direct members (RFC 7643 §4.2 lists direct members only; a user in
 * a nested group is not a member of the outer group here, docs/nested-groups.md). `type` is
 * "User" or "Group".
 */
function groupMembersSource(scope: LocateScope): ElementSource {
  return {
    readable: new Set(['value', 'type', 'display']),
    elementPresence: true,
    some(build) {
      const m = scope.alias('m');
      const o = scope.alias('o');
      const locs: Record<string, Loc> = {
        value: columnLoc(scope, raw(`${o}.id`), { notNull: true }),
        type: columnLoc(scope, raw(`${m}.member_type`), { notNull: true }),
        // The display the store returns for a member: its displayName, else its userName.
        display: columnLoc(scope, raw(`coalesce(nullif(${o}.display_name, ''), ${o}.name_key)`), { folded: true }),
      };
      const view: ElementView = { sub: (def) => membershipLoc(locs, 'members', def), self: undefined, present: scope.dialect.true };
      return sql`r.row_key IN (SELECT ${raw(`${m}.group_row`)} FROM memberships AS ${raw(m)} JOIN resources AS ${raw(o)} ON ${raw(`${o}.row_key = ${m}.member_row`)} WHERE ${raw(m)}.tenant_id = ${scope.tenantId} AND ${raw(o)}.tenant_id = ${scope.tenantId} AND ${build(view)})`;
    },
  };
}

function membershipLoc(locs: Readonly<Record<string, Loc>>, side: string, def: AttributeDefinition): Loc {
  const loc = locs[def.name];
  if (!loc) throw invalidFilter(`${side}.${def.name} cannot be used in a filter`);
  return loc;
}

/**
 * User.groups, direct and indirect (RFC 7643 §4.1.2), as GET shows them. The walk starts from the
 * groups the condition can hold for and goes DOWN the nesting to the users, so that
 * `groups.value eq "g"` costs g's subtree, never the whole tenant: a recursive CTE pairs each
 * candidate group (`top`) with itself and every group nested in it, and the users that are direct
 * members of any of those are the users that have `top` in their groups. An element's `type` is
 * "direct" when the user is a member of `top` itself. When the condition reads `type`, the seed
 * takes the groups for which it holds with either type (a superset), and the exact condition is
 * tested on each (user, group) pair. CROSS JOIN keeps SQLite's loops in that order (the walk,
 * then each group's members by index); left free, it scanned every membership of the database
 * against the walk. PostgreSQL plans a CROSS JOIN with its WHERE like any join.
 */
function userGroupsSource(scope: LocateScope, needs: Needs): ElementSource {
  const { dialect } = scope;
  const direct: ElementSource = {
    readable: new Set(),
    elementPresence: true,
    // `groups pr`: every indirect group comes through a direct one, so one direct membership is enough.
    some(build) {
      const d = scope.alias('d');
      const any = build({ sub: () => undefined, self: undefined, present: dialect.true });
      return sql`(${any} AND EXISTS (SELECT 1 FROM memberships AS ${raw(d)} WHERE ${raw(d)}.tenant_id = ${scope.tenantId} AND ${raw(`${d}.member_row = r.row_key`)}))`;
    },
  };
  if (needs.subs.size === 0) return direct;
  return {
    readable: new Set(['value', 'type', 'display']),
    elementPresence: true,
    some(build) {
      const [h, g, n, m, d] = ['h', 'g', 'n', 'm', 'd'].map((prefix) => scope.alias(prefix)) as [string, string, string, string, string];
      const viewOf = (type: Sql): ElementView => {
        const locs: Record<string, Loc> = {
          // Ids are server-made lower-case UUIDs, hence their own fold: `groups.value` (caseExact
          // false, RFC 7643 §8.7.1) compares `g.id = fold(value)`, which the id index serves.
          value: columnLoc(scope, raw(`${g}.id`), { notNull: true, folded: true }),
          type: columnLoc(scope, type, { notNull: true }),
          display: columnLoc(scope, raw(`${g}.display_name`), { folded: true, notNull: true }),
        };
        return { sub: (def) => membershipLoc(locs, 'groups', def), self: undefined, present: dialect.true };
      };
      const readsType = needs.subs.has('type');
      const seed = readsType
        ? sql`(${build(viewOf(raw(`'direct'`)))} OR ${build(viewOf(raw(`'indirect'`)))})`
        : build(viewOf(raw(`'direct'`)));
      const type = raw(
        `(CASE WHEN EXISTS (SELECT 1 FROM memberships AS ${d} WHERE ${d}.group_row = ${h}.top AND ${d}.member_row = ${m}.member_row) THEN 'direct' ELSE 'indirect' END)`,
      );
      // Only a condition on `type` needs the pair (user, top group) at the end.
      const exact = readsType
        ? sql` JOIN resources AS ${raw(g)} ON ${raw(`${g}.row_key = ${h}.top`)} WHERE ${raw(`${m}.group_row = ${h}.group_row`)} AND ${raw(m)}.member_type = 'User' AND ${build(viewOf(type))}`
        : sql` WHERE ${raw(`${m}.group_row = ${h}.group_row`)} AND ${raw(m)}.member_type = 'User'`;
      return dialect.inSubquery(
        raw('r.row_key'),
        sql`WITH RECURSIVE ${raw(h)}(top, group_row) AS (
          SELECT ${raw(`${g}.row_key, ${g}.row_key`)} FROM resources AS ${raw(g)} WHERE ${raw(g)}.tenant_id = ${scope.tenantId} AND ${raw(g)}.resource_type = 'Group' AND ${seed}
          UNION
          SELECT ${raw(`${h}.top, ${n}.member_row`)} FROM ${raw(h)} JOIN memberships AS ${raw(n)} ON ${raw(`${n}.group_row = ${h}.group_row`)} WHERE ${raw(n)}.member_type = 'Group'
        )
        SELECT ${raw(`${m}.member_row`)} FROM ${raw(h)} CROSS JOIN memberships AS ${raw(m)}${exact}`,
      );
    },
  };
}

/**
 * `schemas`: the core schema URN is always there; an extension URN is there when the document
 * holds a non-empty object under it (extension attributes are the only keys containing ':').
 */
function schemasSource(scope: LocateScope): ElementSource {
  const { dialect } = scope;
  return {
    readable: new Set(),
    elementPresence: true,
    some(build) {
      const core = build({
        sub: () => undefined,
        self: columnLoc(scope, sql`${coreSchemaIdOf(scope.resourceType)}`, { notNull: true }),
        present: dialect.true,
      });
      const els = dialect.jsonElements(DOC, [], scope.alias('s'));
      const ext = build({ sub: () => undefined, self: columnLoc(scope, els.key, { notNull: true }), present: dialect.true });
      const isExtension = sql`${els.isObject} AND ${dialect.jsonPresent(els.element, [])} AND ${dialect.contains(els.key, ':')}`;
      return sql`(${dialect.isTrue(core)} OR EXISTS (SELECT 1 FROM ${els.from} WHERE ${isExtension} AND ${ext}))`;
    },
  };
}

export type { ScalarKind };
