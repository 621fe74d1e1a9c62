import type { RequestLogEntry, RequestLogQuery, RequestLogRecord, RequestLogStore } from '../ports/request-log.ts';
import { bind, columnTyped, join, raw, type Sql, sql } from './fragment.ts';
import { orUndefined } from './rows.ts';
import type { SqlRunner } from './run.ts';
import type { WriteDialect } from './writes.ts';

/**
 * The request log's table (migration 14; a /Bulk request's operations, migration 51), the same
 * SQL on both databases.
 */

const COLUMNS = `seq, tenant_id, time, method, path, query, status, scim_type, latency_ms, request_id, token_id, client,
  user_agent, resource_id, request_body, request_bytes, response_body, response_bytes, cut, operations`;

/**
 * Rows per INSERT, largest first: a batch of any size is written with few statements, and the
 * statement caches hold only these few texts. 64 rows stay far below either driver's parameter limit.
 */
const INSERT_SIZES = [64, 16, 4, 1];
const REQUEST_CUT = 1;
const RESPONSE_CUT = 2;
/** What a row costs besides its bodies, roughly: the size cap counts it so that empty bodies still add up. */
const ROW_OVERHEAD = 200;

/** A sum or a seq as either driver returns it (PostgreSQL's bigint and numeric as text). */
type Count = number | string | null | undefined;

interface RequestRow {
  readonly seq: number | string;
  readonly tenant_id: string;
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly scim_type: string | null;
  readonly latency_ms: number;
  readonly request_id: string;
  readonly token_id: string | null;
  readonly client: string;
  readonly user_agent: string | null;
  readonly resource_id: string | null;
  readonly request_body: string | null;
  readonly request_bytes: number;
  readonly response_body: string | null;
  readonly response_bytes: number;
  readonly cut: number;
  readonly operations: string | null;
}

function toRecord(row: RequestRow): RequestLogRecord {
  return {
    seq: Number(row.seq),
    tenantId: row.tenant_id,
    time: row.time,
    method: row.method,
    path: row.path,
    query: row.query,
    status: row.status,
    scimType: orUndefined(row.scim_type),
    latencyMs: Number(row.latency_ms),
    requestId: row.request_id,
    tokenId: orUndefined(row.token_id),
    client: row.client,
    userAgent: orUndefined(row.user_agent),
    resourceId: orUndefined(row.resource_id),
    requestBody: orUndefined(row.request_body),
    requestBytes: Number(row.request_bytes),
    requestCut: (row.cut & REQUEST_CUT) !== 0,
    responseBody: orUndefined(row.response_body),
    responseBytes: Number(row.response_bytes),
    responseCut: (row.cut & RESPONSE_CUT) !== 0,
    operations: row.operations === null ? undefined : JSON.parse(row.operations),
  };
}

/** The values of a row, in the order of INSERT_COLUMNS. */
function rowValues(e: RequestLogEntry): unknown[] {
  const operations = e.operations === undefined ? null : JSON.stringify(e.operations);
  const stored =
    ROW_OVERHEAD +
    e.path.length +
    e.query.length +
    (e.requestBody?.length ?? 0) +
    (e.responseBody?.length ?? 0) +
    (operations?.length ?? 0);
  const cut = (e.requestCut ? REQUEST_CUT : 0) | (e.responseCut ? RESPONSE_CUT : 0);
  return [
    e.tenantId,
    e.time,
    Date.parse(e.time),
    e.method,
    e.path,
    e.query,
    e.status,
    e.scimType ?? null,
    e.latencyMs,
    e.requestId,
    e.tokenId ?? null,
    e.client,
    e.userAgent ?? null,
    e.resourceId ?? null,
    e.requestBody ?? null,
    e.requestBytes,
    e.responseBody ?? null,
    e.responseBytes,
    cut,
    stored,
    operations,
  ];
}

