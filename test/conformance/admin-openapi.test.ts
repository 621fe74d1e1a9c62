import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAdminApi } from '../../src/http/admin/plugin.ts';
import { installErrorHandling } from '../../src/http/plugins/error-handler.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { foldRoute, servedRoutes } from '../helpers/routes.ts';

const ADMIN = 'admin-secret-for-the-tests-0123';

type Operation = {
  summary?: string;
  tags?: string[];
  operationId: string;
  parameters: { name: string; in: string }[];
  responses: Record<string, unknown>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

function documented(document: Document): Set<string> {
  const out = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths))
    for (const method of Object.keys(operations)) out.add(foldRoute(`${method.toUpperCase()} ${path}`));
  return out;
}

describe('admin API: OpenAPI 3.1 description at /admin/openapi.json', () => {
  let h: Harness;
  let document: Document;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
    document = (await h.server.app.inject({ method: 'GET', url: '/admin/openapi.json' })).json();
  });
  after(() => h.close());

  it('describes exactly the routes the server serves under /admin', () => {
    assert.deepEqual([...documented(document)].sort(), [...servedRoutes(h.server.app, '/admin/')].sort());
    assert.ok(documented(document).size >= 12);
  });

  it('gives every operation a summary, a tag, a unique operationId, its path parameters and a success response', () => {
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(operation.summary, `${where} has a summary`);
        assert.ok(operation.tags?.length, `${where} has a tag`);
        assert.ok(!ids.has(operation.operationId), `${where}: operationId ${operation.operationId} is unique`);
        ids.add(operation.operationId);
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        assert.deepEqual(
          operation.parameters.filter((p) => p.in === 'path').map((p) => p.name),
          params,
          `${where} declares its path parameters`,
        );
        assert.ok(
          Object.keys(operation.responses).some((s) => /^2\d\d$/.test(s)),
          `${where} documents a success response`,
        );
      }
    }
    assert.equal(document.openapi, '3.1.0');
  });

  it('every documented operation reaches a handler (no "no such endpoint")', async () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const url = path.replace(/\{\w+\}/g, 'does-not-exist');
        const response = await h.server.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        assert.ok(response.statusCode < 500, `${method} ${url}: ${response.body}`);
        assert.ok(!response.body.includes('no such endpoint'), `${method} ${url} is routed`);
      }
    }
  });

  it('includes routes mounted after the admin plugin with one register line, as the other admin route files are', async () => {
    const app = Fastify();
    installErrorHandling(app);
    await app.register(
      async (scope) => {
        installAdminApi(scope, {
          tenants: h.server.tenants,
          adminTokens: h.server.adminTokens,
          audit: h.server.audit,
          schemas: h.server.schemas,
          oauth: h.server.oauth,
          requestLog: h.server.requestLog,
          consoleSessions: h.server.consoleSessions,
          publicUrl: undefined,
          sinks: async () => [],
          version: 'test',
        });
        const registerExampleRoutes = (admin: FastifyInstance) => {
          admin.get('/example', {
            schema: { summary: 'An extension', tags: ['example'], response: { 200: { type: 'object' } } },
            handler: async () => ({}),
          });
          void admin.register(async (child) => {
            child.put('/example/:id', { schema: { summary: 'A nested one', tags: ['example'] }, handler: async () => ({}) });
          });
        };
        registerExampleRoutes(scope);
      },
      { prefix: '/admin' },
    );
    const extended: Document = (await app.inject({ method: 'GET', url: '/admin/openapi.json' })).json();
    assert.equal(extended.paths['/admin/example']?.['get']?.summary, 'An extension');
    assert.equal(extended.paths['/admin/example/{id}']?.['put']?.summary, 'A nested one');
    assert.deepEqual([...documented(extended)].sort(), [...servedRoutes(app, '/admin/')].sort());
    assert.equal((await app.inject({ method: 'GET', url: '/admin/example' })).statusCode, 401, 'extensions are behind the admin token too');
    assert.equal(
      (await app.inject({ method: 'GET', url: '/admin/example', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode,
      200,
    );
    await app.close();
  });
});
