import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';

/**
 * Asserts that `stored` is the scrypt hash of `password` in the format docs/limits.md
 * documents ("Secrets"): `scrypt$16384$8$1$<salt>$<key>` (base64url salt and 32-byte key, the password
 * NFC-normalised). Recomputed here with node:crypto from the documented format, not with
 * src/auth/password.ts: a server that stored the hash of anything else fails it.
 */
export function assertScryptOf(stored: string | undefined, password: string, what = 'the stored hash'): void {
  assert.ok(stored !== undefined, `${what}: no hash stored`);
  const parts = stored.split('$');
  assert.equal(parts.length, 6, `${what}: not scrypt$N$r$p$salt$key`);
  const [scheme, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  assert.deepEqual([scheme, n, r, p], ['scrypt', '16384', '8', '1'], `${what}: scheme and parameters`);
  const expected = Buffer.from(key, 'base64url');
  assert.equal(expected.length, 32, `${what}: key length`);
  const derived = scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), 32, { N: 16384, r: 8, p: 1, maxmem: 64 << 20 });
  assert.ok(derived.equals(expected), `${what} is not the scrypt hash of the password that was sent`);
}
