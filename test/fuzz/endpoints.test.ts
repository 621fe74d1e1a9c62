import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type AdminApiDocument, adminEndpoints, BULK_RESPONSE, ENDPOINTS, type Endpoint, type TenantData } from '../helpers/endpoints.ts';
import { ERROR_SCHEMA, type Harness, startHarness, USER_SCHEMA } from '../helpers/harness.ts';
import { startIssuer, type TestIssuer } from '../helpers/issuer.ts';
import { seedTenant, snapshotTenant } from '../helpers/two-tenants.ts';
import { bodyText, filterText, headers, hostileString, method, patchPath, queryString, resourceId } from './arbitraries.ts';
import type { ScimSchema, World } from './from-schemas.ts';
import { validFilter, patchBody as validPatchBody } from './from-schemas.ts';
import { fuzzParameters } from './runs.ts';
import { Pools, type ValidRequest, validRequest } from './valid-requests.ts';

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
  /** /Me with a token that names no user: 501 is its answer (RFC 7644 §3.11). */
  readonly mayBeNotImplemented?: boolean;
}

const ADMIN_TOKEN = 'admin-token-of-the-fuzz-suite-0123456';
/** A tenant the admin API may create, change and delete at will; acme and globex stay out of reach. */
const SCRATCH_TENANT = 'fuzz-scratch';
/** The user valid /Me requests act on. */
const ME_USER = 'fuzz.me@example.com';
/** An extension schema URN admin routes may name. */
const FUZZ_SCHEMA = 'urn:ietf:params:scim:schemas:extension:fuzz:2.0:User';

/**
 * Random and hostile requests at every endpoint of test/helpers/endpoints.ts and every route of
 * the admin API, with tenant A's token, a JWT of A, the admin token (or a broken one). After
 * every case: no 5xx (but /Me's 501), every error a SCIM error body without internals (in a
 * BulkResponse, every failed operation's too), security headers present, nothing of tenant B,
 * Object.prototype untouched, the server alive; at the end tenant B's data and events are
 * exactly as before.
 */
