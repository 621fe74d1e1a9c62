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

  it('entra: a member id unknown in the tenant (a user deleted out of band) is skipped, the known ones are added, the response says which', async () => {
    const ghost = '00000000-0000-0000-0000-000000000000';
    const res = await h.request('POST', '/Groups', { body: groupBody('Team Ghost', [alice.id, ghost]) });
    assert.equal(res.status, 201, res.raw);
    assert.deepEqual(
      res.body.members.map((m: { value: string }) => m.value),
      [alice.id],
    );
    assert.equal(res.headers['scimd-skipped-members'], ghost);
    const put = await h.request('PUT', `/Groups/${res.body.id}`, { body: groupBody('Team Ghost', [bob.id, ghost]) });
    assert.equal(put.status, 200, put.raw);
    assert.deepEqual(
      put.body.members.map((m: { value: string }) => m.value),
      [bob.id],
    );
    assert.equal(put.headers['scimd-skipped-members'], ghost);
  });

  it('a skip is recorded where the operator sees it: the audit entry says why, scimd_members_skipped_total counts it', async () => {
    const skippedTotal = async () => {
      const scraped = (await h.server.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^scimd_members_skipped_total (\d+)$/m.exec(scraped)?.[1]);
    };
    const before = await skippedTotal();
    const res = await h.request('POST', '/Groups', { body: groupBody('Team Audit', [alice.id, 'ghost-1', 'ghost-2']) });
    assert.equal(res.status, 201, res.raw);
    assert.equal(await skippedTotal(), before + 2);
    const entries = (await h.server.audit.page({ tenant: 'acme' })).entries;
    const entry = entries.find((e) => e.resourceId === res.body.id);
    assert.equal(entry?.operation, 'create');
    assert.equal(entry?.reason, 'skipped 2 unknown member ids: ghost-1, ghost-2');
  });

  it('a member of another tenant is unknown here: skipped, never added', async () => {
    const other = await h.request('POST', '/Users', { token: h.tokenB, body: userBody('other-tenant@example.com') });
    const res = await h.request('POST', '/Groups', { body: groupBody('Team Cross', [other.body.id]) });
    assert.equal(res.status, 201, res.raw);
    assert.equal(res.body.members, undefined);
    assert.equal(res.headers['scimd-skipped-members'], other.body.id);
    assert.equal((await h.request('GET', `/Users/${other.body.id}`, { token: h.tokenB })).body.groups, undefined);
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
