import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-the-resource-type-tests';
const ROLE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Role';
const DEVICE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Device';
const BLE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:ble:2.0:Device';

/** docs/resource-types.md: a tenant enables optional types; its discovery shows them, and nothing else does. */
describe('resource types: per-tenant enablement (RFC 7644 §4 discovery shows what is enabled)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(async () => {
    await h.close();
  });

  const admin = async (method: 'GET' | 'PUT' | 'DELETE', url: string) => {
    const res = await h.server.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN}` } });
    return { status: res.statusCode, body: res.body === '' ? undefined : JSON.parse(res.body) };
  };
  const names = async (token?: string) =>
    (await h.request('GET', '/ResourceTypes', token ? { token } : {})).body.Resources.map((r: { name: string }) => r.name);
  const schemaIds = async (token?: string) =>
    (await h.request('GET', '/Schemas', token ? { token } : {})).body.Resources.map((s: { id: string }) => s.id);

  it('a new tenant has only User and Group; the admin API lists the optional types, all disabled', async () => {
    assert.deepEqual(await names(), ['User', 'Group']);
    const listed = await admin('GET', '/admin/tenants/acme/resource-types');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.Resources.map((s: { endpoint: string; enabled: boolean }) => [s.endpoint, s.enabled]),
      [
        ['Roles', false],
        ['Entitlements', false],
        ['GroupMembers', false],
        ['Agents', false],
        ['Devices', false],
      ],
    );
  });

  it('enabling Roles and Devices shows them, with their schemas and extensions, to that tenant only', async () => {
    assert.equal((await admin('PUT', '/admin/tenants/acme/resource-types/Roles')).status, 200);
    const enabled = await admin('PUT', '/admin/tenants/acme/resource-types/device');
    assert.equal(enabled.status, 200, 'a type is named by endpoint or name, in any case');
    assert.deepEqual(
      enabled.body.Resources.filter((s: { enabled: boolean }) => s.enabled).map((s: { name: string }) => s.name),
      ['Role', 'Device'],
    );
    assert.deepEqual(await names(), ['User', 'Group', 'Role', 'Device']);
    const device = await h.request('GET', '/ResourceTypes/Device');
    assert.equal(device.status, 200);
    assert.equal(device.body.endpoint, '/Devices');
    assert.equal(device.body.schema, DEVICE_SCHEMA);
    assert.ok(device.body.schemaExtensions.some((e: { schema: string }) => e.schema === BLE_SCHEMA));
    const schemas = await schemaIds();
    for (const id of [ROLE_SCHEMA, DEVICE_SCHEMA, BLE_SCHEMA]) assert.ok(schemas.includes(id), id);
    assert.equal((await h.request('GET', `/Schemas/${ROLE_SCHEMA}`)).body.name, 'Role');

    assert.deepEqual(await names(h.tokenB), ['User', 'Group'], 'the other tenant sees none of it');
    assert.ok(!(await schemaIds(h.tokenB)).includes(ROLE_SCHEMA));
    assert.equal((await h.request('GET', '/ResourceTypes/Role', { token: h.tokenB })).status, 404);
    assert.equal((await h.request('GET', `/Schemas/${ROLE_SCHEMA}`, { token: h.tokenB })).status, 404);
  });

  it('disabling takes the type and its schemas away again', async () => {
    const disabled = await admin('DELETE', '/admin/tenants/acme/resource-types/Devices');
    assert.equal(disabled.status, 200);
    assert.deepEqual(await names(), ['User', 'Group', 'Role']);
    assert.ok(!(await schemaIds()).includes(DEVICE_SCHEMA));
    assert.equal((await h.request('GET', '/ResourceTypes/Device')).status, 404);
  });

  it("the admin API lists a type's resources for the console where the tenant enabled it, and 404 elsewhere", async () => {
    const created = await h.request('POST', '/Roles', { body: { schemas: [ROLE_SCHEMA], value: 'auditor' } });
    assert.equal(created.status, 201, created.raw);
    const listed = await admin('GET', '/admin/tenants/acme/roles?filter=value%20eq%20%22AUDITOR%22');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.Resources.map((r: { id: string }) => r.id),
      [created.body.id],
    );
    assert.equal((await admin('GET', `/admin/tenants/acme/roles/${created.body.id}`)).body.value, 'auditor');
    assert.equal((await admin('GET', '/admin/tenants/globex/roles')).status, 404);
    const states = (await admin('GET', '/admin/tenants/acme/resource-types')).body.Resources;
    assert.deepEqual(
      states.map((s: { endpoint: string; browsable: boolean }) => `${s.endpoint}:${s.browsable}`),
      ['Roles:true', 'Entitlements:true', 'GroupMembers:false', 'Agents:true', 'Devices:true'],
    );
  });

  it('an unknown type, an always-on type and an unknown tenant are refused with SCIM error bodies', async () => {
    const unknown = await admin('PUT', '/admin/tenants/acme/resource-types/Printers');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.scimType, 'invalidValue');
    assert.match(unknown.body.detail, /Roles, Entitlements, GroupMembers, Agents, Devices/);
    const builtIn = await admin('DELETE', '/admin/tenants/acme/resource-types/Users');
    assert.equal(builtIn.status, 400);
    assert.match(builtIn.body.detail, /always enabled/);
    assert.equal((await admin('GET', '/admin/tenants/nobody/resource-types')).status, 404);
  });

  it('the routes are in /admin/openapi.json', async () => {
    const doc = await admin('GET', '/admin/openapi.json');
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    assert.ok(paths['/admin/tenants/{name}/resource-types']?.['get']);
    assert.ok(paths['/admin/tenants/{name}/resource-types/{type}']?.['put']);
    assert.ok(paths['/admin/tenants/{name}/resource-types/{type}']?.['delete']);
  });
});
