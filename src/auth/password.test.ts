import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, needsRehash, scryptCost, verifyPassword } from './password.ts';

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

describe('password hashes of a configured cost, and their rehash', () => {
  it('hashes at the cost asked for; a hash of lower cost, or not one of ours, needs a rehash', async () => {
    const cheap = await hashPassword('correct horse');
    const costly = await hashPassword('correct horse', scryptCost(32768));
    assert.match(costly, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse', costly), true);
    assert.equal(needsRehash(cheap, scryptCost(32768)), true);
    assert.equal(needsRehash(costly, scryptCost(32768)), false);
    assert.equal(needsRehash(costly, scryptCost(16384)), false, 'never lowered');
    assert.equal(needsRehash('garbage', scryptCost(16384)), true);
  });

  it('a stored hash with parameters scrypt refuses verifies nothing, and does not throw', async () => {
    const [, , r, p, salt, key] = (await hashPassword('x')).split('$');
    assert.equal(await verifyPassword('x', `scrypt$3$${r}$${p}$${salt}$${key}`), false);
    assert.equal(await verifyPassword('x', `scrypt$16384$${r}$${p}$${salt}$${key}$extra`), false);
  });
});
