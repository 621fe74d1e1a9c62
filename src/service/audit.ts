import { badRequest } from '../errors/scim-error.ts';
import type { AdminStore, AuditEntry, AuditRecord } from '../store/ports/admin.ts';

export const AUDIT_DEFAULT_PAGE = 100;
export const AUDIT_MAX_PAGE = 1000;
/** Entries written per INSERT; a burst beyond it takes several statements. */
const BATCH = 500;

export interface AuditPageRequest {
  readonly tenant?: string | undefined;
  /** ISO 8601; entries at or after it. */
  readonly since?: string | undefined;
  /** ISO 8601; entries before it. */
  readonly until?: string | undefined;
  readonly count?: number | undefined;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

export interface AuditPage {
  readonly entries: readonly AuditRecord[];
  /** Absent on the last page. */
  readonly nextCursor: string | undefined;
}

export interface AuditLogOptions {
  /** Where a batch the database refused goes (with its entries: ids only, no secrets), so it is not lost silently. */
  readonly onError?: (error: unknown, entries: readonly AuditEntry[]) => void;
}

/** An ISO 8601 query parameter, normalised; 400 when it is not one. */
export function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badRequest(`${name} must be an ISO 8601 date or time such as 2024-05-01T00:00:00Z, got "${value}"`);
  }
  return new Date(Date.parse(value)).toISOString();
}

/**
 * The audit log of writes. Recording is off the request's path: `record` queues the entry and
 * returns; the queue is written on the next turn of the event loop as one multi-row INSERT, so a
 * burst of writes costs one statement per turn, not one per write. Reading (`page`) first writes
 * what is queued, so that a listing in this process shows every write already answered.
 * `flush` on shutdown writes the rest; a crash loses at most the entries of the current turn.
 */
export function createAuditLog(store: AdminStore, options: AuditLogOptions = {}) {
  const queue: AuditEntry[] = [];
  let draining: Promise<void> | undefined;

  async function drain(): Promise<void> {
    // Let the responses of this turn queue their entries before writing.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH);
      try {
        await store.appendAudit(batch);
      } catch (error) {
        options.onError?.(error, batch);
      }
    }
    draining = undefined;
  }

  function record(entry: AuditEntry): void {
    queue.push(entry);
    draining ??= drain();
  }

  async function flush(): Promise<void> {
    while (draining) await draining;
  }

  async function page(request: AuditPageRequest): Promise<AuditPage> {
    const count = request.count ?? AUDIT_DEFAULT_PAGE;
    if (!Number.isInteger(count) || count < 1 || count > AUDIT_MAX_PAGE) throw badRequest(`count must be 1 to ${AUDIT_MAX_PAGE}`);
    if (request.cursor !== undefined && !/^[1-9]\d{0,15}$/.test(request.cursor)) throw badRequest('cursor is not one this server returned');
    const since = instant('since', request.since);
    const until = instant('until', request.until);
    await flush();
    const rows = await store.listAudit({
      limit: count + 1,
      ...(request.tenant !== undefined ? { tenantName: request.tenant } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(request.cursor !== undefined ? { beforeSeq: Number(request.cursor) } : {}),
    });
    const entries = rows.slice(0, count);
    return { entries, nextCursor: rows.length > count ? String(entries[entries.length - 1]!.seq) : undefined };
  }

  return { record, flush, page };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
