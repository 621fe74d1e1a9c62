/** The request log of the SCIM API (docs/console.md). */

/** One operation of a /Bulk request, as its request log entry lists it. */
export interface BulkOperationLog {
  readonly method: string | undefined;
  /** As sent when the operation carried a bulkId, else the path of the resource it named (redacted like every other field). */
  readonly path: string | undefined;
  readonly status: number;
  /** The resource it created or named, when known: the log's resource id filter finds the request by it. */
  readonly resourceId: string | undefined;
}

/** One SCIM request as the request log stores it: already redacted and cut by the service. */
export interface RequestLogEntry {
  readonly tenantId: string;
  /** ISO 8601 UTC: when the request arrived. */
  readonly time: string;
  readonly method: string;
  /** Below the SCIM base path, e.g. /Users/2819c223…; no query. */
  readonly path: string;
  /** The query string without "?", secrets redacted; "" when none. */
  readonly query: string;
  readonly status: number;
  readonly scimType: string | undefined;
  readonly latencyMs: number;
  readonly requestId: string;
  /** The static token (tok_…) or the JWT subject (jwt:…) that made it. */
  readonly tokenId: string | undefined;
  /** entra, okta or other: guessed from the User-Agent and the shape of the request. */
  readonly client: string;
  readonly userAgent: string | undefined;
  readonly resourceId: string | undefined;
  readonly requestBody: string | undefined;
  /** Size in bytes of the whole (redacted) body; more than the stored text when it was cut. */
  readonly requestBytes: number;
  readonly requestCut: boolean;
  readonly responseBody: string | undefined;
  readonly responseBytes: number;
  readonly responseCut: boolean;
  /** A /Bulk request's operations, in the order of its BulkResponse; undefined for any other request. */
  readonly operations: readonly BulkOperationLog[] | undefined;
}

export interface RequestLogRecord extends RequestLogEntry {
  /** Increasing in insertion order: the entry's id and the paging key. */
  readonly seq: number;
}

export interface RequestLogQuery {
  readonly tenantId: string;
  /** Status classes such as 4 (4xx) and 5 (5xx); any when empty or absent. */
  readonly statusClasses?: readonly number[];
  readonly method?: string;
  /** Entries whose path starts with this (below the SCIM base path). */
  readonly pathPrefix?: string;
  /** Entries that named or created this resource, a /Bulk request's operations included. */
  readonly resourceId?: string;
  /** Inclusive lower and exclusive upper bound on the arrival time, epoch milliseconds. */
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** Only entries with seq below this (the next page of a newest-first walk). */
  readonly beforeSeq?: number;
  readonly limit: number;
}

export interface RequestLogStore {
  /** Appends entries outside any resource transaction (the request log batches them). */
  appendRequests(entries: readonly RequestLogEntry[]): Promise<void>;
  /** Newest first (seq descending), at most `limit`. */
  listRequests(query: RequestLogQuery): Promise<readonly RequestLogRecord[]>;
  findRequest(tenantId: string, seq: number): Promise<RequestLogRecord | undefined>;
  /**
   * Deletes, of the `limit` entries written first, those older than `beforeMs`, or at most `limit`
   * of `tenantId`'s oldest entries up to `throughSeq`; returns how many it deleted (callers repeat
   * while it is `limit`). Entries are written in about the order of their time (a slow request's
   * entry after those of faster ones that came later), so repeating deletes every old entry up to
   * the first that is not, give or take a request's time.
   */
  pruneRequests(
    rule: { readonly beforeMs: number } | { readonly tenantId: string; readonly throughSeq: number },
    limit: number,
  ): Promise<number>;
  /**
   * Of `tenantId`'s newest `count` entries between `afterSeq` and `beforeSeq` (either bound
   * absent: none on that side), newest first: their stored bytes, the seqs of the newest and the
   * oldest of them (undefined when there are none), the seq of the newest one at which their
   * running total exceeds `budget` (undefined when it does not), and the bytes of the entries
   * newer than that one (all of them when there is none). One statement over the tenant's index,
   * whatever the size of its log: the byte cap's pruning walks a tenant's log a page at a time
   * (service/request-log.ts).
   */
  measureRequests(tenantId: string, range: RequestLogRange, count: number, budget: number): Promise<RequestLogPage>;
}

/** Entries by seq: above `afterSeq` and below `beforeSeq`. */
export interface RequestLogRange {
  readonly afterSeq?: number | undefined;
  readonly beforeSeq?: number | undefined;
}

/** What measureRequests says of a page of a tenant's entries. */
export interface RequestLogPage {
  readonly bytes: number;
  readonly newestSeq: number | undefined;
  readonly oldestSeq: number | undefined;
  readonly beyondSeq: number | undefined;
  readonly keptBytes: number;
}
