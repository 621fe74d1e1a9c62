import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, GROUP_SCHEMA, type Harness, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

describe('rfc7644 §4 discovery', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('rfc7643 §5 ServiceProviderConfig tells what the server does', async () => {
    const res = await h.request('GET', '/ServiceProviderConfig');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    assert.equal(res.body.patch.supported, true);
    assert.deepEqual(res.body.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: 4194304 });
    assert.equal(res.body.filter.supported, true);
    assert.equal(res.body.etag.supported, true);
    assert.equal(res.body.sort.supported, true);
    assert.equal(res.body.changePassword.supported, true);
    assert.equal(res.body.filter.maxResults, 1000);
    assert.equal(res.body.authenticationSchemes[0].type, 'oauthbearertoken');
    assert.equal(res.body.meta.resourceType, 'ServiceProviderConfig');
  });

  it('rfc9865 §4 ServiceProviderConfig advertises cursor and index pagination', async () => {
    const res = await h.request('GET', '/ServiceProviderConfig');
    assert.deepEqual(res.body.pagination, {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 1000,
      cursorTimeout: 3600,
    });
  });

  it('rfc7643 §7 /Schemas lists User, Group and EnterpriseUser with their attributes', async () => {
    const res = await h.request('GET', '/Schemas');
    assert.equal(res.status, 200);
    const ids = res.body.Resources.map((s: { id: string }) => s.id).sort();
    assert.deepEqual(ids, [ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA].sort());
    const user = res.body.Resources.find((s: { id: string }) => s.id === USER_SCHEMA);
    const userName = user.attributes.find((a: { name: string }) => a.name === 'userName');
    assert.equal(userName.required, true);
    assert.equal(userName.uniqueness, 'server');
    assert.equal(userName.caseExact, false);
    const password = user.attributes.find((a: { name: string }) => a.name === 'password');
    assert.equal(password.returned, 'never');
    assert.equal(password.mutability, 'writeOnly');
    assert.equal(user.meta.location, `https://scim.example.com/scim/v2/Schemas/${USER_SCHEMA}`);
  });

  it('rfc7643 §7 "service providers MUST specify the description": every attribute /Schemas serves has one', async () => {
    type Served = { name: string; description: string; subAttributes?: Served[] };
    const undescribed = (attributes: Served[], prefix: string): string[] =>
      attributes.flatMap((a) => [
        ...(/\S/.test(a.description) ? [] : [`${prefix}${a.name}`]),
        ...undescribed(a.subAttributes ?? [], `${prefix}${a.name}.`),
      ]);
    const res = await h.request('GET', '/Schemas');
    const missing = res.body.Resources.flatMap((s: { id: string; attributes: Served[] }) => undescribed(s.attributes, `${s.id}:`));
    assert.deepEqual(missing, []);
    // RFC 7643 §8.7.1's text (core/rfc7643-8.7.1.test.ts pins every one).
    const user = res.body.Resources.find((s: { id: string }) => s.id === USER_SCHEMA);
    assert.equal(
      user.attributes.find((a: Served) => a.name === 'active').description,
      "A Boolean value indicating the User's administrative status.",
    );
  });

  it('/Schemas/{id} returns one schema; an unknown id is 404', async () => {
    const res = await h.request('GET', `/Schemas/${ENTERPRISE}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, ENTERPRISE);
    assert.equal((await h.request('GET', '/Schemas/urn:nope')).status, 404);
  });

  it('rfc7643 §6 /ResourceTypes lists User (with the enterprise extension) and Group', async () => {
    const res = await h.request('GET', '/ResourceTypes');
    assert.equal(res.body.totalResults, 2);
    const user = res.body.Resources.find((r: { id: string }) => r.id === 'User');
    assert.equal(user.endpoint, '/Users');
    assert.equal(user.schema, USER_SCHEMA);
    assert.deepEqual(user.schemaExtensions, [{ schema: ENTERPRISE, required: false }]);
    assert.deepEqual(user.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ResourceType']);
    const group = await h.request('GET', '/ResourceTypes/Group');
    assert.equal(group.body.endpoint, '/Groups');
  });

  for (const path of ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes']) {
    it(`rfc7644 §4 ${path} refuses filter with 403`, async () => {
      const res = await h.request('GET', `${path}?filter=${encodeURIComponent('id eq "x"')}`);
      assert.equal(res.status, 403);
      assert.equal(res.body.status, '403');
    });
  }
});
