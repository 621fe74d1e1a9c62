import { invalidValue, notFound, uniqueness } from '../../errors/scim-error.ts';
import { fold } from '../../filter/fold.ts';
import type { ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import { specOf } from '../../schema/types/catalogue.ts';
import type { EventBuilder } from '../ports/outbox.ts';
import type { CreateCommand, ResourceStore, UpdateCommand, WriteResult } from '../ports/resources.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { withCounts } from './counts.ts';
import { raw, sql } from './fragment.ts';
import type { IndexPositions } from './index-positions.ts';
import { TYPED_COLUMNS } from './list-source.ts';
import { docOf, type ResourceRow, unstorable } from './resources.ts';
import { hydrate, iso, ms } from './rows.ts';
import { type Plan, rows, type SqlRunner, type TransactOptions } from './run.ts';
import { appendEvents, eachInSavepoint, NO_MEMBER_CHANGE, refuseNul, type WriteDialect, writtenResource } from './writes.ts';

/**
 * The generic store of the schema-defined resource types (docs/resource-types.md): one table,
 * typed_resources, keyed by tenant, type and id, whose rows have the columns the filter compiler
 * and the sort builder read from a resource row `r` (id, external_id, resource_type, doc, version,
 * created_ms, modified_ms, row_key, display_name), so that filtering, sorting, keyset paging, ETags
 * and events work for a type with no code of its own. The catalogue's `indexed` attribute is kept
 * folded in display_name (locate.ts reads it from there); when that attribute is `uniqueness:
 * server`, name_key holds it too and its unique index refuses a second resource with the value,
 * else name_key is the id. Users and groups keep their own tables (resources, memberships, values
 * index), behind the same ResourceStore port (by-type.ts sends each type to its store).
 */

/** The promoted columns of a row of `type`, folded in JavaScript exactly as fold() folds filter values. */
function promoted(type: ResourceTypeName, id: string, doc: Readonly<Record<string, unknown>>) {
  const spec = specOf(type);
  if (spec?.storage !== 'generic') throw new Error(`${type} is not a type of the generic store`);
  const indexed = spec.indexed;
  const value = indexed === undefined ? undefined : doc[indexed];
  const folded = typeof value === 'string' ? fold(value) : null;
  const unique = spec.schemas[0]?.attributes.find((a) => a.name === indexed)?.uniqueness === 'server';
  return {
    nameKey: unique && folded !== null ? folded : id,
    displayName: folded,
    externalId: typeof doc['externalId'] === 'string' ? doc['externalId'] : null,
    /** What a refused duplicate names. */
    taken: () => uniqueness(`${indexed} ${JSON.stringify(value)} is already in use`),
  };
}

/** One row; `lastEvent`: with its last_event, as a write reads it (resources.ts findRow). */
function* findTyped(
  d: WriteDialect,
  tenantId: string,
  type: ResourceTypeName,
  id: string,
  lock = '',
  lastEvent = false,
): Plan<ResourceRow | undefined> {
  if (unstorable(d, id)) return undefined;
  const [row] = yield* rows<ResourceRow>(
    sql`SELECT ${raw(TYPED_COLUMNS)}${raw(lastEvent ? ', r.last_event' : '')} FROM typed_resources r WHERE r.tenant_id = ${tenantId} AND r.resource_type = ${type} AND r.id = ${id}${raw(lock && ` ${lock}`)}`,
  );
  return row;
}

const toResources = (found: readonly ResourceRow[]): StoredResource[] => hydrate(found, docOf, {}).finish(undefined, undefined);

function* createTyped(d: WriteDialect, tenantId: string, command: CreateCommand): Plan<WriteResult> {
  refuseNul(d, command.doc);
  if ((command.members ?? []).length > 0) throw invalidValue(`a ${command.resourceType} has no members`);
  const keys = promoted(command.resourceType, command.id, command.doc);
  const now = ms(command.now);
  try {
    yield sql`INSERT INTO typed_resources (tenant_id, resource_type, id, doc, version, created_ms, modified_ms, name_key, display_name, external_id)
      VALUES (${tenantId}, ${command.resourceType}, ${command.id}, ${d.json(JSON.stringify(command.doc))}, 1, ${now}, ${now},
        ${keys.nameKey}, ${keys.displayName}, ${keys.externalId})`;
  } catch (error) {
    if (d.constraintOf(error) === 'unique') throw keys.taken();
    throw error;
  }
  // The new row's key, for its events (only where the write numbers them: appendEvents).
  const [inserted] = d.numbersEvents ? yield* rows<{ row_key: number }>(sql`SELECT ${d.lastInsertedKey} AS row_key`) : [];
  const created = iso(now);
  const resource: StoredResource = {
    id: command.id,
    resourceType: command.resourceType,
    doc: command.doc,
    version: 1,
    created,
    lastModified: created,
  };
  const result: WriteResult = { resource, memberDelta: NO_MEMBER_CHANGE };
  yield* appendEvents(d, tenantId, command.events, result, {
    table: 'typed_resources',
    rowKey: inserted?.row_key ?? 0,
    id: command.id,
    previous: null,
  });
  // The answer with its counted attributes, as a GET shows it (the event carries what was written).
  return { ...result, resource: (yield* withCounts(tenantId, [resource]))[0]! };
}

function* updateTyped(d: WriteDialect, tenantId: string, command: UpdateCommand): Plan<WriteResult> {
  const row = yield* findTyped(d, tenantId, command.resourceType, command.id, d.lockForUpdate, d.numbersEvents);
  if (!row) throw notFound(`${command.resourceType} ${command.id} not found`);
  const current = toResources([row])[0]!;
  const change = command.change(current);
  // Nothing to write: the answer is the resource as a GET shows it, counted attributes included.
  if (change?.doc === undefined) return { resource: (yield* withCounts(tenantId, [current]))[0]!, memberDelta: NO_MEMBER_CHANGE };
  refuseNul(d, change.doc);
  const keys = promoted(command.resourceType, command.id, change.doc);
  const version = row.version + 1;
  const now = ms(change.now);
  try {
    yield sql`UPDATE typed_resources SET doc = ${d.json(JSON.stringify(change.doc))}, version = ${version}, modified_ms = ${now},
          name_key = ${keys.nameKey}, display_name = ${keys.displayName}, external_id = ${keys.externalId}
        WHERE row_key = ${row.row_key}`;
  } catch (error) {
    if (d.constraintOf(error) === 'unique') throw keys.taken();
    throw error;
  }
  const written = writtenResource(d, current, change.doc, version, now);
  yield* appendEvents(
    d,
    tenantId,
    change.events,
    { resource: written, memberDelta: NO_MEMBER_CHANGE },
    { table: 'typed_resources', rowKey: row.row_key, id: command.id, previous: row.last_event ?? null },
  );
  return { resource: (yield* withCounts(tenantId, [written]))[0]!, memberDelta: NO_MEMBER_CHANGE };
}

function* deleteTyped(
  d: WriteDialect,
  tenantId: string,
  type: ResourceTypeName,
  id: string,
  expectedVersion: number | undefined,
  events: EventBuilder<StoredResource> | undefined,
): Plan<StoredResource> {
  const row = yield* findTyped(d, tenantId, type, id, d.lockRow, d.numbersEvents);
  if (!row) throw notFound(`${type} ${id} not found`);
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionConflictError();
  yield sql`DELETE FROM typed_resources WHERE row_key = ${row.row_key}`;
  const deleted = toResources([row])[0]!;
  yield* appendEvents(d, tenantId, events, deleted, {
    table: 'typed_resources',
    rowKey: row.row_key,
    id,
    previous: row.last_event ?? null,
    deleted: true,
  });
  return deleted;
}

/** The generic store on a database's runner. */
export function typedResourceStore(db: SqlRunner, d: WriteDialect, positions: IndexPositions): Omit<ResourceStore, 'query'> {
  // Its writes start a new generation of the tenant's lists, as users' writes do: its resources'
  // index pages are the store's query (queryResources), with the same remembered positions.
  const written = <T>(tenantId: string, write: () => Plan<T>, options?: TransactOptions) =>
    positions.after(tenantId, db.transact(write, options));
  return {
    get: (tenantId, type, id) =>
      db.read(function* () {
        const row = yield* findTyped(d, tenantId, type, id);
        return row && (yield* withCounts(tenantId, toResources([row])))[0];
      }),
    // No type of this store has members (GroupMembers are memberships rows, not this table's).
    readMembers: async () => undefined,
    create: (tenantId, command) => written(tenantId, () => createTyped(d, tenantId, command)),
    createMany: (tenantId, commands, maxFailures = Infinity) =>
      written(tenantId, () => eachInSavepoint(commands, maxFailures, (command) => createTyped(d, tenantId, command)), {
        ownSavepoints: true,
      }),
    update: (tenantId, command) => written(tenantId, () => updateTyped(d, tenantId, command)),
    delete: (tenantId, type, id, expectedVersion, events) =>
      written(tenantId, () => deleteTyped(d, tenantId, type, id, expectedVersion, events)),
  };
}
