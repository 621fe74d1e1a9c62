import { createHash, randomBytes } from 'node:crypto';

/**
 * A new bearer token: 256 random bits, URL-safe, prefixed so that secret scanners recognise it
 * (and people tell an admin token, `scimd_admin_…`, from a SCIM one).
 */
export function mintSecret(prefix = 'scimd_'): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored only as this SHA-256 hex digest; a high-entropy secret needs no slow KDF. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newTokenId(prefix = 'tok_'): string {
  return `${prefix}${randomBytes(8).toString('hex')}`;
}
