import { invalidValue, notFound, ScimError } from '../../errors/scim-error.ts';
import {
  LENIENT_MEMBER_RULES,
  type MemberDelta,
  type MemberInput,
  type MemberOp,
  type MemberRules,
  type ResourceTypeName,
  type StoredResource,
} from '../../schema/resource.ts';
import type { EventBuilder, NewEvent } from '../ports/outbox.ts';
import type { CreateCommand, UniqueValue, UpdateCommand, WriteResult } from '../ports/resources.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { bind, join, raw, type Sql, shapeMemo, sql, unanswered, valuesList } from './fragment.ts';
import { type NestingCheckRow, nestingCheck, refuseBadNesting } from './nesting.ts';
import { type Promoted, promote } from './promote.ts';
import type { ResourceDialect } from './resource-dialect.ts';
import { findRow, hydrateRows, membersOf, type ResourceRow, unstorable } from './resources.ts';
import { DeltaTracker, iso, ms, newResourceRow, refuseWrongMemberType, resourceConflict, unknownMembers } from './rows.ts';
import { type ConstraintOf, hasNul, type Plan, rows } from './run.ts';
import { uniqueValueTaken } from './unique-value-taken.ts';
import { type ValueRow, valueRows } from './values-index.ts';

/**
 * The write algorithms, written once as plans (src/store/sql/run.ts): SQLite runs them inside
 * better-sqlite3's synchronous transactions, PostgreSQL awaits each statement in its transaction.
 * Each store may override a whole write with a faster path of its own (PostgreSQL's one-statement
 * create), built from the statements below.
 */

/** A column of a table given as parameters (WriteDialect.table). */
export interface Column {
  readonly name: string;
  readonly type: 'text' | 'bigint' | 'int';
}

