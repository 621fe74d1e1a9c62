import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor.ts';

/** RFC 9865 §2: a cursor is an opaque string of URL-safe characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const NOW = new Date('2026-03-01T10:00:00.000Z');
const FINGERPRINT = queryFingerprint(['User', 'userName sw "a"', undefined, false]);
const NOT_ISSUED = 'the cursor is not one this server issued';

function refused(scimType: string, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType, error.detail], [400, scimType, detail]);
    return true;
  };
}

/**
 * A cursor forged by someone who knows the format (base64url JSON, a dot, 8 characters of a
 * SHA-256 over a fixed prefix and the body): to reach the checks behind the checksum.
 */
function forge(payload: unknown): string {
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHash('sha256').update(`scimd-cursor:${body}`).digest('base64url').slice(0, 8)}`;
}
const VALID = { v: 1, d: 'a', s: 'bob', r: 7, t: Math.floor(NOW.getTime() / 1000), q: FINGERPRINT, n: 12 };

describe('RFC 9865 cursors (docs/filtering.md, Paging): opaque, bound to their query, expiring', () => {
  it('a cursor carries the keyset position, the direction and the total counted on the first page', () => {
    for (const sortValue of ['bob', 42, true, null]) {
      const cursor = encodeCursor('after', { sortValue, rowKey: 7 }, 12, FINGERPRINT, NOW);
      assert.match(cursor, UNRESERVED);
      assert.deepEqual(decodeCursor(cursor, FINGERPRINT, NOW, 60), {
        direction: 'after',
        key: { sortValue, rowKey: 7 },
        totalResults: 12,
      });
    }
    const before = encodeCursor('before', { sortValue: 'x', rowKey: 0 }, 0, FINGERPRINT, NOW);
    assert.deepEqual(decodeCursor(before, FINGERPRINT, NOW, 60), {
      direction: 'before',
      key: { sortValue: 'x', rowKey: 0 },
      totalResults: 0,
    });
    assert.deepEqual(
      decodeCursor(forge(VALID), FINGERPRINT, NOW, 60).key,
      { sortValue: 'bob', rowKey: 7 },
      'the forger got the format right',
    );
  });

  it('valid for the timeout in whole seconds from its issue, expiredCursor after', () => {
    const cursor = encodeCursor('after', { sortValue: 1, rowKey: 1 }, 1, FINGERPRINT, new Date(NOW.getTime() + 999));
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    assert.equal(decodeCursor(cursor, FINGERPRINT, at(60_999), 60).totalResults, 1);
    assert.throws(
      () => decodeCursor(cursor, FINGERPRINT, at(61_000), 60),
      refused('expiredCursor', 'the cursor expired (cursors are valid for 60 seconds)'),
    );
    assert.throws(
      () => decodeCursor(cursor, FINGERPRINT, at(2_000), 1),
      refused('expiredCursor', 'the cursor expired (cursors are valid for 1 seconds)'),
    );
  });

  it('a cursor of another query (resource type, filter, sort order) is invalidCursor', () => {
    const other = queryFingerprint(['User', 'userName sw "b"', undefined, false]);
    assert.notEqual(other, FINGERPRINT);
    assert.match(FINGERPRINT, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(queryFingerprint(['User', 'userName sw "a"', undefined, false]), FINGERPRINT, 'the same query, the same fingerprint');
    const cursor = encodeCursor('after', { sortValue: 1, rowKey: 1 }, 1, FINGERPRINT, NOW);
    assert.throws(
      () => decodeCursor(cursor, other, NOW, 60),
      refused('invalidCursor', 'the cursor belongs to a query with another filter, sort order or resource type'),
    );
  });

  it('anything this server did not issue is invalidCursor: a bad checksum, a payload of the wrong shape', () => {
    const cursor = encodeCursor('after', { sortValue: 1, rowKey: 1 }, 1, FINGERPRINT, NOW);
    const [body, sum] = cursor.split('.') as [string, string];
    const forged = [
      '',
      'abc',
      `${cursor}.x`,
      `.${sum}`,
      `${body}.`,
      `${body}.${sum.slice(0, 7)}${sum.endsWith('A') ? 'B' : 'A'}`,
      forge('not json'),
      forge({ ...VALID, v: 2 }),
      forge({ ...VALID, d: 'c' }),
      forge({ ...VALID, s: { a: 1 } }),
      forge({ ...VALID, s: [1] }),
      forge({ ...VALID, r: 1.5 }),
      forge({ ...VALID, r: '7' }),
      forge({ ...VALID, n: 1.5 }),
      forge({ ...VALID, n: '12' }),
    ];
    for (const text of forged) assert.throws(() => decodeCursor(text, FINGERPRINT, NOW, 60), refused('invalidCursor', NOT_ISSUED), text);
    assert.equal(decodeCursor(forge({ ...VALID, d: 'b' }), FINGERPRINT, NOW, 60).direction, 'before');
  });
});
