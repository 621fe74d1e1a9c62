import { createHash } from 'node:crypto';
import type { ReferenceView, ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import type { CursorKey, Include, QueryResult, ResourceQuery } from '../ports/resources.ts';
import { hasCounts, withCounts } from './counts.ts';
import { bind, raw, type Sql, shapeMemo, sql } from './fragment.ts';
import { CHECKPOINT_STRIDE, type IndexPositions, type ListPositions } from './index-positions.ts';
import { columnsFor, type ListSource, listSource } from './list-source.ts';
import { groupsOfUsers } from './nesting.ts';
import type { ResourceDialect } from './resource-dialect.ts';
import { cursorKeyOf, emptyResult, groupReferences, hydrate, limit, type ReferenceRow, type ResourceRowBase } from './rows.ts';
import { hasNul, type Plan, rows } from './run.ts';
import { afterKey, atOrBeforeKey, orderBy } from './sort.ts';

/** The resource reads, written once as plans (src/store/sql/run.ts) that either database runs. */

/** A resource row: SQLite returns the document as JSON text, PostgreSQL as the parsed jsonb. */
export interface ResourceRow extends ResourceRowBase {
  readonly doc: string | Record<string, unknown>;
  readonly sort_value?: string | number | null;
  /** Only when a write asked for it (findRow). */
  readonly last_event?: number | null;
}

export const docOf = (row: Pick<ResourceRow, 'doc'>): Record<string, unknown> =>
  typeof row.doc === 'string' ? (JSON.parse(row.doc) as Record<string, unknown>) : row.doc;

/** A value the database cannot hold (U+0000 on PostgreSQL) names nothing stored. */
export const unstorable = (d: ResourceDialect, text: string) => d.sql.textHoldsNul === false && hasNul(text);

/**
 * One resource's row; `lock` is the row lock a write takes (PostgreSQL), '' for a plain read.
 * `lastEvent`: with the sequence of its last event (`last_event`), which a write reads where it
 * numbers its events (WriteDialect.numbersEvents).
 */
export function* findRow(
  d: ResourceDialect,
  tenantId: string,
  resourceType: ResourceTypeName,
  id: string,
  include: Include = {},
  lock = '',
  lastEvent = false,
): Plan<ResourceRow | undefined> {
  // An id with U+0000 (from a URL such as /Users/%00) names nothing PostgreSQL can hold.
  if (unstorable(d, id)) return undefined;
  const [row] = yield* rows<ResourceRow>(bind(findShape(d, include.groups === true, lock, lastEvent), [tenantId, resourceType, id]));
  return row;
}

/** The lookup by id, the statement of every GET and write: built once per dialect, groups column, lock and last event. */
const findShapes = shapeMemo<ResourceDialect>();

const findShape = (d: ResourceDialect, groups: boolean, lock: string, lastEvent: boolean): Sql =>
  findShapes(
    d,
    `${groups}${lock}${lastEvent}`,
    () =>
      sql`SELECT ${columnsFor(d, { groups })}${raw(lastEvent ? ', r.last_event' : '')} FROM resources r WHERE r.tenant_id = ${''} AND r.resource_type = ${''} AND r.id = ${''}${raw(lock && ` ${lock}`)}`,
  );

export function* getResource(
  d: ResourceDialect,
  tenantId: string,
  resourceType: ResourceTypeName,
  id: string,
  include: Include,
): Plan<StoredResource | undefined> {
  const row = yield* findRow(d, tenantId, resourceType, id, include);
  return row && (yield* hydrateRows(d, tenantId, [row], include))[0];
}

/**
 * Rows → resources: members read in one statement for the whole page; users' groups came with
 * their rows (groupsColumn), and only users reached through nested groups need one more; the
 * counted attributes of the page's roles (counts.ts) one per attribute.
 */
export function* hydrateRows(
  d: ResourceDialect,
  tenantId: string,
  found: readonly ResourceRow[],
  include: Include,
): Plan<StoredResource[]> {
  const page = hydrate(found, docOf, include);
  const members = include.members ? yield* references(d, tenantId, found, 'Group') : undefined;
  const indirect = page.nested.length > 0 ? yield* references(d, tenantId, page.nested, 'User') : undefined;
  const resources = page.finish(members, indirect);
  const counted = include.memberCount ? yield* memberCounts(d, tenantId, found) : undefined;
  const withMemberCounts = counted
    ? resources.map((r, i) => (r.resourceType === 'Group' ? { ...r, memberCount: counted.get(found[i]!.row_key) ?? 0 } : r))
    : resources;
  return hasCounts(withMemberCounts) ? yield* withCounts(tenantId, withMemberCounts) : withMemberCounts;
}

/** How many direct members each group of the page has: one count per group on the membership index. */
function* memberCounts(d: ResourceDialect, tenantId: string, found: readonly ResourceRow[]): Plan<Map<number, number>> {
  const keys = found.filter((r) => r.resource_type === 'Group').map((r) => r.row_key);
  if (keys.length === 0) return new Map();
  const counted = yield* rows<{ owner: number; n: number | string }>(
    sql`SELECT m.group_row AS owner, count(*) AS n FROM memberships m WHERE m.tenant_id = ${tenantId} AND m.group_row ${d.keyIn(keys)} GROUP BY m.group_row`,
  );
  return new Map(counted.map((c) => [Number(c.owner), Number(c.n)]));
}

/** A group's members, in the order they were added. */
export function* membersOf(d: ResourceDialect, tenantId: string, group: ResourceRow): Plan<ReferenceView[]> {
  return (yield* references(d, tenantId, [group], 'Group')).get(group.row_key) ?? [];
}

/** Members of the page's groups (in the order they were added), or direct and indirect groups of its users. */
function* references(
  d: ResourceDialect,
  tenantId: string,
  found: readonly ResourceRow[],
  ownerType: ResourceTypeName,
): Plan<Map<number, ReferenceView[]>> {
  const keys = found.filter((r) => r.resource_type === ownerType).map((r) => r.row_key);
  if (keys.length === 0) return new Map();
  const query =
    ownerType === 'User'
      ? groupsOfUsers(d.sql, tenantId, d.keyIn(keys))
      : sql`SELECT m.group_row AS owner, o.id AS value, m.member_type AS type, o.resource_type AS resource_type, ${raw(d.memberDisplay)} AS display
          FROM memberships m JOIN resources o ON o.row_key = m.member_row
          WHERE m.tenant_id = ${tenantId} AND m.group_row ${d.keyIn(keys)} ORDER BY m.seq`;
  return groupReferences(yield* rows<ReferenceRow>(query));
}

/**
 * A page of a list, from whichever table (or both) holds its types (list-source.ts). Index pages
 * (startIndex) start from the closest row `positions` knows of before them, so that walking
 * forward costs what cursor pages cost (index-positions.ts).
 */
export function* queryResources(d: ResourceDialect, tenantId: string, query: ResourceQuery, positions: IndexPositions): Plan<QueryResult> {
  const source = listSource(d, tenantId, query);
  const { page } = query;
  const count = () => countOf(source);
  const result = (total: number | undefined, found: readonly ResourceRow[], hasNext: boolean, hasPrevious: boolean) =>
    resultOf(d, tenantId, query.include, total, found, hasNext, hasPrevious);

  if (page.kind === 'index') {
    const offset = Math.max(page.startIndex, 1) - 1;
    if (page.count <= 0) {
      const total = yield* count();
      return { ...emptyResult(total), hasPrevious: offset > 0 && total > 0 };
    }
    // Taken before the first statement: what this read learns belongs to this generation.
    const generation = positions.generation(tenantId);
    // Hashed only when needed: a lookup (a first page that is not full) never is.
    let identity: string | undefined;
    const list = () => (identity ??= listOf(source, query.descending));
    let known = offset === 0 ? undefined : positions.find(tenantId, list(), generation);
    if (offset > 0 && (!known || (!known.checkpointed && offset - known.nearest(offset).position > CHECKPOINT_STRIDE))) {
      known = yield* checkpoints(positions, tenantId, list(), generation, source, query.descending);
    }
    if (known && offset >= known.total) return { ...emptyResult(known.total), hasPrevious: true };
    // From the known row closest before the page: a keyset seek, then at most CHECKPOINT_STRIDE rows skipped.
    const from = known?.nearest(offset) ?? { position: 0 };
    const found = yield* rows<ResourceRow>(source.rows(query.descending, from.key, page.count, offset - from.position));
    // A first page that is not full holds every match: the lookups identity providers make
    // before each write (userName eq …) then cost one statement, not two.
    const total = known?.total ?? (found.length < page.count ? found.length : yield* count());
    const end = offset + found.length;
    if (found.length === page.count && end < total) {
      (known ?? positions.start(tenantId, list(), generation, total)).rememberPageEnd(end, cursorKeyOf(found[found.length - 1])!);
    }
    return yield* result(total, found, end < total, offset > 0);
  }
  const total = page.withTotal ? yield* count() : undefined;
  if (total === 0) return emptyResult(total);

  const { found, hasNext, hasPrevious } = yield* keysetPage(source, query.descending, page);
  return yield* result(total, found, hasNext, hasPrevious);
}

function* countOf(source: ListSource): Plan<number> {
  const [row] = yield* rows<{ n: number | string }>(sql`SELECT count(*) AS n FROM ${source.table} r WHERE ${source.where}`);
  return Number(row!.n);
}

function* resultOf(
  d: ResourceDialect,
  tenantId: string,
  include: Include,
  total: number | undefined,
  found: readonly ResourceRow[],
  hasNext: boolean,
  hasPrevious: boolean,
): Plan<QueryResult> {
  return {
    totalResults: total,
    resources: yield* hydrateRows(d, tenantId, found, include),
    firstKey: cursorKeyOf(found[0]),
    lastKey: cursorKeyOf(found[found.length - 1]),
    hasNext,
    hasPrevious,
  };
}

/**
 * A keyset page of `table` (aliased r) in `key` order: a seek on the order's index, never an
 * OFFSET, so page n costs what page 1 does; `before` walks back. Whether rows lie on the other side
 * of the cursor is one index probe, LIMIT 1.
 */
export function* keysetPage(
  source: ListSource,
  queryDescending: boolean,
  page: { readonly count: number; readonly after?: CursorKey; readonly before?: CursorKey },
): Plan<{ found: ResourceRow[]; hasNext: boolean; hasPrevious: boolean }> {
  const backwards = page.before !== undefined && page.after === undefined;
  const cursor = backwards ? page.before : page.after;
  const descending = queryDescending !== backwards;
  const fetched = page.count > 0 ? yield* rows<ResourceRow>(source.rows(descending, cursor, page.count + 1)) : [];
  const more = fetched.length > page.count;
  const found = fetched.slice(0, page.count);
  if (backwards) found.reverse();
  const behind =
    cursor !== undefined &&
    (yield* rows(sql`SELECT 1 FROM ${source.table} r WHERE ${source.where} AND ${atOrBeforeKey(source.key, descending, cursor)} LIMIT 1`))
      .length > 0;
  return backwards ? { found, hasNext: behind, hasPrevious: more } : { found, hasNext: more, hasPrevious: behind };
}

/** The identity of a list's rows and order (the tenant is among the filter's parameters). */
function listOf({ table, where, key }: ListSource, descending: boolean): string {
  const order = orderBy(key, descending);
  return createHash('sha256')
    .update(JSON.stringify([table.sql, table.params, where.sql, where.params, order.sql, order.params]))
    .digest('base64url');
}

/**
 * The list's checkpoints (the key of every CHECKPOINT_STRIDE-th row, numbered in one pass over
 * the order's index) and its total, remembered at `generation`.
 */
function* checkpoints(
  positions: IndexPositions,
  tenantId: string,
  list: string,
  generation: number,
  { table, where, key }: ListSource,
  descending: boolean,
): Plan<ListPositions> {
  const marks = yield* rows<{ sort_value: CursorKey['sortValue']; row_key: number | string }>(
    sql`SELECT sort_value, row_key FROM (SELECT ${key.expr ?? raw('NULL')} AS sort_value, r.row_key, row_number() OVER (${orderBy(key, descending)}) AS n
      FROM ${table} r WHERE ${where}) t WHERE n % ${limit(CHECKPOINT_STRIDE)} = 0 ORDER BY n`,
  );
  const keys = marks.map((m): CursorKey => ({ sortValue: m.sort_value ?? null, rowKey: Number(m.row_key) }));
  const last = keys[keys.length - 1];
  const [tail] = yield* rows<{ n: number | string }>(
    sql`SELECT count(*) AS n FROM ${table} r WHERE ${where}${last ? sql` AND ${afterKey(key, descending, last)}` : raw('')}`,
  );
  const known = positions.start(tenantId, list, generation, keys.length * CHECKPOINT_STRIDE + Number(tail!.n));
  known.setCheckpoints(keys);
  return known;
}
