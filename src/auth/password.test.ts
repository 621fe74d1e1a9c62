import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password.ts';

describe('rfc7643 §4.1.1 password storage', () => {
  it('hashes with scrypt and a random salt; the hash verifies the password only', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    assert.match(first, /^scrypt\$16384\$8\$1\$/);
    assert.notEqual(first, second);
    assert.ok(!first.includes('correct horse'));
    assert.equal(await verifyPassword('correct horse', first), true);
    assert.equal(await verifyPassword('wrong horse', first), false);
    assert.equal(await verifyPassword('correct horse', 'garbage'), false);
  });
});
