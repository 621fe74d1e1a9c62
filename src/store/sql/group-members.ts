import { invalidFilter } from '../../errors/scim-error.ts';
import type { ResolvedFilter } from '../../filter/ast.ts';
import type { AttributeDefinition } from '../../schema/attribute.ts';
import type { ResolvedAttribute } from '../../schema/registry.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import {
  GROUP_MEMBER_SCHEMA_ID,
  GROUP_MEMBER_TYPE_NAME,
  MEMBERSHIP_ID_SEPARATOR,
  membershipIdParts,
} from '../../schema/types/group-member.ts';
import type { MembershipPage, MembershipQuery, StoredMembership } from '../ports/group-members.ts';
import type { CursorKey } from '../ports/resources.ts';
import { compileFilter } from './compile-filter.ts';
import type { SqlDialect } from './dialect.ts';
import { join, raw, type Sql, sql } from './fragment.ts';
import { columnLoc, type ElementSource, type Loc, type LocateScope, type Location } from './locate.ts';
import { iso, limit } from './rows.ts';
import { hasNul, type Plan, rows } from './run.ts';

/**
 * GroupMember resources (draft-zollner-scim-group-members-01, docs/group-members.md) read from
 * the membership table, the same SQL on both databases: `m` a membership row, `g` its group's row,
 * `o` its member's row. Memberships come in the order they were added (m.seq), the order of the
 * memberships_group index (migration 30): a page of a group's members is a seek on it, so page n
 * costs what page 1 does. Only what the filter reads is joined: counting the members of a group
 * of a million reads the index alone.
 */

const SELECT = raw(`SELECT m.seq, g.id AS group_id, g.ref_display AS group_display, o.id AS member_id, m.member_type,
  o.ref_display AS member_display, m.created_ms
  FROM memberships m JOIN resources g ON g.row_key = m.group_row JOIN resources o ON o.row_key = m.member_row`);

interface MembershipRow {
  readonly seq: number | string;
  readonly group_id: string;
  readonly group_display: string | null;
  readonly member_id: string;
  readonly member_type: ResourceTypeName;
  readonly member_display: string | null;
  readonly created_ms: number | string | null;
}

function toMembership(row: MembershipRow): StoredMembership {
  return {
    groupId: row.group_id,
    groupDisplay: row.group_display ?? undefined,
    memberId: row.member_id,
    memberType: row.member_type,
    memberDisplay: row.member_display ?? undefined,
    created: row.created_ms === null ? undefined : iso(Number(row.created_ms)),
  };
}

const keyOf = (row: MembershipRow | undefined): CursorKey | undefined => row && { sortValue: null, rowKey: Number(row.seq) };

/** An id PostgreSQL cannot hold (U+0000) names no resource. */
const unstorable = (d: SqlDialect, id: string) => d.textHoldsNul === false && hasNul(id);

/** The row key of the tenant's resource `id` (of `type` when given): NULL when there is none. */
function rowKeyOf(d: SqlDialect, tenantId: string, id: string, type?: ResourceTypeName): Sql {
  if (unstorable(d, id)) return raw('NULL');
  const typed = type ? sql` AND x.resource_type = ${type}` : raw('');
  return sql`(SELECT x.row_key FROM resources x WHERE x.tenant_id = ${tenantId} AND x.id = ${id}${typed})`;
}

/** Which rows besides the membership the filter reads. */
interface Joins {
  group: boolean;
  member: boolean;
}

/** The filter as SQL over `m`, `g`, `o`, and the joins it needs. */
interface Where {
  readonly sql: Sql;
  readonly joins: Joins;
}

/**
 * The filter's SQL. Its top-level `group.value eq`, `member.value eq` and `id eq` conditions (how
 * clients ask for a group's members, a member's groups, one membership: the draft's §6.2.2) become
 * conditions on the membership row's keys, which its indexes serve, and they hold the tenant: a
 * group's memberships are its tenant's. Everything else compiles through the filter compiler
 * (compile-filter.ts) with the locations below.
 */
