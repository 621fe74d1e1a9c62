import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sequenceOf, toCloudEvent } from '../../src/events/cloud-event.ts';
import { ENTERPRISE, ERROR_SCHEMA, groupBody, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Operation = Record<string, unknown>;

const bulkBody = (operations: Operation[], extra: Record<string, unknown> = {}) => ({
  schemas: [BULK_REQUEST],
  ...extra,
  Operations: operations,
});
const postUser = (bulkId: string, userName: string, extra: Record<string, unknown> = {}): Operation => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: userBody(userName, extra),
});
const patchOp = (operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

/** The id at the end of a BulkResponse location. */
const idOf = (location: string) => location.slice(location.lastIndexOf('/') + 1);

function statuses(res: Reply): string[] {
  return res.body.Operations.map((o: { status: string }) => o.status);
}

function assertScimError(
  operation: { status: string; response: Record<string, unknown> },
  status: number,
  scimType?: string,
  detail?: RegExp,
) {
  assert.equal(operation.status, String(status));
  assert.deepEqual(operation.response['schemas'], [ERROR_SCHEMA]);
  assert.equal(operation.response['status'], String(status));
  assert.equal(operation.response['scimType'], scimType);
  if (detail) assert.match(String(operation.response['detail']), detail);
}

describe('rfc7644 §3.7 bulk operations', () => {
  let h: Harness;
  let tenantId: string;
  before(async () => {
    h = await startHarness();
    tenantId = (await h.server.store.findTenantByName('acme'))!.id;
  });
  after(() => h.close());

  const bulk = (operations: Operation[], extra: Record<string, unknown> = {}, token?: string) =>
    h.request('POST', '/Bulk', { body: bulkBody(operations, extra), ...(token ? { token } : {}) });

  async function lastSequence(): Promise<number> {
    const events = await h.server.store.readEvents(tenantId, 0, 100000);
    return events.length === 0 ? 0 : sequenceOf(events[events.length - 1]!);
  }

  async function eventsAfter(sequence: number) {
    return (await h.server.store.readEvents(tenantId, sequence, 100000)).map((r) => toCloudEvent(r));
  }

  async function userCount(filter: string): Promise<number> {
    const res = await h.request('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    return res.body.totalResults;
  }

  it('POST, PUT, PATCH and DELETE on Users and Groups: per-operation status as a string, location and version', async () => {
    const existing = await h.request('POST', '/Users', { body: userBody('bulk-put@example.com') });
    const doomed = await h.request('POST', '/Groups', { body: groupBody('bulk-doomed') });
    const res = await bulk([
      postUser('alice', 'bulk-alice@example.com'),
      { method: 'PUT', path: `/Users/${existing.body.id}`, data: userBody('bulk-put@example.com', { title: 'Tour Guide' }) },
      { method: 'PATCH', path: `/Users/${existing.body.id}`, data: patchOp([{ op: 'replace', path: 'active', value: false }]) },
      { method: 'POST', path: '/Groups', bulkId: 'guides', data: groupBody('bulk-guides') },
      { method: 'DELETE', path: `/Groups/${doomed.body.id}` },
    ]);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    assert.deepEqual(res.body.schemas, [BULK_RESPONSE]);
    const [post, put, patch, group, del] = res.body.Operations;
    assert.deepEqual(statuses(res), ['201', '200', '200', '201', '204']);

    assert.equal(post.method, 'POST');
    assert.equal(post.bulkId, 'alice');
    assert.match(post.location, /^https:\/\/scim\.example\.com\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    const alice = await h.request('GET', `/Users/${idOf(post.location)}`);
    assert.equal(alice.body.userName, 'bulk-alice@example.com');
    assert.equal(post.version, alice.headers['etag']);
    assert.equal(post.response, undefined);

    assert.equal(put.method, 'PUT');
    assert.equal(put.location, `https://scim.example.com/scim/v2/Users/${existing.body.id}`);
    assert.equal(put.bulkId, undefined);
    assert.equal(put.version, 'W/"2"');
    assert.equal(patch.version, 'W/"3"');
    const updated = await h.request('GET', `/Users/${existing.body.id}`);
    assert.equal(updated.body.title, 'Tour Guide');
    assert.equal(updated.body.active, false);
    assert.equal(updated.headers['etag'], patch.version);

    assert.match(group.location, /\/Groups\/[0-9a-f-]{36}$/);
    assert.equal(del.method, 'DELETE');
    assert.equal(del.location, `https://scim.example.com/scim/v2/Groups/${doomed.body.id}`);
    assert.equal(del.version, undefined);
    assert.equal((await h.request('GET', `/Groups/${doomed.body.id}`)).status, 404);
  });

  it('rfc7644 §3.7.2 bulkId in group members resolves to the new user, also as a forward reference', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: groupBody('bulk-tour-guides', ['bulkId:qwerty']) },
      postUser('qwerty', 'bulk-forward@example.com'),
    ]);
    assert.deepEqual(statuses(res), ['201', '201']);
    const [group, user] = res.body.Operations;
    // The response keeps the client's order although the user had to be created first.
    assert.equal(group.bulkId, 'ytrewq');
    assert.equal(user.bulkId, 'qwerty');
    const read = await h.request('GET', `/Groups/${idOf(group.location)}`);
    assert.deepEqual(
      read.body.members.map((m: { value: string }) => m.value),
      [idOf(user.location)],
    );
    const member = await h.request('GET', `/Users/${idOf(user.location)}`);
    assert.deepEqual(
      member.body.groups.map((g: { value: string }) => g.value),
      [idOf(group.location)],
    );
  });

  it('rfc7644 §3.7.2 bulkId resolves in the enterprise manager (object or bare string), in a path, and in a PATCH path filter', async () => {
    const res = await bulk([
      postUser('report1', 'bulk-report1@example.com', { [ENTERPRISE]: { manager: { value: 'bulkId:boss' } } }),
      postUser('report2', 'bulk-report2@example.com', { [ENTERPRISE]: { manager: 'bulkId:boss' } }),
      postUser('boss', 'bulk-boss@example.com'),
      { method: 'POST', path: '/Groups', bulkId: 'team', data: groupBody('bulk-team', ['bulkId:boss', 'bulkId:report1']) },
      { method: 'PATCH', path: '/Groups/bulkId:team', data: patchOp([{ op: 'remove', path: 'members[value eq "bulkId:report1"]' }]) },
      {
        method: 'PATCH',
        path: '/Users/bulkId:report2',
        data: patchOp([{ op: 'replace', path: `${ENTERPRISE}:manager`, value: 'bulkId:report1' }]),
      },
    ]);
    assert.deepEqual(statuses(res), ['201', '201', '201', '201', '200', '200']);
    const [report1, report2, boss, team, patchTeam, patchReport2] = res.body.Operations;
    const managerOf = async (location: string) => (await h.request('GET', `/Users/${idOf(location)}`)).body[ENTERPRISE].manager.value;
    assert.equal(await managerOf(report1.location), idOf(boss.location));
    assert.equal(await managerOf(report2.location), idOf(report1.location));
    assert.equal(patchTeam.location, team.location);
    assert.equal(patchReport2.location, report2.location);
    const read = await h.request('GET', `/Groups/${idOf(team.location)}`);
    assert.deepEqual(
      read.body.members.map((m: { value: string }) => m.value),
      [idOf(boss.location)],
    );
  });

  it('rfc7644 §3.7.1 circular bulkId references are 409 for each operation on the cycle and for those depending on it; nothing is created', async () => {
    const before = await lastSequence();
    const res = await bulk([
      postUser('a', 'bulk-cycle-a@example.com', { [ENTERPRISE]: { manager: { value: 'bulkId:b' } } }),
      postUser('b', 'bulk-cycle-b@example.com', { [ENTERPRISE]: { manager: { value: 'bulkId:a' } } }),
      postUser('self', 'bulk-cycle-self@example.com', { [ENTERPRISE]: { manager: 'bulkId:self' } }),
      { method: 'POST', path: '/Groups', bulkId: 'g', data: groupBody('bulk-cycle-group', ['bulkId:a']) },
      postUser('fine', 'bulk-cycle-fine@example.com'),
    ]);
    assert.equal(res.status, 200);
    const [a, b, self, group, fine] = res.body.Operations;
    assertScimError(a, 409, undefined, /circular bulkId references between Operations\[0\] \(bulkId "a"\), Operations\[1\] \(bulkId "b"\)/);
    assertScimError(b, 409, undefined, /circular/);
    assertScimError(self, 409, undefined, /circular bulkId references between Operations\[2\] \(bulkId "self"\)/);
    assertScimError(group, 409, undefined, /"bulkId:a" cannot be resolved: Operations\[0\], which defines it, failed/);
    assert.equal(a.location, undefined);
    assert.equal(fine.status, '201');
    assert.equal(await userCount('userName sw "bulk-cycle-"'), 1);
    assert.deepEqual(
      (await eventsAfter(before)).map((e) => e.type),
      ['scim.user.created'],
    );
  });

  it('an operation referring to a bulkId that failed is 409; one referring to an undefined bulkId is 400 invalidValue', async () => {
    await h.request('POST', '/Users', { body: userBody('bulk-taken@example.com') });
    const res = await bulk([
      postUser('dup', 'BULK-TAKEN@example.com'),
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: groupBody('bulk-dependent', ['bulkId:dup']) },
      { method: 'POST', path: '/Groups', bulkId: 'g2', data: groupBody('bulk-undefined-ref', ['bulkId:nobody']) },
      { method: 'DELETE', path: '/Users/bulkId:nobody' },
    ]);
    const [dup, dependent, undefinedRef, deleteRef] = res.body.Operations;
    assertScimError(dup, 409, 'uniqueness');
    assertScimError(dependent, 409, undefined, /"bulkId:dup" cannot be resolved: Operations\[0\], which defines it, failed/);
    assertScimError(undefinedRef, 400, 'invalidValue', /"bulkId:nobody" refers to no POST of this request/);
    assertScimError(deleteRef, 400, 'invalidValue', /"bulkId:nobody" refers to no POST/);
    assert.equal((await h.request('GET', `/Groups?filter=${encodeURIComponent('displayName sw "bulk-dependent"')}`)).body.totalResults, 0);
  });

  it('a failed operation in the middle changes nothing; the ones before and after are committed, each with its own events', async () => {
    await h.request('POST', '/Users', { body: userBody('bulk-mid-taken@example.com') });
    const before = await lastSequence();
    const res = await bulk([
      postUser('first', 'bulk-mid-1@example.com'),
      postUser('middle', 'bulk-mid-taken@example.com'),
      { method: 'POST', path: '/Groups', bulkId: 'last', data: groupBody('bulk-mid-group', ['bulkId:first']) },
    ]);
    assert.deepEqual(statuses(res), ['201', '409', '201']);
    assertScimError(res.body.Operations[1], 409, 'uniqueness');
    assert.equal(res.body.Operations[1].location, undefined, 'a failed POST has no location');
    const events = await eventsAfter(before);
    // Exactly what the two requests sent alone would have appended, in order, without gaps.
    assert.deepEqual(
      events.map((e) => [sequenceOf(e), e.type, e.subject]),
      [
        [before + 1, 'scim.user.created', `Users/${idOf(res.body.Operations[0].location)}`],
        [before + 2, 'scim.group.created', `Groups/${idOf(res.body.Operations[2].location)}`],
        [before + 3, 'scim.group.members.added', `Groups/${idOf(res.body.Operations[2].location)}`],
      ],
    );
    assert.deepEqual(events[2]!.data['members'], [idOf(res.body.Operations[0].location)]);
    assert.equal(await userCount('userName eq "bulk-mid-1@example.com"'), 1);
  });

  it('a validation failure in the middle of many creates is reported in its place; the others commit in order', async () => {
    const before = await lastSequence();
    const operations = Array.from({ length: 250 }, (_, i) => postUser(`m${i}`, `bulk-many-${i}@example.com`));
    operations[120] = {
      method: 'POST',
      path: '/Users',
      bulkId: 'm120',
      data: { schemas: userBody('x')['schemas'], displayName: 'no userName' },
    };
    operations[180] = postUser('m180', 'bulk-many-3@example.com');
    const res = await bulk(operations);
    const failed = res.body.Operations.map((o: { status: string }, i: number) => [i, o.status]).filter(
      ([, s]: [number, string]) => s !== '201',
    );
    assert.deepEqual(failed, [
      [120, '400'],
      [180, '409'],
    ]);
    assert.equal(res.body.Operations[120].response.scimType, 'invalidValue');
    assert.equal(await userCount('userName sw "bulk-many-"'), 248);
    const events = await eventsAfter(before);
    assert.equal(events.length, 248);
    events.forEach((e, k) => assert.equal(sequenceOf(e), before + k + 1));
    const createdInOrder = res.body.Operations.filter((o: { status: string }) => o.status === '201').map(
      (o: { location: string }) => `Users/${idOf(o.location)}`,
    );
    assert.deepEqual(
      events.map((e) => e.subject),
      createdInOrder,
    );
  });

  it('failOnErrors stops after that many errors: later operations are neither run nor reported', async () => {
    await h.request('POST', '/Users', { body: userBody('bulk-foe-taken@example.com') });
    const operations = (prefix: string) => [
      postUser('f0', `${prefix}-0@example.com`),
      postUser('f1', 'bulk-foe-taken@example.com'),
      postUser('f2', `${prefix}-2@example.com`),
      { method: 'DELETE', path: '/Users/no-such-id' },
      postUser('f4', `${prefix}-4@example.com`),
    ];
    const one = await bulk(operations('foe1'), { failOnErrors: 1 });
    assert.equal(one.status, 200);
    assert.deepEqual(statuses(one), ['201', '409']);
    assert.equal(await userCount('userName sw "foe1-"'), 1);

    const two = await bulk(operations('foe2'), { failOnErrors: 2 });
    assert.deepEqual(statuses(two), ['201', '409', '201', '404']);
    assert.equal(await userCount('userName sw "foe2-"'), 2);

    const unlimited = await bulk(operations('foe3'));
    assert.deepEqual(statuses(unlimited), ['201', '409', '201', '404', '201']);
    assert.equal(await userCount('userName sw "foe3-"'), 3);
  });

  it("rfc7644 §3.7 a PATCH data without schemas (the RFC's own example, before errata 5050) is read as a PatchOp", async () => {
    const u = await h.request('POST', '/Users', { body: userBody('bulk-errata@example.com') });
    const res = await bulk([
      { method: 'PATCH', path: `/Users/${u.body.id}`, data: { Operations: [{ op: 'replace', path: 'title', value: 'errata' }] } },
      {
        method: 'PATCH',
        path: `/Users/${u.body.id}`,
        data: { schemas: ['urn:example:other'], Operations: [{ op: 'replace', path: 'title', value: 'no' }] },
      },
    ]);
    assert.equal(res.body.Operations[0].status, '200');
    assertScimError(res.body.Operations[1], 400, 'invalidSyntax', /PatchOp/);
    assert.equal((await h.request('GET', `/Users/${u.body.id}`)).body.title, 'errata');
  });

  it('version is an If-Match: a stale one is 412 with the location, the current one applies', async () => {
    const u = await h.request('POST', '/Users', { body: userBody('bulk-version@example.com') });
    const location = `https://scim.example.com/scim/v2/Users/${u.body.id}`;
    const res = await bulk([
      { method: 'PATCH', path: `/Users/${u.body.id}`, version: 'W/"7"', data: patchOp([{ op: 'replace', path: 'title', value: 'stale' }]) },
      {
        method: 'PUT',
        path: `/Users/${u.body.id}`,
        version: u.headers['etag'],
        data: userBody('bulk-version@example.com', { title: 'fresh' }),
      },
      { method: 'DELETE', path: `/Users/${u.body.id}`, version: u.headers['etag'] },
    ]);
    const [stale, fresh, staleDelete] = res.body.Operations;
    assertScimError(stale, 412);
    assert.equal(stale.location, location);
    assert.equal(fresh.status, '200');
    assert.equal(fresh.version, 'W/"2"');
    assertScimError(staleDelete, 412);
    assert.equal((await h.request('GET', `/Users/${u.body.id}`)).body.title, 'fresh');
  });

  it("operation paths name the endpoint in any case, as the routes do (Microsoft's lowercase /users)", async () => {
    const res = await bulk([
      { method: 'POST', path: '/users', bulkId: 'lower', data: userBody('bulk-lower@example.com') },
      { method: 'PATCH', path: '/USERS/bulkId:lower', data: patchOp([{ op: 'replace', path: 'title', value: 'Lower' }]) },
      { method: 'DELETE', path: '/users/bulkId:lower' },
    ]);
    assert.deepEqual(statuses(res), ['201', '200', '204']);
    assert.match(res.body.Operations[0].location, /\/scim\/v2\/Users\/[^/]+$/);
  });

  it('each malformed operation is its own 400, echoing what it can; the others run', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Users', data: userBody('bulk-no-bulkid@example.com') },
      { method: 'GET', path: '/Users' },
      { method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
      { method: 'POST', path: '/Users/123', bulkId: 'x', data: userBody('bulk-post-id@example.com') },
      { method: 'PUT', path: '/Users', data: userBody('bulk-put-noid@example.com') },
      { method: 'PATCH', path: '/Users/123' },
      { method: 'delete', path: '/Users/no-such-id', bulkId: 'echo' },
      postUser('same', 'bulk-same-1@example.com'),
      postUser('same', 'bulk-same-2@example.com'),
      'not an object',
      { method: 'POST', bulkId: 'nopath', data: userBody('bulk-nopath@example.com') },
    ] as Operation[]);
    assert.equal(res.status, 200);
    const ops = res.body.Operations;
    assertScimError(ops[0], 400, 'invalidValue', /POST operation needs a "bulkId"/);
    assert.equal(ops[0].method, 'POST');
    assertScimError(ops[1], 400, 'invalidValue', /"method" must be POST, PUT, PATCH or DELETE, got "GET"/);
    assert.equal(ops[1].method, 'GET');
    assertScimError(ops[2], 400, 'invalidValue', /"path" must be/);
    assertScimError(ops[3], 400, 'invalidValue', /a POST "path" names a resource type endpoint/);
    assertScimError(ops[4], 400, 'invalidValue', /a PUT "path" names one resource/);
    assertScimError(ops[5], 400, 'invalidSyntax', /a PATCH operation needs a JSON object "data"/);
    assertScimError(ops[6], 404);
    assert.equal(ops[6].method, 'DELETE');
    assert.equal(ops[6].bulkId, 'echo');
    assert.equal(ops[7].status, '201');
    assertScimError(ops[8], 400, 'invalidValue', /bulkId "same" is already used by Operations\[7\]/);
    assertScimError(ops[9], 400, 'invalidSyntax', /Operations\[9\] must be a JSON object/);
    assertScimError(ops[10], 400, 'invalidSyntax', /"path" must be a string/);
    assert.equal(await userCount('userName eq "bulk-same-2@example.com"'), 0);
  });

  it('a malformed BulkRequest is one 400 error', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [
        { Operations: [postUser('x', 'bulk-bad-1@example.com')] },
        'invalidSyntax',
        /"schemas" must contain "urn:ietf:params:scim:api:messages:2.0:BulkRequest"/,
      ],
      [{ schemas: [BULK_REQUEST], Operations: {} }, 'invalidSyntax', /"Operations" must be a non-empty array/],
      [{ schemas: [BULK_REQUEST], Operations: [] }, 'invalidSyntax', /non-empty/],
      [
        { schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [postUser('x', 'bulk-bad-2@example.com')] },
        'invalidValue',
        /"failOnErrors" must be a whole number of at least 1/,
      ],
      [
        { schemas: [BULK_REQUEST], failOnErrors: '1', Operations: [postUser('x', 'bulk-bad-3@example.com')] },
        'invalidValue',
        /failOnErrors/,
      ],
    ];
    for (const [body, scimType, detail] of cases) {
      const res = await h.request('POST', '/Bulk', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
      assert.equal(res.body.scimType, scimType);
      assert.match(res.body.detail, detail);
    }
    assert.equal(await userCount('userName sw "bulk-bad-"'), 0);
    const lowerCase = await h.request('POST', '/Bulk', {
      body: { SCHEMAS: [BULK_REQUEST.toLowerCase()], operations: [postUser('lc', 'bulk-lower@example.com')] },
    });
    assert.deepEqual(statuses(lowerCase), ['201']);
  });

  it('the bulk answers only for its own tenant', async () => {
    const mine = await h.request('POST', '/Users', { body: userBody('bulk-tenant-a@example.com') });
    const res = await bulk(
      [
        { method: 'DELETE', path: `/Users/${mine.body.id}` },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: groupBody('bulk-tenant-b-group', [mine.body.id]) },
      ],
      {},
      h.tokenB,
    );
    assertScimError(res.body.Operations[0], 404);
    // A's user is unknown in B: the group is created without it, and the response says so.
    assert.equal(res.body.Operations[1].status, '201');
    assert.equal(res.headers['scimd-skipped-members'], mine.body.id);
    const created = await h.request('GET', `/Groups/${idOf(res.body.Operations[1].location)}`, { token: h.tokenB });
    assert.equal(created.body.members, undefined);
    assert.equal((await h.request('GET', `/Users/${mine.body.id}`)).status, 200);
    assert.equal((await h.request('POST', '/Bulk', { token: null, body: bulkBody([]) })).status, 401);
  });

  it('only POST is allowed on /Bulk', async () => {
    const res = await h.request('GET', '/Bulk');
    assert.equal(res.status, 405);
    assert.equal(res.headers['allow'], 'POST');
  });
});

