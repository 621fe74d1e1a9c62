import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

describe("rfc7643 §4.2 group members and rfc7643 §4.1.2 a user's groups", () => {
  let h: Harness;
  let alice: { id: string; userName: string; displayName: string };
  let bob: { id: string };
  before(async () => {
    h = await startHarness();
    alice = (await h.request('POST', '/Users', { body: userBody('alice@example.com') })).body;
    bob = (await h.request('POST', '/Users', { body: userBody('bob@example.com') })).body;
  });
  after(() => h.close());

  it('members come back with value, $ref, display and type', async () => {
    const res = await h.request('POST', '/Groups', { body: groupBody('Team A', [alice.id]) });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.members, [
      { value: alice.id, $ref: `https://scim.example.com/scim/v2/Users/${alice.id}`, display: alice.displayName, type: 'User' },
    ]);
  });

  it("a user's groups attribute is derived from the membership table", async () => {
    const group = await h.request('POST', '/Groups', { body: groupBody('Team B', [bob.id]) });
    const user = await h.request('GET', `/Users/${bob.id}`);
    assert.deepEqual(user.body.groups, [
      { value: group.body.id, $ref: `https://scim.example.com/scim/v2/Groups/${group.body.id}`, display: 'Team B', type: 'direct' },
    ]);
  });

  it('a member id unknown in the tenant is 400 invalidValue and nothing is created', async () => {
    const res = await h.request('POST', '/Groups', { body: groupBody('Team Ghost', ['00000000-0000-0000-0000-000000000000']) });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
    const list = await h.request('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Team Ghost"')}`);
    assert.equal(list.body.totalResults, 0);
  });

  it('a member of another tenant is unknown here: 400 invalidValue', async () => {
    const other = await h.request('POST', '/Users', { token: h.tokenB, body: userBody('other-tenant@example.com') });
    const res = await h.request('POST', '/Groups', { body: groupBody('Team Cross', [other.body.id]) });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
  });

  it('PUT replaces the member list', async () => {
    const group = await h.request('POST', '/Groups', { body: groupBody('Team C', [alice.id]) });
    const res = await h.request('PUT', `/Groups/${group.body.id}`, { body: groupBody('Team C', [bob.id]) });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.members.map((m: { value: string }) => m.value),
      [bob.id],
    );
  });

  it('entra: GET /Groups/{id}?excludedAttributes=members returns no members', async () => {
    const group = await h.request('POST', '/Groups', { body: groupBody('Team D', [alice.id, bob.id]) });
    const res = await h.request('GET', `/Groups/${group.body.id}?excludedAttributes=members`);
    assert.equal(res.status, 200);
    assert.equal(res.body.members, undefined);
    assert.equal(res.body.displayName, 'Team D');
  });

  it('members are never stored inside the group document', async () => {
    const group = await h.request('POST', '/Groups', { body: groupBody('Team E', [alice.id]) });
    const tenant = await h.server.store.findTenantByName('acme');
    const stored = await h.server.store.get(tenant!.id, 'Group', group.body.id, {});
    assert.equal(stored!.doc['members'], undefined);
  });
});
