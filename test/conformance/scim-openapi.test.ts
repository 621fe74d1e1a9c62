import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { foldRoute, servedRoutes } from '../helpers/routes.ts';

type Operation = { operationId: string; responses: Record<string, unknown>; parameters?: unknown[] };
type Document = {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, { properties?: Record<string, { type: string }> }> }> };
};

const HR = 'urn:ietf:params:scim:schemas:extension:hr:2.0:User';

/** docs/operations.md "OpenAPI": GET {basePath}/openapi.json describes the tenant's own SCIM API, and is valid OpenAPI 3.1. */
describe('GET /scim/v2/openapi.json', () => {
  let h: Harness;
  let doc: Document;

  before(async () => {
    h = await startHarness();
    await h.server.schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter', type: 'integer' } });
    const reply = await h.request('GET', '/openapi.json');
    assert.equal(reply.status, 200, reply.raw);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    doc = reply.body;
  });
  after(() => h.close());

  it('is a valid OpenAPI 3.1 document (checked by an OpenAPI validator)', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(doc.servers[0]?.url, 'https://scim.example.com/scim/v2');
  });

  it('describes every SCIM route the server serves, each with its errors', async () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => foldRoute(`${m.toUpperCase()} ${h.base}${path}`))),
    );
    const served = servedRoutes(h.server.app, `${h.base}/`);
    for (const route of documented) assert.ok(served.has(route), `${route} is documented but not served`);
    // The router also holds the 405 answers of each path, and the endpoints of the optional
    // resource types this tenant has not enabled, which answer as unknown paths do
    // (docs/resource-types.md): a route not documented must be one of them.
    for (const route of served) {
      if (documented.has(route)) continue;
      const [method, path] = route.split(' ') as [string, string];
      const reply = await h.request(method, path.replaceAll('{id}', 'x'));
      const disabled = reply.status === 404 && /^no such endpoint: /.test(reply.body?.detail ?? '');
      assert.ok(reply.status === 405 || disabled, `${route} is served (${reply.status}) but not documented`);
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const status of ['400', '401', '429', '500']) assert.ok(op.responses[status], `${method} ${path} documents ${status}`);
      }
    }
    assert.ok(doc.paths['/Users/{id}']?.['get']?.responses['404']);
    assert.ok(doc.paths['/Users']?.['post']?.responses['409']);
    assert.ok(doc.paths['/Users/{id}']?.['patch']?.responses['412']);
  });

  it("shows the tenant's own extension and custom attributes, and another tenant's none of them", async () => {
    const user = doc.components.schemas['User']!;
    assert.equal(user.properties[HR]?.properties?.['costCenter']?.type, 'integer');
    assert.equal(user.properties['userName'] !== undefined, true);
    assert.ok(user.properties['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']);
    const other = await h.request('GET', '/openapi.json', { token: h.tokenB });
    assert.equal(other.status, 200);
    assert.equal(other.body.components.schemas.User.properties[HR], undefined);
  });

  it('draft-zollner-scim-group-members-01 §6: /GroupMembers/{id} of a tenant that enabled it is read and deleted, never replaced or patched', async () => {
    await h.server.resourceTypes.enable('globex', ['GroupMembers']);
    const enabled = (await h.request('GET', '/openapi.json', { token: h.tokenB })).body;
    assert.deepEqual(Object.keys(enabled.paths['/GroupMembers/{id}']).sort(), ['delete', 'get']);
    assert.deepEqual(Object.keys(enabled.paths['/GroupMembers']).sort(), ['get', 'post']);
    await h.server.resourceTypes.disable('globex', ['GroupMembers']);
  });

  it('needs the SCIM token like every SCIM route', async () => {
    assert.equal((await h.request('GET', '/openapi.json', { token: null })).status, 401);
  });
});
