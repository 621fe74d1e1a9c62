import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScimError } from '../../src/errors/scim-error.ts';
import type { Store } from '../../src/store/ports/store.ts';

/** What the store contract suites share. */

export const T0 = '2024-01-01T00:00:00.000Z';

/** What a tenant's profile is until one is set (migration 45's defaults). */
export const LENIENT = { name: 'lenient', overrides: {} };

/** An assert.rejects matcher for a ScimError with this status, scimType and detail. */
export function isScim(status: number, scimType?: string, detail?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.scimType, scimType);
    if (detail) assert.match(error.detail, detail);
    return true;
  };
}

export async function newTenant(store: Store, name = `t-${randomUUID()}`) {
  const tenant = await store.createTenant({ id: randomUUID(), name, createdAt: T0 });
  return tenant.id;
}
