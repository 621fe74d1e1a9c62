import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { checkIfMatch, etagOf, matchesVersion } from './etag.ts';

describe('RFC 7644 §3.14 versions as weak entity tags; RFC 9110 §13.1.1 If-Match, §13.1.2 If-None-Match', () => {
  it('meta.version and the ETag header: W/"<version>"', () => {
    assert.equal(etagOf(1), 'W/"1"');
    assert.equal(etagOf(42), 'W/"42"');
  });

  it('weak comparison (RFC 9110 §8.8.3.2): W/ or not, in a list, or *', () => {
    for (const header of ['W/"3"', '"3"', '*', 'W/"2", W/"3"', '"1",W/"3"', ' W/"3" ', '"9", *', ',W/"3",']) {
      assert.equal(matchesVersion(header, 3), true, header);
    }
    for (const header of ['W/"2"', '"33"', '3', 'W/3', '', ',', 'W/"3x"', '"*"', 'w/"3"', 'W/ "3"', '"W/3"']) {
      assert.equal(matchesVersion(header, 3), false, header);
    }
  });

  it('If-Match on a write: absent or current passes; another is 412 naming both', () => {
    assert.doesNotThrow(() => checkIfMatch(undefined, 3));
    assert.doesNotThrow(() => checkIfMatch('W/"3"', 3));
    assert.doesNotThrow(() => checkIfMatch('*', 3));
    assert.throws(
      () => checkIfMatch('W/"2"', 3),
      (error: unknown) => {
        assert.ok(error instanceof ScimError, String(error));
        assert.deepEqual([error.status, error.detail], [412, 'If-Match W/"2" does not match the current version W/"3"']);
        return true;
      },
    );
    assert.throws(
      () => checkIfMatch('', 3),
      (error: unknown) => error instanceof ScimError && error.status === 412,
    );
  });
});
