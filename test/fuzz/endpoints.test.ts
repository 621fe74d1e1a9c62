import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ENDPOINTS, type Endpoint, type TenantData } from '../helpers/endpoints.ts';
import { ERROR_SCHEMA, startHarness, type Harness } from '../helpers/harness.ts';
import { seedTenant, snapshotTenant } from '../helpers/two-tenants.ts';
import { bodyText, filterText, headers, method, patchPath, queryString, resourceId } from './arbitraries.ts';
import { fuzzParameters } from './runs.ts';

/** A request, shortened to a readable line: fast-check prints counterexamples with it. */
function summary(request: FuzzRequest): string {
  return `${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${String(request.body).slice(0, 300)}`;
}

function printable(request: FuzzRequest): FuzzRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => summary(request) });
}

/** A request that takes longer than this is a hang. */
const HANG_MS = 15_000;

interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/**
 * Random and hostile requests at every endpoint of test/helpers/endpoints.ts, with tenant A's
 * token (or a broken one). After every case: no 5xx, every error a SCIM error body without
 * internals, security headers present, nothing of tenant B, Object.prototype untouched, the
 * server alive; at the end tenant B's data and events are exactly as before.
 */
describe('fuzz: hostile requests at every endpoint', () => {
  let h: Harness;
  let a: TenantData;
  let b: TenantData;
  let bBefore = '';
  let ids: string[] = [];
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort().join();
  const statuses = new Map<number, number>();

  before(async () => {
    h = await startHarness();
    a = await seedTenant(h, h.tokenA, 'acme');
    b = await seedTenant(h, h.tokenB, 'globex');
    bBefore = await snapshotTenant(h, h.tokenB);
    ids = [a.userId, a.groupId, b.userId, b.groupId, b.userName];
  });
  after(async () => {
    console.log(`# fuzz statuses: ${[...statuses].sort(([x], [y]) => x - y).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    await h.close();
  });

  function urlOf(endpoint: Endpoint, id: string, query: string): string {
    const path = endpoint.path.replace('{id}', id);
    return `${endpoint.root ? '' : h.base}${path}${query}`;
  }

  async function send(request: FuzzRequest) {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms: ${summary(request)}`)), HANG_MS);
    });
    try {
      return await Promise.race([
        h.server.app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          ...(request.body !== undefined ? { payload: request.body } : {}),
        }),
        hang,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }


  async function check(request: FuzzRequest): Promise<void> {
    const res = await send(request);
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const what = `${res.statusCode} for ${summary(request)}\n→ ${res.body.slice(0, 500)}`;
    assert.ok(res.statusCode < 500, `a 5xx: ${what}`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', `no security headers: ${what}`);
    assert.equal(res.headers['cache-control'], 'no-store', `no Cache-Control: ${what}`);
    if (res.statusCode >= 400 && request.method !== 'HEAD') {
      const body = JSON.parse(res.body) as { schemas: string[]; status: string; detail: string };
      assert.deepEqual(body.schemas, [ERROR_SCHEMA], `not a SCIM error: ${what}`);
      assert.equal(body.status, String(res.statusCode), what);
      assert.equal(typeof body.detail, 'string', what);
      assert.ok(!/\n\s+at |node_modules|SQLITE_|SELECT |INSERT |syntax error at/.test(body.detail), `internals in the detail: ${what}`);
    }
    assert.ok(!res.body.includes(b.marker), `tenant B's data in the answer: ${what}`);
    assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), prototypeKeys, `Object.prototype changed after ${summary(request)}`);
    const alive = await send({ method: 'GET', url: '/healthz', headers: {}, body: undefined });
    assert.equal(alive.statusCode, 200, `the server stopped answering after ${summary(request)}`);
  }

  const requestFor = (endpoint: Endpoint) =>
    fc.record({
      method: method(endpoint.method),
      id: resourceId(a, b),
      query: queryString(ids),
      headers: headers(h.tokenA),
      body: bodyText(endpoint.body, ids),
    }).map(
      (r): FuzzRequest =>
        printable({
          method: r.method,
          url: urlOf(endpoint, r.id, r.query),
          headers: r.headers,
          body: r.method === 'GET' || r.method === 'HEAD' || r.method === 'DELETE' ? undefined : r.body,
        }),
    );

  it('random requests at random endpoints', async () => {
    const arbitrary = fc.constantFrom(...ENDPOINTS).chain(requestFor);
    await fc.assert(fc.asyncProperty(arbitrary, check), fuzzParameters(300));
  });

  it('random filters on GET and POST .search at every level', async () => {
    const lists = ['/Users', '/Groups'];
    const arbitrary = fc.tuple(fc.constantFrom(...lists, '/.search', '/Users/.search', '/Groups/.search'), filterText(ids), fc.constantFrom(undefined, 'userName', 'meta.created', 'emails[type eq "work"].value'))
      .map(([path, filter, sortBy]): FuzzRequest => {
        const search = path.endsWith('.search');
        const params = { filter, ...(sortBy ? { sortBy } : {}) };
        return printable({
          method: search ? 'POST' : 'GET',
          url: `${h.base}${path}${search ? '' : `?${new URLSearchParams(params)}`}`,
          headers: { authorization: `Bearer ${h.tokenA}`, 'content-type': 'application/scim+json' },
          body: search ? JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...params }) : undefined,
        });
      });
    await fc.assert(fc.asyncProperty(arbitrary, check), fuzzParameters(200));
  });

  it('random PATCH paths and values on a user and a group', async () => {
    const arbitrary = fc.tuple(fc.constantFrom(`/Users/${a.userId}`, `/Groups/${a.groupId}`), fc.array(fc.tuple(fc.constantFrom('add', 'Replace', 'remove'), patchPath(ids), fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 4 }))
      .map(([path, ops]): FuzzRequest => printable({
        method: 'PATCH',
        url: `${h.base}${path}`,
        headers: { authorization: `Bearer ${h.tokenA}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops.map(([op, p, value]) => ({ op, path: p, value })) }),
      }));
    await fc.assert(fc.asyncProperty(arbitrary, check), fuzzParameters(200));
  });

  it('tenant B\'s data and events are exactly as before', async () => {
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });
});
