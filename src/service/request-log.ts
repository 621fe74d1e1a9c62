import type { RequestLogConfig } from '../config/config.ts';
import { badRequest } from '../errors/scim-error.ts';
import type { RequestLogRecord, RequestLogStore } from '../store/ports/request-log.ts';
import { instant } from './audit.ts';
import { CaptureBuffer, type CapturedRequest, readCaptures } from './request-log/capture.ts';
import { toEntry } from './request-log/entries.ts';
import { secretNamesOf } from './request-log/redact.ts';
import type { RegistrySource } from './schema-registries.ts';

export const REQUEST_LOG_DEFAULT_PAGE = 50;
export const REQUEST_LOG_MAX_PAGE = 500;
/** Entries waiting to be written beyond this are dropped (and counted): a stalled database must not eat the memory. */
const MAX_QUEUED = 20_000;
/**
 * A batch is written once it holds BATCH_ROWS requests, or once its first request has waited
 * BATCH_WAIT_MS. What a batch costs is mostly per commit, not per row (docs/console.md, "What it
 * costs"): the last, partly filled pages of the table and its index written to the WAL again, the
 * WAL's header (and its sync) when it starts over, and the checkpoint that copies the pages back
 * with two syncs. 256 rows a commit instead of 20 ms worth (30 to 60 rows under load) more than
 * halves that; the wait bounds what a crash loses and how stale another instance's view is.
 */
const BATCH_ROWS = 256;
const BATCH_WAIT_MS = 200;
/** Rows one prune statement deletes; the pruner repeats, yielding between statements. */
const PRUNE_CHUNK = 2000;
/** Entries the byte cap's walk measures a statement, newest first; it yields between statements. */
const MEASURE_PAGE = 8192;
/** How long a tenant's log is measured only where it grew, before it is walked whole again. */
const WHOLE_WALK_MS = 10 * 60_000;

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

