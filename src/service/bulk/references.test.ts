import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referencesIn, resolveReferences } from './references.ts';

describe('rfc7644 §3.7.2 bulkId references', () => {
  const data = {
    displayName: 'mentions bulkId:qwerty in passing',
    members: [{ value: 'bulkId:qwerty' }, { value: 'plain-id' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: 'bulkId:boss' },
    Operations: [{ op: 'remove', path: 'members[value eq "bulkId:gone"]' }],
    note: 'bulkId:',
  };

  it('finds whole-string references anywhere and quoted ones in PATCH paths, nothing else', () => {
    assert.deepEqual([...referencesIn(data)].sort(), ['boss', 'gone', 'qwerty']);
  });

  it('replaces them with the created ids and leaves everything else as written', () => {
    const ids: Record<string, string> = { qwerty: 'id-1', boss: 'id-2', gone: 'id-3' };
    assert.deepEqual(
      resolveReferences(data, (ref) => ids[ref]!),
      {
        displayName: 'mentions bulkId:qwerty in passing',
        members: [{ value: 'id-1' }, { value: 'plain-id' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: 'id-2' },
        Operations: [{ op: 'remove', path: 'members[value eq "id-3"]' }],
        note: 'bulkId:',
      },
    );
  });

  it('keeps a "__proto__" key a plain key of the copy', () => {
    const copy = resolveReferences(JSON.parse('{"__proto__": {"polluted": "bulkId:x"}}'), () => 'id') as Record<string, unknown>;
    assert.deepEqual(Object.getOwnPropertyNames(copy), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  });

  it('a quoted reference counts only in a PATCH path; numbers, booleans and null stay as they are', () => {
    const value = {
      displayName: 'the group "bulkId:qwerty"',
      Path: 'members[value eq "bulkId:q2"]',
      count: 3,
      active: false,
      manager: null,
    };
    assert.deepEqual([...referencesIn(value)], ['q2']);
    assert.deepEqual(
      resolveReferences(value, () => 'id-1'),
      { displayName: 'the group "bulkId:qwerty"', Path: 'members[value eq "id-1"]', count: 3, active: false, manager: null },
    );
  });
});
