import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope, listParams, SCIM_BASE } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { BULK_RESPONSE_SCHEMA, type BulkOperationResult, type BulkService, createBulkService } from './bulk.ts';
import { createResourceService, type ResourceService } from './resources.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const NONE = { attributes: undefined, excludedAttributes: undefined };
const T0 = '2026-03-01T10:00:00.000Z';

const userOp = (bulkId: string, userName: string, extra: Record<string, unknown> = {}) => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [USER], userName, ...extra },
});
const groupOp = (bulkId: string, displayName: string, members: string[]) => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) },
});

/** "<status or error status> <method> <bulkId>" of each result. */
const summary = (results: readonly BulkOperationResult[]) =>
  results.map((r) => `${r.status ?? (r.error instanceof ScimError ? r.error.status : 'error')} ${r.method} ${r.bulkId ?? '-'}`);

/** The ScimError of a result, as status and detail. */
function errorOf(result: BulkOperationResult | undefined): [number, string] {
  assert.ok(result?.error instanceof ScimError, String(result?.error));
  return [result.error.status, result.error.detail];
}

function setUp() {
  const state = {} as { store: Store; resources: ResourceService; bulk: BulkService };
  before(async () => {
    state.store = await openStore('sqlite::memory:');
    await state.store.migrate();
    await state.store.createTenant({ id: 't-1', name: 'acme', createdAt: T0 });
    state.resources = createResourceService({
      store: state.store,
      registries: { forTenant: async () => createCoreRegistry() },
      clock: () => new Date(T0),
      limits: { maxResults: 1000, defaultPageSize: 1000, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => `hash:${p}`,
    });
    state.bulk = createBulkService({
      resources: state.resources,
      // These tests write users and groups only (/GroupMembers in Bulk: the conformance suite).
      groupMembers: { create: () => assert.fail('no GroupMember here'), remove: () => assert.fail('no GroupMember here') },
      limits: { maxOperations: 50, maxPayloadSize: 1_048_576 },
    });
  });
  return state;
}

describe('RFC 7644 §3.7 Bulk: the executor on a real store', () => {
  const state = setUp();
  after(() => state.store.close());
  const scope = lenientScope('t-1');
  const run = (Operations: unknown[], extra: Record<string, unknown> = {}) =>
    state.bulk.execute(scope, { schemas: [BULK], Operations, ...extra });
  /** The resource as a GET reads it. */
  const read = async (type: ResourceTypeName, id: string) =>
    (await state.resources.get(scope, type, id, NONE)).resource as Record<string, unknown>;
  const idOf = (location: string | undefined) => location!.slice(location!.lastIndexOf('/') + 1);
  const userNamed = async (userName: string) =>
    (await state.resources.list(scope, ['User'], listParams({ filter: `userName eq "${userName}"` })))['totalResults'];

  it('§3.7.3 each operation answers its method, bulkId, location, version (the ETag) and status: POST 201, PUT and PATCH 200, DELETE 204', async () => {
    assert.deepEqual(state.bulk.limits, { maxOperations: 50, maxPayloadSize: 1_048_576 });
    assert.equal(BULK_RESPONSE_SCHEMA, 'urn:ietf:params:scim:api:messages:2.0:BulkResponse');
    const [created] = await run([userOp('a', 'alice')]);
    const id = idOf(created!.location);
    const afterPost = await read('User', id);
    assert.deepEqual(created, {
      method: 'POST',
      bulkId: 'a',
      location: `${SCIM_BASE}/Users/${id}`,
      version: (afterPost['meta'] as { version: string }).version,
      status: 201,
    });
    assert.match(created!.version!, /^W\/"[^"]+"$/);
    const results = await run([
      { method: 'PUT', path: `/Users/${id}`, data: { schemas: [USER], userName: 'alice', displayName: 'Alice' } },
      { method: 'PATCH', path: `/Users/${id}`, data: { Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] } },
    ]);
    const now = await read('User', id);
    assert.deepEqual([now['displayName'], now['title']], ['Alice', 'Boss']);
    assert.deepEqual(results[0], {
      method: 'PUT',
      bulkId: undefined,
      location: `${SCIM_BASE}/Users/${id}`,
      version: results[0]!.version,
      status: 200,
    });
    assert.deepEqual(results[1], {
      method: 'PATCH',
      bulkId: undefined,
      location: `${SCIM_BASE}/Users/${id}`,
      version: (now['meta'] as { version: string }).version,
      status: 200,
    });
    assert.notEqual(results[0]!.version, created!.version);
    assert.notEqual(results[1]!.version, results[0]!.version);
    const [deleted] = await run([{ method: 'DELETE', path: `/Users/${id}` }]);
    assert.deepEqual(deleted, {
      method: 'DELETE',
      bulkId: undefined,
      location: `${SCIM_BASE}/Users/${id}`,
      version: undefined,
      status: 204,
    });
    assert.equal(await userNamed('alice'), 0);
  });

  it('§3.7.2 bulkId references: a group naming a user created later in the request, and paths naming created resources', async () => {
    const results = await run([
      groupOp('g', 'team', ['bulkId:u']),
      userOp('u', 'ursula'),
      {
        method: 'PATCH',
        path: '/Users/bulkId:u',
        data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'Uschi' }] },
      },
      { method: 'PUT', path: '/Groups/bulkId:g', data: { schemas: [GROUP], displayName: 'team 2', members: [{ value: 'bulkId:u' }] } },
    ]);
    assert.deepEqual(summary(results), ['201 POST g', '201 POST u', '200 PATCH -', '200 PUT -'], 'in the client order');
    const user = idOf(results[1]!.location);
    const group = await read('Group', idOf(results[0]!.location));
    assert.deepEqual(
      (group['members'] as Array<{ value: string }>).map((m) => m.value),
      [user],
    );
    assert.equal(group['displayName'], 'team 2');
    assert.equal((await read('User', user))['nickName'], 'Uschi');
    assert.equal(results[2]!.location, `${SCIM_BASE}/Users/${user}`);
  });

  it('§3.7.1 circular references are 409 for every POST on the cycle; the others run', async () => {
    const results = await run([groupOp('x', 'x', ['bulkId:y']), groupOp('y', 'y', ['bulkId:x']), userOp('z', 'zoe')]);
    assert.deepEqual(summary(results), ['409 POST x', '409 POST y', '201 POST z']);
    const detail =
      'circular bulkId references between Operations[0] (bulkId "x"), Operations[1] (bulkId "y"): none of them can be created first (RFC 7644 §3.7.1)';
    assert.deepEqual(errorOf(results[0]), [409, detail]);
    assert.deepEqual(errorOf(results[1]), [409, detail]);
    assert.deepEqual([results[0]!.location, results[0]!.version, results[0]!.status], [undefined, undefined, undefined]);
  });

  it('an operation referring to a failed POST fails with 409 naming it; a malformed one fails in its place, the others run', async () => {
    const results = await run([
      userOp('bad', ''),
      groupOp('g2', 'team bad', ['bulkId:bad']),
      { method: 'PUT', path: '/Users/bulkId:bad', data: { schemas: [USER], userName: 'x' } },
      { method: 'GET', path: '/Users' },
      userOp('ok', 'otto'),
    ]);
    assert.deepEqual(summary(results), ['400 POST bad', '409 POST g2', '409 PUT -', '400 GET -', '201 POST ok']);
    const unresolved = '"bulkId:bad" cannot be resolved: Operations[0], which defines it, failed';
    assert.deepEqual(errorOf(results[1]), [409, unresolved]);
    assert.deepEqual(errorOf(results[2]), [409, unresolved]);
    assert.equal(results[2]!.location, undefined, 'no id to name');
    assert.deepEqual(errorOf(results[3]), [400, '"method" must be POST, PUT, PATCH or DELETE, got "GET"']);
  });

  it('a PUT whose data refers to a failed POST fails with the location of the resource it names', async () => {
    const [existing] = await run([groupOp('e', 'existing', [])]);
    const results = await run([
      userOp('bad2', ''),
      userOp('good', 'gabe'),
      {
        method: 'PUT',
        path: `/Groups/${idOf(existing!.location)}`,
        data: { schemas: [GROUP], displayName: 'x', members: [{ value: 'bulkId:bad2' }] },
      },
      { method: 'PATCH', path: '/Users/bulkId:good', data: { Operations: [{ op: 'add', path: 'title', value: 'bulkId:bad2' }] } },
    ]);
    assert.deepEqual(summary(results), ['400 POST bad2', '201 POST good', '409 PUT -', '409 PATCH -']);
    assert.equal(results[2]!.location, existing!.location);
    assert.equal(results[3]!.location, results[1]!.location, 'the resource its path names, created by this request');
  });

  it('a failed PUT, PATCH or DELETE names the resource it was for: a stale version is 412, an unknown id 404', async () => {
    const [created] = await run([userOp('v', 'vera')]);
    const id = idOf(created!.location);
    const location = `${SCIM_BASE}/Users/${id}`;
    const results = await run([
      { method: 'PUT', path: `/Users/${id}`, version: 'W/"999"', data: { schemas: [USER], userName: 'vera' } },
      { method: 'DELETE', path: `/Users/${id}`, version: 'W/"999"' },
      { method: 'PATCH', path: '/Users/nope', data: { Operations: [{ op: 'add', path: 'title', value: 'x' }] } },
    ]);
    assert.deepEqual(summary(results), ['412 PUT -', '412 DELETE -', '404 PATCH -']);
    assert.deepEqual(
      results.map((r) => [r.location, r.version, r.status]),
      [
        [location, undefined, undefined],
        [location, undefined, undefined],
        [`${SCIM_BASE}/Users/nope`, undefined, undefined],
      ],
    );
    assert.equal(await userNamed('vera'), 1);
  });

  it('§3.7.3 failOnErrors: the request stops after that many errors; operations never reached are left out', async () => {
    const one = await run([userOp('f1', 'fay'), userOp('f2', 'fay'), userOp('f3', 'finn')], { failOnErrors: 1 });
    assert.deepEqual(summary(one), ['201 POST f1', '409 POST f2']);
    assert.equal(await userNamed('finn'), 0, 'not run');
    const two = await run([userOp('g1', 'gus'), userOp('g2', 'gus'), userOp('g3', 'gia'), userOp('g4', 'gia'), userOp('g5', 'gil')], {
      failOnErrors: 2,
    });
    assert.deepEqual(summary(two), ['201 POST g1', '409 POST g2', '201 POST g3', '409 POST g4']);
    assert.equal(await userNamed('gil'), 0);
    const validation = await run([userOp('h1', ''), userOp('h2', 'hal')], { failOnErrors: 1 });
    assert.deepEqual(summary(validation), ['400 POST h1']);
    const update = await run([{ method: 'DELETE', path: '/Users/nope' }, userOp('h3', 'hank')], { failOnErrors: 1 });
    assert.deepEqual(summary(update), ['404 DELETE -']);
    const malformed = await run([{ method: 'GET', path: '/Users' }, userOp('h4', 'hugo')], { failOnErrors: 1 });
    assert.deepEqual(summary(malformed), ['400 GET -']);
    const afterMalformed = await run([{ method: 'GET', path: '/Users' }, userOp('m1', 'mia'), userOp('m2', 'mia'), userOp('m3', 'mel')], {
      failOnErrors: 2,
    });
    assert.deepEqual(summary(afterMalformed), ['400 GET -', '201 POST m1', '409 POST m2'], 'the batch may fail once more');
    assert.equal(await userNamed('mel'), 0);
    const dependent = await run([userOp('i1', ''), groupOp('i2', 'ivy', ['bulkId:i1']), userOp('i3', 'ivan')], { failOnErrors: 2 });
    assert.deepEqual(summary(dependent), ['400 POST i1', '409 POST i2']);
    assert.equal(await userNamed('ivan'), 0);
    assert.deepEqual(
      summary(await run([userOp('j1', 'jo'), userOp('j2', 'jo'), userOp('j3', 'jay')])),
      ['201 POST j1', '409 POST j2', '201 POST j3'],
      'without failOnErrors every operation runs',
    );
  });

  it('creates waiting for their transaction run before an operation that fails, in the client order', async () => {
    const results = await run(
      [userOp('k1', 'kim'), userOp('k2', 'kit'), { method: 'PATCH', path: '/Users', data: {} }, userOp('k3', 'kay')],
      {
        failOnErrors: 1,
      },
    );
    assert.deepEqual(summary(results), ['201 POST k1', '201 POST k2', '400 PATCH -']);
    assert.equal(await userNamed('kit'), 1);
    const invalid = await run([userOp('l1', 'lea'), userOp('l2', 'lea'), userOp('l3', '')], { failOnErrors: 1 });
    assert.deepEqual(
      summary(invalid),
      ['201 POST l1', '409 POST l2'],
      'the uniqueness failure of the batch counts before the invalid create',
    );
    const malformed = await run([userOp('n1', 'nia'), userOp('n2', 'nia'), { method: 'GET', path: '/Users' }], { failOnErrors: 1 });
    assert.deepEqual(summary(malformed), ['201 POST n1', '409 POST n2']);
    const [kept] = await run([userOp('o0', 'ole')]);
    const write = await run([userOp('o1', 'ora'), userOp('o2', 'ora'), { method: 'DELETE', path: `/Users/${idOf(kept!.location)}` }], {
      failOnErrors: 1,
    });
    assert.deepEqual(summary(write), ['201 POST o1', '409 POST o2']);
    assert.equal(await userNamed('ole'), 1, 'the DELETE after the stop did not run');
  });

  it('a group write reports the members it skipped (the lenient profile skips unknown ones)', async () => {
    const [created] = await run([groupOp('s', 'skippers', ['no-such-user'])]);
    assert.deepEqual([created!.status, created!.skippedMembers], [201, ['no-such-user']]);
    const [put] = await run([
      {
        method: 'PUT',
        path: `/Groups/${idOf(created!.location)}`,
        data: { schemas: [GROUP], displayName: 'skippers', members: [{ value: 'gone' }] },
      },
    ]);
    assert.deepEqual([put!.status, put!.skippedMembers], [200, ['gone']]);
    const [plain] = await run([userOp('p', 'pia')]);
    assert.ok(!('skippedMembers' in plain!), 'no skippedMembers when none were skipped');
  });
});

describe('RFC 7644 §3.7 Bulk: a failure of the server ends the request', () => {
  const state = setUp();

  it('the database gone: the first operation fails with its error, the rest are not attempted', async () => {
    const scope = lenientScope('t-1');
    const [created] = await state.bulk.execute(scope, { schemas: [BULK], Operations: [userOp('a', 'amy')] });
    const id = created!.location!.slice(created!.location!.lastIndexOf('/') + 1);
    await state.store.close();
    const results = await state.bulk.execute(scope, {
      schemas: [BULK],
      Operations: [
        { method: 'DELETE', path: `/Users/${id}` },
        { method: 'DELETE', path: `/Users/${id}` },
      ],
    });
    assert.equal(results.length, 1);
    // Creates share a transaction: when it fails, every create of it failed.
    const creates = await state.bulk.execute(scope, {
      schemas: [BULK],
      Operations: [userOp('b', 'ben'), userOp('c', 'cy'), userOp('d', 'di')],
    });
    assert.equal(creates.length, 3);
    for (const r of creates) assert.ok(r.error !== undefined && r.status === undefined && r.location === undefined, String(r.error));
    assert.ok(!(results[0]!.error instanceof ScimError) || results[0]!.error.status >= 500, String(results[0]!.error));
  });
});