describe('rfc7644 §3.7.4 bulk limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_BULK_MAX_OPERATIONS: '3', SCIMD_BULK_MAX_PAYLOAD_BYTES: '20000', SCIMD_MAX_BODY_BYTES: '4096' });
  });
  after(() => h.close());

  it('ServiceProviderConfig advertises bulk with maxOperations and maxPayloadSize', async () => {
    const res = await h.request('GET', '/ServiceProviderConfig');
    assert.deepEqual(res.body.bulk, { supported: true, maxOperations: 3, maxPayloadSize: 20000 });
  });

  it('more operations than maxOperations is 413 naming the limit, and nothing runs', async () => {
    const res = await h.request('POST', '/Bulk', {
      body: bulkBody([1, 2, 3, 4].map((i) => postUser(`u${i}`, `limit-${i}@example.com`))),
    });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    assert.equal(res.body.status, '413');
    assert.match(res.body.detail, /4 operations, more than maxOperations \(3\)/);
    assert.equal((await h.request('GET', '/Users')).body.totalResults, 0);
  });

  it("a body above maxPayloadSize is 413 naming the limit; /Bulk accepts bodies above the other routes' limit", async () => {
    const padding = 'x'.repeat(3000);
    const big = bulkBody([1, 2, 3].map((i) => postUser(`p${i}`, `payload-${i}@example.com`, { nickName: padding })));
    assert.ok(JSON.stringify(big).length > 4096 && JSON.stringify(big).length < 20000);
    const accepted = await h.request('POST', '/Bulk', { body: big });
    assert.deepEqual(statuses(accepted), ['201', '201', '201']);
    const elsewhere = await h.request('POST', '/Users', { body: userBody('payload-single@example.com', { nickName: 'x'.repeat(5000) }) });
    assert.equal(elsewhere.status, 413);

    const tooBig = await h.request('POST', '/Bulk', {
      body: bulkBody([postUser('big', 'payload-big@example.com', { nickName: 'x'.repeat(25000) })]),
    });
    assert.equal(tooBig.status, 413);
    assert.deepEqual(tooBig.body.schemas, [ERROR_SCHEMA]);
    assert.match(tooBig.body.detail, /more than maxPayloadSize \(20000\)/);
    assert.equal(
      (await h.request('GET', `/Users?filter=${encodeURIComponent('userName eq "payload-big@example.com"')}`)).body.totalResults,
      0,
    );
  });
});
