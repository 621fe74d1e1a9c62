import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const ROLE = 'urn:ietf:params:scim:schemas:core:2.0:Role';
const ENTITLEMENT = 'urn:ietf:params:scim:schemas:core:2.0:Entitlement';

/** The examples of draft-ietf-scim-roles-entitlements-01 §3.3 ("Retrieving all Roles", "… entitlements"), as sent there. */
const ROLES = [
  { value: 'global_lead', display: 'Global Team Lead', contains: ['us_team_lead'], containedBy: [] },
  { value: 'us_team_lead', display: 'U.S. Team Lead', contains: ['regional_lead'], containedBy: ['global_lead'] },
  { value: 'nw_regional_lead', display: 'Northwest Regional Lead', contains: [], containedBy: ['us_team_lead'] },
];
const ENTITLEMENTS = [
  { value: 'license.full_access_seat', type: 'License', display: 'DevTrack Full Feature License', contains: [], containedBy: [] },
  {
    value: 'feature.code_review_bypass',
    type: 'Permission',
    display: 'Bypass Mandatory Code Review (Elevated Privilege)',
    contains: [],
    containedBy: [],
  },
  {
    value: 'storage.limit_100gb',
    type: 'ResourceLimit',
    display: '100 GB Repository Storage Limit',
    contains: [],
    containedBy: ['e-10045'],
  },
];

/** RFC 7643 §2.5: an empty multi-valued attribute is unassigned, so the service leaves it out. */
const assigned = (resource: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(resource).filter(([, v]) => !(Array.isArray(v) && v.length === 0)));