/** What differs between the databases in the writes. */
export interface WriteDialect extends ResourceDialect {
  /**
   * The row lock an update and a delete take as they read their row: on PostgreSQL a row lock
   * serialises the writers of one row; SQLite's BEGIN IMMEDIATE already makes each write the
   * only writer of the file.
   */
  readonly lockForUpdate: string;
  /** An exclusive row lock: a delete's, and the tenant's schema version's. */
  readonly lockRow: string;
  /**
   * A FROM item of rows given as parameters, named `alias`, with `columns` and `ord` (the row's
   * 1-based position): one statement for any number of rows (PostgreSQL unnest, SQLite json_each).
   */
  table(alias: string, columns: readonly Column[], values: readonly (readonly unknown[])[]): Sql;
  /**
   * Up to how many rows an INSERT of a write's own rows (its events, its values index) takes them
   * as a plain VALUES list rather than from `table`. SQLite: 4, because an INSERT … SELECT may
   * write several rows and so runs in a statement journal of its own, copying every page it
   * touches first, where a VALUES list does not. PostgreSQL: 1, so that unnest keeps one
   * statement text, prepared once, for any number of rows above one; one row (a PATCH's event)
   * through unnest had the driver escape its JSON into an array literal and the database parse it
   * back: 16 clients PATCHing, 55 µs of scimd's CPU and 127 of the database's a PATCH.
   */
  readonly valuesRows: number;
  /** A document (JSON text) as the value of a JSON column. */
  json(text: string): Sql;
  /** The JSON value at `path` (canonical attribute names) in the JSON `container`, as JSON text; NULL when absent. */
  jsonText(container: Sql, path: readonly string[]): Sql;
  /** `container` without the value at `path`. */
  jsonRemove(container: Sql, path: readonly string[]): Sql;
  /**
   * A statement that serialises the writes of a tenant that add groups to groups, so that two of
   * them cannot each check a graph without the other's edge; undefined where every write is
   * already the only writer (SQLite).
   */
  nestingLock(tenantId: string): Sql | undefined;
  /**
   * A statement that serialises the writes of one name of one type in a tenant (refuseTakenName);
   * undefined where every write is already the only writer (SQLite).
   */
  nameLock(tenantId: string, resourceType: ResourceTypeName, nameKey: string): Sql | undefined;
  /**
   * True where events are numbered inside their write (SQLite: the tenant's counter); false where
   * a sequencer numbers them once committed, so that writers never wait for each other on the
   * counter (PostgreSQL, postgres/sequencer.ts). Where the write numbers them, each event also
   * names the sequence of its resource's previous event (`previous`, kept on the resource's row
   * as `last_event`), which is what a delta walk asks (change-log.ts); PostgreSQL answers that
   * from the outbox_subject index instead, since its writes do not know their sequence.
   */
  readonly numbersEvents: boolean;
  /**
   * Now in epoch milliseconds, the clock relay leases are measured on: the database's where
   * several instances share it (PostgreSQL), the process's where everyone is on one machine (SQLite).
   */
  nowMs(): Sql;
  /**
   * The generated key of the connection's last INSERT into a table that generates one (SQLite
   * last_insert_rowid(), PostgreSQL lastval()): for a row that refers to the row just inserted.
   */
  readonly lastInsertedKey: Sql;
  /**
   * How a create reads back its row's key, and an event its tenant's counter: with RETURNING
   * (PostgreSQL: in the same round trip), or in a second statement (SQLite, where RETURNING makes
   * the INSERT gather its rows in a temporary table first: measured 20 µs a create, against 2 for
   * the second statement).
   */
  readonly keyByReturning: boolean;
  /**
   * The document as the database will give it back, which an update answers with so that its
   * answer reads as a later GET does: SQLite keeps the JSON text as written; PostgreSQL's jsonb
   * orders each object's keys its own way. Computed here, not read back (RETURNING doc), so that
   * the UPDATE's answer need not be awaited.
   */
  readonly asStored: (doc: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>;
  readonly constraintOf: ConstraintOf;
  /** Whether a unique violation fired on the name key (userName / group displayName) rather than the id. */
  onNameKey(error: unknown): boolean;
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000 (docs/filtering.md "PostgreSQL"): such a document is
 * refused as invalidValue rather than failing inside the driver as a 500.
 */
export function refuseNul(d: ResourceDialect, value: unknown, path = ''): void {
  if (d.sql.textHoldsNul !== false) return;
  if (typeof value === 'string') {
    if (hasNul(value)) throw invalidValue(`${path || 'a value'} contains U+0000, which this server cannot store`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => refuseNul(d, v, `${path}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (hasNul(k)) throw invalidValue('an attribute name contains U+0000');
      refuseNul(d, v, path ? `${path}.${k}` : k);
    }
  }
}

function requireGroup(resourceType: ResourceTypeName) {
  if (resourceType !== 'Group') throw invalidValue(`a ${resourceType} has no members`);
}

/** 409 for a unique index that fired on a resource row; any other error as it is. */
export function conflict(
  d: WriteDialect,
  error: unknown,
  resourceType: ResourceTypeName,
  id: string,
  doc: Readonly<Record<string, unknown>>,
) {
  return d.constraintOf(error) === 'unique' ? resourceConflict(d.onNameKey(error), resourceType, id, doc) : error;
}

/** The hot statements of the writes, built once per dialect and shape (fragment.ts shapeMemo). */
const shapes = shapeMemo<WriteDialect>();

/** The INSERT of a new resource's row (newResourceRow's values, in order), returning its row key unless told not to. */
export function resourceInsert(d: WriteDialect, values: readonly unknown[], returning = true): Sql {
  // Placeholders, in the order of newResourceRow's values.
  const _ = null;
  const shape = shapes(
    d,
    `resource ${returning}`,
    () => sql`INSERT INTO resources (tenant_id, resource_type, id, doc, password_hash, version, created_ms, modified_ms, name_key, display_name, external_id, ref_display)
      VALUES (${_}, ${_}, ${_}, ${d.json('')}, ${_}, 1, ${_}, ${_}, ${_}, ${_}, ${_}, ${_})${raw(returning ? ' RETURNING row_key' : '')}`,
  );
  return bind(shape, values);
}

/** A new resource's row, inserted; its row key (WriteDialect.keyByReturning). */
function* insertResource(d: WriteDialect, values: readonly unknown[]): Plan<number> {
  if (d.keyByReturning) return (yield* rows<{ row_key: number }>(resourceInsert(d, values)))[0]!.row_key;
  yield resourceInsert(d, values, false);
  const lastKey = shapes(d, 'last key', () => sql`SELECT ${d.lastInsertedKey} AS row_key`);
  return (yield* rows<{ row_key: number }>(lastKey))[0]!.row_key;
}

const VALUE_COLUMNS: readonly Column[] = [
  { name: 'attr', type: 'text' },
  { name: 'idx', type: 'int' },
  { name: 'value', type: 'text' },
  { name: 'type', type: 'text' },
];

/**
 * The row a document's values index rows belong to: its key, or a column of the row the same
 * statement inserts (`from` names that row's CTE: PostgreSQL's one-statement create).
 */
export type ValuesOwner = number | { readonly column: Sql; readonly from: Sql };

/** The INSERT of a document's values index rows (values-index.ts); undefined for a document without indexed values. */
export function valuesInsert(
  d: WriteDialect,
  tenantId: string,
  owner: ValuesOwner,
  resourceType: ResourceTypeName,
  doc: Readonly<Record<string, unknown>>,
): Sql | undefined {
  const found = valueRows(resourceType, doc);
  if (found.length === 0) return undefined;
  if (typeof owner === 'number' && found.length <= d.valuesRows) {
    const rows = found.map((v) => [owner, v.attr, v.idx, tenantId, v.value, v.type]);
    const shape = shapes(
      d,
      `values ${rows.length}`,
      () => sql`INSERT INTO resource_values (resource_row, attr, idx, tenant_id, value, type)
      VALUES ${valuesList(rows.map((row) => row.map(() => null)))}`,
    );
    return bind(shape, rows.flat());
  }
  const table = d.table(
    'u',
    VALUE_COLUMNS,
    found.map((v) => [v.attr, v.idx, v.value, v.type]),
  );
  const [rowKey, from] = typeof owner === 'number' ? [sql`${owner}`, raw('')] : [owner.column, owner.from];
  return sql`INSERT INTO resource_values (resource_row, attr, idx, tenant_id, value, type)
    SELECT ${rowKey}, u.attr, u.idx, ${tenantId}, u.value, u.type FROM ${from}${table}`;
}

const EVENT_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'text' },
  { name: 'type', type: 'text' },
  { name: 'subject', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'time', type: 'text' },
  { name: 'time_ms', type: 'bigint' },
  { name: 'data', type: 'text' },
];

/** An event's columns of outbox, as EVENT_COLUMNS lists them. */
export const eventFields = (e: NewEvent): unknown[] => [e.id, e.type, e.subject, e.source, e.time, ms(e.time), JSON.stringify(e.data)];

/**
 * The INSERT of a write's events into the outbox, in the order given. `numbered` is where the
 * write numbers them (SQLite): the sequence of the first, and for each the sequence of the
 * previous event of its resource (null: none); without it they get none, and the sequencer
 * numbers them once committed (PostgreSQL), so that writers of one tenant never wait for each other here.
 */
export function outboxInsert(
  d: WriteDialect,
  tenantId: string,
  events: readonly NewEvent[],
  numbered?: { readonly first: number; readonly previous: readonly (number | null)[] },
): Sql {
  const columns = raw(numbered === undefined ? '' : 'sequence, previous, ');
  const fields = (e: NewEvent, i: number) =>
    numbered === undefined ? eventFields(e) : [numbered.first + i, numbered.previous[i] ?? null, ...eventFields(e)];
  if (events.length <= d.valuesRows) {
    const rows = events.map((e, i) => [tenantId, ...fields(e, i)]);
    const shape = shapes(
      d,
      `outbox ${rows.length} ${columns.sql}`,
      () =>
        sql`INSERT INTO outbox (tenant_id, ${columns}id, type, subject, source, time, time_ms, data) VALUES ${valuesList(rows.map((row) => row.map(() => null)))}`,
    );
    return bind(shape, rows.flat());
  }
  const table = d.table('u', numbered === undefined ? EVENT_COLUMNS : NUMBERED_EVENT_COLUMNS, events.map(fields));
  return sql`INSERT INTO outbox (tenant_id, ${columns}id, type, subject, source, time, time_ms, data)
    SELECT ${tenantId}, ${raw(numbered === undefined ? '' : 'u.sequence, u.previous, ')}u.id, u.type, u.subject, u.source, u.time, u.time_ms, u.data FROM ${table} ORDER BY u.ord`;
}

const NUMBERED_EVENT_COLUMNS: readonly Column[] = [
  { name: 'sequence', type: 'bigint' },
  { name: 'previous', type: 'bigint' },
  ...EVENT_COLUMNS,
];

/** The resource a write's events are about: its id, and its row in `table`. */
export interface EventOwner {
  readonly table: 'resources' | 'typed_resources';
  readonly rowKey: number;
  readonly id: string;
  /** The sequence of its last event: null for a create, the row's last_event as a write reads it (findRow) otherwise. */
  readonly previous: number | null;
  /** The write deleted the row: nothing is left to note its last event on. */
  readonly deleted?: boolean;
}

/**
 * Inside the caller's transaction, with the change the events describe and the resource it
 * wrote. Where the write numbers events, each event of that resource names the one before it
 * (the resource's last_event, then each other), and the row notes the last. An event about
 * another resource, whose row the write does not hold, starts no chain (previous null); the
 * service's builders make none (events/build.ts).
 */
export function* appendEvents<O>(
  d: WriteDialect,
  tenantId: string,
  build: EventBuilder<O> | undefined,
  outcome: O,
  owner: EventOwner,
): Plan<void> {
  const events = build?.(outcome) ?? [];
  if (events.length === 0) return;
  if (!d.numbersEvents) {
    yield unanswered(outboxInsert(d, tenantId, events));
    return;
  }
  // Read back in a statement of its own where RETURNING costs a temporary table (WriteDialect.keyByReturning).
  const counter = shapes(
    d,
    'counter',
    () => sql`INSERT INTO outbox_counters (tenant_id, last_sequence) VALUES (${''}, ${0})
      ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = outbox_counters.last_sequence + excluded.last_sequence${raw(d.keyByReturning ? ' RETURNING last_sequence' : '')}`,
  );
  const counted = bind(counter, [tenantId, events.length]);
  let read: Sql = counted;
  if (!d.keyByReturning) {
    yield counted;
    read = bind(
      shapes(d, 'counter read', () => sql`SELECT last_sequence FROM outbox_counters WHERE tenant_id = ${''}`),
      [tenantId],
    );
  }
  const [{ last_sequence: lastSequence } = { last_sequence: 0 }] = yield* rows<{ last_sequence: number }>(read);
  const first = lastSequence - events.length + 1;
  const suffix = `/${owner.id}`;
  let last = owner.previous;
  let owned = false;
  const previous = events.map((e, i) => {
    if (!e.subject.endsWith(suffix)) return null;
    owned = true;
    const before = last;
    last = first + i;
    return before;
  });
  yield outboxInsert(d, tenantId, events, { first, previous });
  if (owned && !owner.deleted) {
    yield bind(
      shapes(d, `last event ${owner.table}`, () => sql`UPDATE ${raw(owner.table)} SET last_event = ${0} WHERE row_key = ${0}`),
      [last, owner.rowKey],
    );
  }
}

/**
 * The unique keys of one resource, inside the caller's write transaction. `replace` drops the
 * stored ones first (an update); the primary key refuses a key another resource holds, and of
 * two transactions inserting one key the second waits for the first and fails if it commits.
 */
function* writeUniqueValues(
  d: WriteDialect,
  tenantId: string,
  resourceType: ResourceTypeName,
  rowKey: number,
  values: readonly UniqueValue[] | undefined,
  replace: boolean,
): Plan<void> {
  if (values === undefined) return;
  if (replace) yield sql`DELETE FROM resource_unique_values WHERE resource_row = ${rowKey}`;
  for (const v of values) {
    try {
      yield sql`INSERT INTO resource_unique_values (tenant_id, resource_type, attr, key, resource_row)
        VALUES (${tenantId}, ${resourceType}, ${v.attr}, ${v.key}, ${rowKey})`;
    } catch (error) {
      if (d.constraintOf(error) === 'unique') throw uniqueValueTaken(v.attr);
      throw error;
    }
  }
}

/**
 * CreateCommand.uniqueName: 409 when another group of the tenant holds the folded displayName. A
 * check rather than an index, because it is a tenant's opt-in (docs/profiles.md) that must also
 * hold against groups written before it was turned on; writers of one name queue on a lock first
 * (WriteDialect.nameLock), so that two of them cannot both find it free.
 */
function* refuseTakenName(
  d: WriteDialect,
  tenantId: string,
  resourceType: ResourceTypeName,
  rowKey: number,
  id: string,
  doc: Readonly<Record<string, unknown>>,
): Plan<void> {
  const { displayName } = promote(resourceType, id, doc);
  if (displayName === null) return;
  const lock = d.nameLock(tenantId, resourceType, displayName);
  if (lock) yield lock;
  const taken = yield* rows<{ row_key: number }>(
    sql`SELECT row_key FROM resources WHERE tenant_id = ${tenantId} AND resource_type = ${resourceType} AND display_name = ${displayName}
        AND row_key <> ${rowKey} LIMIT 1`,
  );
  if (taken.length > 0) throw resourceConflict(true, resourceType, id, doc);
}

/** A create: its row, values index, unique keys, members and events. */
export function* createResource(d: WriteDialect, tenantId: string, command: CreateCommand): Plan<WriteResult> {
  refuseNul(d, command.doc);
  const { values, resource } = newResourceRow(tenantId, command);
  const members = command.members ?? [];
  if (members.length > 0) requireGroup(command.resourceType);
  let rowKey: number;
  try {
    rowKey = yield* insertResource(d, values);
  } catch (error) {
    throw conflict(d, error, command.resourceType, command.id, command.doc);
  }
  if (command.uniqueName) yield* refuseTakenName(d, tenantId, command.resourceType, rowKey, command.id, command.doc);
  const index = valuesInsert(d, tenantId, rowKey, command.resourceType, command.doc);
  if (index) yield index;
  yield* writeUniqueValues(d, tenantId, command.resourceType, rowKey, command.uniqueValues, false);
  const delta = new DeltaTracker();
  yield* addMembers(d, tenantId, rowKey, members, command.memberRules ?? LENIENT_MEMBER_RULES, delta, ms(command.now));
  const result: WriteResult = { resource, memberDelta: delta.result() };
  yield* appendEvents(d, tenantId, command.events, result, { table: 'resources', rowKey, id: command.id, previous: null });
  return result;
}

/**
 * Several writes in one transaction, each in a savepoint: a failure the client caused (a
 * ScimError) undoes only its own write and takes its place in the answer; after `maxFailures`
 * of them the rest are not tried (RFC 7644 §3.7.3 failOnErrors). Any other error ends the whole.
 */
export function* eachInSavepoint<T, R>(items: readonly T[], maxFailures: number, one: (item: T) => Plan<R>): Plan<Array<R | ScimError>> {
  const results: Array<R | ScimError> = [];
  let failures = 0;
  for (const item of items) {
    if (failures >= maxFailures) break;
    yield raw('SAVEPOINT write_one');
    try {
      results.push(yield* one(item));
      yield raw('RELEASE SAVEPOINT write_one');
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      yield raw('ROLLBACK TO SAVEPOINT write_one');
      results.push(error);
      failures++;
    }
  }
  return results;
}

/** Several creates in one transaction, each in a savepoint of its own (eachInSavepoint). */
export function createResources(
  d: WriteDialect,
  tenantId: string,
  commands: readonly CreateCommand[],
  maxFailures: number,
): Plan<Array<WriteResult | ScimError>> {
  return eachInSavepoint(commands, maxFailures, (command) => createResource(d, tenantId, command));
}

/**
 * An update: the row read and locked, the change computed on it (UpdateCommand.change), written
 * with its events. The answer is the resource as written, with what `include` asks for.
 */
export function* updateResource(d: WriteDialect, tenantId: string, command: UpdateCommand): Plan<WriteResult> {
  const include = command.include ?? {};
  // PostgreSQL: NO KEY UPDATE serialises writers of this row, yet lets other transactions add
  // memberships that reference it (their foreign key checks take KEY SHARE).
  const row = yield* findRow(d, tenantId, command.resourceType, command.id, include, d.lockForUpdate, d.numbersEvents);
  if (!row) throw notFound(`${command.resourceType} ${command.id} not found`);
  const current = (yield* hydrateRows(d, tenantId, [row], include))[0]!;
  const change = command.change(current);
  if (change === undefined) return { resource: current, memberDelta: NO_MEMBER_CHANGE };
  if (change.doc) refuseNul(d, change.doc);
  const delta = new DeltaTracker();
  if (change.memberOps && change.memberOps.length > 0) {
    requireGroup(command.resourceType);
    const rules = change.memberRules ?? LENIENT_MEMBER_RULES;
    for (const op of mergeMemberOps(change.memberOps)) yield* applyMemberOp(d, tenantId, row.row_key, op, rules, delta, ms(change.now));
  }
  const memberDelta = delta.result();
  const membersChanged = memberDelta.added.length > 0 || memberDelta.removed.length > 0;
  const changed = change.doc !== undefined || change.passwordHash !== undefined || membersChanged;
  // Adding a member that is already there changes nothing: the version stays (RFC 7644 §3.14).
  if (!changed) return { resource: current, memberDelta };
  const version = row.version + 1;
  const now = ms(change.now);
  const passwordHash = change.passwordHash === undefined ? row.password_hash : change.passwordHash;
  if (change.doc) {
    const { statement, changesUnique, promoted, was } = documentUpdate(
      d,
      command,
      row,
      current.doc,
      change.doc,
      passwordHash,
      version,
      now,
    );
    if (!changesUnique) {
      // No unique column changes, so nothing can refuse the row: the UPDATE's answer is not
      // awaited, and on PostgreSQL it travels with the outbox INSERT and COMMIT (a PATCH of
      // active and title is two round trips: BEGIN with the locked read, then the rest).
      yield unanswered(statement);
    } else {
      try {
        yield statement;
      } catch (error) {
        throw conflict(d, error, command.resourceType, command.id, change.doc);
      }
    }
    // A rename is checked; an unchanged name stays, even one another group took before the opt-in.
    if (change.uniqueName && promoted.displayName !== was.displayName) {
      yield* refuseTakenName(d, tenantId, command.resourceType, row.row_key, command.id, change.doc);
    }
    // The values index follows the document: its rows are replaced when they change.
    if (indexedValuesChange(command.resourceType, current.doc, change.doc)) {
      yield sql`DELETE FROM resource_values WHERE resource_row = ${row.row_key}`;
      const index = valuesInsert(d, tenantId, row.row_key, command.resourceType, change.doc);
      if (index) yield index;
    }
    yield* writeUniqueValues(d, tenantId, command.resourceType, row.row_key, change.uniqueValues, true);
  } else {
    yield unanswered(
      sql`UPDATE resources SET password_hash = ${passwordHash}, version = ${version}, modified_ms = ${now} WHERE row_key = ${row.row_key}`,
    );
  }
  const written = writtenResource(d, current, change.doc, version, now);
  yield* appendEvents(
    d,
    tenantId,
    change.events,
    { resource: written, memberDelta },
    { table: 'resources', rowKey: row.row_key, id: command.id, previous: row.last_event ?? null },
  );
  // A user's groups are as read (its own update never changes them); a group's members are read
  // again only when this write changed them.
  const members = include.members && membersChanged ? yield* membersOf(d, tenantId, row) : current.members;
  return {
    resource: {
      ...written,
      ...(members !== undefined ? { members } : {}),
      ...(current.groups !== undefined ? { groups: current.groups } : {}),
    },
    memberDelta,
  };
}

export const NO_MEMBER_CHANGE: MemberDelta = { added: [], removed: [] };

/**
 * The UPDATE that gives a resource row its new document, version and time. Only the promoted
 * columns that change are set: SQLite rewrites the entry of every index on a column an UPDATE
 * sets, equal value or not, and a PATCH of active or title changes none. `changesUnique`: a
 * unique index may refuse it.
 */
export function documentUpdate(
  d: WriteDialect,
  command: UpdateCommand,
  row: ResourceRow,
  currentDoc: Readonly<Record<string, unknown>>,
  doc: Readonly<Record<string, unknown>>,
  passwordHash: string | null,
  version: number,
  now: number,
): { readonly statement: Sql; readonly changesUnique: boolean; readonly promoted: Promoted; readonly was: Promoted } {
  const promoted = promote(command.resourceType, command.id, doc);
  const was = promote(command.resourceType, command.id, currentDoc);
  const changing = PROMOTED_COLUMNS.filter(([, key]) => promoted[key] !== was[key]);
  const update = shapes(d, `update ${changing.map(([column]) => column).join(' ')}`, () => {
    const promotedSet = changing.map(([column]) => sql`, ${raw(column)} = ${null}`);
    return sql`UPDATE resources SET doc = ${d.json('')}, password_hash = ${null}, version = ${0}, modified_ms = ${0}${join(promotedSet, '')}
          WHERE row_key = ${0}`;
  });
  const values = [JSON.stringify(doc), passwordHash, version, now, ...changing.map(([, key]) => promoted[key]), row.row_key];
  return { statement: bind(update, values), changesUnique: changing.length > 0, promoted, was };
}

/** Whether the values index rows of a resource (values-index.ts) differ between two documents. */
export function indexedValuesChange(
  resourceType: ResourceTypeName,
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): boolean {
  return !sameValueRows(valueRows(resourceType, before), valueRows(resourceType, after));
}

/** The resource as an update wrote it, without members or groups: what its events describe. */
export function writtenResource(
  d: WriteDialect,
  current: StoredResource,
  doc: Readonly<Record<string, unknown>> | undefined,
  version: number,
  now: number,
): StoredResource {
  return {
    id: current.id,
    resourceType: current.resourceType,
    doc: doc ? d.asStored(doc) : current.doc,
    version,
    created: current.created,
    lastModified: iso(now),
  };
}

/** The promoted columns of a resource row (promote.ts), by the field that holds each. */
const PROMOTED_COLUMNS = [
  ['name_key', 'nameKey'],
  ['display_name', 'displayName'],
  ['external_id', 'externalId'],
  ['ref_display', 'refDisplay'],
] as const satisfies readonly (readonly [string, keyof Promoted])[];

function sameValueRows(a: readonly ValueRow[], b: readonly ValueRow[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.attr === b[i]!.attr && r.idx === b[i]!.idx && r.value === b[i]!.value && r.type === b[i]!.type)
  );
}

export function* deleteResource(
  d: WriteDialect,
  tenantId: string,
  resourceType: ResourceTypeName,
  id: string,
  expectedVersion: number | undefined,
  events: EventBuilder<StoredResource> | undefined,
): Plan<StoredResource> {
  const row = yield* findRow(d, tenantId, resourceType, id, {}, d.lockRow, d.numbersEvents);
  if (!row) throw notFound(`${resourceType} ${id} not found`);
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionConflictError();
  // Memberships on either side and the values index go with it (ON DELETE CASCADE).
  yield sql`DELETE FROM resources WHERE row_key = ${row.row_key}`;
  const [deleted] = yield* hydrateRows(d, tenantId, [row], {});
  yield* appendEvents(d, tenantId, events, deleted!, {
    table: 'resources',
    rowKey: row.row_key,
    id,
    previous: row.last_event ?? null,
    deleted: true,
  });
  return deleted!;
}

/**
 * Adjacent operations of one kind as one: Okta removes members with one `members[value eq "…"]`
 * operation each, 256 to a PATCH, which are then one statement instead of 256 round trips. The
 * result is the same: an add skips members already there (and repeats within it), a remove
 * removes each id once, and the order of adds and removes is kept.
 */
export function mergeMemberOps(ops: readonly MemberOp[]): MemberOp[] {
  const merged: MemberOp[] = [];
  for (const op of ops) {
    const last = merged[merged.length - 1];
    if (last?.kind === 'add' && op.kind === 'add') merged[merged.length - 1] = { kind: 'add', members: [...last.members, ...op.members] };
    else if (last?.kind === 'remove' && op.kind === 'remove')
      merged[merged.length - 1] = { kind: 'remove', values: [...last.values, ...op.values] };
    else merged.push(op);
  }
  return merged;
}

/** The member's id, read back from the deleted membership row. */
const MEMBER_ID = raw('(SELECT o.id FROM resources o WHERE o.row_key = memberships.member_row) AS id');

function* applyMemberOp(
  d: WriteDialect,
  tenantId: string,
  groupRow: number,
  op: MemberOp,
  rules: MemberRules,
  delta: DeltaTracker,
  now: number,
): Plan<void> {
  switch (op.kind) {
    case 'add':
      return yield* addMembers(d, tenantId, groupRow, op.members, rules, delta, now);
    case 'remove': {
      const values = op.values.filter((v) => !unstorable(d, v));
      if (values.length === 0) return;
      const given = d.table(
        'g',
        [{ name: 'id', type: 'text' }],
        values.map((v) => [v]),
      );
      const removed = new Map(
        (yield* rows<{ id: string; member_type: ResourceTypeName }>(
          sql`DELETE FROM memberships WHERE tenant_id = ${tenantId} AND group_row = ${groupRow}
              AND member_row IN (SELECT o.row_key FROM resources o WHERE o.tenant_id = ${tenantId} AND o.id IN (SELECT g.id FROM ${given}))
              RETURNING ${MEMBER_ID}, member_type`,
        )).map((r) => [r.id, r.member_type]),
      );
      for (const value of values) {
        const type = removed.get(value);
        if (type !== undefined && removed.delete(value)) delta.remove(value, type);
      }
      return;
    }
    case 'removeAll': {
      const removed = yield* rows<{ id: string; seq: number; member_type: ResourceTypeName }>(
        sql`DELETE FROM memberships WHERE tenant_id = ${tenantId} AND group_row = ${groupRow} RETURNING ${MEMBER_ID}, seq, member_type`,
      );
      for (const r of removed.sort((a, b) => a.seq - b.seq)) delta.remove(r.id, r.member_type);
      return;
    }
    default:
      return op satisfies never;
  }
}

/**
 * Two statements whatever the number of members added (look them all up, insert them all), plus
 * a nesting check per group added. Each group is checked against the graph without the others:
 * every new edge leaves this group, and a path through it (acyclic) uses at most one of them, so
 * checking them one by one is enough. Why PostgreSQL locks first (nestingLock): under READ
 * COMMITTED two transactions adding A ∈ B and B ∈ A would each check a graph without the other's
 * edge and both commit a cycle (or two deepenings that together pass the depth bound). Writes that
 * add a group as a member therefore queue on a per-tenant lock, and the check that follows runs in
 * a new snapshot that sees the edges of every writer that held it before. Only group-in-group
 * additions take it (rare, administrative writes): user members, removals and deletions never
 * wait, since they cannot close a cycle or deepen the graph.
 */
function* addMembers(
  d: WriteDialect,
  tenantId: string,
  groupRow: number,
  members: readonly MemberInput[],
  rules: MemberRules,
  delta: DeltaTracker,
  now: number,
): Plan<void> {
  if (members.length === 0) return;
  const given = d.table(
    'm',
    [{ name: 'value', type: 'text' }],
    members.map((m) => [unstorable(d, m.value) ? null : m.value]),
  );
  const found = yield* rows<{ ord: number; row_key: number | null; resource_type: ResourceTypeName | null }>(
    sql`SELECT m.ord, o.row_key, o.resource_type FROM ${given} LEFT JOIN resources o ON o.tenant_id = ${tenantId} AND o.id = m.value ORDER BY m.ord`,
  );
  const added: { row_key: number; id: string; type: ResourceTypeName }[] = [];
  const unknown: string[] = [];
  const seen = new Set<number>();
  members.forEach((member, i) => {
    const target = found[i];
    if (!target || target.row_key === null || target.resource_type === null) {
      unknown.push(member.value);
      return;
    }
    // The type recorded is always the resource's own; `correct` only decides whether a wrong one is refused.
    if (rules.wrongType === 'refuse') refuseWrongMemberType(member, target.resource_type);
    if (!seen.has(target.row_key)) {
      seen.add(target.row_key);
      added.push({ row_key: target.row_key, id: member.value, type: target.resource_type });
    }
  });
  if (unknown.length > 0 && rules.unknown === 'refuse') throw unknownMembers(unknown);
  delta.skip(unknown);
  const groups = added.filter((m) => m.type === 'Group');
  if (groups.length > 0) {
    const lock = d.nestingLock(tenantId);
    if (lock) yield lock;
    const [{ id: groupId } = { id: '' }] = yield* rows<{ id: string }>(sql`SELECT id FROM resources WHERE row_key = ${groupRow}`);
    for (const child of groups) {
      const [check] = yield* rows<NestingCheckRow>(nestingCheck(tenantId, groupRow, child.row_key));
      refuseBadNesting(check, groupId, child.id);
    }
  }
  const pairs = d.table(
    'u',
    [
      { name: 'member_row', type: 'bigint' },
      { name: 'member_type', type: 'text' },
    ],
    added.map((m) => [m.row_key, m.type]),
  );
  let inserted: Set<number>;
  try {
    inserted = new Set(
      (yield* rows<{ member_row: number }>(
        sql`INSERT INTO memberships (tenant_id, group_row, member_row, member_type, created_ms)
            SELECT ${tenantId}, ${groupRow}, u.member_row, u.member_type, ${now} FROM ${pairs} WHERE true ORDER BY u.ord
            ON CONFLICT (group_row, member_row) DO NOTHING RETURNING member_row`,
      )).map((r) => r.member_row),
    );
  } catch (error) {
    // The member was deleted by another transaction between the lookup and the insert.
    if (d.constraintOf(error) === 'foreignKey') throw invalidValue('a member was deleted while being added');
    throw error;
  }
  for (const m of added) if (inserted.has(m.row_key)) delta.add(m.id, m.type);
}