describe('fuzz: hostile requests at every endpoint', () => {
  let h: Harness;
  let idp: TestIssuer;
  let a: TenantData;
  let b: TenantData;
  let bBefore = '';
  let ids: string[] = [];
  let endpoints: Endpoint[] = [];
  /** JWTs of tenant A: for its own user, for a user it does not have. */
  let jwts: string[] = [];
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort().join();
  /** The schemas the server serves and A's resources: what valid requests are built from. */
  let world: World;
  let admin: AdminApiDocument;
  const pools = new Pools();
  let meJwt = '';
  const statuses = new Map<number, number>();
  /** The statuses of operations inside BulkResponses: how deep the generated BulkRequests get. */
  const bulkStatuses = new Map<number, number>();
  const tally = (counts: Map<number, number>) =>
    [...counts]
      .sort(([x], [y]) => x - y)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');

  before(async () => {
    // Rate limits off: at thousands of requests a second the fuzzer would mostly meet 429s
    // (test/conformance/rate-limits.test.ts covers those) instead of the code behind them.
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN_TOKEN, SCIMD_RATE_LIMIT_TENANT: '0', SCIMD_RATE_LIMIT_TOKEN: '0' });
    idp = await startIssuer();
    await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
    // Subjects matched by id: hostile subjects then reach the id column's lookup.
    await h.server.tenants.createTenant('initech');
    await h.server.oauth.set('initech', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd', subjectAttribute: 'id' });
    await h.server.tenants.createTenant(SCRATCH_TENANT);
    a = await seedTenant(h, h.tokenA, 'acme');
    b = await seedTenant(h, h.tokenB, 'globex');
    bBefore = await snapshotTenant(h, h.tokenB);
    ids = [a.userId, a.groupId, b.userId, b.groupId, b.userName];
    jwts = [await idp.sign(a.userName), await idp.sign('nobody@example.com')];
    const document = await h.server.app.inject({ method: 'GET', url: '/admin/openapi.json' });
    admin = JSON.parse(document.body) as AdminApiDocument;
    endpoints = [...ENDPOINTS, ...adminEndpoints(admin)];
    const schemas = await h.request('GET', '/Schemas');
    assert.equal(schemas.status, 200);
    world = { schemas: schemas.body.Resources as ScimSchema[], userIds: ['{any:Users}'], groupIds: ['{any:Groups}'] };
    pools.add('Users', a.userId);
    pools.add('Groups', a.groupId);
    pools.add('tenants', SCRATCH_TENANT);
    // /Me's user for valid requests: its JWT is theirs alone, and it is in no pool.
    const me = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: ME_USER } });
    assert.equal(me.status, 201, me.raw);
    meJwt = await idp.sign(ME_USER);
  });
  after(async () => {
    console.log(`# fuzz statuses: ${tally(statuses)}; inside BulkResponses: ${tally(bulkStatuses)}`);
    const [reached, total] = passThrough();
    console.log(`# fuzz pass-through: ${reached} of ${total} requests reached the handlers (${Math.round((100 * reached) / total)}%)`);
    await h.close();
    await idp.close();
  });

  function urlOf(endpoint: Endpoint, params: readonly string[], query: string): string {
    let next = 0;
    const path = endpoint.path.replace(/\{[^}]+\}/g, () => params[next++ % params.length]!);
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

  function assertScimError(body: unknown, status: number, what: string): void {
    const error = body as { schemas: string[]; status: string; detail: string };
    assert.deepEqual(error.schemas, [ERROR_SCHEMA], `not a SCIM error: ${what}`);
    assert.equal(error.status, String(status), what);
    assert.equal(typeof error.detail, 'string', what);
    assert.ok(!/\n\s+at |node_modules|SQLITE_|SELECT |INSERT |syntax error at/.test(error.detail), `internals in the detail: ${what}`);
  }

  /**
   * Requests that got past authentication and validation to a handler that did its work: answered
   * 2xx or 304, or refused for what the data holds (409 uniqueness, 412 version), not for their form.
   */
  function passThrough(): [number, number] {
    const total = [...statuses.values()].reduce((n, c) => n + c, 0);
    const reached = [...statuses]
      .filter(([s]) => (s >= 200 && s < 300) || s === 304 || s === 409 || s === 412)
      .reduce((n, [, c]) => n + c, 0);
    return [reached, total];
  }

  async function check(generated: FuzzRequest): Promise<void> {
    const request = printable({ ...generated, url: pools.resolve(generated.url), body: generated.body && pools.resolve(generated.body) });
    const res = await send(request);
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const path = request.url.split('?')[0]!;
    pools.record(request.method, path, res.statusCode, res.body);
    // The scratch tenant is what the valid admin requests work on: deleted, it is created again,
    // or every later one would be a 404 and the run would mostly test "no tenant named …".
    if (request.method === 'DELETE' && res.statusCode < 300 && path === `/admin/tenants/${SCRATCH_TENANT}`) {
      await h.server.tenants.createTenant(SCRATCH_TENANT);
      pools.add('tenants', SCRATCH_TENANT);
    }
    const what = `${res.statusCode} for ${summary(request)}\n→ ${res.body.slice(0, 500)}`;
    assert.ok(res.statusCode < 500 || (res.statusCode === 501 && request.mayBeNotImplemented), `a 5xx: ${what}`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', `no security headers: ${what}`);
    assert.equal(res.headers['cache-control'], 'no-store', `no Cache-Control: ${what}`);
    if (res.statusCode >= 400 && request.method !== 'HEAD') assertScimError(JSON.parse(res.body), res.statusCode, what);
    const json = res.statusCode === 200 && /json/.test(String(res.headers['content-type'])) && request.method !== 'HEAD';
    const body = json ? (JSON.parse(res.body) as { schemas?: unknown }) : undefined;
    if (Array.isArray(body?.schemas) && body.schemas.includes(BULK_RESPONSE)) {
      for (const [i, op] of (body as { Operations: { status: string; response?: unknown }[] }).Operations.entries()) {
        const status = Number(op.status);
        bulkStatuses.set(status, (bulkStatuses.get(status) ?? 0) + 1);
        assert.ok(status < 500, `a 5xx in Operations[${i}]: ${what}`);
        if (status >= 400) assertScimError(op.response, status, `Operations[${i}]: ${what}`);
      }
    }
    assert.ok(!res.body.includes(b.marker), `tenant B's data in the answer: ${what}`);
    assert.equal(
      Object.getOwnPropertyNames(Object.prototype).sort().join(),
      prototypeKeys,
      `Object.prototype changed after ${summary(request)}`,
    );
    const alive = await send({ method: 'GET', url: '/healthz', headers: {}, body: undefined });
    assert.equal(alive.statusCode, 200, `the server stopped answering after ${summary(request)}`);
  }

  /**
   * What the fuzzer sends an endpoint: a valid request (from the schemas) most of the time, one
   * with a single part (URL, headers or body) swapped for a hostile one, or a hostile one. At 5:1:1
   * about 55% reached the handlers, and some seeds fell under half; at 8:1:1, 59-60% over seeds.
   */
  const requestFor = (endpoint: Endpoint): fc.Arbitrary<FuzzRequest> => {
    const valid = validRequest(
      endpoint,
      world,
      { meUserName: ME_USER, scratchTenant: SCRATCH_TENANT, schemaId: FUZZ_SCHEMA },
      { token: h.tokenA, jwt: meJwt, admin: ADMIN_TOKEN },
      admin,
    )?.map((v) => asRequest(endpoint, v));
    const hostile = hostileRequestFor(endpoint);
    if (!valid) return hostile;
    // Not the method: DELETE on a valid URL would delete what later valid requests work on.
    const part = fc.constantFrom('url', 'headers', 'body') as fc.Arbitrary<'url' | 'headers' | 'body'>;
    const mutated = fc.tuple(valid, hostile, part).map(([v, x, k]) => printable({ ...v, [k]: x[k] }));
    return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: mutated }, { weight: 1, arbitrary: hostile });
  };

  const asRequest = (endpoint: Endpoint, v: ValidRequest): FuzzRequest =>
    printable({
      method: v.method,
      url: `${endpoint.root ? '' : h.base}${v.path}`,
      headers: v.headers,
      body: v.body,
      mayBeNotImplemented: endpoint.mayBeNotImplemented === true,
    });

  const hostileRequestFor = (endpoint: Endpoint) => {
    const admin = endpoint.path.startsWith('/admin/');
    return fc
      .record({
        method: method(endpoint.method),
        params: fc.array(resourceId(a, b, admin ? [SCRATCH_TENANT, FUZZ_SCHEMA, 'title'] : []), {
          minLength: 1,
          maxLength: 3,
        }),
        query: queryString(ids, endpoint.queryKeys),
        headers: admin ? headers(ADMIN_TOKEN, [h.tokenA, ...jwts]) : headers(h.tokenA, [...jwts, ADMIN_TOKEN]),
        body: bodyText(endpoint.body, ids, endpoint.fields),
      })
      .map(
        (r): FuzzRequest =>
          printable({
            method: r.method,
            url: urlOf(endpoint, r.params, r.query),
            headers: r.headers,
            body: r.method === 'GET' || r.method === 'HEAD' || r.method === 'DELETE' ? undefined : r.body,
            mayBeNotImplemented: endpoint.mayBeNotImplemented === true,
          }),
      );
  };

  it('random requests at random endpoints', async () => {
    const arbitrary = fc.constantFrom(...endpoints).chain(requestFor);
    await fc.assert(fc.asyncProperty(arbitrary, check), fuzzParameters(300));
  });

  it('random BulkRequests', async () => {
    const bulk = endpoints.filter((e) => e.body === 'bulk');
    assert.equal(bulk.length, 1);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...bulk).chain(requestFor), check), fuzzParameters(150));
    assert.ok(bulkStatuses.size > 0, 'some generated BulkRequests reach the bulk engine');
  });

  it('random requests at every admin route, with the admin token', async () => {
    const admin = endpoints.filter((e) => e.caller === 'admin');
    assert.ok(admin.length >= 10, `the admin routes come from /admin/openapi.json: ${admin.length}`);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...admin).chain(requestFor), check), fuzzParameters(150));
    const acme = await h.server.app.inject({
      method: 'GET',
      url: '/admin/tenants/acme',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(JSON.parse(acme.body).disabled, false, 'the fuzzer never reached tenant acme');
  });

  it('/Me with JWTs whose subject is random, matched by userName (acme) and by id (initech)', async () => {
    const me = endpoints.filter((e) => e.path === '/Me');
    const arbitrary = fc.record({
      request: fc.constantFrom(...me).chain(requestFor),
      subject: fc.oneof(
        { weight: 3, arbitrary: fc.constant(ME_USER) },
        { weight: 1, arbitrary: hostileString(ids) },
        { weight: 1, arbitrary: fc.uuid() },
      ),
      tenant: fc.constantFrom('acme', 'initech'),
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ request, subject, tenant }) => {
        // A DELETE /Me goes to A's seed user: /Me's own user stays for the valid requests.
        const token = await idp.sign(request.method === 'DELETE' && subject === ME_USER ? a.userName : subject, { claims: { tenant } });
        await check({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
      }),
      fuzzParameters(100),
    );
  });

  it('random filters on GET and POST .search at every level', async () => {
    // Valid filters (from the schemas) where their attributes are, and hostile ones anywhere.
    const valid = fc
      .constantFrom('User' as const, 'Group' as const)
      .chain((kind) =>
        fc.tuple(
          fc.constantFrom(...(kind === 'User' ? ['/Users', '/Users/.search', '/.search'] : ['/Groups', '/Groups/.search'])),
          validFilter(kind, world),
          fc.constantFrom(undefined, kind === 'User' ? 'userName' : 'displayName', 'meta.created'),
        ),
      );
    const hostile = fc.tuple(
      fc.constantFrom('/Users', '/Groups', '/.search', '/Users/.search', '/Groups/.search'),
      filterText(ids),
      fc.constantFrom(undefined, 'userName', 'meta.created', 'emails[type eq "work"].value'),
    );
    const arbitrary = fc
      .oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: hostile })
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
    const arbitrary = fc
      .tuple(
        fc.constantFrom('User' as const, 'Group' as const),
        fc.array(fc.tuple(fc.constantFrom('add', 'Replace', 'remove'), patchPath(ids), fc.jsonValue({ maxDepth: 3 })), {
          minLength: 1,
          maxLength: 4,
        }),
      )
      .chain(([kind, ops]) =>
        fc
          .oneof(
            { weight: 2, arbitrary: validPatchBody(kind, world) },
            {
              weight: 1,
              arbitrary: fc.constant({
                schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                Operations: ops.map(([op, p, value]) => ({ op, path: p, value })),
              }),
            },
          )
          .map(
            (body): FuzzRequest =>
              printable({
                method: 'PATCH',
                url: `${h.base}${kind === 'User' ? '/Users/{any:Users}' : '/Groups/{any:Groups}'}`,
                headers: { authorization: `Bearer ${h.tokenA}`, 'content-type': 'application/scim+json' },
                body: JSON.stringify(body),
              }),
          ),
      );
    await fc.assert(fc.asyncProperty(arbitrary, check), fuzzParameters(200));
  });

  it('at least half of the fuzzed requests got past validation to the handlers', () => {
    const [reached, total] = passThrough();
    assert.ok(total > 0, 'no request was sent');
    assert.ok(reached >= total / 2, `${reached} of ${total} reached the handlers: ${tally(statuses)}`);
  });

  it("tenant B's data and events are exactly as before", async () => {
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });
});