const INSERT_COLUMNS = `tenant_id, time, time_ms, method, path, query, status, scim_type, latency_ms, request_id, token_id, client,
  user_agent, resource_id, request_body, request_bytes, response_body, response_bytes, cut, stored_bytes, operations`;
const ROW_PARAMS = 21;

/**
 * The INSERT of n rows, built once per size: a batch only binds its values (fragment.ts bind).
 * Typed by its columns, so that on PostgreSQL each size is one statement whichever of a batch's
 * values are null (a scimType, a body, a User-Agent), not a statement parsed and planned anew for
 * nearly every batch of mixed requests.
 */
const INSERT_SHAPES = new Map(
  INSERT_SIZES.map((n) => {
    const row = sql`(${join(
      Array.from({ length: ROW_PARAMS }, () => sql`${null}`),
      ', ',
    )})`;
    return [n, columnTyped(sql`INSERT INTO request_log (${raw(INSERT_COLUMNS)}) VALUES ${join(Array(n).fill(row), ', ')}`)] as const;
  }),
);

function where(query: RequestLogQuery): Sql {
  const conditions: Sql[] = [sql`tenant_id = ${query.tenantId}`];
  if (query.statusClasses && query.statusClasses.length > 0) {
    conditions.push(
      sql`(${join(
        query.statusClasses.map((c) => sql`(status >= ${c * 100} AND status < ${c * 100 + 100})`),
        ' OR ',
      )})`,
    );
  }
  if (query.method !== undefined) conditions.push(sql`method = ${query.method}`);
  // substr, not LIKE: no character of the prefix is a wildcard, on either database.
  if (query.pathPrefix !== undefined) conditions.push(sql`substr(path, 1, ${query.pathPrefix.length}) = ${query.pathPrefix}`);
  if (query.resourceId !== undefined) {
    // The entries that name it, from the two indexes that list them (migrations 111 and 51), rather
    // than every entry of the tenant read to compare its resource_id: one seek of the resource
    // index for each generation of the tenant's entries (seq / 1024, as the index spells it). CROSS
    // JOIN has SQLite's planner walk the generations, not all the tenant's part of the index.
    const t = query.tenantId;
    conditions.push(sql`seq IN (
      WITH RECURSIVE generations(g) AS (
        SELECT min(seq) / 1024 FROM request_log WHERE tenant_id = ${t}
        UNION ALL SELECT g + 1 FROM generations WHERE g < (SELECT max(seq) / 1024 FROM request_log WHERE tenant_id = ${t})
      )
      SELECT r.seq FROM generations CROSS JOIN request_log r WHERE r.tenant_id = ${t} AND r.seq / 1024 = g AND r.resource_id = ${query.resourceId}
      UNION ALL SELECT seq FROM request_log_resources WHERE tenant_id = ${t} AND resource_id = ${query.resourceId})`);
  }
  if (query.sinceMs !== undefined) conditions.push(sql`time_ms >= ${query.sinceMs}`);
  if (query.untilMs !== undefined) conditions.push(sql`time_ms < ${query.untilMs}`);
  if (query.beforeSeq !== undefined) conditions.push(sql`seq < ${query.beforeSeq}`);
  return join(conditions, ' AND ');
}

/** The resources a /Bulk entry's operations touched, each once. */
const touched = (e: RequestLogEntry) => [...new Set(e.operations?.map((o) => o.resourceId).filter((id) => id !== undefined))];

/** Rows in multi-row INSERTs of the sizes of INSERT_SIZES. */
function inserts(entries: readonly RequestLogEntry[], into: Sql[]): void {
  let i = 0;
  while (i < entries.length) {
    const size = INSERT_SIZES.find((n) => n <= entries.length - i)!;
    const values: unknown[] = [];
    for (const entry of entries.slice(i, i + size)) values.push(...rowValues(entry));
    i += size;
    into.push(bind(INSERT_SHAPES.get(size)!, values));
  }
}

