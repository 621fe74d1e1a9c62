import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';

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

/**
 * A stored hash in the documented format, made here with node:crypto: `scrypt$N$8$1$<salt>$<key>`
 * (a cheap N for unit tests; a hash of lower N than configured is redone at the next success).
 */
export function scryptHashOf(password: string, N: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N, r: 8, p: 1 });
  return `scrypt$${N}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `stored` is a hash of `password` of cost N, checked with node:crypto from the format. */
export function isScryptOf(stored: string | undefined, password: string, N: number): boolean {
  const [scheme, n, r, p, salt, key, ...rest] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || n !== String(N) || r !== '8' || p !== '1' || !salt || !key || rest.length > 0) return false;
  return scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), 32, { N, r: 8, p: 1 }).equals(Buffer.from(key, 'base64url'));
}
