import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CloudEvent, toCloudEvent } from '../../src/events/cloud-event.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { ERROR_SCHEMA, groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const base = 'https://scim.example.com/scim/v2';

describe("rfc7643 §4.2 nested groups and §4.1.2 a user's direct and indirect groups", () => {
  let h: Harness;
  const create = async (path: string, body: unknown) => {
    const res = await h.request('POST', path, { body });
    assert.equal(res.status, 201, res.raw);
    return res.body.id as string;
  };
  const addMembers = (groupId: string, value: unknown) =>
    h.request('PATCH', `/Groups/${groupId}`, { body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value }] } });
  const groupsOf = async (userId: string) =>
    ((await h.request('GET', `/Users/${userId}`)).body.groups ?? []).map(
      (g: { display: string; type: string }) => `${g.display}:${g.type}`,
    );
  const userNames = async (filter: string) =>
    (await h.request('GET', `/Users?filter=${encodeURIComponent(filter)}&attributes=userName`)).body.Resources.map(
      (r: { userName: string }) => r.userName,
    ).sort();
  const groupNames = async (filter: string) =>
    (await h.request('GET', `/Groups?filter=${encodeURIComponent(filter)}&attributes=displayName`)).body.Resources.map(
      (r: { displayName: string }) => r.displayName,
    ).sort();

  /** Engineering ⊃ Platform ⊃ Storage ∋ ada, and grace ∈ Engineering. */
  let ada: string;
  let grace: string;
  let engineering: string;
  let platform: string;
  let storage: string;
  before(async () => {
    h = await startHarness();
    ada = await create('/Users', userBody('ada@example.com'));
    grace = await create('/Users', userBody('grace@example.com'));
    storage = await create('/Groups', groupBody('Storage', [ada]));
    platform = await create('/Groups', { ...groupBody('Platform'), members: [{ value: storage, type: 'Group' }] });
    engineering = await create('/Groups', groupBody('Engineering', [platform, grace]));
  });
  after(() => h.close());

  it('a group member reads back with type "Group", a $ref to /Groups and its displayName', async () => {
    const res = await h.request('GET', `/Groups/${platform}`);
    assert.deepEqual(res.body.members, [{ value: storage, $ref: `${base}/Groups/${storage}`, display: 'Storage', type: 'Group' }]);
  });

  it('GET /Users/{id}: groups lists direct and indirect memberships with type "direct" / "indirect"', async () => {
    const res = await h.request('GET', `/Users/${ada}`);
    assert.deepEqual(res.body.groups, [
      { value: storage, $ref: `${base}/Groups/${storage}`, display: 'Storage', type: 'direct' },
      { value: platform, $ref: `${base}/Groups/${platform}`, display: 'Platform', type: 'indirect' },
      { value: engineering, $ref: `${base}/Groups/${engineering}`, display: 'Engineering', type: 'indirect' },
    ]);
    assert.deepEqual(await groupsOf(grace), ['Engineering:direct']);
  });

  it('groups.value eq matches indirect memberships too; groups[type eq …] tells them apart', async () => {
    assert.deepEqual(await userNames(`groups.value eq "${engineering}"`), ['ada@example.com', 'grace@example.com']);
    assert.deepEqual(await userNames(`groups[value eq "${engineering}" and type eq "indirect"]`), ['ada@example.com']);
    assert.deepEqual(await userNames(`groups[value eq "${engineering}" and type eq "direct"]`), ['grace@example.com']);
    assert.deepEqual(await userNames(`groups.display eq "platform"`), ['ada@example.com']);
    // The same through POST /.search, which Entra and Okta never use but RFC clients do.
    const search = await h.request('POST', '/Users/.search', {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `groups.value eq "${platform}"`,
        attributes: ['userName'],
      },
    });
    assert.deepEqual(
      search.body.Resources.map((r: { userName: string }) => r.userName),
      ['ada@example.com'],
    );
  });

  it('members.value eq matches direct members only (RFC 7643 §4.2: members are direct)', async () => {
    assert.deepEqual(await groupNames(`members.value eq "${ada}"`), ['Storage']);
    assert.deepEqual(await groupNames(`members.value eq "${platform}"`), ['Engineering']);
    assert.deepEqual(await groupNames(`members[type eq "Group"]`), ['Engineering', 'Platform']);
  });

  it('a cycle is 400 invalidValue with a SCIM error body, on PATCH, PUT and for a group in itself; nothing changes', async () => {
    const before = await h.request('GET', `/Groups/${storage}`);
    const patch = await addMembers(storage, [{ value: engineering }]);
    assert.equal(patch.status, 400);
    assert.deepEqual(patch.body.schemas, [ERROR_SCHEMA]);
    assert.equal(patch.body.scimType, 'invalidValue');
    assert.match(patch.body.detail, /would create a cycle/);
    const put = await h.request('PUT', `/Groups/${storage}`, { body: groupBody('Storage', [ada, platform]) });
    assert.equal(put.status, 400);
    assert.equal(put.body.scimType, 'invalidValue');
    const self = await addMembers(storage, [{ value: storage, type: 'Group' }]);
    assert.equal(self.status, 400);
    assert.match(self.body.detail, /cannot be a member of itself/);
    const after = await h.request('GET', `/Groups/${storage}`);
    assert.equal(after.body.meta.version, before.body.meta.version);
    assert.deepEqual(after.body.members, before.body.members);
  });

  it('a member whose type contradicts the resource is recorded with its true type (a user sent as "Group" is a User)', async () => {
    const team = await create('/Groups', groupBody('Typed Team'));
    const inner = await create('/Groups', groupBody('Typed Inner'));
    const res = await addMembers(team, [
      { value: ada, type: 'Group' },
      { value: inner, type: 'User' },
    ]);
    assert.equal(res.status, 204, res.raw);
    const read = await h.request('GET', `/Groups/${team}`);
    assert.deepEqual(
      read.body.members.map((m: { value: string; type: string; $ref: string }) => [m.value, m.type, m.$ref]),
      [
        [ada, 'User', `${base}/Users/${ada}`],
        [inner, 'Group', `${base}/Groups/${inner}`],
      ],
    );
  });

  it('nesting deeper than 10 levels is 400 invalidValue', async () => {
    let inner = await create('/Groups', groupBody('Level 10'));
    for (let level = 9; level >= 1; level--) inner = await create('/Groups', groupBody(`Level ${level}`, [inner]));
    const res = await h.request('POST', '/Groups', { body: groupBody('Level 0', [inner]) });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
    assert.match(res.body.detail, /11 levels deep; at most 10/);
  });

  it('deleting a group removes it from its parents, and its members lose what came through it', async () => {
    const team = await create('/Groups', groupBody('Team', [grace]));
    const dept = await create('/Groups', groupBody('Dept', [team]));
    assert.deepEqual(await groupsOf(grace), ['Engineering:direct', 'Team:direct', 'Dept:indirect']);
    assert.equal((await h.request('DELETE', `/Groups/${team}`)).status, 204);
    assert.equal((await h.request('GET', `/Groups/${dept}`)).body.members, undefined);
    assert.deepEqual(await groupsOf(grace), ['Engineering:direct']);
    assert.deepEqual(await userNames(`groups.value eq "${dept}"`), []);
  });
});

