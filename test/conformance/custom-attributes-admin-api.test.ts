import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const SALES = 'urn:ietf:params:scim:schemas:extension:sales:2.0:User';
const ADMIN = 'admin-secret-for-the-schema-tests';

/** The schema routes of the admin API, behind its authentication, over the harness's real store. */
describe('custom attributes: admin HTTP API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(async () => {
    await h.close();
  });

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const authorization = `Bearer ${ADMIN}`;
    const res = await h.server.app.inject({
      method,
      url,
      headers: body !== undefined ? { authorization, 'content-type': 'application/json' } : { authorization },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.body === '' ? undefined : JSON.parse(res.body) };
  };
  const schemaUrl = `/admin/tenants/acme/schemas/${encodeURIComponent(SALES)}`;

  it('custom attributes: admin API adds an attribute, and SCIM validates, filters and publishes it', async () => {
    const added = await call('POST', `${schemaUrl}/attributes`, { name: 'region', type: 'string', canonicalValues: ['emea', 'apac'] });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.id, SALES);
    assert.equal(added.body.resourceType, 'User');
    assert.deepEqual(
      added.body.attributes.map((a: { name: string }) => a.name),
      ['region'],
    );

    const user = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA, SALES], userName: 'rep@example.com', [SALES]: { region: 'emea' } },
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const bad = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA, SALES], userName: 'rep2@example.com', [SALES]: { region: 'mars' } },
    });
    assert.equal(bad.status, 400);
    const found = await h.request('GET', `/Users?filter=${encodeURIComponent(`${SALES}:region eq "emea"`)}`);
    assert.equal(found.body.totalResults, 1);
    assert.ok((await h.request('GET', `/Schemas/${SALES}`)).status === 200);
  });

  it('custom attributes: admin API imports an RFC 7643 §7 schema and lists it', async () => {
    const imported = await call('POST', '/admin/tenants/acme/schemas?resourceType=Group', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: 'urn:example:params:scim:schemas:extension:projects:2.0:Team',
      name: 'Projects',
      description: 'Project codes of a team',
      attributes: [{ name: 'projectCodes', type: 'string', multiValued: true, uniqueness: 'none' }],
    });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.resourceType, 'Group');
    const listed = await call('GET', '/admin/tenants/acme/schemas');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.Resources.map((s: { id: string }) => s.id).sort(), [
      'urn:example:params:scim:schemas:extension:projects:2.0:Team',
      SALES,
    ]);
    const one = await call('GET', schemaUrl);
    assert.equal(one.body.attributes[0].name, 'region');
    const rt = await h.request('GET', '/ResourceTypes/Group');
    assert.deepEqual(rt.body.schemaExtensions, [
      { schema: 'urn:example:params:scim:schemas:extension:projects:2.0:Team', required: false },
    ]);
  });

  it('custom attributes: admin API errors are SCIM error bodies with the right status', async () => {
    const noType = await call('POST', '/admin/tenants/acme/schemas', {
      id: 'urn:example:params:scim:schemas:extension:x:2.0',
      attributes: [],
    });
    assert.equal(noType.status, 400);
    assert.match(noType.body.detail, /which resource type/);
    assert.equal(noType.body.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:Error');
    const unknownTenant = await call('GET', '/admin/tenants/nobody/schemas');
    assert.equal(unknownTenant.status, 404);
    const badAttribute = await call('POST', `${schemaUrl}/attributes`, { name: 'x y', type: 'string' });
    assert.equal(badAttribute.status, 400);
    assert.equal(badAttribute.body.scimType, 'invalidValue');
    const missing = await call('DELETE', `${schemaUrl}/attributes/nothing`);
    assert.equal(missing.status, 404);
    const badJson = await h.server.app.inject({
      method: 'POST',
      url: '/admin/tenants/acme/schemas',
      payload: '{',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    });
    assert.equal(badJson.statusCode, 400);
  });

  it('custom attributes: admin API removes an attribute, then the schema', async () => {
    assert.equal((await call('POST', `${schemaUrl}/attributes`, { name: 'quota', type: 'integer' })).status, 200);
    const removed = await call('DELETE', `${schemaUrl}/attributes/region`);
    assert.equal(removed.status, 204);
    assert.deepEqual(
      (await call('GET', schemaUrl)).body.attributes.map((a: { name: string }) => a.name),
      ['quota'],
    );
    const user = await h.request('GET', `/Users?filter=${encodeURIComponent('userName eq "rep@example.com"')}`);
    assert.equal(user.body.Resources[0][SALES], undefined, 'the removed attribute is gone from responses');
    assert.equal((await call('DELETE', schemaUrl)).status, 204);
    assert.equal((await call('GET', schemaUrl)).status, 404);
    assert.equal((await h.request('GET', `/Schemas/${SALES}`)).status, 404);
  });
});
