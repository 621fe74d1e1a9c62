import { ScimError } from '../errors/scim-error.ts';

/**
 * The stored version is not the one the write expected (RFC 7644 §3.14). The service retries an
 * internal read-modify-write on it, and answers 412 when the client's own If-Match was stale.
 */
export class VersionConflictError extends ScimError {
  constructor(detail = 'the resource was changed by another request') {
    super(412, undefined, detail);
    this.name = 'VersionConflictError';
  }
}