/** Lets the requests that came meanwhile in before the next statement. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The request log of the SCIM API (docs/console.md). Like the audit log, recording is off the
 * request's path: `record` copies what the HTTP layer captured into the batch (capture.ts) and
 * returns; BATCH_WAIT_MS later the batch is redacted (secrets out, before anything is written or
 * logged), cut to the body cap and written as one transaction of multi-row INSERTs, never inside
 * a resource's transaction.
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
  const capture = new CaptureBuffer();
  /** The tenants of the requests in `capture`. */
  let tenants = new Set<string>();
  /** Requests of the batch being written. */
  let writing = 0;
  let draining: Promise<void> | undefined;
  let dropped = 0;
  let written = 0;
  let failed = 0;
  /** Tenants written since the last prune: only their size is checked. */
  const writtenTenants = new Set<string>();
  /**
   * Per tenant, the stored bytes of its entries up to `throughSeq` when this log last measured
   * them. Entries are only ever deleted, so the figure can only be too high, never too low, and a
   * prune that finds it plus the newer entries within the cap needs no walk of the older ones.
   * What it cannot see, another instance's batch committed below `throughSeq` after the measure,
   * the whole walk every WHOLE_WALK_MS counts.
   */
  const measured = new Map<string, { throughSeq: number; bytes: number; wholeAtMs: number }>();

  /** Ends the wait for a fuller batch (record, once BATCH_ROWS are queued; flush). */
  let wake: (() => void) | undefined;
  /** Flushes under way: while any is, batches are written without waiting. */
  let flushing = 0;

  /** Until the batch is full, its first request has waited BATCH_WAIT_MS, or a flush asks for it. */
  function gathered(): Promise<void> | undefined {
    if (capture.count >= BATCH_ROWS || flushing > 0) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, BATCH_WAIT_MS);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  }

  async function drain(): Promise<void> {
    while (capture.count > 0) {
      // The requests answered while the previous batch was written start the next one: a batch
      // of their own only once it is full or has waited, not one commit for every turn of the loop.
      await gathered();
      const batchTenants = tenants;
      tenants = new Set();
      const { bytes, count } = capture.take();
      writing = count;
      try {
        const secretsOf = new Map<string, ReadonlySet<string>>();
        for (const tenantId of batchTenants) secretsOf.set(tenantId, secretNamesOf(await deps.registries.forTenant(tenantId)));
        const entries = [];
        for (const c of readCaptures(bytes)) entries.push(toEntry(c, secretsOf.get(c.tenantId)!, config.maxBodyBytes));
        await store.appendRequests(entries);
        written += count;
        for (const tenantId of batchTenants) writtenTenants.add(tenantId);
      } catch (error) {
        failed += count;
        deps.onError?.(error, count);
      }
      writing = 0;
    }
    draining = undefined;
  }

  function record(captured: CapturedRequest): void {
    if (config.mode === 'off' || (config.mode === 'errors' && captured.status < 400)) return;
    if (capture.count + writing >= MAX_QUEUED) {
      dropped++;
      return;
    }
    capture.append(captured);
    tenants.add(captured.tenantId);
    if (draining === undefined) draining = drain();
    else if (capture.count >= BATCH_ROWS) wake?.();
  }

  /** Writes everything queued now, without waiting for the batch to fill. */
  async function flush(): Promise<void> {
    flushing++;
    try {
      wake?.();
      while (draining) await draining;
    } finally {
      flushing--;
    }
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
        await turn();
      }
    };
    await repeat({ beforeMs: clock().getTime() - config.retentionSeconds * 1000 });
    const tenants = [...writtenTenants];
    writtenTenants.clear();
    for (const tenantId of tenants) {
      const throughSeq = await beyondCap(tenantId);
      if (throughSeq !== undefined) await repeat({ tenantId, throughSeq });
    }
    return deleted;
  }

  /**
   * The newest of the tenant's entries that its byte cap does not keep, found a page at a time
   * from the newest. It once was one statement per chunk deleted, each summing the tenant's whole
   * log: a tenant past its cap by 300,000 entries stalled the event loop in 0.3 s slices for as
   * long as the pruning took (a benchmark's PATCHes fell from 3,000 to 12 a second). Between whole
   * walks only the entries written since the last one are measured (`measured`): a walk of a
   * log of 200,000 entries every minute was 15-25 us of PostgreSQL's CPU a request.
   */
  async function beyondCap(tenantId: string): Promise<number | undefined> {
    const cap = config.maxTenantBytes;
    const known = measured.get(tenantId);
    if (known !== undefined && clock().getTime() - known.wholeAtMs < WHOLE_WALK_MS) {
      const fresh = await walk(tenantId, cap - known.bytes, known.throughSeq);
      if (fresh.beyondSeq === undefined) {
        measured.set(tenantId, { ...known, throughSeq: fresh.newestSeq ?? known.throughSeq, bytes: known.bytes + fresh.keptBytes });
        return undefined;
      }
    }
    const whole = await walk(tenantId, cap, undefined);
    if (whole.newestSeq === undefined) measured.delete(tenantId);
    else measured.set(tenantId, { throughSeq: whole.newestSeq, bytes: whole.keptBytes, wholeAtMs: clock().getTime() });
    return whole.beyondSeq;
  }

  /** The tenant's entries after `afterSeq`, newest first, a page a statement: what `budget` keeps and where it ends. */
  async function walk(tenantId: string, budget: number, afterSeq: number | undefined) {
    let left = budget;
    let beforeSeq: number | undefined;
    let newestSeq: number | undefined;
    for (;;) {
      const page = await store.measureRequests(tenantId, { afterSeq, beforeSeq }, MEASURE_PAGE, left);
      newestSeq ??= page.newestSeq;
      if (page.beyondSeq !== undefined || page.oldestSeq === undefined) {
        return { newestSeq, beyondSeq: page.beyondSeq, keptBytes: budget - left + page.keptBytes };
      }
      left -= page.bytes;
      beforeSeq = page.oldestSeq;
      await turn();
    }
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
    counts: () => ({ queued: capture.count + writing, written, dropped, failed }),
  };
}

export type RequestLog = ReturnType<typeof createRequestLog>;
