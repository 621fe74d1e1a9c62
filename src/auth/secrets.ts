import { createHash, randomBytes } from 'node:crypto';

/** A new bearer token: 256 random bits, URL-safe, prefixed so that secret scanners recognise it. */
export function mintSecret(): string {
  return `scimd_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored only as this SHA-256 hex digest; a high-entropy secret needs no slow KDF. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newTokenId(): string {
  return `tok_${randomBytes(8).toString('hex')}`;
}
