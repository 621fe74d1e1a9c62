import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SCIM_BASE as BASE, lenientScope, listParams } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import type { RequestScope } from './resource-view.ts';
import { createResourceService, type ResourceService } from './resources.ts';
import type { RegistrySource } from './schema-registries.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const NONE = { attributes: undefined, excludedAttributes: undefined };
const T0 = '2026-03-01T10:00:00.000Z';

/** Every tenant sees the same schemas: these tests use no tenant extensions. */
function fixedRegistry(registry: SchemaRegistry): RegistrySource {
  return { forTenant: async () => registry };
}

/** A ScimError with this status, scimType and a detail matching `detail`. */
function scim(status: number, scimType: string | undefined, detail: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.scimType, scimType);
    assert.match(error.detail, detail);
    return true;
  };
}

describe('the resource service (RFC 7644 §3) on a real store', () => {
  let store: Store;
  let service: ResourceService;
  let scope: RequestScope;
  let now = Date.parse(T0);
  let wakes = 0;
  const hashed: string[] = [];

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    const tenant = await store.createTenant({ id: 't-1', name: 'acme', createdAt: T0 });
    scope = lenientScope(tenant.id);
    service = createResourceService({
      store,
      registries: fixedRegistry(createCoreRegistry()),
      clock: () => new Date(now),
      limits: { maxResults: 5, defaultPageSize: 3, cursorTimeoutSeconds: 60 },
      // Records what it was given: the service must hash exactly the password the client sent.
      hashPassword: async (password) => {
        hashed.push(password);
        return `hash:${password}`;
      },
      onEvents: () => wakes++,
    });
  });
  after(() => store.close());

  const user = (userName: string, extra: Record<string, unknown> = {}) =>
    service.create(scope, 'User', { schemas: [USER], userName, ...extra }, NONE);
  const events = async () => (await store.readEvents(scope.tenantId, 0, 10_000)).map((e) => `${e.type} ${e.subject}`);
  const passwordOf = async (id: string) => (await store.get(scope.tenantId, 'User', id, { passwordHash: true }))?.passwordHash;

  it('§3.3 create: an id, meta from the clock, version 1, the location, the event; the password hashed, never returned', async () => {
    const wokeBefore = wakes;
    const created = await user('bjensen', { password: 's3cret', id: 'client-chosen', title: 'Tour Guide' });
    const id = created.resource['id'] as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.notEqual(id, 'client-chosen');
    assert.deepEqual(created.resource['meta'], {
      resourceType: 'User',
      created: T0,
      lastModified: T0,
      version: 'W/"1"',
      location: `${BASE}/Users/${id}`,
    });
    assert.equal(created.location, `${BASE}/Users/${id}`);
    assert.equal(created.version, 1);
    assert.equal(created.resource['title'], 'Tour Guide');
    assert.equal(created.resource['password'], undefined);
    assert.equal(await passwordOf(id), 'hash:s3cret');
    assert.deepEqual(hashed, ['s3cret']);
    assert.equal(wakes, wokeBefore + 1, 'the relay is woken after the commit');
    assert.deepEqual((await events()).slice(-1), [`scim.user.created Users/${id}`]);
  });

  it('§3.3 a userName taken, in another case, is 409 uniqueness and writes nothing', async () => {
    await user('dup.user');
    const before = (await events()).length;
    await assert.rejects(user('DUP.User'), scim(409, 'uniqueness', /userName/));
    assert.equal((await events()).length, before);
  });

  it('§3.4.1 get: the resource as stored; an unknown id is 404 naming it; attributes select', async () => {
    const { resource } = await user('getme', { title: 'T', nickName: 'N' });
    const id = resource['id'] as string;
    assert.deepEqual((await service.get(scope, 'User', id, NONE)).resource, resource);
    await assert.rejects(service.get(scope, 'User', 'nope', NONE), scim(404, undefined, /^User nope not found$/));
    await assert.rejects(service.get(scope, 'Group', id, NONE), scim(404, undefined, new RegExp(`^Group ${id} not found$`)));
    const selected = (await service.get(scope, 'User', id, { attributes: ['title'], excludedAttributes: undefined })).resource;
    assert.deepEqual(Object.keys(selected).sort(), ['id', 'schemas', 'title']);
  });

  it('§3.5.1 replace: a change bumps the version and lastModified; an unchanged body writes nothing; the password stays unless sent', async () => {
    const { resource } = await user('putme', { title: 'Before', password: 'first' });
    const id = resource['id'] as string;
    now += 60_000;
    const changed = await service.replace(scope, 'User', id, { schemas: [USER], userName: 'putme', title: 'After' }, undefined, NONE);
    assert.equal(changed.version, 2);
    assert.equal(changed.resource['title'], 'After');
    assert.equal((changed.resource['meta'] as Record<string, string>)['lastModified'], new Date(now).toISOString());
    assert.equal((changed.resource['meta'] as Record<string, string>)['created'], T0);
    assert.equal(await passwordOf(id), 'hash:first', 'a PUT without password keeps the hash');
    const eventsBefore = (await events()).length;
    const same = await service.replace(scope, 'User', id, { schemas: [USER], userName: 'putme', title: 'After' }, undefined, NONE);
    assert.equal(same.version, 2);
    assert.equal((await events()).length, eventsBefore, 'no event for a PUT that changes nothing');
    const withPassword = await service.replace(
      scope,
      'User',
      id,
      { schemas: [USER], userName: 'putme', title: 'After', password: 'second' },
      undefined,
      NONE,
    );
    assert.equal(withPassword.version, 3);
    assert.equal(await passwordOf(id), 'hash:second');
    const [record] = (await store.readEvents(scope.tenantId, 0, 10_000)).slice(-1);
    assert.equal(record?.type, 'scim.user.updated');
    assert.deepEqual((record!.data as { changedAttributes?: unknown }).changedAttributes, ['password']);
  });

  it('§3.14 If-Match: the current version passes, another is 412 naming both, * always passes', async () => {
    const { resource } = await user('etag.user');
    const id = resource['id'] as string;
    const body = { schemas: [USER], userName: 'etag.user', title: 'x' };
    await assert.rejects(
      service.replace(scope, 'User', id, body, 'W/"7"', NONE),
      scim(412, undefined, /^If-Match W\/"7" does not match the current version W\/"1"$/),
    );
    assert.equal((await service.replace(scope, 'User', id, body, 'W/"1"', NONE)).version, 2);
    assert.equal((await service.replace(scope, 'User', id, { ...body, title: 'y' }, '*', NONE)).version, 3);
    await assert.rejects(service.remove(scope, 'User', id, 'W/"1"'), scim(412, undefined, /does not match the current version W\/"3"/));
    await service.remove(scope, 'User', id, 'W/"3"');
    await assert.rejects(service.get(scope, 'User', id, NONE), scim(404, undefined, /not found/));
  });

  it('§3.5.2 patch: operations apply, the version moves only when something changed, the event names what changed', async () => {
    const { resource } = await user('patchme', { title: 'Old' });
    const id = resource['id'] as string;
    const patched = await service.patch(
      scope,
      'User',
      id,
      {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'title', value: 'New' },
          { op: 'add', path: 'nickName', value: 'Pat' },
        ],
      },
      undefined,
    );
    assert.deepEqual(patched, { version: 2, location: `${scope.baseUrl}/Users/${id}` });
    const read = await service.get(scope, 'User', id, NONE);
    assert.deepEqual([read.version, read.resource['title'], read.resource['nickName']], [2, 'New', 'Pat']);
    const [record] = (await store.readEvents(scope.tenantId, 0, 10_000)).slice(-1);
    assert.deepEqual((record!.data as { changedAttributes?: string[] }).changedAttributes?.slice().sort(), ['nickName', 'title']);
    const noop = await service.patch(
      scope,
      'User',
      id,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'New' }] },
      undefined,
    );
    assert.equal(noop.version, 2);
    const password = await service.patch(
      scope,
      'User',
      id,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'pw3' }] },
      undefined,
    );
    assert.equal(password.version, 3);
    assert.equal(await passwordOf(id), 'hash:pw3');
    await assert.rejects(
      service.patch(scope, 'User', id, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, 'W/"1"'),
      scim(412, undefined, /If-Match/),
    );
    await assert.rejects(
      service.patch(scope, 'User', 'missing', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'title' }] }, undefined),
      scim(404, undefined, /^User missing not found$/),
    );
  });

  it('groups: members by PUT and PATCH; a PATCH answers its version and what it skipped, not the group; events carry the deltas', async () => {
    const a = (await user('member.a')).resource['id'] as string;
    const b = (await user('member.b')).resource['id'] as string;
    const group = await service.create(scope, 'Group', { schemas: [GROUP], displayName: 'Team', members: [{ value: a }] }, NONE);
    const gid = group.resource['id'] as string;
    assert.deepEqual(
      (group.resource['members'] as { value: string }[]).map((m) => m.value),
      [a],
    );
    const patched = await service.patch(
      scope,
      'Group',
      gid,
      { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: b }] }] },
      undefined,
    );
    assert.deepEqual(patched, { version: 2, location: `${scope.baseUrl}/Groups/${gid}` });
    const asked = await service.get(scope, 'Group', gid, NONE);
    assert.deepEqual((asked.resource['members'] as { value: string }[]).map((m) => m.value).sort(), [a, b].sort());
    const put = await service.replace(
      scope,
      'Group',
      gid,
      { schemas: [GROUP], displayName: 'Team', members: [{ value: b }, { value: b }] },
      undefined,
      NONE,
    );
    assert.deepEqual(
      (put.resource['members'] as { value: string }[]).map((m) => m.value),
      [b],
    );
    const types = (await store.readEvents(scope.tenantId, 0, 10_000)).filter((e) => e.subject === `Groups/${gid}`).map((e) => e.type);
    assert.deepEqual(types, ['scim.group.created', 'scim.group.members.added', 'scim.group.members.added', 'scim.group.members.removed']);
    const same = await service.replace(
      scope,
      'Group',
      gid,
      { schemas: [GROUP], displayName: 'Team', members: [{ value: b }] },
      undefined,
      NONE,
    );
    assert.equal(same.version, put.version, 'the same members again change nothing');
    const skipping = await service.patch(
      scope,
      'Group',
      gid,
      { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }] },
      undefined,
    );
    assert.deepEqual(skipping, { version: put.version, location: `${scope.baseUrl}/Groups/${gid}`, skippedMembers: ['no-such-user'] });
  });

  it('§3.6 delete: gone, with its event; deleting again is 404', async () => {
    const id = (await user('deleteme')).resource['id'] as string;
    await service.remove(scope, 'User', id, undefined);
    assert.deepEqual((await events()).slice(-1), [`scim.user.deleted Users/${id}`]);
    await assert.rejects(service.remove(scope, 'User', id, undefined), scim(404, undefined, /./));
  });
});