function whereOf(d: SqlDialect, tenantId: string, filter: ResolvedFilter | undefined): Where {
  const joins: Joins = { group: false, member: false };
  const pinned: Sql[] = [];
  const rest: ResolvedFilter[] = [];
  for (const condition of filter ? conjuncts(filter) : []) {
    const value = equality(condition);
    if (value === undefined) {
      rest.push(condition);
    } else if (value.on === 'group') {
      pinned.push(sql`m.group_row = ${rowKeyOf(d, tenantId, value.id, 'Group')}`);
    } else if (value.on === 'member') {
      pinned.push(sql`m.member_row = ${rowKeyOf(d, tenantId, value.id)}`);
    } else {
      const parts = membershipIdParts(value.id);
      pinned.push(
        parts
          ? sql`m.group_row = ${rowKeyOf(d, tenantId, parts.groupId, 'Group')} AND m.member_row = ${rowKeyOf(d, tenantId, parts.memberId)}`
          : d.false,
      );
    }
  }
  const locate = (scope: LocateScope, attr: ResolvedAttribute) => locateInMembership(scope, attr, joins);
  const compiled = rest.map((condition) =>
    // resourceType is read by the default locations only, which `locate` replaces.
    compileFilter(condition, { dialect: d, tenantId, resourceType: 'Group', locate }),
  );
  const parts = [...(pinned.length > 0 ? pinned : [sql`m.tenant_id = ${tenantId}`]), ...compiled];
  return { sql: join(parts, ' AND '), joins };
}

function conjuncts(filter: ResolvedFilter): ResolvedFilter[] {
  return filter.kind === 'and' ? [...conjuncts(filter.left), ...conjuncts(filter.right)] : [filter];
}

/** `group.value eq "…"`, `member.value eq "…"` or `id eq "…"`: which, and the id compared with. */
function equality(condition: ResolvedFilter): { on: 'group' | 'member' | 'id'; id: string } | undefined {
  if (condition.kind !== 'compare' || condition.op !== 'eq' || condition.value.type !== 'string') return undefined;
  const { attr } = condition;
  const name = attr.attribute.name;
  if (attr.schema === undefined) return name === 'id' && !attr.subAttribute ? { on: 'id', id: condition.value.value } : undefined;
  if (attr.subAttribute?.name !== 'value' || (name !== 'group' && name !== 'member')) return undefined;
  return { on: name, id: condition.value.value };
}

/** Where a GroupMember attribute lives; the joins it needs are noted in `joins`. */
function locateInMembership(scope: LocateScope, attr: ResolvedAttribute, joins: Joins): Location {
  const name = attr.attribute.name;
  if (attr.schema === undefined) return commonLocation(scope, attr, joins);
  if (name === 'group') {
    joins.group = true;
    return reference(scope, 'group', {
      value: columnLoc(scope, raw('g.id'), { notNull: true }),
      display: columnLoc(scope, raw('g.display_name'), { folded: true }),
    });
  }
  if (name === 'member') {
    joins.member = true;
    return reference(scope, 'member', {
      value: columnLoc(scope, raw('o.id'), { notNull: true }),
      type: columnLoc(scope, raw('m.member_type'), { notNull: true }),
      // The display a member shows: its displayName, else its userName (folded, as both columns are).
      display: columnLoc(scope, raw(`coalesce(nullif(o.display_name, ''), o.name_key)`), { folded: true }),
    });
  }
  throw invalidFilter(`${name} is not an attribute of ${GROUP_MEMBER_TYPE_NAME}`);
}

/**
 * `group` and `member` are single-valued complex attributes whose sub-attributes are columns: a
 * source of exactly one element, so that `member.type eq "Group"` and `member[type eq "User" and
 * display sw "a"]` compile alike. `$ref` depends on the request's base URL, which the store never sees.
 */
function reference(scope: LocateScope, side: string, locs: Readonly<Record<string, Loc>>): Location {
  const source: ElementSource = {
    readable: new Set(Object.keys(locs)),
    elementPresence: true,
    some: (build) =>
      build({
        sub: (def: AttributeDefinition) => {
          const loc = locs[def.name];
          if (!loc) throw invalidFilter(`${side}.${def.name} cannot be used in a filter`);
          return loc;
        },
        self: undefined,
        present: scope.dialect.true,
      }),
  };
  return { kind: 'multi', source: () => source };
}

function commonLocation(scope: LocateScope, attr: ResolvedAttribute, joins: Joins): Location {
  const sub = attr.subAttribute?.name;
  switch (attr.attribute.name) {
    case 'id':
      joins.group = true;
      joins.member = true;
      return { kind: 'scalar', loc: columnLoc(scope, raw(`(g.id || '${MEMBERSHIP_ID_SEPARATOR}' || o.id)`), { notNull: true }) };
    case 'externalId':
      // A membership has none.
      return { kind: 'scalar', loc: { ...columnLoc(scope, raw('NULL')), present: scope.dialect.false } };
    case 'schemas': {
      const core: ElementSource = {
        readable: new Set(),
        elementPresence: true,
        some: (build) =>
          build({
            sub: () => undefined,
            self: columnLoc(scope, sql`${GROUP_MEMBER_SCHEMA_ID}`, { notNull: true }),
            present: scope.dialect.true,
          }),
      };
      return { kind: 'multi', source: () => core };
    }
    case 'meta':
      break;
    default:
      throw invalidFilter(`${attr.attribute.name} is not an attribute of ${GROUP_MEMBER_TYPE_NAME}`);
  }
  switch (sub) {
    case undefined:
      return { kind: 'scalar', loc: { ...columnLoc(scope, raw('NULL')), present: scope.dialect.true } };
    case 'resourceType':
      return { kind: 'scalar', loc: columnLoc(scope, sql`${GROUP_MEMBER_TYPE_NAME}`, { notNull: true }) };
    case 'created':
    case 'lastModified':
      // A membership never changes: it was last modified when it was created.
      return { kind: 'scalar', loc: columnLoc(scope, raw('m.created_ms'), { instant: raw('m.created_ms') }) };
    default:
      throw invalidFilter(`meta.${sub} cannot be used in a filter`);
  }
}

