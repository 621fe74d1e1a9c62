import type { RequestLogConfig } from '../config/config.ts';
import { badRequest } from '../errors/scim-error.ts';
import type { RequestLogEntry, RequestLogRecord, RequestLogStore } from '../store/ports/request-log.ts';
import { instant } from './audit.ts';
import { bulkOperationsOf } from './request-log/bulk.ts';
import { guessClient } from './request-log/client.ts';
import { maskUnparsedBody, mayMentionSecret, redactBody, redactQuery, scrub, secretNamesOf } from './request-log/redact.ts';
import type { RegistrySource } from './schema-registries.ts';

export const REQUEST_LOG_DEFAULT_PAGE = 50;
export const REQUEST_LOG_MAX_PAGE = 500;
/** Entries waiting to be written beyond this are dropped (and counted): a stalled database must not eat the memory. */
const MAX_QUEUED = 20_000;
/** How long the first queued request waits for others before the batch is written. */
const BATCH_WAIT_MS = 20;
/** A /Bulk operation's path is kept to this many characters (a resource's is far shorter). */
const MAX_OPERATION_PATH = 300;
/** Rows one prune statement deletes; the pruner repeats, yielding between statements. */
const PRUNE_CHUNK = 2000;

/** A SCIM request as the HTTP layer hands it over, before anything is redacted. Never stored as such. */
export interface CapturedRequest {
  readonly tenantId: string;
  readonly time: string;
  readonly method: string;
  /** Below the SCIM base path, without the query. */
  readonly path: string;
  /** Without "?"; "" when none. */
  readonly query: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly requestId: string;
  readonly tokenId: string | undefined;
  readonly userAgent: string | undefined;
  readonly resourceId: string | undefined;
  /** The parsed JSON body, when it parsed. */
  readonly body: unknown;
  /** The body text when it did not parse (400 invalidSyntax). */
  readonly unparsedBody: string | undefined;
  /** The response text, when the response was one (not a stream). */
  readonly response: string | undefined;
  /** The bearer token the request carried: scrubbed from every stored field. */
  readonly bearer: string | undefined;
}