describe('RFC 7644 §3.4.2 listing through the service', () => {
  let store: Store;
  let service: ResourceService;
  let scope: RequestScope;
  let now = Date.parse(T0);
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    const tenant = await store.createTenant({ id: 't-2', name: 'globex', createdAt: T0 });
    scope = lenientScope(tenant.id);
    service = createResourceService({
      store,
      registries: fixedRegistry(createCoreRegistry()),
      clock: () => new Date(now),
      limits: { maxResults: 5, defaultPageSize: 3, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => p,
    });
    for (const name of ['carol', 'alice', 'eve', 'bob', 'dave', 'frank', 'grace']) {
      await service.create(scope, 'User', { schemas: [USER], userName: name, title: name < 'd' ? 'early' : 'late' }, NONE);
      now += 1000;
    }
    await service.create(scope, 'Group', { schemas: [GROUP], displayName: 'admins' }, NONE);
  });
  after(() => store.close());

  const names = (response: Record<string, unknown>) =>
    (response['Resources'] as Record<string, unknown>[]).map((r) => r['userName'] ?? r['displayName']);

  it('§3.4.2.4 a page: the default size, startIndex, totalResults, itemsPerPage; count clamped to the maximum and at 0', async () => {
    const first = await service.list(scope, ['User'], listParams({ sortBy: 'userName' }));
    assert.deepEqual(
      { ...first, Resources: names(first) },
      { schemas: [LIST], totalResults: 7, itemsPerPage: 3, startIndex: 1, Resources: ['alice', 'bob', 'carol'] },
    );
    const third = await service.list(scope, ['User'], listParams({ sortBy: 'userName', startIndex: 3, count: 100 }));
    assert.deepEqual([third['startIndex'], third['itemsPerPage'], names(third)], [3, 5, ['carol', 'dave', 'eve', 'frank', 'grace']]);
    const none = await service.list(scope, ['User'], listParams({ count: 0 }));
    assert.deepEqual([none['totalResults'], none['itemsPerPage'], none['Resources']], [7, 0, []]);
    const negative = await service.list(scope, ['User'], listParams({ count: -4, startIndex: -2 }));
    assert.deepEqual([negative['itemsPerPage'], negative['startIndex']], [0, 1]);
  });

  it('§3.4.2.2 filter and §3.4.2.3 sort descending', async () => {
    const late = await service.list(
      scope,
      ['User'],
      listParams({ filter: 'title eq "late"', sortBy: 'userName', descending: true, count: 10 }),
    );
    assert.deepEqual(names(late), ['grace', 'frank', 'eve', 'dave']);
    assert.equal(late['totalResults'], 4);
    await assert.rejects(service.list(scope, ['User'], listParams({ filter: 'title eq' })), scim(400, 'invalidFilter', /./));
    await assert.rejects(
      service.list(scope, ['User'], listParams({ sortBy: 'shoeSize' })),
      scim(400, 'invalidValue', /^sortBy "shoeSize" names no attribute of User$/),
    );
    await assert.rejects(
      service.list(scope, ['User'], listParams({ sortBy: 'emails' })),
      scim(400, 'invalidValue', /^sortBy "emails" must name a singular, simple attribute$/),
    );
    await assert.rejects(service.list(scope, ['User'], listParams({ sortBy: 'name' })), scim(400, 'invalidValue', /singular, simple/));
    await assert.rejects(
      service.list(scope, ['User'], listParams({ sortBy: 'emails[type eq "work"].value' })),
      scim(400, 'invalidValue', /names no attribute/),
    );
  });

  it('§3.4.3 a search over both types keeps what each understands; what neither understands is an error', async () => {
    const both = await service.list(scope, ['User', 'Group'], listParams({ filter: 'displayName eq "admins"', count: 10 }));
    assert.deepEqual(names(both), ['admins']);
    const users = await service.list(scope, ['User', 'Group'], listParams({ filter: 'userName eq "eve"', count: 10 }));
    assert.deepEqual(names(users), ['eve']);
    await assert.rejects(
      service.list(scope, ['User', 'Group'], listParams({ filter: 'shoeSize eq 1' })),
      scim(400, 'invalidFilter', /shoeSize/),
    );
    await assert.rejects(
      service.list(scope, ['Group'], listParams({ filter: 'userName eq "eve"' })),
      scim(400, 'invalidFilter', /userName/),
    );
  });

  it('RFC 9865 cursors: pages that follow each other, the total counted once, no mixing with startIndex or a negative count', async () => {
    const first = await service.list(scope, ['User'], listParams({ cursor: '', sortBy: 'userName', count: 3 }));
    assert.deepEqual(
      [names(first), first['totalResults'], first['startIndex'], first['previousCursor']],
      [['alice', 'bob', 'carol'], 7, undefined, undefined],
    );
    const second = await service.list(scope, ['User'], listParams({ cursor: first['nextCursor'] as string, sortBy: 'userName', count: 3 }));
    assert.deepEqual([names(second), second['totalResults']], [['dave', 'eve', 'frank'], 7]);
    assert.equal(typeof second['previousCursor'], 'string');
    const back = await service.list(
      scope,
      ['User'],
      listParams({ cursor: second['previousCursor'] as string, sortBy: 'userName', count: 3 }),
    );
    assert.deepEqual(names(back), ['alice', 'bob', 'carol']);
    const last = await service.list(scope, ['User'], listParams({ cursor: second['nextCursor'] as string, sortBy: 'userName', count: 3 }));
    assert.deepEqual([names(last), last['nextCursor']], [['grace'], undefined]);
    await assert.rejects(
      service.list(scope, ['User'], listParams({ cursor: second['nextCursor'] as string, sortBy: 'title', count: 3 })),
      scim(400, 'invalidCursor', /./),
    );
    await assert.rejects(
      service.list(scope, ['User'], listParams({ cursor: '', startIndex: 1 })),
      scim(400, 'invalidValue', /^startIndex and cursor cannot be used together \(RFC 9865 §2\)$/),
    );
    await assert.rejects(
      service.list(scope, ['User'], listParams({ cursor: '', count: -1 })),
      scim(400, 'invalidCount', /^count must not be negative, got -1$/),
    );
    now += 61_000;
    await assert.rejects(
      service.list(scope, ['User'], listParams({ cursor: first['nextCursor'] as string, sortBy: 'userName', count: 3 })),
      scim(400, 'expiredCursor', /./),
    );
  });
});