describe('draft-ietf-scim-roles-entitlements-01: /Roles, /Entitlements and the RolesAndEntitlements block', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('§3.1: ServiceProviderConfig has no RolesAndEntitlements block until the tenant serves one of the two', async () => {
    assert.equal((await h.request('GET', '/ServiceProviderConfig')).body.RolesAndEntitlements, undefined);
    await h.server.resourceTypes.enable('acme', ['Roles']);
    assert.deepEqual((await h.request('GET', '/ServiceProviderConfig')).body.RolesAndEntitlements, {
      roles: { supported: true, multipleRolesSupported: true, primarySupported: true, typeSupported: true },
      entitlements: { supported: false, multipleEntitlementsSupported: true, primarySupported: true, typeSupported: true },
    });
    await h.server.resourceTypes.enable('acme', ['Entitlements']);
    assert.equal((await h.request('GET', '/ServiceProviderConfig')).body.RolesAndEntitlements.entitlements.supported, true);
    assert.equal((await h.request('GET', '/ServiceProviderConfig', { token: h.tokenB })).body.RolesAndEntitlements, undefined);
  });

  it('§3.3: the roles of the draft round-trip through POST /Roles and GET /Roles', async () => {
    for (const role of ROLES) {
      const created = await h.request('POST', '/Roles', { body: { schemas: [ROLE], ...role } });
      assert.equal(created.status, 201, created.raw);
    }
    const listed = await h.request('GET', '/Roles?sortBy=value');
    assert.equal(listed.body.totalResults, 3);
    const shown = listed.body.Resources.map(({ id, meta, schemas, ...rest }: Record<string, unknown>) => {
      assert.ok(typeof id === 'string' && meta && (schemas as string[])[0] === ROLE);
      return rest;
    });
    assert.deepEqual(shown, [ROLES[0]!, ROLES[2]!, ROLES[1]!].map(assigned));
    const parents = await h.request('GET', `/Roles?filter=${encodeURIComponent('containedBy eq "us_team_lead"')}`);
    assert.deepEqual(
      parents.body.Resources.map((r: { value: string }) => r.value),
      ['nw_regional_lead'],
    );
  });

  it('§3.3: the entitlements of the draft round-trip, found by type', async () => {
    for (const entitlement of ENTITLEMENTS) {
      assert.equal((await h.request('POST', '/Entitlements', { body: { schemas: [ENTITLEMENT], ...entitlement } })).status, 201);
    }
    const licenses = await h.request('GET', `/Entitlements?filter=${encodeURIComponent('type eq "license"')}`);
    assert.deepEqual(
      licenses.body.Resources.map(({ id, meta, schemas, ...rest }: Record<string, unknown>) => rest),
      [assigned(ENTITLEMENTS[0]!)],
    );
  });

  it('a value is unique within the tenant (users refer to a role by it), compared without case', async () => {
    const again = await h.request('POST', '/Roles', { body: { schemas: [ROLE], value: 'GLOBAL_LEAD' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.scimType, 'uniqueness');
    assert.equal(again.headers['location'] !== undefined, true, 'the 409 names the role that holds the value');
    const noValue = await h.request('POST', '/Roles', { body: { schemas: [ROLE], display: 'no value' } });
    assert.equal(noValue.status, 400);
  });

  it("§3.3 sample user: a user's roles and entitlements name them by value, and users are found by them", async () => {
    const user = await h.request('POST', '/Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName: 'bjensen@example.com',
        roles: [{ value: 'global_lead', display: 'global lead' }],
        entitlements: [{ value: 'storage.limit_100gb', type: 'ResourceLimit', display: '100 GB Repository Storage Limit' }],
      },
    });
    assert.equal(user.status, 201, user.raw);
    const leads = await h.request('GET', `/Users?filter=${encodeURIComponent('roles.value eq "global_lead"')}`);
    assert.deepEqual(
      leads.body.Resources.map((u: { userName: string }) => u.userName),
      ['bjensen@example.com'],
    );
  });
  it('a user may take only a role or entitlement the tenant publishes (and supports); one it held stays; elsewhere any value goes', async () => {
    const unknown = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'intruder@example.com', roles: [{ value: 'supreme_leader' }] },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.scimType, 'invalidValue');
    assert.match(unknown.body.detail, /roles: "supreme_leader" is not the value of a supported Role of this tenant/);
    await h.request('POST', '/Roles', { body: { schemas: [ROLE], value: 'retired_role', supported: false } });
    const unsupported = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'retiree@example.com', roles: [{ value: 'retired_role' }] },
    });
    assert.equal(unsupported.status, 400);
    const user = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'lead2@example.com', roles: [{ value: 'US_TEAM_LEAD' }] },
    });
    assert.equal(user.status, 201, 'values compare without case');
    const patch = (operations: unknown[]) =>
      h.request('PATCH', `/Users/${user.body.id}`, {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations },
      });
    assert.equal((await patch([{ op: 'add', path: 'entitlements', value: [{ value: 'no.such.entitlement' }] }])).status, 400);
    const role = (await h.request('GET', `/Roles?filter=${encodeURIComponent('value eq "us_team_lead"')}`)).body.Resources[0];
    assert.equal((await h.request('DELETE', `/Roles/${role.id}`)).status, 204);
    assert.equal((await patch([{ op: 'replace', path: 'title', value: 'Lead' }])).status, 200, 'a role held before stays');
    const elsewhere = await h.request('POST', '/Users', {
      token: h.tokenB,
      body: { schemas: [USER_SCHEMA], userName: 'free@example.com', roles: [{ value: 'anything' }] },
    });
    assert.equal(elsewhere.status, 201, 'a tenant without /Roles takes any value (RFC 7643 §4.1.2)');
  });
  it('§3.2 limitedAssignmentsPermitted: a role with totalAssignmentsPermitted 1 goes to one user only; that user keeps it', async () => {
    await h.request('POST', '/Roles', {
      body: { schemas: [ROLE], value: 'approver', limitedAssignmentsPermitted: true, totalAssignmentsPermitted: 1 },
    });
    const first = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'approver1@example.com', roles: [{ value: 'approver' }] },
    });
    assert.equal(first.status, 201, first.raw);
    const second = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'approver2@example.com', roles: [{ value: 'approver' }] },
    });
    assert.equal(second.status, 400);
    assert.match(second.body.detail, /"approver" may be held by 1 resources/);
    const kept = await h.request('PUT', `/Users/${first.body.id}`, {
      body: { schemas: [USER_SCHEMA], userName: 'approver1@example.com', title: 'Approver', roles: [{ value: 'approver' }] },
    });
    assert.equal(kept.status, 200, 'the holder keeps its role through a PUT');
  });

  it('§3.2 totalAssignmentsUsed: how many users hold a limited role or entitlement, counted on every read; a value sent is ignored', async () => {
    const role = await h.request('POST', '/Roles', {
      body: {
        schemas: [ROLE],
        value: 'Counted',
        limitedAssignmentsPermitted: true,
        totalAssignmentsPermitted: 3,
        totalAssignmentsUsed: 99,
      },
    });
    assert.equal(role.status, 201, role.raw);
    assert.equal(role.body.totalAssignmentsUsed, 0, 'readOnly: the server counts');
    const used = async () => {
      const one = (await h.request('GET', `/Roles/${role.body.id}`)).body.totalAssignmentsUsed;
      const listed = (await h.request('GET', `/Roles?filter=${encodeURIComponent('value eq "counted"')}`)).body.Resources[0]
        .totalAssignmentsUsed;
      assert.equal(listed, one, 'a list counts as a GET does');
      return one;
    };
    const holder = (userName: string, value: string) =>
      h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName, roles: [{ value }, { value: 'global_lead' }] } });
    const a = await holder('counted-a@example.com', 'counted');
    await holder('counted-b@example.com', 'COUNTED');
    assert.equal(await used(), 2, 'values compare without case');
    await h.request('PATCH', `/Users/${a.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path: 'roles[value eq "counted"]' }],
      },
    });
    assert.equal(await used(), 1);
    const put = await h.request('PUT', `/Roles/${role.body.id}`, {
      body: { schemas: [ROLE], value: 'Counted', limitedAssignmentsPermitted: true, totalAssignmentsPermitted: 3, totalAssignmentsUsed: 7 },
    });
    assert.equal(put.body.totalAssignmentsUsed, 1, 'a PUT answers the count, not what it sent');
    const unlimited = await h.request('PATCH', `/Roles/${role.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'limitedAssignmentsPermitted', value: false }],
      },
    });
    assert.equal(unlimited.body.totalAssignmentsUsed, undefined, 'OPTIONAL, RECOMMENDED where assignments are limited: shown there only');

    const seat = await h.request('POST', '/Entitlements', {
      body: { schemas: [ENTITLEMENT], value: 'seat.counted', limitedAssignmentsPermitted: true, totalAssignmentsPermitted: 5 },
    });
    await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'seat-holder@example.com', entitlements: [{ value: 'seat.counted' }] },
    });
    assert.equal((await h.request('GET', `/Entitlements/${seat.body.id}`)).body.totalAssignmentsUsed, 1);
  });
});