export interface RequestLogFilters {
  /** Comma-separated status classes ("4xx,5xx") or statuses' first digits; "error" means 4xx and 5xx. */
  readonly status?: string | undefined;
  readonly method?: string | undefined;
  /** A path prefix below the SCIM base path, e.g. /Users. */
  readonly path?: string | undefined;
  readonly resourceId?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

export interface RequestLogPage {
  readonly entries: readonly RequestLogRecord[];
  /** Absent on the last page. */
  readonly nextCursor: string | undefined;
}

function cut(text: string | undefined, max: number): { body: string | undefined; bytes: number; cut: boolean } {
  if (text === undefined) return { body: undefined, bytes: 0, cut: false };
  const bytes = Buffer.byteLength(text);
  if (bytes <= max) return { body: text, bytes, cut: false };
  // Cut on a byte boundary, then drop a character the cut split in two.
  const body = Buffer.from(text)
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { body, bytes, cut: true };
}

function statusClasses(status: string | undefined): number[] {
  if (status === undefined || status.trim() === '') return [];
  const classes = new Set<number>();
  for (const part of status.split(',')) {
    const p = part.trim().toLowerCase();
    if (p === 'error' || p === 'errors') {
      classes.add(4);
      classes.add(5);
    } else if (/^[1-5](xx)?$/.test(p)) classes.add(Number(p[0]));
    else throw badRequest(`status must be classes such as 2xx, 4xx, 5xx or "error", got "${part.trim()}"`);
  }
  return [...classes];
}

const SCIM_TYPE = /"scimType"\s*:\s*"([A-Za-z]{1,40})"/;

/** The operations of an answered POST /Bulk (RFC 7644 §3.7), read from its BulkResponse. */
const bulkOperations = (c: CapturedRequest) =>
  c.method === 'POST' && /^\/Bulk\/?$/.test(c.path) && c.status === 200 && c.response !== undefined
    ? bulkOperationsOf(c.body, c.response)
    : undefined;

/**
 * The request log of the SCIM API (docs/console.md). Like the audit log, recording is off the
 * request's path: `record` queues what the HTTP layer captured and returns; BATCH_WAIT_MS later
 * the queue is redacted (secrets out, before anything is written or logged), cut to the body cap
 * and written as one transaction of multi-row INSERTs, never inside a resource's transaction.
 */
export function createRequestLog(deps: {
  readonly store: RequestLogStore;
  readonly registries: RegistrySource;
  readonly config: RequestLogConfig;
  readonly clock?: () => Date;
  /** Where a batch the database refused is reported (counts only: the entries stay unlogged). */
  readonly onError?: (error: unknown, lost: number) => void;
}) {
  const { store, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  let queue: CapturedRequest[] = [];
  let draining: Promise<void> | undefined;
  let dropped = 0;
  let written = 0;
  let failed = 0;
  /** Tenants written since the last prune: only their size is checked. */
  const writtenTenants = new Set<string>();

  function redact(c: CapturedRequest, secrets: ReadonlySet<string>): RequestLogEntry {
    const found: string[] = c.bearer === undefined ? [] : [c.bearer];
    let request: string | undefined;
    if (c.body !== undefined) {
      request = JSON.stringify(c.body);
      if (mayMentionSecret(request, secrets)) request = JSON.stringify(redactBody(c.body, secrets, found));
    } else if (c.unparsedBody !== undefined) request = maskUnparsedBody(c.unparsedBody, found);
    const query = scrub(redactQuery(c.query, secrets, found), found);
    if (request !== undefined) request = scrub(request, found);
    const response = c.response === undefined ? undefined : scrub(c.response, found);
    const requestBody = cut(request, config.maxBodyBytes);
    const responseBody = cut(response, config.maxBodyBytes);
    const userAgent = c.userAgent === undefined ? undefined : scrub(c.userAgent.slice(0, 300), found);
    return {
      tenantId: c.tenantId,
      time: c.time,
      method: c.method,
      path: scrub(c.path, found),
      query,
      status: c.status,
      scimType: c.status >= 400 && response !== undefined ? SCIM_TYPE.exec(response)?.[1] : undefined,
      latencyMs: Math.round(c.latencyMs * 1000) / 1000,
      requestId: c.requestId,
      tokenId: c.tokenId,
      client: guessClient(userAgent, query, request),
      userAgent,
      resourceId: c.resourceId,
      requestBody: requestBody.body,
      requestBytes: requestBody.bytes,
      requestCut: requestBody.cut,
      responseBody: responseBody.body,
      responseBytes: responseBody.bytes,
      responseCut: responseBody.cut,
      operations: bulkOperations(c)?.map((o) => ({
        method: o.method?.slice(0, 20),
        path: o.path === undefined ? undefined : scrub(o.path.slice(0, MAX_OPERATION_PATH), found),
        status: o.status,
        resourceId: o.resourceId === undefined ? undefined : scrub(o.resourceId, found),
      })),
    };
  }

  async function drain(): Promise<void> {
    // Gather the requests of a few milliseconds: a row costs less in a larger INSERT and commit.
    await new Promise<void>((resolve) => setTimeout(resolve, BATCH_WAIT_MS));
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const secretsOf = new Map<string, ReadonlySet<string>>();
        for (const c of batch) {
          if (!secretsOf.has(c.tenantId)) secretsOf.set(c.tenantId, secretNamesOf(await deps.registries.forTenant(c.tenantId)));
        }
        const entries = batch.map((c) => redact(c, secretsOf.get(c.tenantId)!));
        await store.appendRequests(entries);
        written += entries.length;
        for (const e of entries) writtenTenants.add(e.tenantId);
      } catch (error) {
        failed += batch.length;
        deps.onError?.(error, batch.length);
      }
    }
    draining = undefined;
  }

