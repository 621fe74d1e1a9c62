import { invalidValue, mutability } from '../errors/scim-error.ts';
import type { PatchOpName } from './operation.ts';

/**
 * User.password (RFC 7643 §4.1.1, writeOnly): add/replace hand the clear text to the service,
 * which hashes it; it never enters the document. Removing it has no meaning for password sync,
 * and clearing a credential by PATCH is refused rather than guessed at.
 */
export function passwordOf(op: PatchOpName, value: unknown, label: string): string {
  if (op === 'remove') throw mutability(`"${label}": the password can be replaced but not removed`);
  if (typeof value !== 'string' || value === '') throw invalidValue(`"${label}": expected a non-empty string`);
  return value;
}
