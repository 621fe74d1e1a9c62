import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LENIENT_MEMBER_RULES, resourceTypeOf } from './resource.ts';

describe('the resources the code passes around', () => {
  it('an endpoint names its resource type in any case (docs/protocol.md: clients send /users); another name none', () => {
    assert.equal(resourceTypeOf('Users'), 'User');
    assert.equal(resourceTypeOf('users'), 'User');
    assert.equal(resourceTypeOf('GROUPS'), 'Group');
    assert.equal(resourceTypeOf('Roles'), 'Role');
    assert.equal(resourceTypeOf('Devices'), 'Device');
    assert.equal(resourceTypeOf('Printers'), undefined);
    assert.equal(resourceTypeOf('User'), undefined);
  });

  it('docs/profiles.md: the lenient profile skips unknown members and records a wrong type as the true one', () => {
    assert.deepEqual(LENIENT_MEMBER_RULES, { unknown: 'skip', wrongType: 'correct' });
    assert.equal(Object.isFrozen(LENIENT_MEMBER_RULES), true);
  });
});
