import type { RequestLogEntry, RequestLogQuery, RequestLogRecord, RequestLogStore } from '../ports/request-log.ts';
import { join, raw, type Sql, sql } from './fragment.ts';
import { orUndefined } from './rows.ts';
import type { RunSql } from './run.ts';

/** The request log's table (migration 14), the same SQL on both databases. */

const COLUMNS = `seq, tenant_id, time, method, path, query, status, scim_type, latency_ms, request_id, token_id, client,
  user_agent, resource_id, request_body, request_bytes, response_body, response_bytes, cut`;

/**
 * Rows per INSERT, largest first: a batch of any size is written with few statements, and the
 * statement caches hold only these few texts. 64 rows stay far below either driver's parameter limit.
 */
const INSERT_SIZES = [64, 16, 4, 1];
const REQUEST_CUT = 1;
const RESPONSE_CUT = 2;
/** What a row costs besides its bodies, roughly: the size cap counts it so that empty bodies still add up. */
const ROW_OVERHEAD = 200;

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
  };
}

function values(e: RequestLogEntry): Sql {
  const stored = ROW_OVERHEAD + e.path.length + e.query.length + (e.requestBody?.length ?? 0) + (e.responseBody?.length ?? 0);
  const cut = (e.requestCut ? REQUEST_CUT : 0) | (e.responseCut ? RESPONSE_CUT : 0);
  return sql`(${e.tenantId}, ${e.time}, ${Date.parse(e.time)}, ${e.method}, ${e.path}, ${e.query}, ${e.status}, ${e.scimType ?? null},
    ${e.latencyMs}, ${e.requestId}, ${e.tokenId ?? null}, ${e.client}, ${e.userAgent ?? null}, ${e.resourceId ?? null},
    ${e.requestBody ?? null}, ${e.requestBytes}, ${e.responseBody ?? null}, ${e.responseBytes}, ${cut}, ${stored})`;
}

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
  if (query.resourceId !== undefined) conditions.push(sql`resource_id = ${query.resourceId}`);
  if (query.sinceMs !== undefined) conditions.push(sql`time_ms >= ${query.sinceMs}`);
  if (query.untilMs !== undefined) conditions.push(sql`time_ms < ${query.untilMs}`);
  if (query.beforeSeq !== undefined) conditions.push(sql`seq < ${query.beforeSeq}`);
  return join(conditions, ' AND ');
}

/** The RequestLogStore both stores share: the same SQL, run by each store's own driver. */
export function requestLogQueries(run: RunSql): RequestLogStore {
  return {
    async appendRequests(entries) {
      let i = 0;
      while (i < entries.length) {
        const size = INSERT_SIZES.find((n) => n <= entries.length - i)!;
        const rows = entries.slice(i, i + size).map(values);
        i += size;
        await run(sql`INSERT INTO request_log (tenant_id, time, time_ms, method, path, query, status, scim_type, latency_ms, request_id,
            token_id, client, user_agent, resource_id, request_body, request_bytes, response_body, response_bytes, cut, stored_bytes)
          VALUES ${join(rows, ', ')}`);
      }
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
      const doomed =
        'beforeMs' in rule
          ? sql`SELECT seq FROM request_log WHERE time_ms < ${rule.beforeMs} ORDER BY time_ms LIMIT ${limit}`
          : sql`SELECT seq FROM (
                SELECT seq, sum(stored_bytes) OVER (ORDER BY seq DESC) AS newer_bytes FROM request_log WHERE tenant_id = ${rule.tenantId}
              ) w WHERE newer_bytes > ${rule.maxBytes} ORDER BY seq LIMIT ${limit}`;
      return (await run(sql`DELETE FROM request_log WHERE seq IN (${doomed}) RETURNING seq`)).length;
    },
  };
}
