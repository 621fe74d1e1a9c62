import type { RequestLogStore } from '../../store/ports/request-log.ts';
import { readCaptures } from './capture.ts';
import { toEntry } from './entries.ts';

/** What the request log writes at once: the requests CaptureBuffer gathered, and what redacting them needs. */
export interface Batch {
  readonly bytes: Uint8Array;
  /** The secret attribute names (redact.ts secretNamesOf) of each tenant in the batch. */
  readonly secrets: Readonly<Record<string, readonly string[]>>;
  readonly maxBodyBytes: number;
}

/** Redacts, cuts and appends a batch: on the request log's thread, or on the event loop when it has none. */
export async function writeBatch(store: Pick<RequestLogStore, 'appendRequests'>, batch: Batch): Promise<void> {
  const secrets = new Map(Object.entries(batch.secrets).map(([tenantId, names]) => [tenantId, new Set(names)]));
  const entries = [];
  for (const c of readCaptures(batch.bytes)) {
    const names = secrets.get(c.tenantId);
    // Never written unredacted: a batch without its tenant's names fails whole.
    if (names === undefined) throw new Error(`no secret names for tenant ${c.tenantId} in the batch`);
    entries.push(toEntry(c, names, batch.maxBodyBytes));
  }
  await store.appendRequests(entries);
}
