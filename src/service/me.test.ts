import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createMeService, type MeService } from './me.ts';
import { PROFILES } from './profiles.ts';
import { createResourceService, type ResourceService } from './resources.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const NONE = { attributes: undefined, excludedAttributes: undefined };
const scope = lenientScope('t-1');
const principal = { tenantId: 't-1', tenantName: 'acme', tokenId: 'tok_1', profile: PROFILES.lenient };

function refused(status: number, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail], [status, detail]);
    return true;
  };
}

describe("RFC 7644 §3.11 /Me: the user an access token's subject is", () => {
  let store: Store;
  let resources: ResourceService;
  let me: MeService;
  const ids: Record<string, string> = {};
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: '2026-03-01T00:00:00Z' });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: '2026-03-01T00:00:00Z' });
    resources = createResourceService({
      store,
      registries: { forTenant: async () => createCoreRegistry() },
      clock: () => new Date('2026-03-01T10:00:00Z'),
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => `hash:${p}`,
    });
    me = createMeService(resources);
    for (const userName of ['bjensen', 'o"brien\\x', 'bjensen2']) {
      const { resource } = await resources.create(scope, 'User', { schemas: [USER], userName }, NONE);
      ids[userName] = (resource as { id: string }).id;
    }
  });
  after(() => store.close());

  it('a subject matched to userName, case-insensitively as userName always is', async () => {
    assert.equal(await me.userIdOf(scope, { ...principal, subject: { value: 'BJensen', attribute: 'userName' } }), ids['bjensen']);
  });

  it('a subject with quotes and backslashes is one string of the filter, not filter syntax', async () => {
    assert.equal(await me.userIdOf(scope, { ...principal, subject: { value: 'o"brien\\x', attribute: 'userName' } }), ids['o"brien\\x']);
  });

  it('a subject matched to id', async () => {
    const id = ids['bjensen2']!;
    assert.equal(await me.userIdOf(scope, { ...principal, subject: { value: id, attribute: 'id' } }), id);
  });

  it('a static tenant token names no user: 501, as §3.11 allows', async () => {
    await assert.rejects(
      me.userIdOf(scope, principal),
      refused(501, '/Me needs an OAuth access token whose subject is a user; a static tenant token names no user (RFC 7644 §3.11)'),
    );
  });

  it("a subject no user of the tenant has is 404, another tenant's user included", async () => {
    await assert.rejects(
      me.userIdOf(scope, { ...principal, subject: { value: 'nobody', attribute: 'userName' } }),
      refused(404, 'no user of this tenant has the userName of the access token\'s subject ("nobody")'),
    );
    await assert.rejects(
      me.userIdOf({ ...scope, tenantId: 't-2' }, { ...principal, tenantId: 't-2', subject: { value: 'bjensen', attribute: 'userName' } }),
      refused(404, 'no user of this tenant has the userName of the access token\'s subject ("bjensen")'),
    );
  });
});