/** The FROM of a statement that reads only what `joins` says besides the membership rows. */
function fromFor(joins: Joins): Sql {
  return raw(
    `FROM memberships m${joins.group ? ' JOIN resources g ON g.row_key = m.group_row' : ''}${
      joins.member ? ' JOIN resources o ON o.row_key = m.member_row' : ''
    }`,
  );
}

/** A page of the tenant's memberships, in the order they were added. */
export function* queryMemberships(d: SqlDialect, tenantId: string, query: MembershipQuery): Plan<MembershipPage> {
  const where = whereOf(d, tenantId, query.filter);
  const from = fromFor(where.joins);
  function* count(): Plan<number> {
    const [row] = yield* rows<{ n: number | string }>(sql`SELECT count(*) AS n ${from} WHERE ${where.sql}`);
    return Number(row!.n);
  }
  const { page } = query;
  if (page.kind === 'index') {
    const offset = Math.max(page.startIndex, 1) - 1;
    const found =
      page.count > 0
        ? yield* rows<MembershipRow>(
            sql`${SELECT} WHERE ${where.sql} ORDER BY m.seq LIMIT ${limit(page.count)}${offset > 0 ? sql` OFFSET ${limit(offset)}` : raw('')}`,
          )
        : [];
    // A first page that is not full holds every match: one statement for a group of a few members.
    const total = offset === 0 && found.length < page.count ? found.length : yield* count();
    return {
      totalResults: total,
      memberships: found.map(toMembership),
      firstKey: keyOf(found[0]),
      lastKey: keyOf(found[found.length - 1]),
      hasNext: offset + found.length < total,
      hasPrevious: offset > 0 && total > 0,
    };
  }
  const total = page.withTotal ? yield* count() : undefined;
  // Keyset: rows after the cursor in the order added (or before it, read backwards and turned round).
  const backwards = page.before !== undefined && page.after === undefined;
  const cursor = backwards ? page.before : page.after;
  const seek = cursor ? sql` AND m.seq ${raw(backwards ? '<' : '>')} ${cursor.rowKey}` : raw('');
  const fetched =
    page.count > 0 && total !== 0
      ? yield* rows<MembershipRow>(
          sql`${SELECT} WHERE ${where.sql}${seek} ORDER BY m.seq ${raw(backwards ? 'DESC' : 'ASC')} LIMIT ${limit(page.count + 1)}`,
        )
      : [];
  const more = fetched.length > page.count;
  const found = fetched.slice(0, page.count);
  if (backwards) found.reverse();
  // Whether rows lie on the other side of the cursor: one index probe, LIMIT 1.
  const behind =
    cursor !== undefined &&
    (yield* rows(sql`SELECT 1 ${from} WHERE ${where.sql} AND m.seq ${raw(backwards ? '>=' : '<=')} ${cursor.rowKey} LIMIT 1`)).length > 0;
  return {
    totalResults: total,
    memberships: found.map(toMembership),
    firstKey: keyOf(found[0]),
    lastKey: keyOf(found[found.length - 1]),
    hasNext: backwards ? behind : more,
    hasPrevious: backwards ? more : behind,
  };
}

/** One membership, by its group's and its member's ids: three unique-index probes. */
export function* getMembership(d: SqlDialect, tenantId: string, groupId: string, memberId: string): Plan<StoredMembership | undefined> {
  if (unstorable(d, groupId) || unstorable(d, memberId)) return undefined;
  const [row] = yield* rows<MembershipRow>(
    sql`${SELECT} WHERE g.tenant_id = ${tenantId} AND g.id = ${groupId} AND g.resource_type = 'Group'
      AND o.tenant_id = ${tenantId} AND o.id = ${memberId}`,
  );
  return row && toMembership(row);
}
