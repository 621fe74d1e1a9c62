import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CloudEvent, toCloudEvent } from '../../src/events/cloud-event.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { ERROR_SCHEMA, GROUP_SCHEMA, groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

const GROUP_MEMBER = 'urn:ietf:params:scim:schemas:core:2.0:GroupMember';
const EXTENSION = 'urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BASE = 'https://scim.example.com/scim/v2';

const membership = (group: string, member: string) => ({ schemas: [GROUP_MEMBER], group: { value: group }, member: { value: member } });
const filterOn = (expr: string) => `/GroupMembers?filter=${encodeURIComponent(expr)}`;

describe('draft-zollner-scim-group-members-01: /GroupMembers', () => {
  let h: Harness;
  let tenantId: string;
  let seen = 0;
  let ann: { id: string; displayName: string };
  let bob: { id: string; displayName: string };

  before(async () => {
    h = await startHarness();
    // acme enables GroupMembers (scimd resource-types enable); globex does not.
    await h.server.resourceTypes.enable('acme', ['GroupMembers']);
    tenantId = (await h.server.store.findTenantByName('acme'))!.id;
    ann = (await h.request('POST', '/Users', { body: userBody('ann@example.com') })).body;
    bob = (await h.request('POST', '/Users', { body: userBody('bob@example.com') })).body;
  });
  after(() => h.close());

  async function newEvents(): Promise<CloudEvent[]> {
    const events = (await h.server.store.readEvents(tenantId, seen, 1000)).map((r) => toCloudEvent(r));
    for (const e of events) assertValidEvent(e);
    seen += events.length;
    return events;
  }
  const newGroup = async (name: string, members: string[] = []) =>
    (await h.request('POST', '/Groups', { body: groupBody(name, members) })).body.id as string;

  it('a tenant that has not enabled GroupMembers: /GroupMembers is an unknown path, discovery and groups say nothing of it', async () => {
    const token = h.tokenB;
    const group = (await h.request('POST', '/Groups', { token, body: groupBody('Plain') })).body;
    for (const [method, path] of [
      ['GET', '/GroupMembers'],
      ['POST', '/GroupMembers'],
      ['GET', `/GroupMembers/${group.id}~${group.id}`],
      ['DELETE', `/GroupMembers/${group.id}~${group.id}`],
      ['POST', '/GroupMembers/.search'],
    ] as const) {
      const res = await h.request(method, path, { token, ...(method === 'POST' ? { body: membership(group.id, group.id) } : {}) });
      assert.equal(res.status, 404, `${method} ${path}: ${res.raw}`);
    }
    assert.equal((await h.request('GET', '/ResourceTypes/GroupMember', { token })).status, 404);
    assert.equal((await h.request('GET', `/Schemas/${EXTENSION}`, { token })).status, 404);
    assert.deepEqual(group.schemas, [GROUP_SCHEMA]);
    assert.equal(group[EXTENSION], undefined);
  });

  it('§4.3, §7.1.1: /ResourceTypes has GroupMember at /GroupMembers; /Schemas has its schema and the Group extension', async () => {
    const type = await h.request('GET', '/ResourceTypes/GroupMember');
    assert.equal(type.status, 200, type.raw);
    assert.equal(type.body.endpoint, '/GroupMembers');
    assert.equal(type.body.schema, GROUP_MEMBER);
    const group = await h.request('GET', '/ResourceTypes/Group');
    assert.deepEqual(group.body.schemaExtensions, [{ schema: EXTENSION, required: false }]);
    const schema = await h.request('GET', `/Schemas/${GROUP_MEMBER}`);
    assert.deepEqual(
      schema.body.attributes.map((a: { name: string; mutability: string }) => [a.name, a.mutability]),
      [
        ['group', 'immutable'],
        ['member', 'immutable'],
      ],
    );
    assert.equal((await h.request('GET', `/Schemas/${EXTENSION}`)).body.attributes[0].name, 'membersMetadata');
  });

  it('§6.1: POST adds the member: 201 with the membership (§4.2) and its Location; the group lists the member (§7.1.2)', async () => {
    const sales = await newGroup('Sales');
    const res = await h.request('POST', '/GroupMembers', { body: membership(sales, ann.id) });
    assert.equal(res.status, 201, res.raw);
    const id = res.body.id as string;
    assert.deepEqual(res.body, {
      schemas: [GROUP_MEMBER],
      id,
      group: { value: sales, $ref: `${BASE}/Groups/${sales}`, display: 'Sales' },
      member: { value: ann.id, $ref: `${BASE}/Users/${ann.id}`, type: 'User', display: ann.displayName },
      meta: {
        resourceType: 'GroupMember',
        created: res.body.meta.created,
        lastModified: res.body.meta.created,
        location: `${BASE}/GroupMembers/${id}`,
      },
    });
    assert.ok(Date.parse(res.body.meta.created) > 0);
    assert.equal(res.headers['location'], `${BASE}/GroupMembers/${id}`);
    const group = await h.request('GET', `/Groups/${sales}`);
    assert.deepEqual(
      group.body.members.map((m: { value: string }) => m.value),
      [ann.id],
    );
    assert.equal(group.body.meta.version, 'W/"2"');
  });

  it('§6.1: an existing membership is 409; a group or member that does not exist is 400 invalidValue; readOnly sub-attributes are ignored', async () => {
    const team = await newGroup('Team', [ann.id]);
    const again = await h.request('POST', '/GroupMembers', { body: membership(team, ann.id) });
    assert.deepEqual([again.status, again.body.scimType], [409, 'uniqueness']);
    assert.deepEqual(again.body.schemas, [ERROR_SCHEMA]);
    const noGroup = await h.request('POST', '/GroupMembers', { body: membership('00000000-0000-0000-0000-000000000000', ann.id) });
    assert.deepEqual([noGroup.status, noGroup.body.scimType], [400, 'invalidValue']);
    // A user's id names no group.
    const userAsGroup = await h.request('POST', '/GroupMembers', { body: membership(bob.id, ann.id) });
    assert.deepEqual([userAsGroup.status, userAsGroup.body.scimType], [400, 'invalidValue']);
    const noMember = await h.request('POST', '/GroupMembers', { body: membership(team, '00000000-0000-0000-0000-000000000000') });
    assert.deepEqual([noMember.status, noMember.body.scimType], [400, 'invalidValue']);
    const otherTenant = (await h.request('POST', '/Users', { token: h.tokenB, body: userBody('ann@example.com') })).body.id;
    const foreign = await h.request('POST', '/GroupMembers', { body: membership(team, otherTenant) });
    assert.deepEqual([foreign.status, foreign.body.scimType], [400, 'invalidValue']);
    const typed = await h.request('POST', '/GroupMembers', {
      body: { ...membership(team, bob.id), member: { value: bob.id, type: 'Group', display: 'not bob' } },
    });
    assert.equal(typed.status, 201, typed.raw);
    assert.deepEqual([typed.body.member.type, typed.body.member.display], ['User', bob.displayName]);
    const noValue = await h.request('POST', '/GroupMembers', { body: { schemas: [GROUP_MEMBER], group: { value: team } } });
    assert.deepEqual([noValue.status, noValue.body.scimType], [400, 'invalidValue']);
  });

  it('§6.2: GET /GroupMembers/{id} answers the membership; an id that names none is 404', async () => {
    const ops = await newGroup('Ops', [bob.id]);
    const [listed] = (await h.request('GET', filterOn(`group.value eq "${ops}"`))).body.Resources;
    const res = await h.request('GET', `/GroupMembers/${listed.id}`);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body, listed);
    assert.equal((await h.request('GET', `/GroupMembers/${listed.id}?attributes=member.value`)).body.member.value, bob.id);
    for (const unknown of [`${ops}~${ann.id}`, 'nonsense', `${ann.id}~${bob.id}`]) {
      assert.equal((await h.request('GET', `/GroupMembers/${encodeURIComponent(unknown)}`)).status, 404, unknown);
    }
  });

  it("§6.2.2: filter on group.value (a group's members) and member.value (a member's groups); attributes and excludedAttributes project", async () => {
    const red = await newGroup('Red', [ann.id, bob.id]);
    const blue = await newGroup('Blue', [bob.id]);
    const members = await h.request('GET', `${filterOn(`group.value eq "${red}"`)}&attributes=member.value`);
    assert.equal(members.status, 200, members.raw);
    assert.deepEqual(members.body.schemas, [LIST]);
    assert.deepEqual(
      members.body.Resources.map((r: { member: { value: string } }) => r.member),
      [{ value: ann.id }, { value: bob.id }],
    );
    // id is always returned (RFC 7643 §3.1).
    assert.ok(members.body.Resources.every((r: { id?: string; group?: unknown }) => r.id !== undefined && r.group === undefined));
    const groups = await h.request('GET', `${filterOn(`member.value eq "${bob.id}" and group.display sw "b"`)}&excludedAttributes=member`);
    assert.deepEqual(
      groups.body.Resources.map((r: { group: { value: string }; member?: unknown }) => [r.group.value, r.member]),
      [[blue, undefined]],
    );
    const bad = await h.request('GET', filterOn('member.nickName eq "x"'));
    assert.deepEqual([bad.status, bad.body.scimType], [400, 'invalidFilter']);
    const sorted = await h.request('GET', `${filterOn(`group.value eq "${red}"`)}&sortBy=member.display`);
    assert.deepEqual([sorted.status, sorted.body.scimType], [400, 'invalidValue']);
    const searched = await h.request('POST', '/GroupMembers/.search', {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `group.value eq "${red}"`, count: 1 },
    });
    assert.deepEqual([searched.status, searched.body.totalResults, searched.body.itemsPerPage], [200, 2, 1]);
  });

  it('§6.2.1: index pages and RFC 9865 cursor pages through the members, in the order added', async () => {
    const users: string[] = [];
    for (let i = 0; i < 5; i++) users.push((await h.request('POST', '/Users', { body: userBody(`page-${i}@example.com`) })).body.id);
    const big = await newGroup('Paged', users);
    const filter = filterOn(`group.value eq "${big}"`);
    const index = await h.request('GET', `${filter}&startIndex=2&count=2`);
    assert.deepEqual(
      [index.body.totalResults, index.body.startIndex, index.body.Resources.map((r: { member: { value: string } }) => r.member.value)],
      [5, 2, users.slice(1, 3)],
    );
    const walked: string[] = [];
    let url = `${filter}&count=2&cursor=`;
    for (let pages = 0; pages < 10; pages++) {
      const page = await h.request('GET', url);
      assert.equal(page.status, 200, page.raw);
      assert.equal(page.body.totalResults, 5);
      walked.push(...page.body.Resources.map((r: { member: { value: string } }) => r.member.value));
      if (!page.body.nextCursor) break;
      url = `${filter}&count=2&cursor=${page.body.nextCursor}`;
    }
    assert.deepEqual(walked, users);
    const wrong = await h.request('GET', `${filterOn(`group.value eq "${ann.id}"`)}&count=2&cursor=${encodeURIComponent('x.y')}`);
    assert.deepEqual([wrong.status, wrong.body.scimType], [400, 'invalidCursor']);
  });

  it('§6.3: DELETE removes the member from the group (204, §7.1.2); deleting it again is 404', async () => {
    const green = await newGroup('Green', [ann.id, bob.id]);
    const [first] = (await h.request('GET', filterOn(`group.value eq "${green}" and member.value eq "${ann.id}"`))).body.Resources;
    const res = await h.request('DELETE', `/GroupMembers/${first.id}`);
    assert.equal(res.status, 204, res.raw);
    assert.deepEqual(
      (await h.request('GET', `/Groups/${green}`)).body.members.map((m: { value: string }) => m.value),
      [bob.id],
    );
    assert.equal((await h.request('DELETE', `/GroupMembers/${first.id}`)).status, 404);
    assert.equal((await h.request('GET', `/GroupMembers/${first.id}`)).status, 404);
  });

  it('§6: a membership is created, read or deleted, never updated: PUT and PATCH are 405', async () => {
    const grey = await newGroup('Grey', [ann.id]);
    const [one] = (await h.request('GET', filterOn(`group.value eq "${grey}"`))).body.Resources;
    for (const method of ['PUT', 'PATCH']) {
      const res = await h.request(method, `/GroupMembers/${one.id}`, { body: membership(grey, ann.id) });
      assert.equal(res.status, 405, `${method}: ${res.raw}`);
    }
  });

  it('§6.4, RFC 7644 §3.7: Bulk POSTs and DELETEs memberships, with bulkId references to a user and a group of the same request', async () => {
    const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
    const bulk = (Operations: unknown[], token?: string) =>
      h.request('POST', '/Bulk', { body: { schemas: [BULK], Operations }, ...(token ? { token } : {}) });
    const reply = await bulk([
      { method: 'POST', path: '/GroupMembers', bulkId: 'm1', data: membership('bulkId:g', 'bulkId:u') },
      { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('bulk-member@example.com') },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: groupBody('Bulked') },
      { method: 'POST', path: '/GroupMembers', bulkId: 'm2', data: membership('bulkId:g', ann.id) },
      { method: 'DELETE', path: '/GroupMembers/bulkId:m2' },
      { method: 'POST', path: '/GroupMembers', bulkId: 'm3', data: membership('bulkId:g', 'bulkId:u') },
      { method: 'PATCH', path: '/GroupMembers/bulkId:m1', data: { Operations: [{ op: 'remove', path: 'member' }] } },
    ]);
    assert.equal(reply.status, 200, reply.raw);
    const ops = reply.body.Operations as {
      bulkId?: string;
      method: string;
      status: string;
      location?: string;
      response?: { status: string };
    }[];
    const userId = ops[1]!.location!.split('/').pop()!;
    const groupId = ops[2]!.location!.split('/').pop()!;
    assert.deepEqual(
      ops.map((o) => [o.method, o.bulkId, o.status, o.location]),
      [
        ['POST', 'm1', '201', `${BASE}/GroupMembers/${groupId}~${userId}`],
        ['POST', 'u', '201', `${BASE}/Users/${userId}`],
        ['POST', 'g', '201', `${BASE}/Groups/${groupId}`],
        ['POST', 'm2', '201', `${BASE}/GroupMembers/${groupId}~${ann.id}`],
        ['DELETE', undefined, '204', `${BASE}/GroupMembers/${groupId}~${ann.id}`],
        ['POST', 'm3', '409', undefined],
        ['PATCH', undefined, '405', `${BASE}/GroupMembers/${groupId}~${userId}`],
      ],
    );
    assert.equal(ops[5]!.response!.status, '409');
    assert.deepEqual(
      (await h.request('GET', `/Groups/${groupId}`)).body.members.map((m: { value: string }) => m.value),
      [userId],
    );
    // A tenant that has not enabled GroupMembers: the operation is 404, as its endpoint is.
    const plain = (await h.request('POST', '/Groups', { token: h.tokenB, body: groupBody('Plain bulk') })).body.id;
    const refused = await bulk([{ method: 'POST', path: '/GroupMembers', bulkId: 'x', data: membership(plain, plain) }], h.tokenB);
    assert.equal(refused.body.Operations[0].status, '404', refused.raw);
  });

  it('§7.1.2: members written through the group (PATCH, PUT) are the GroupMembers, and the other way round', async () => {
    const both = await newGroup('Both', [ann.id]);
    await h.request('PATCH', `/Groups/${both}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: bob.id }] }] },
    });
    const listed = async () =>
      (await h.request('GET', filterOn(`group.value eq "${both}"`))).body.Resources.map(
        (r: { member: { value: string } }) => r.member.value,
      );
    assert.deepEqual(await listed(), [ann.id, bob.id]);
    await h.request('PUT', `/Groups/${both}`, { body: groupBody('Both', [bob.id]) });
    assert.deepEqual(await listed(), [bob.id]);
  });

  it('events: a POST and a DELETE at /GroupMembers are the membership events a PATCH of the members is', async () => {
    const evented = await newGroup('Evented');
    await newEvents();
    const added = await h.request('POST', '/GroupMembers', { body: membership(evented, ann.id) });
    await h.request('DELETE', `/GroupMembers/${added.body.id}`);
    assert.deepEqual(
      (await newEvents()).map((e) => [e.type, e.data]),
      [
        ['scim.group.members.added', { id: evented, version: 2, members: [ann.id] }],
        ['scim.group.members.removed', { id: evented, version: 3, members: [ann.id] }],
      ],
    );
  });

  it('§5: a group carries membersMetadata (hybrid, the ref that lists its members, the member types); it is read-only', async () => {
    const meta = await newGroup('Meta', [ann.id]);
    const res = await h.request('GET', `/Groups/${meta}`);
    assert.deepEqual(res.body.schemas, [GROUP_SCHEMA, EXTENSION]);
    const ref = `${BASE}/GroupMembers?filter=${encodeURIComponent(`group.value eq "${meta}"`)}`;
    assert.deepEqual(res.body[EXTENSION], { membersMetadata: { policy: 'hybrid', ref, allowedMemberTypes: ['User', 'Group'] } });
    const listed = await h.request('GET', ref.slice(BASE.length));
    assert.deepEqual(
      listed.body.Resources.map((r: { member: { value: string } }) => r.member.value),
      [ann.id],
    );
    const lean = await h.request('GET', `/Groups/${meta}?excludedAttributes=members`);
    assert.deepEqual([lean.body.members, lean.body[EXTENSION]?.membersMetadata.policy], [undefined, 'hybrid']);
    // A client that PUTs back what it read (Okta does) changes nothing it may not change.
    const put = await h.request('PUT', `/Groups/${meta}`, { body: res.body });
    assert.equal(put.status, 200, put.raw);
    assert.deepEqual(put.body[EXTENSION], res.body[EXTENSION]);
  });

  it('§5 memberCount: counted when a client asks for it (returned "request"), never on a plain read', async () => {
    const counted = await newGroup('Counted', [ann.id, bob.id]);
    const COUNT = `${EXTENSION}:membersMetadata.memberCount`;
    const read = async (query: string) => (await h.request('GET', `/Groups/${counted}?${query}`)).body;
    assert.equal((await read(''))[EXTENSION].membersMetadata.memberCount, undefined);
    assert.equal((await read('excludedAttributes=members'))[EXTENSION].membersMetadata.memberCount, undefined);
    assert.deepEqual((await read(`attributes=${COUNT}`))[EXTENSION], { membersMetadata: { memberCount: 2 } });
    const withMembers = await read(`attributes=members,${COUNT}`);
    assert.deepEqual([withMembers.members.length, withMembers[EXTENSION].membersMetadata.memberCount], [2, 2]);
    await h.request('DELETE', `/GroupMembers/${counted}~${bob.id}`);
    const listed = await h.request(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Counted"')}&attributes=displayName,${COUNT}`,
    );
    assert.deepEqual(listed.body.Resources[0][EXTENSION], { membersMetadata: { memberCount: 1 } });
    const empty = await newGroup('Counted empty');
    assert.equal((await h.request('GET', `/Groups/${empty}?attributes=${COUNT}`)).body[EXTENSION].membersMetadata.memberCount, 0);
    const schema = (await h.request('GET', `/Schemas/${EXTENSION}`)).body;
    const memberCount = schema.attributes[0].subAttributes.find((a: { name: string }) => a.name === 'memberCount');
    assert.deepEqual([memberCount.returned, memberCount.mutability], ['request', 'readOnly']);
  });
});
