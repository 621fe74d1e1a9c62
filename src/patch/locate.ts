import { ScimError } from '../errors/scim-error.ts';

/**
 * Runs one operation's work and prefixes any ScimError detail with `Operations[i]`, so a client
 * sending dozens of operations learns which one failed (SCIMMY reports "operation N" the same way).
 * The one place in patch/ that catches: it adds location, it never changes status or scimType.
 */
export function atOperation<T>(index: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    throw new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.detail}`, { ...error.headers });
  }
}