/**
 * docs/events.md "Nested groups": membership events carry the direct delta, users in `members`
 * and groups in `memberGroups`; a consumer that keeps the direct edges derives what GET shows.
 */
describe('events under nesting: direct deltas from which a consumer derives transitive membership', () => {
  let h: Harness;
  let tenantId: string;
  let seen = 0;
  before(async () => {
    h = await startHarness();
    tenantId = (await h.server.store.findTenantByName('acme'))!.id;
  });
  after(() => h.close());

  async function newEvents(): Promise<CloudEvent[]> {
    const events = (await h.server.store.readEvents(tenantId, seen, 1000)).map((r) => toCloudEvent(r));
    for (const e of events) assertValidEvent(e);
    seen += events.length;
    return events;
  }
  const post = async (path: string, body: unknown) => (await h.request('POST', path, { body })).body.id as string;
  const patch = (groupId: string, op: string, value: unknown) =>
    h.request('PATCH', `/Groups/${groupId}`, { body: { schemas: [PATCH_OP], Operations: [{ op, path: 'members', value }] } });

  it('adding and removing a nested group: members lists users only, memberGroups the groups', async () => {
    const u = await post('/Users', userBody('ev-user@example.com'));
    const inner = await post('/Groups', groupBody('Ev inner', [u]));
    const outer = await post('/Groups', groupBody('Ev outer'));
    await newEvents();
    await patch(outer, 'add', [{ value: inner }, { value: u }]);
    const added = await newEvents();
    assert.deepEqual(
      added.map((e) => [e.type, e.data]),
      [['scim.group.members.added', { id: outer, version: 2, members: [u], memberGroups: [inner] }]],
    );
    await patch(outer, 'remove', [{ value: inner }]);
    const removed = await newEvents();
    assert.deepEqual(
      removed.map((e) => [e.type, e.data]),
      [['scim.group.members.removed', { id: outer, version: 3, members: [], memberGroups: [inner] }]],
    );
  });

  it('deleting a nested group is scim.group.deleted alone: its parents get no events and keep their version', async () => {
    const inner = await post('/Groups', groupBody('Ev doomed'));
    const outer = await post('/Groups', groupBody('Ev parent', [inner]));
    const version = (await h.request('GET', `/Groups/${outer}`)).body.meta.version;
    await newEvents();
    await h.request('DELETE', `/Groups/${inner}`);
    assert.deepEqual(
      (await newEvents()).map((e) => e.type),
      ['scim.group.deleted'],
    );
    assert.equal((await h.request('GET', `/Groups/${outer}`)).body.meta.version, version);
  });

  it("a consumer following the documented rules computes every user's groups exactly as GET shows them", async () => {
    const users = [];
    for (let i = 0; i < 4; i++) users.push(await post('/Users', userBody(`replay${i}@example.com`)));
    const [a, b, c, d] = users as [string, string, string, string];
    const g1 = await post('/Groups', groupBody('R1', [a]));
    const g2 = await post('/Groups', groupBody('R2', [g1, b]));
    const g3 = await post('/Groups', groupBody('R3', [g2]));
    const g4 = await post('/Groups', groupBody('R4', [c, g1]));
    await patch(g3, 'add', [{ value: d }, { value: g4 }]);
    await patch(g2, 'remove', [{ value: b }]);
    await h.request('PUT', `/Groups/${g4}`, { body: groupBody('R4', [c, b]) });
    await h.request('DELETE', `/Users/${c}`);
    await h.request('DELETE', `/Groups/${g1}`);

    // The consumer: direct edges only, from the feed from sequence 1; everything else derived.
    const edges = new Map<string, Set<string>>(); // group → its direct members (users and groups)
    const deleted = new Set<string>();
    for (const e of (await h.server.store.readEvents(tenantId, 0, 10_000)).map((r) => toCloudEvent(r))) {
      const data = e.data as { id: string; members?: string[]; memberGroups?: string[] };
      const ids = [...(data.members ?? []), ...(data.memberGroups ?? [])];
      const set = edges.get(data.id) ?? new Set<string>();
      edges.set(data.id, set);
      if (e.type === 'scim.group.members.added') ids.forEach((id) => set.add(id));
      if (e.type === 'scim.group.members.removed') ids.forEach((id) => set.delete(id));
      if (e.type === 'scim.user.deleted' || e.type === 'scim.group.deleted') {
        deleted.add(data.id);
        edges.delete(data.id);
        for (const members of edges.values()) members.delete(data.id);
      }
    }
    const parentsOf = (id: string) => [...edges].filter(([, members]) => members.has(id)).map(([group]) => group);
    const derived = (user: string) => {
      const direct = new Set(parentsOf(user));
      const all = new Set(direct);
      for (const group of all) parentsOf(group).forEach((p) => all.add(p));
      return [...all].map((g) => `${g}:${direct.has(g) ? 'direct' : 'indirect'}`).sort();
    };
    for (const user of [a, b, d]) {
      const shown = ((await h.request('GET', `/Users/${user}`)).body.groups ?? [])
        .map((g: { value: string; type: string }) => `${g.value}:${g.type}`)
        .sort();
      assert.deepEqual(derived(user), shown, `user ${user}`);
    }
    assert.ok(deleted.has(c) && deleted.has(g1));
    assert.deepEqual(derived(d), [`${g3}:direct`]);
  });
});