  function record(captured: CapturedRequest): void {
    if (config.mode === 'off' || (config.mode === 'errors' && captured.status < 400)) return;
    if (queue.length >= MAX_QUEUED) {
      dropped++;
      return;
    }
    queue.push(captured);
    draining ??= drain();
  }

  async function flush(): Promise<void> {
    while (draining) await draining;
  }

  function query(tenantId: string, filters: RequestLogFilters) {
    const since = instant('since', filters.since);
    const until = instant('until', filters.until);
    const method = filters.method?.trim().toUpperCase();
    if (method !== undefined && !/^[A-Z]{1,10}$/.test(method)) throw badRequest(`method must be an HTTP method, got "${filters.method}"`);
    return {
      tenantId,
      statusClasses: statusClasses(filters.status),
      ...(method ? { method } : {}),
      ...(filters.path ? { pathPrefix: filters.path } : {}),
      ...(filters.resourceId ? { resourceId: filters.resourceId } : {}),
      ...(since !== undefined ? { sinceMs: Date.parse(since) } : {}),
      ...(until !== undefined ? { untilMs: Date.parse(until) } : {}),
    };
  }

  function cursorOf(cursor: string | undefined): number | undefined {
    if (cursor === undefined || cursor === '') return undefined;
    if (!/^[1-9]\d{0,15}$/.test(cursor)) throw badRequest('cursor is not one this server returned');
    return Number(cursor);
  }

  /** Newest first; follow nextCursor. A listing in this process first writes what is queued. */
  async function page(tenantId: string, filters: RequestLogFilters, count = REQUEST_LOG_DEFAULT_PAGE, cursor?: string) {
    if (!Number.isInteger(count) || count < 1 || count > REQUEST_LOG_MAX_PAGE) {
      throw badRequest(`count must be 1 to ${REQUEST_LOG_MAX_PAGE}`);
    }
    const q = query(tenantId, filters);
    const beforeSeq = cursorOf(cursor);
    await flush();
    const rows = await store.listRequests({ ...q, limit: count + 1, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    const entries = rows.slice(0, count);
    return { entries, nextCursor: rows.length > count ? String(entries[entries.length - 1]!.seq) : undefined };
  }

  /** Every entry the filters match, newest first, read a page at a time (the NDJSON export). */
  async function* all(tenantId: string, filters: RequestLogFilters): AsyncGenerator<RequestLogRecord> {
    const q = query(tenantId, filters);
    await flush();
    let beforeSeq: number | undefined;
    for (;;) {
      const rows = await store.listRequests({ ...q, limit: REQUEST_LOG_MAX_PAGE, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
      yield* rows;
      if (rows.length < REQUEST_LOG_MAX_PAGE) return;
      beforeSeq = rows[rows.length - 1]!.seq;
    }
  }

  async function find(tenantId: string, id: string): Promise<RequestLogRecord | undefined> {
    if (!/^[1-9]\d{0,15}$/.test(id)) return undefined;
    await flush();
    return store.findRequest(tenantId, Number(id));
  }

  /** Deletes entries past the retention, then each recently written tenant's oldest beyond its byte cap. */
  async function prune(): Promise<number> {
    let deleted = 0;
    const repeat = async (rule: Parameters<RequestLogStore['pruneRequests']>[0]) => {
      for (;;) {
        const n = await store.pruneRequests(rule, PRUNE_CHUNK);
        deleted += n;
        if (n < PRUNE_CHUNK) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    await repeat({ beforeMs: clock().getTime() - config.retentionSeconds * 1000 });
    const tenants = [...writtenTenants];
    writtenTenants.clear();
    for (const tenantId of tenants) await repeat({ tenantId, maxBytes: config.maxTenantBytes });
    return deleted;
  }

  return {
    record,
    flush,
    page,
    all,
    find,
    prune,
    /** Since start: entries written, and requests not recorded because the queue was full (the database kept up
     * with nothing) or because the database refused their batch. With the queue's length, what /metrics shows. */
    counts: () => ({ queued: queue.length, written, dropped, failed }),
  };
}

export type RequestLog = ReturnType<typeof createRequestLog>;
