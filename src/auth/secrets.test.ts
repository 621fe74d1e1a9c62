import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password.ts';
import { hashSecret, mintSecret, newTokenId } from './secrets.ts';

describe('RFC 6750 bearer tokens: minted at random, stored as SHA-256', () => {
  it('a token is the prefix and 256 random bits in base64url; no two alike', () => {
    const token = mintSecret();
    assert.match(token, /^scimd_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token.slice('scimd_'.length), 'base64url').length, 32);
    assert.notEqual(mintSecret(), token);
    assert.match(mintSecret('scimd_admin_'), /^scimd_admin_[A-Za-z0-9_-]{43}$/);
  });

  it('the stored form is the SHA-256 hex digest of the token (FIPS 180-4 test vector "abc")', () => {
    assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hashSecret(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('token ids are tok_ and 64 random bits in hex', () => {
    assert.match(newTokenId(), /^tok_[0-9a-f]{16}$/);
    assert.notEqual(newTokenId(), newTokenId());
    assert.match(newTokenId('adm_'), /^adm_[0-9a-f]{16}$/);
  });
});

describe('RFC 7643 §4.1.1 password: kept only as scrypt (docs/limits.md, "Secrets")', () => {
  it('the hash is scrypt(N=16384, r=8, p=1) of the NFC password with its own salt, recomputed here', async () => {
    const stored = await hashPassword('Cafe\u0301 au lait');
    const [scheme, n, r, p, salt, key] = stored.split('$');
    assert.deepEqual([scheme, n, r, p], ['scrypt', '16384', '8', '1']);
    assert.equal(Buffer.from(salt!, 'base64url').length, 16);
    const expected = scryptSync('Caf\u00e9 au lait', Buffer.from(salt!, 'base64url'), 32, { N: 16384, r: 8, p: 1, maxmem: 64 << 20 });
    assert.equal(key, expected.toString('base64url'));
  });

  it('verifies the password in either Unicode form, and nothing else', async () => {
    const stored = await hashPassword('Caf\u00e9');
    assert.equal(await verifyPassword('Cafe\u0301', stored), true);
    assert.equal(await verifyPassword('Caf\u00e9', stored), true);
    assert.equal(await verifyPassword('Cafe', stored), false);
  });

  it('a stored value in any other form verifies nothing', async () => {
    const stored = await hashPassword('pw');
    const [, n, r, p, salt, key] = stored.split('$');
    for (const broken of [
      `bcrypt$${n}$${r}$${p}$${salt}$${key}`,
      `scrypt$$${r}$${p}$${salt}$${key}`,
      `scrypt$${n}$$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}$`,
      `scrypt$${n}$${r}$${p}$${salt}$${key!.slice(0, 20)}`,
      '',
    ]) {
      assert.equal(await verifyPassword('pw', broken), false, broken);
    }
    // Its parameters are read from the stored value: a hash made with other ones still verifies.
    const cheap = scryptSync('pw', Buffer.from('salt'), 32, { N: 1024, r: 8, p: 1 }).toString('base64url');
    assert.equal(await verifyPassword('pw', `scrypt$1024$8$1$${Buffer.from('salt').toString('base64url')}$${cheap}`), true);
  });
});