/** The RequestLogStore both stores share: the same SQL, run by each store's own driver. */
export function requestLogQueries(db: SqlRunner, d: Pick<WriteDialect, 'lastInsertedKey'>): RequestLogStore {
  const run = db.run;
  return {
    /**
     * A batch is one transaction (one commit, each page written to the WAL once), in order: a
     * /Bulk entry that touched resources is a row of its own, followed by its
     * request_log_resources rows, which refer to it by the key it was given.
     */
    async appendRequests(entries) {
      const statements: Sql[] = [];
      let from = 0;
      entries.forEach((entry, i) => {
        const ids = touched(entry);
        if (ids.length === 0) return;
        inserts(entries.slice(from, i), statements);
        // A statement of its own, so that the last key inserted is certainly its row's.
        inserts([entry], statements);
        from = i + 1;
        const rows = ids.map((id) => sql`(${d.lastInsertedKey}, ${entry.tenantId}, ${id})`);
        statements.push(sql`INSERT INTO request_log_resources (seq, tenant_id, resource_id) VALUES ${join(rows, ', ')}`);
      });
      inserts(entries.slice(from), statements);
      await db.transact(function* () {
        for (const statement of statements) yield statement;
      });
    },
    async listRequests(query) {
      const rows = await run<RequestRow>(
        sql`SELECT ${raw(COLUMNS)} FROM request_log WHERE ${where(query)} ORDER BY seq DESC LIMIT ${query.limit}`,
      );
      return rows.map(toRecord);
    },
    async findRequest(tenantId, seq) {
      const [row] = await run<RequestRow>(sql`SELECT ${raw(COLUMNS)} FROM request_log WHERE tenant_id = ${tenantId} AND seq = ${seq}`);
      return row && toRecord(row);
    },
    async pruneRequests(rule, limit) {
      // By age: the oldest entries by seq, without an index on time_ms (migration 70); seq grows
      // with time_ms but for the few entries of slower requests written after faster ones.
      const doomed =
        'beforeMs' in rule
          ? sql`SELECT seq FROM (SELECT seq, time_ms FROM request_log ORDER BY seq LIMIT ${limit}) oldest WHERE time_ms < ${rule.beforeMs}`
          : sql`SELECT seq FROM request_log WHERE tenant_id = ${rule.tenantId} AND seq <= ${rule.throughSeq} ORDER BY seq LIMIT ${limit}`;
      return (await run(sql`DELETE FROM request_log WHERE seq IN (${doomed}) RETURNING seq`)).length;
    },
    async measureRequests(tenantId, range, count, budget) {
      const before = range.beforeSeq === undefined ? raw('') : sql` AND seq < ${range.beforeSeq}`;
      const after = range.afterSeq === undefined ? raw('') : sql` AND seq > ${range.afterSeq}`;
      const [row] = await run<{ bytes: Count; newest: Count; oldest: Count; beyond: Count; kept: Count }>(
        sql`SELECT sum(stored_bytes) AS bytes, max(seq) AS newest, min(seq) AS oldest,
              max(CASE WHEN newer > ${budget} THEN seq END) AS beyond, max(CASE WHEN newer <= ${budget} THEN newer END) AS kept
            FROM (SELECT seq, stored_bytes, sum(stored_bytes) OVER (ORDER BY seq DESC) AS newer
                  FROM (SELECT seq, stored_bytes FROM request_log WHERE tenant_id = ${tenantId}${before}${after}
                        ORDER BY seq DESC LIMIT ${count}) page) w`,
      );
      const seqOf = (value: Count) => (value === null || value === undefined ? undefined : Number(value));
      return {
        bytes: Number(row?.bytes ?? 0),
        newestSeq: seqOf(row?.newest),
        oldestSeq: seqOf(row?.oldest),
        beyondSeq: seqOf(row?.beyond),
        keptBytes: Number(row?.kept ?? 0),
      };
    },
  };
}
