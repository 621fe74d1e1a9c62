import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { GROUP_SCHEMA_ID } from './core/group.ts';
import { USER_SCHEMA_ID } from './core/user.ts';
import { createCoreRegistry } from './registry.ts';
import { validateResource } from './validate.ts';

const registry = createCoreRegistry();
const create = (type: 'User' | 'Group', body: Record<string, unknown>) => validateResource(registry, type, body, { mode: 'create' });
const user = (extra: Record<string, unknown>) => create('User', { schemas: [USER_SCHEMA_ID], userName: 'bjensen', ...extra });

function refused(detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType, error.detail], [400, 'invalidValue', detail]);
    return true;
  };
}

describe('docs/limits.md "Indexed attributes": the longest value, in characters, the same on both stores', () => {
  it('userName, displayName and externalId: 512 characters; one more is 400 invalidValue naming both counts', () => {
    user({ userName: 'u'.repeat(512), displayName: 'd'.repeat(512), externalId: 'e'.repeat(512) });
    assert.throws(() => user({ userName: 'u'.repeat(513) }), refused('attribute "userName": at most 512 characters, this value has 513'));
    assert.throws(
      () => user({ externalId: 'e'.repeat(600) }),
      refused('attribute "externalId": at most 512 characters, this value has 600'),
    );
    assert.throws(
      () => create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'g'.repeat(513) }),
      refused('attribute "displayName": at most 512 characters, this value has 513'),
    );
  });

  it('a character outside the BMP counts once, as in UTF-8, though JavaScript sees two code units', () => {
    user({ userName: '\u{1f600}'.repeat(512) });
    assert.throws(
      () => user({ userName: '\u{1f600}'.repeat(513) }),
      refused('attribute "userName": at most 512 characters, this value has 513'),
    );
    // 511 astral characters and two lone surrogates: a lone surrogate is a character of its own.
    assert.throws(
      () => user({ userName: `${'\u{1f600}'.repeat(511)}\ud800\ud800` }),
      refused('attribute "userName": at most 512 characters, this value has 513'),
    );
  });

  it('emails.value 512 and emails.type 64 characters', () => {
    user({ emails: [{ value: `${'v'.repeat(500)}@example.com`, type: 't'.repeat(64) }] });
    assert.throws(
      () => user({ emails: [{ value: `${'v'.repeat(501)}@example.com` }] }),
      refused('attribute "emails[0].value": at most 512 characters, this value has 513'),
    );
    assert.throws(
      () => user({ emails: [{ value: 'a@example.com', type: 't'.repeat(65) }] }),
      refused('attribute "emails[0].type": at most 64 characters, this value has 65'),
    );
  });

  it('U+0000 is refused in any value (PostgreSQL text cannot hold it)', () => {
    assert.throws(() => user({ nickName: 'a\u0000b' }), refused('attribute "nickName": the character U+0000 is not allowed'));
  });
});
