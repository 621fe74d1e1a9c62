import { createHash } from 'node:crypto';
import { expiredCursor, invalidCursor } from '../errors/scim-error.ts';
import type { CursorKey } from '../store/ports/resources.ts';

/**
 * RFC 9865 cursors: an opaque base64url token (unreserved characters only) holding the keyset
 * position, the direction, when it was issued, and a fingerprint of the query it belongs to, so
 * that a cursor used with another filter or sort order is invalidCursor rather than a wrong page.
 */
interface CursorPayload {
  readonly v: 1;
  /** 'a': rows after the key; 'b': rows before it (previousCursor). */
  readonly d: 'a' | 'b';
  readonly s: CursorKey['sortValue'];
  readonly r: number;
  /** Issued at, epoch seconds. */
  readonly t: number;
  /** Fingerprint of the query. */
  readonly q: string;
  /** totalResults counted on the first page, carried along so later pages need not count again. */
  readonly n: number;
}

export interface DecodedCursor {
  readonly direction: 'after' | 'before';
  readonly key: CursorKey;
  readonly totalResults: number;
}

export function queryFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function checksum(body: string): string {
  return createHash('sha256').update(`scimd-cursor:${body}`).digest('base64url').slice(0, 8);
}

export function encodeCursor(direction: 'after' | 'before', key: CursorKey, totalResults: number, fingerprint: string, now: Date): string {
  const payload: CursorPayload = {
    v: 1,
    d: direction === 'after' ? 'a' : 'b',
    s: key.sortValue,
    r: key.rowKey,
    t: Math.floor(now.getTime() / 1000),
    q: fingerprint,
    n: totalResults,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${checksum(body)}`;
}

export function decodeCursor(cursor: string, fingerprint: string, now: Date, timeoutSeconds: number): DecodedCursor {
  const [body, sum, extra] = cursor.split('.');
  if (!body || !sum || extra !== undefined || checksum(body) !== sum) {
    throw invalidCursor('the cursor is not one this server issued');
  }
  let payload: CursorPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
  } catch {
    throw invalidCursor('the cursor is not one this server issued');
  }
  const sortOk = payload.s === null || ['string', 'number', 'boolean'].includes(typeof payload.s);
  if (
    payload.v !== 1 ||
    !sortOk ||
    !Number.isSafeInteger(payload.r) ||
    !Number.isSafeInteger(payload.n) ||
    (payload.d !== 'a' && payload.d !== 'b')
  ) {
    throw invalidCursor('the cursor is not one this server issued');
  }
  if (payload.q !== fingerprint) {
    throw invalidCursor('the cursor belongs to a query with another filter, sort order or resource type');
  }
  if (payload.t + timeoutSeconds < Math.floor(now.getTime() / 1000)) {
    throw expiredCursor(`the cursor expired (cursors are valid for ${timeoutSeconds} seconds)`);
  }
  return {
    direction: payload.d === 'a' ? 'after' : 'before',
    key: { sortValue: payload.s, rowKey: payload.r },
    totalResults: payload.n,
  };
}
