import { invalidValue } from '../../errors/scim-error.ts';
import type { SqlDialect } from './dialect.ts';
import { raw, type Sql, sql } from './fragment.ts';

/**
 * Nested groups (RFC 7643 §4.2: a group's members may be groups), in SQL both stores share. The
 * membership table holds direct edges only (group_row → member_row, member_type 'User' or
 * 'Group'); everything transitive is a recursive CTE over it, so that adding or removing a member
 * stays O(changed members) however deep the nesting.
 *
 * The graph is kept acyclic and at most MAX_GROUP_LEVELS deep by a check inside the writing
 * transaction (nestingCheck). Every recursive query below still terminates on a graph that broke
 * those rules (UNION deduplicates, and the write check is bounded by depth), so bad data can make
 * a read wrong but never endless.
 */

/**
 * The longest chain of groups containing groups: `A ⊃ B ⊃ … ⊃ J` is 10 levels. Identity
 * providers nest a few levels (Active Directory estates rarely exceed 5); the bound keeps the
 * recursive walks of every read and write small and predictable (docs/nested-groups.md).
 */
export const MAX_GROUP_LEVELS = 10;

/**
 * The groups of each user in `owners` (a condition on memberships.member_row, e.g. `= ?`), direct
 * and indirect, one row per (user, group): `type` is 'direct' when the user is a member of the
 * group itself, 'indirect' when only through nested groups (RFC 7643 §4.1.2). Rows come in the
 * order of the owners, then of the groups' creation. Columns match ReferenceRow (rows.ts).
 * The WHERE repeats the join on purpose: no planner can estimate a recursive walk, and PostgreSQL
 * guessed it large enough to hash-join a scan of every resource of every tenant (3 ms at 20,000
 * rows); as a set it becomes index probes, one per group.
 */
export function groupsOfUsers(dialect: SqlDialect, tenantId: string, owners: Sql): Sql {
  return sql`WITH RECURSIVE reach(owner, group_row, direct) AS (
      SELECT m.member_row, m.group_row, 1 FROM memberships m WHERE m.tenant_id = ${tenantId} AND m.member_row ${owners}
      UNION
      SELECT reach.owner, p.group_row, 0 FROM reach JOIN memberships p ON p.member_row = reach.group_row
    )
    SELECT reach.owner AS owner, o.id AS value, CASE WHEN max(reach.direct) = 1 THEN 'direct' ELSE 'indirect' END AS type,
      o.resource_type AS resource_type, ${dialect.jsonScalar(raw('o.doc'), ['displayName'], 'string')} AS display
    FROM reach JOIN resources o ON o.row_key = reach.group_row
    WHERE ${dialect.inSubquery(raw('o.row_key'), raw('SELECT group_row FROM reach'))}
    GROUP BY reach.owner, o.row_key ORDER BY reach.owner, o.row_key`;
}

/**
 * What adding group `child` as a member of group `parent` would do to the graph: `cycle` is 1
 * when `child` is `parent` or one of its ancestors; `above` is the longest chain of groups over
 * `parent`, `below` the longest chain of groups under `child` (each in edges, capped just past
 * the bound). Run it in the writing transaction, after the writes before it: see the stores for
 * how concurrent writers are kept from checking the same state.
 */
export function nestingCheck(tenantId: string, parentRow: number, childRow: number): Sql {
  const cap = raw(String(MAX_GROUP_LEVELS));
  return sql`WITH RECURSIVE up(row_key, depth) AS (
      SELECT r.row_key, 0 FROM resources r WHERE r.tenant_id = ${tenantId} AND r.row_key = ${parentRow}
      UNION
      SELECT m.group_row, up.depth + 1 FROM up JOIN memberships m ON m.member_row = up.row_key WHERE up.depth < ${cap}
    ), down(row_key, depth) AS (
      SELECT r.row_key, 0 FROM resources r WHERE r.tenant_id = ${tenantId} AND r.row_key = ${childRow}
      UNION
      SELECT m.member_row, down.depth + 1 FROM down JOIN memberships m ON m.group_row = down.row_key
        WHERE m.member_type = 'Group' AND down.depth < ${cap}
    )
    SELECT (SELECT count(*) FROM up WHERE up.row_key = ${childRow}) AS cycle,
      (SELECT max(depth) FROM up) AS above, (SELECT max(depth) FROM down) AS below`;
}

export interface NestingCheckRow {
  readonly cycle: number;
  readonly above: number | null;
  readonly below: number | null;
}

/** 400 invalidValue when the edge parent → child would close a cycle or nest too deep. */
export function refuseBadNesting(row: NestingCheckRow | undefined, parentId: string, childId: string): void {
  if (!row) throw new Error('nesting check returned no row');
  if (Number(row.cycle) > 0) {
    throw invalidValue(
      childId === parentId
        ? `group ${JSON.stringify(childId)} cannot be a member of itself`
        : `group ${JSON.stringify(childId)} contains group ${JSON.stringify(parentId)}: adding it as a member would create a cycle`,
    );
  }
  const levels = Number(row.above ?? 0) + 1 + Number(row.below ?? 0) + 1;
  if (levels > MAX_GROUP_LEVELS) {
    throw invalidValue(
      `adding group ${JSON.stringify(childId)} to group ${JSON.stringify(parentId)} would nest groups ${levels} levels deep; at most ${MAX_GROUP_LEVELS} are allowed`,
    );
  }
}
