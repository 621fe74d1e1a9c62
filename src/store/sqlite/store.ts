import { invalidValue, notFound, ScimError } from '../../errors/scim-error.ts';
import type { MemberInput, MemberOp, ReferenceView, ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import type { EventBuilder, NewEvent, OutboxRecord } from '../ports/outbox.ts';
import type { CreateCommand, Include, QueryResult, ResourceQuery, UpdateCommand, WriteResult } from '../ports/resources.ts';
import type { ExtensionChange } from '../ports/schemas.ts';
import type { SetAcknowledgement } from '../ports/set-poll.ts';
import type { Store } from '../ports/store.ts';
import { raw, type Sql, sql } from '../sql/fragment.ts';
import { groupsOfUsers, type NestingCheckRow, nestingCheck, refuseBadNesting } from '../sql/nesting.ts';
import { claimedEvents } from '../sql/outbox.ts';
import { promote } from '../sql/promote.ts';
import {
  cursorKeyOf,
  DeltaTracker,
  emptyResult,
  groupReferences,
  hydrate,
  iso,
  limit,
  ms,
  newResourceRow,
  type ReferenceRow,
  type ResourceRowBase,
  refuseWrongMemberType,
  resourceConflict,
  whereOfQuery,
} from '../sql/rows.ts';
import { runPlan, type SqlRunner } from '../sql/run.ts';
import { afterKey, atOrBeforeKey, orderBy, sortKey } from '../sql/sort.ts';
import { SqlStore } from '../sql/store.ts';
import { valueRows } from '../sql/values-index.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { type Checkpointer, startCheckpointer } from './checkpointer.ts';
import { openConnection, type SqliteDatabase } from './connection.ts';
import { sqliteDialect } from './dialect.ts';
import { SqliteExtensions, writeUniqueValues } from './extensions.ts';
import { runMigrations } from './migrations.ts';
import { StatementCache } from './statement-cache.ts';

interface ResourceRow extends ResourceRowBase {
  readonly doc: string;
  readonly sort_value?: string | number | null;
}

const COLUMNS = 'r.row_key, r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, r.password_hash';
const _TOKEN_SELECT =
  'SELECT k.id, k.tenant_id, t.name AS tenant_name, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, t.disabled_at AS tenant_disabled_at FROM tokens k JOIN tenants t ON t.id = k.tenant_id';
/**
 * A page's members (of groups), read in one statement. `owners` is the condition on the owning
 * row: `= ?` for one group (the common GET), which needs no json_each; a json_each list for a
 * page. Members come in the order they were added. A member's display is its displayName, else
 * its userName.
 */
const membersOf = (owners: string) => `SELECT m.group_row AS owner, o.id AS value, m.member_type AS type, o.resource_type AS resource_type,
    coalesce(nullif(json_extract(o.doc, '$.displayName'), ''), json_extract(o.doc, '$.userName')) AS display
  FROM memberships m JOIN resources o ON o.row_key = m.member_row
  WHERE m.tenant_id = ? AND m.group_row ${owners} ORDER BY m.seq`;
const MEMBERS_OF = { one: membersOf('= ?'), many: membersOf('IN (SELECT value FROM json_each(?))') };
/**
 * A user's direct groups as a column of its own row (directGroupsFromJson), each with whether it
 * is itself in a group: the lookup identity providers make before every write then costs one
 * statement, not two. Only a user reached through nested groups needs the recursive walk
 * (groupsOfUsers) for its indirect groups. A user is in few groups, so the array stays small; a
 * group's members can be a whole tenant and keep their own statement. Row keys are unique across
 * tenants, so `member_row` alone selects the user's memberships.
 */
const GROUPS_COLUMN = `(SELECT json_group_array(json_array(m.group_row, o.id, o.resource_type, json_extract(o.doc, '$.displayName'),
      EXISTS (SELECT 1 FROM memberships p WHERE p.member_row = m.group_row)))
    FROM memberships m JOIN resources o ON o.row_key = m.group_row
    WHERE m.member_row = r.row_key) AS groups_json`;
const columnsFor = (include: Include) => (include.groups ? `${COLUMNS}, ${GROUPS_COLUMN}` : COLUMNS);
/** The condition on the owners of a page's references, as MEMBERS_OF has it. */
const ownersOf = (keys: readonly number[]): Sql =>
  keys.length === 1 ? sql`= ${keys[0]!}` : sql`IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`;

function isUniqueViolation(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The embedded store on better-sqlite3. The driver is synchronous, so each method runs to
 * completion on the event loop: one connection, no pool, and a write transaction never
 * interleaves with another request of this process. Writes use BEGIN IMMEDIATE so that a second
 * process (the CLI) waits on busy_timeout instead of failing to upgrade a read lock.
 */
export class SqliteStore extends SqlStore implements Store {
  readonly capabilities = { dialect: 'sqlite' } as const;
  readonly #db: SqliteDatabase;
  readonly #statements: StatementCache;
  readonly #extensions: SqliteExtensions;

  readonly #checkpointer: Checkpointer | undefined;

  constructor(db: SqliteDatabase, checkpointer?: Checkpointer) {
    super();
    this.#db = db;
    this.#checkpointer = checkpointer;
    this.#statements = new StatementCache(db);
    this.#extensions = new SqliteExtensions(
      (text) => this.#s(text),
      (fn) => this.#tx(fn),
    );
    this.share(this.#runner);
  }

  /** A file gets its WAL checkpointed on a thread of its own (checkpointer.ts); memory has none. */
  static open(filename: string): SqliteStore {
    const inMemory = filename === ':memory:';
    return new SqliteStore(
      openConnection(filename, { backgroundCheckpoints: !inMemory }),
      inMemory ? undefined : startCheckpointer(filename),
    );
  }

  /** The underlying connection, for SQLite-specific tests and tooling. */
  get database(): SqliteDatabase {
    return this.#db;
  }

  async migrate(): Promise<readonly number[]> {
    return runMigrations(this.#db);
  }

  async ping(): Promise<void> {
    this.#s('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.#checkpointer?.stop();
    if (this.#db.open) this.#db.close();
  }

  #s(text: string) {
    return this.#statements.fixed(text);
  }

  #tx<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** One statement of the shared query sets (src/store/sql/): rows for a reader, [] otherwise. */
  readonly #exec = (query: Sql): unknown[] => {
    const statement = this.#statements.dynamic(query.sql);
    if (statement.reader) return statement.all(...query.params);
    statement.run(...query.params);
    return [];
  };

  /** Plans run to the end inside better-sqlite3's transaction functions, which must be synchronous. */
  readonly #runner: SqlRunner = {
    run: async <R>(query: Sql) => this.#exec(query) as R[],
    transact: async (plan) => this.#tx(() => runPlan(plan(), this.#exec)),
    read: async (plan) => this.#db.transaction(() => runPlan(plan(), this.#exec))(),
    constraintOf: (error) => {
      if (isUniqueViolation(error)) return 'unique';
      return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ? 'foreignKey' : undefined;
    },
    textHoldsNul: true,
  };

  // ---- reads --------------------------------------------------------------------------------

  async get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined> {
    const row = this.#find(tenantId, resourceType, id, include);
    return row && this.#hydrate(tenantId, [row], include)[0];
  }

  #find(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include = {}): ResourceRow | undefined {
    return this.#s(`SELECT ${columnsFor(include)} FROM resources r WHERE r.tenant_id = ? AND r.resource_type = ? AND r.id = ?`).get(
      tenantId,
      resourceType,
      id,
    ) as ResourceRow | undefined;
  }

  /** Rows → resources, with members read in one statement for the whole page. */
  #hydrate(tenantId: string, rows: readonly ResourceRow[], include: Include): StoredResource[] {
    const page = hydrate(rows, (row) => JSON.parse(row.doc) as Record<string, unknown>, include);
    return page.finish(
      include.members ? this.#members(tenantId, rows) : undefined,
      page.nested.length > 0 ? this.#groupsThroughNesting(tenantId, page.nested) : undefined,
    );
  }

  #members(tenantId: string, rows: readonly ResourceRow[]): Map<number, ReferenceView[]> {
    const keys = rows.filter((r) => r.resource_type === 'Group').map((r) => r.row_key);
    if (keys.length === 0) return new Map();
    const refs = (
      keys.length === 1 ? this.#s(MEMBERS_OF.one).all(tenantId, keys[0]) : this.#s(MEMBERS_OF.many).all(tenantId, JSON.stringify(keys))
    ) as ReferenceRow[];
    return groupReferences(refs);
  }

  /** Direct and indirect groups of users whose groups are themselves in groups (RFC 7643 §4.1.2). */
  #groupsThroughNesting(tenantId: string, rows: readonly ResourceRow[]): Map<number, ReferenceView[]> {
    const query = groupsOfUsers(sqliteDialect, tenantId, ownersOf(rows.map((r) => r.row_key)));
    return groupReferences(this.#s(query.sql).all(...this.#params(query)) as ReferenceRow[]);
  }

  async query(tenantId: string, query: ResourceQuery): Promise<QueryResult> {
    const where = whereOfQuery(sqliteDialect, tenantId, query);
    const key = sortKey(sqliteDialect, tenantId, query.targets);
    const select = sql`SELECT ${raw(columnsFor(query.include))}, ${key.expr ?? raw('NULL')} AS sort_value FROM resources r`;
    const { page } = query;
    const count = () =>
      this.#dynamic(sql`SELECT count(*) FROM resources r WHERE ${where}`)
        .pluck()
        .get(...this.#params(where)) as number;

    if (page.kind === 'index') {
      const offset = Math.max(page.startIndex, 1) - 1;
      if (page.count <= 0) {
        const total = count();
        return { ...emptyResult(total), hasPrevious: offset > 0 && total > 0 };
      }
      const rows = this.#all(sql`${select} WHERE ${where} ${orderBy(key, query.descending)} LIMIT ${limit(page.count)} OFFSET ${offset}`);
      // A first page that is not full holds every match: the lookups identity providers make
      // before each write (userName eq …) then cost one statement, not two.
      const total = offset === 0 && rows.length < page.count ? rows.length : count();
      return this.#result(tenantId, total, rows, query.include, offset + rows.length < total, offset > 0);
    }
    const total = page.withTotal ? count() : undefined;
    const empty = emptyResult(total);

    // Keyset page: a seek on the order's index, never an OFFSET, so page n costs what page 1 does.
    const backwards = page.before !== undefined && page.after === undefined;
    const cursor = backwards ? page.before : page.after;
    const descending = query.descending !== backwards;
    if (total === 0) return empty;
    const seek = cursor ? sql` AND ${afterKey(key, descending, cursor)}` : raw('');
    const fetched =
      page.count > 0 ? this.#all(sql`${select} WHERE ${where}${seek} ${orderBy(key, descending)} LIMIT ${limit(page.count + 1)}`) : [];
    const more = fetched.length > page.count;
    const rows = fetched.slice(0, page.count);
    if (backwards) rows.reverse();
    // Whether rows lie on the other side of the cursor: one index probe, LIMIT 1.
    const behind = cursor !== undefined && this.#exists(sql`${where} AND ${atOrBeforeKey(key, descending, cursor)}`);
    return backwards
      ? this.#result(tenantId, total, rows, query.include, behind, more)
      : this.#result(tenantId, total, rows, query.include, more, behind);
  }

  #result(
    tenantId: string,
    total: number | undefined,
    rows: readonly ResourceRow[],
    include: Include,
    hasNext: boolean,
    hasPrevious: boolean,
  ): QueryResult {
    return {
      totalResults: total,
      resources: this.#hydrate(tenantId, rows, include),
      firstKey: cursorKeyOf(rows[0]),
      lastKey: cursorKeyOf(rows[rows.length - 1]),
      hasNext,
      hasPrevious,
    };
  }

  #dynamic(query: Sql) {
    return this.#statements.dynamic(query.sql);
  }

  #params(query: Sql): unknown[] {
    return query.params as unknown[];
  }

  #all(query: Sql): ResourceRow[] {
    return this.#dynamic(query).all(...this.#params(query)) as ResourceRow[];
  }

  #exists(where: Sql): boolean {
    const probe = sql`SELECT 1 FROM resources r WHERE ${where} LIMIT 1`;
    return this.#dynamic(probe).get(...this.#params(probe)) !== undefined;
  }

  // ---- writes -------------------------------------------------------------------------------

  async create(tenantId: string, command: CreateCommand): Promise<WriteResult> {
    return this.#tx(() => this.#create(tenantId, command));
  }

  async createMany(
    tenantId: string,
    commands: readonly CreateCommand[],
    maxFailures = Infinity,
  ): Promise<ReadonlyArray<WriteResult | ScimError>> {
    return this.#tx(() => {
      const results: Array<WriteResult | ScimError> = [];
      let failures = 0;
      for (const command of commands) {
        if (failures >= maxFailures) break;
        try {
          // A transaction function called inside a transaction runs in a savepoint (better-sqlite3).
          results.push(this.#db.transaction(() => this.#create(tenantId, command))());
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          results.push(error);
          failures++;
        }
      }
      return results;
    });
  }

  #create(tenantId: string, command: CreateCommand): WriteResult {
    const row = newResourceRow(tenantId, command);
    let rowKey: number;
    try {
      rowKey = Number(
        this.#s(
          `INSERT INTO resources (tenant_id, resource_type, id, doc, password_hash, version, created_ms, modified_ms, name_key, display_name, external_id)
           VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
        ).run(...row.values).lastInsertRowid,
      );
    } catch (error) {
      throw this.#translate(error, command.resourceType, command.id, command.doc);
    }
    this.#writeValues(tenantId, rowKey, command.resourceType, command.doc, false);
    writeUniqueValues((text) => this.#s(text), tenantId, command.resourceType, rowKey, command.uniqueValues, false);
    const delta = new DeltaTracker();
    if (command.members && command.members.length > 0) {
      this.#requireGroup(command.resourceType);
      this.#addMembers(tenantId, rowKey, command.members, delta);
    }
    const result: WriteResult = { resource: row.resource, memberDelta: delta.result() };
    this.#appendEvents(tenantId, command.events, result);
    return result;
  }

  async update(tenantId: string, command: UpdateCommand): Promise<WriteResult> {
    return this.#tx(() => {
      const row = this.#find(tenantId, command.resourceType, command.id);
      if (!row) throw notFound(`${command.resourceType} ${command.id} not found`);
      if (row.version !== command.expectedVersion) throw new VersionConflictError();
      const delta = new DeltaTracker();
      if (command.memberOps && command.memberOps.length > 0) {
        this.#requireGroup(command.resourceType);
        for (const op of command.memberOps) this.#applyMemberOp(tenantId, row.row_key, op, delta);
      }
      const memberDelta = delta.result();
      const changed =
        command.doc !== undefined || command.passwordHash !== undefined || memberDelta.added.length > 0 || memberDelta.removed.length > 0;
      // Adding a member that is already there changes nothing: the version stays (RFC 7644 §3.14).
      const version = changed ? row.version + 1 : row.version;
      const now = changed ? ms(command.now) : row.modified_ms;
      const passwordHash = command.passwordHash === undefined ? row.password_hash : command.passwordHash;
      if (command.doc) {
        const promoted = promote(command.resourceType, command.doc);
        try {
          this.#s(
            `UPDATE resources SET doc = ?, password_hash = ?, version = ?, modified_ms = ?, name_key = ?, display_name = ?, external_id = ?
             WHERE row_key = ?`,
          ).run(
            JSON.stringify(command.doc),
            passwordHash,
            version,
            now,
            promoted.nameKey,
            promoted.displayName,
            promoted.externalId,
            row.row_key,
          );
        } catch (error) {
          throw this.#translate(error, command.resourceType, command.id, command.doc);
        }
        this.#writeValues(tenantId, row.row_key, command.resourceType, command.doc, true);
        writeUniqueValues((text) => this.#s(text), tenantId, command.resourceType, row.row_key, command.uniqueValues, true);
      } else if (changed) {
        this.#s('UPDATE resources SET password_hash = ?, version = ?, modified_ms = ? WHERE row_key = ?').run(
          passwordHash,
          version,
          now,
          row.row_key,
        );
      }
      const result: WriteResult = {
        resource: {
          id: row.id,
          resourceType: row.resource_type,
          doc: command.doc ?? (JSON.parse(row.doc) as Record<string, unknown>),
          version,
          created: iso(row.created_ms),
          lastModified: iso(now),
        },
        memberDelta,
      };
      // A write that changed nothing kept the version: it has no events.
      if (changed) this.#appendEvents(tenantId, command.events, result);
      return result;
    });
  }

  async delete(
    tenantId: string,
    resourceType: ResourceTypeName,
    id: string,
    expectedVersion?: number,
    events?: EventBuilder<StoredResource>,
  ): Promise<StoredResource> {
    return this.#tx(() => {
      const row = this.#find(tenantId, resourceType, id);
      if (!row) throw notFound(`${resourceType} ${id} not found`);
      if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionConflictError();
      // Memberships on either side and the values index go with it (ON DELETE CASCADE).
      this.#s('DELETE FROM resources WHERE row_key = ?').run(row.row_key);
      const deleted = this.#hydrate(tenantId, [row], {})[0]!;
      this.#appendEvents(tenantId, events, deleted);
      return deleted;
    });
  }

  // ---- tenant extension schemas (./extensions.ts) ------------------------------------------

  async extensionsVersion(tenantId: string) {
    return this.#extensions.version(tenantId);
  }

  async loadExtensions(tenantId: string) {
    return this.#extensions.load(tenantId);
  }

  async valuesAt(tenantId: string, resourceType: ResourceTypeName, path: readonly string[]) {
    return this.#extensions.valuesAt(tenantId, resourceType, path);
  }

  async saveExtensions(tenantId: string, change: ExtensionChange) {
    return this.#extensions.save(tenantId, change);
  }

  // ---- outbox -------------------------------------------------------------------------------

  /** Inside the caller's transaction: each event takes the tenant's next sequence. */
  #appendEvents<O>(tenantId: string, build: EventBuilder<O> | undefined, outcome: O) {
    if (!build) return;
    const events: readonly NewEvent[] = build(outcome);
    if (events.length === 0) return;
    const last = this.#s(
      `INSERT INTO outbox_counters (tenant_id, last_sequence) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = last_sequence + excluded.last_sequence RETURNING last_sequence`,
    )
      .pluck()
      .get(tenantId, events.length) as number;
    const insert = this.#s(
      'INSERT INTO outbox (tenant_id, sequence, id, type, subject, source, time, time_ms, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let sequence = last - events.length;
    for (const e of events) insert.run(tenantId, ++sequence, e.id, e.type, e.subject, e.source, e.time, ms(e.time), JSON.stringify(e.data));
  }

  async claimEvents(sink: string, owner: string, limit: number, leaseMs: number): Promise<readonly OutboxRecord[]> {
    // One IMMEDIATE transaction: another process on the same file waits for it, so the lease
    // and the cursor read after it are consistent. One machine: Date.now() is everyone's clock.
    return this.#tx(() => {
      const now = Date.now();
      const claimed = this.#s(
        `INSERT INTO outbox_leases (sink, tenant_id, owner, until_ms)
         SELECT @sink, c.tenant_id, @owner, @until FROM outbox_counters c
         LEFT JOIN outbox_delivery d ON d.sink = @sink AND d.tenant_id = c.tenant_id
         WHERE c.last_sequence > coalesce(d.delivered_sequence, 0) ORDER BY c.tenant_id
         ON CONFLICT (sink, tenant_id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
           WHERE outbox_leases.owner = excluded.owner OR outbox_leases.until_ms < @now
         RETURNING tenant_id`,
      )
        .pluck()
        .all({ sink, owner, until: now + Math.ceil(leaseMs), now }) as string[];
      return runPlan(claimedEvents(claimed, sink, limit), this.#exec);
    });
  }

  async renewLeases(sink: string, owner: string, tenantIds: readonly string[], leaseMs: number): Promise<readonly string[]> {
    if (tenantIds.length === 0) return [];
    return this.#s(
      `UPDATE outbox_leases SET until_ms = ? WHERE sink = ? AND owner = ? AND tenant_id IN (SELECT value FROM json_each(?)) RETURNING tenant_id`,
    )
      .pluck()
      .all(Date.now() + Math.ceil(leaseMs), sink, owner, JSON.stringify(tenantIds)) as string[];
  }

  async pruneEvents(sinks: readonly string[], before: string): Promise<number> {
    return this.#tx(() => {
      const counters = this.#s('SELECT tenant_id, last_sequence FROM outbox_counters').all() as {
        tenant_id: string;
        last_sequence: number;
      }[];
      const cursor = this.#s('SELECT coalesce(max(delivered_sequence), 0) FROM outbox_delivery WHERE sink = ? AND tenant_id = ?').pluck();
      const remove = this.#s('DELETE FROM outbox WHERE tenant_id = ? AND sequence <= ? AND time_ms < ?');
      let deleted = 0;
      for (const c of counters) {
        const upTo = sinks.reduce((low, sink) => Math.min(low, cursor.get(sink, c.tenant_id) as number), c.last_sequence);
        if (upTo > 0) deleted += remove.run(c.tenant_id, upTo, ms(before)).changes;
      }
      return deleted;
    });
  }

  // ---- RFC 8936 poll state (SetPollStore) -----------------------------------------------------

  async acknowledgeSets(tenantId: string, acknowledgements: readonly SetAcknowledgement[], at: string): Promise<readonly string[]> {
    if (acknowledgements.length === 0) return [];
    return this.#tx(() => {
      const record = this.#s(
        `INSERT INTO set_poll_acks (tenant_id, sequence, err, description, acked_at)
         SELECT tenant_id, sequence, ?, ?, ? FROM outbox WHERE tenant_id = ? AND id = ?
         ON CONFLICT (tenant_id, sequence) DO NOTHING`,
      );
      const known = this.#s('SELECT 1 FROM outbox WHERE tenant_id = ? AND id = ?').pluck();
      const matched: string[] = [];
      for (const a of acknowledgements) {
        record.run(a.err ?? null, a.description ?? null, at, tenantId, a.jti);
        if (known.get(tenantId, a.jti)) matched.push(a.jti);
      }
      this.#compactSetAcks(tenantId);
      return matched;
    });
  }

  /** Moves the tenant's cursor over the acknowledged prefix and drops the rows it covers. */
  #compactSetAcks(tenantId: string) {
    const through =
      (this.#s('SELECT acked_through FROM set_poll_cursors WHERE tenant_id = ?').pluck().get(tenantId) as number | undefined) ?? 0;
    const firstUnacked = this.#s(
      `SELECT min(o.sequence) FROM outbox o WHERE o.tenant_id = ? AND o.sequence > ?
         AND NOT EXISTS (SELECT 1 FROM set_poll_acks a WHERE a.tenant_id = o.tenant_id AND a.sequence = o.sequence)`,
    )
      .pluck()
      .get(tenantId, through) as number | null;
    const lastAcked = this.#s('SELECT max(sequence) FROM set_poll_acks WHERE tenant_id = ?').pluck().get(tenantId) as number | null;
    const next = firstUnacked === null ? (lastAcked ?? through) : firstUnacked - 1;
    if (next <= through) return;
    this.#s(
      `INSERT INTO set_poll_cursors (tenant_id, acked_through) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET acked_through = max(acked_through, excluded.acked_through)`,
    ).run(tenantId, next);
    this.#s('DELETE FROM set_poll_acks WHERE tenant_id = ? AND sequence <= ?').run(tenantId, next);
  }

  #translate(error: unknown, resourceType: ResourceTypeName, id: string, doc: Readonly<Record<string, unknown>>): unknown {
    if (!isUniqueViolation(error)) return error;
    return resourceConflict(error.message.includes('resources.name_key'), resourceType, id, doc);
  }

  #writeValues(tenantId: string, rowKey: number, resourceType: ResourceTypeName, doc: Readonly<Record<string, unknown>>, replace: boolean) {
    if (replace) this.#s('DELETE FROM resource_values WHERE resource_row = ?').run(rowKey);
    const insert = this.#s('INSERT INTO resource_values (resource_row, attr, idx, tenant_id, value, type) VALUES (?, ?, ?, ?, ?, ?)');
    for (const v of valueRows(resourceType, doc)) insert.run(rowKey, v.attr, v.idx, tenantId, v.value, v.type);
  }

  #requireGroup(resourceType: ResourceTypeName) {
    if (resourceType !== 'Group') throw invalidValue(`a ${resourceType} has no members`);
  }

  #applyMemberOp(tenantId: string, groupRow: number, op: MemberOp, delta: DeltaTracker) {
    switch (op.kind) {
      case 'add':
        return this.#addMembers(tenantId, groupRow, op.members, delta);
      case 'remove': {
        const remove = this.#s(
          `DELETE FROM memberships WHERE tenant_id = ? AND group_row = ? AND member_row = (SELECT row_key FROM resources WHERE tenant_id = ? AND id = ?)
           RETURNING member_type`,
        ).pluck();
        for (const value of op.values) {
          const type = remove.get(tenantId, groupRow, tenantId, value) as ResourceTypeName | undefined;
          if (type !== undefined) delta.remove(value, type);
        }
        return;
      }
      case 'removeAll': {
        const removed = this.#s(
          `SELECT o.id, m.member_type FROM memberships m JOIN resources o ON o.row_key = m.member_row WHERE m.tenant_id = ? AND m.group_row = ? ORDER BY m.seq`,
        ).all(tenantId, groupRow) as { id: string; member_type: ResourceTypeName }[];
        this.#s('DELETE FROM memberships WHERE tenant_id = ? AND group_row = ?').run(tenantId, groupRow);
        for (const m of removed) delta.remove(m.id, m.member_type);
        return;
      }
      default:
        return op satisfies never;
    }
  }

  /**
   * A group member is checked against the graph as it stands inside this transaction, earlier
   * members of the same write included: BEGIN IMMEDIATE makes this the only writer of the file,
   * so no concurrent write can slip a conflicting edge in between check and insert.
   */
  #addMembers(tenantId: string, groupRow: number, members: readonly MemberInput[], delta: DeltaTracker) {
    const lookup = this.#s('SELECT row_key, resource_type FROM resources WHERE tenant_id = ? AND id = ?');
    const insert = this.#s('INSERT OR IGNORE INTO memberships (tenant_id, group_row, member_row, member_type) VALUES (?, ?, ?, ?)');
    let groupId: string | undefined;
    for (const member of members) {
      const target = lookup.get(tenantId, member.value) as { row_key: number; resource_type: ResourceTypeName } | undefined;
      if (!target) throw invalidValue(`member ${JSON.stringify(member.value)} does not exist`);
      refuseWrongMemberType(member, target.resource_type);
      if (target.resource_type === 'Group') {
        groupId ??= this.#s('SELECT id FROM resources WHERE row_key = ?').pluck().get(groupRow) as string;
        const check = nestingCheck(tenantId, groupRow, target.row_key);
        refuseBadNesting(this.#s(check.sql).get(...this.#params(check)) as NestingCheckRow | undefined, groupId, member.value);
      }
      if (insert.run(tenantId, groupRow, target.row_key, target.resource_type).changes > 0) delta.add(member.value, target.resource_type);
    }
  }
}
