import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-the-request-log';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTRA_AGENT = 'Microsoft.AAD.Provisioning/1.0 (Azure AD SCIM client)';
const OKTA_AGENT = 'Okta SCIM Client 1.0.0';

async function admin(h: Harness, url: string, accept?: string) {
  const res = await h.server.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${ADMIN}`, ...(accept ? { accept } : {}) },
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    raw: res.body,
    body: /^application\/(scim\+)?json/.test(String(res.headers['content-type'])) ? JSON.parse(res.body) : undefined,
  };
}

/** docs/console.md "The request log": what it records of each SCIM request, and how the admin API reads it. */
describe('request log: every SCIM request of a tenant, readable through the admin API', () => {
  let h: Harness;
  let userId = '';
  let lookupRequestId = '';
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
    const created = await h.request('POST', '/Users', {
      body: userBody('log.user@example.com'),
      headers: { 'user-agent': ENTRA_AGENT, 'x-request-id': 'entra-correlation-4711' },
    });
    assert.equal(created.status, 201);
    userId = created.body.id;
    const patched = await h.request('PATCH', `/Users/${userId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Renamed' }] },
      headers: { 'user-agent': ENTRA_AGENT },
    });
    assert.equal(patched.status, 200);
    const conflict = await h.request('POST', '/Users', { body: userBody('log.user@example.com'), headers: { 'user-agent': OKTA_AGENT } });
    assert.equal(conflict.status, 409);
    const lookup = await h.request('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`);
    assert.equal(lookup.status, 200);
    lookupRequestId = String(lookup.headers['x-request-id']);
    assert.equal((await h.request('GET', '/Users', { token: h.tokenB })).status, 200);
    assert.equal((await h.request('GET', '/Users', { token: 'scimd_not_a_token' })).status, 401);
  });
  after(() => h.close());

  it('records time, method, path and query, status, scimType, latency, request id, token, client, resource id and both bodies', async () => {
    const page = await admin(h, '/admin/tenants/acme/requests');
    assert.equal(page.status, 200, page.raw);
    const [lookup, conflict, patch, create] = page.body.entries;
    assert.equal(page.body.entries.length, 4, "the other tenant and the unauthenticated request are not in acme's log");

    assert.equal(create.method, 'POST');
    assert.equal(create.path, '/Users');
    assert.equal(create.status, 201);
    assert.equal(create.resourceId, userId);
    assert.equal(create.client, 'entra');
    assert.equal(create.userAgent, ENTRA_AGENT);
    assert.match(create.tokenId, /^tok_/);
    assert.equal(create.requestId, 'entra-correlation-4711', 'the X-Request-Id the client sent and got back');
    assert.ok(create.latencyMs > 0);
    assert.ok(Math.abs(Date.parse(create.time) - Date.now()) < 60_000);
    assert.equal(JSON.parse(create.request.body).userName, 'log.user@example.com');
    assert.equal(JSON.parse(create.response.body).id, userId);
    assert.equal(create.request.cut, false);
    assert.equal(create.request.bytes, Buffer.byteLength(create.request.body));

    assert.equal(patch.method, 'PATCH');
    assert.equal(patch.path, `/Users/${userId}`);
    assert.equal(patch.resourceId, userId);
    assert.equal(JSON.parse(patch.request.body).Operations[0].value, 'Renamed');

    assert.equal(conflict.status, 409);
    assert.equal(conflict.scimType, 'uniqueness');
    assert.equal(conflict.client, 'okta');
    assert.equal(create.scimType, undefined, 'a success has no scimType');

    assert.equal(lookup.method, 'GET');
    assert.equal(new URLSearchParams(lookup.query).get('filter'), 'userName eq "nobody"');
    assert.equal(lookup.client, 'other');
    assert.equal(lookup.requestId, lookupRequestId, 'a generated id is the one returned in X-Request-Id');
    assert.ok(Number(lookup.id) > Number(conflict.id), 'newest first');
  });

  it('filters by status class, method, path prefix, resource id and time range, and pages with nextCursor', async () => {
    const ids = async (query: string) =>
      (await admin(h, `/admin/tenants/acme/requests?${query}`)).body.entries.map(
        (e: { method: string; status: number }) => `${e.method} ${e.status}`,
      );
    assert.deepEqual(await ids('status=4xx'), ['POST 409']);
    assert.deepEqual(await ids('status=error'), ['POST 409']);
    assert.deepEqual(await ids('status=2xx&method=post'), ['POST 201']);
    assert.deepEqual(await ids(`path=${encodeURIComponent(`/Users/${userId}`)}`), ['PATCH 200']);
    assert.deepEqual(await ids(`resourceId=${userId}`), ['PATCH 200', 'POST 201']);
    assert.deepEqual(await ids('since=2999-01-01T00:00:00Z'), []);
    assert.deepEqual(await ids('until=2000-01-01T00:00:00Z'), []);
    assert.equal((await ids('since=2000-01-01T00:00:00Z')).length, 4);

    const first = await admin(h, '/admin/tenants/acme/requests?count=3&bodies=false');
    assert.equal(first.body.entries.length, 3);
    assert.equal(first.body.entries[0].request.body, undefined, 'bodies=false leaves the bodies out');
    const second = await admin(h, `/admin/tenants/acme/requests?count=3&cursor=${first.body.nextCursor}`);
    assert.deepEqual(
      second.body.entries.map((e: { method: string }) => e.method),
      ['POST'],
    );
    assert.equal(second.body.nextCursor, undefined);

    const one = await admin(h, `/admin/tenants/acme/requests/${second.body.entries[0].id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.status, 201);
    assert.equal(
      (await admin(h, `/admin/tenants/globex/requests/${second.body.entries[0].id}`)).status,
      404,
      'found only through its tenant',
    );

    for (const bad of ['status=7xx', 'since=yesterday', 'cursor=abc', 'count=0', 'method=GET%20X']) {
      const res = await admin(h, `/admin/tenants/acme/requests?${bad}`);
      assert.equal(res.status, 400, `${bad}: ${res.raw}`);
    }
    assert.equal((await admin(h, '/admin/tenants/nope/requests')).status, 404);
  });

  it('exports every matching entry as NDJSON with Accept: application/x-ndjson', async () => {
    const res = await admin(h, '/admin/tenants/acme/requests?count=1&method=POST', 'application/x-ndjson');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    const lines = res.raw
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.status),
      [409, 201],
      'count does not page the export',
    );
    assert.ok(lines[1].request.body.includes('log.user@example.com'));
    assert.equal((await admin(h, '/admin/tenants/acme/requests?status=9', 'application/x-ndjson')).status, 400);
  });

  it('is behind the admin token like every admin route', async () => {
    const res = await h.server.app.inject({
      method: 'GET',
      url: '/admin/tenants/acme/requests',
      headers: { authorization: `Bearer ${h.tokenA}` },
    });
    assert.equal(res.statusCode, 401);
  });
});

describe('request log: SCIMD_REQUEST_LOG and the body cap', () => {
  it('errors records only answers of 400 and above; off records nothing', async () => {
    for (const [mode, expected] of [
      ['errors', ['409']],
      ['off', []],
    ] as const) {
      const h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN, SCIMD_REQUEST_LOG: mode });
      try {
        await h.request('POST', '/Users', { body: userBody('mode@example.com') });
        await h.request('POST', '/Users', { body: userBody('mode@example.com') });
        const page = await admin(h, '/admin/tenants/acme/requests');
        assert.deepEqual(
          page.body.entries.map((e: { status: number }) => String(e.status)),
          expected,
          mode,
        );
      } finally {
        await h.close();
      }
    }
  });

  it('cuts a body at SCIMD_REQUEST_LOG_BODY_BYTES and marks it cut, with its whole size', async () => {
    const h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN, SCIMD_REQUEST_LOG_BODY_BYTES: '1024' });
    try {
      const long = 'é'.repeat(2000);
      const created = await h.request('POST', '/Users', { body: userBody('long@example.com', { title: long }) });
      assert.equal(created.status, 201);
      const [entry] = (await admin(h, '/admin/tenants/acme/requests')).body.entries;
      assert.equal(entry.request.cut, true);
      assert.ok(entry.request.bytes > 4000);
      assert.ok(Buffer.byteLength(entry.request.body) <= 1024);
      assert.ok(!entry.request.body.includes('\uFFFD'), 'no character is cut in two');
      assert.equal(entry.response.cut, true);
    } finally {
      await h.close();
    }
  });

  it('prunes entries older than SCIMD_REQUEST_LOG_RETENTION', async () => {
    let now = Date.parse('2024-05-01T00:00:00Z');
    const h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN, SCIMD_REQUEST_LOG_RETENTION: '3600' }, { clock: () => new Date(now) });
    try {
      await h.request('GET', '/Users');
      await h.server.requestLog.flush();
      now += 2 * 3600 * 1000;
      await h.server.requestLog.prune();
      assert.deepEqual(
        (await admin(h, '/admin/tenants/acme/requests')).body.entries.map((e: { method: string }) => e.method),
        ['GET'],
        'an hour old by the clock, not by the wall',
      );
    } finally {
      await h.close();
    }
  });
});

/**
 * docs/console.md "The request log": a genuine credential the tenant may not use any more is the
 * usual reason an identity provider starts failing, so its refusals are in that tenant's log.
 */
describe('request log: refused credentials of a known tenant', () => {
  let h: Harness;
  let now = Date.parse('2025-03-01T09:00:00Z');
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN }, { clock: () => new Date(now) });
  });
  after(() => h.close());

  const entriesOf = async (tenant: string) => (await admin(h, `/admin/tenants/${tenant}/requests`)).body.entries;

  it('records a revoked and an expired token as 401 for their tenant, with the token id and never the token', async () => {
    const revoked = await h.server.tenants.mintToken('acme');
    await h.server.tenants.revokeToken(revoked.id);
    const expired = await h.server.tenants.mintToken('acme', { expires: '30m' });
    now += 31 * 60_000;
    assert.equal((await h.request('GET', '/Users', { token: revoked.token, headers: { 'user-agent': ENTRA_AGENT } })).status, 401);
    assert.equal((await h.request('GET', '/Groups', { token: expired.token })).status, 401);
    assert.equal((await h.request('GET', '/Users', { token: 'scimd_not_a_token' })).status, 401);

    const [expiredEntry, revokedEntry, ...rest] = await entriesOf('acme');
    assert.equal(rest.length, 0, 'an unknown token names no tenant and is recorded nowhere');
    assert.deepEqual(
      [revokedEntry.status, revokedEntry.path, revokedEntry.tokenId, revokedEntry.client],
      [401, '/Users', revoked.id, 'entra'],
    );
    assert.equal(JSON.parse(revokedEntry.response.body).detail, 'the bearer token is not valid');
    assert.deepEqual([expiredEntry.status, expiredEntry.path, expiredEntry.tokenId], [401, '/Groups', expired.id]);
    assert.equal(JSON.parse(expiredEntry.response.body).detail, 'the bearer token has expired');
    for (const [entry, token] of [
      [revokedEntry, revoked.token],
      [expiredEntry, expired.token],
    ]) {
      assert.ok(!JSON.stringify(entry).includes(token), 'the refused token is not stored');
    }
    assert.deepEqual(await entriesOf('globex'), []);
  });

  it("records the 403 of a disabled tenant's token in that tenant's log", async () => {
    await h.server.tenants.disableTenant('globex');
    const refused = await h.request('POST', '/Users', { token: h.tokenB, body: userBody('while.disabled@example.com') });
    assert.equal(refused.status, 403);
    const [entry] = await entriesOf('globex');
    assert.equal(entry.status, 403);
    const [globexToken] = await h.server.tenants.listTokens('globex');
    assert.deepEqual([entry.method, entry.path, entry.tokenId], ['POST', '/Users', globexToken!.id]);
    assert.equal(entry.request.body, undefined, 'refused before its body is read');
    assert.equal(JSON.parse(entry.response.body).detail, 'tenant "globex" is disabled');
    assert.ok(!JSON.stringify(entry).includes(h.tokenB));
  });
});

/**
 * docs/console.md "The request log": a /Bulk request's entry lists what each operation did, and
 * the resource id filter finds it by any resource an operation created or named.
 */
describe('request log: the operations of a /Bulk request', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(() => h.close());

  it('records method, path, status and resource id of each operation; the resource id filter finds the Bulk request', async () => {
    const existing = await h.request('POST', '/Users', { body: userBody('bulk.existing@example.com') });
    assert.equal(existing.status, 201);
    const missing = '2819c223-7f76-453a-919d-413861904646';
    const bulk = await h.request('POST', '/Bulk', {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'new', data: userBody('bulk.created@example.com', { password: 'Bulk-Secret-91!' }) },
          {
            method: 'PATCH',
            path: `/Users/${existing.body.id}`,
            data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Bulk Renamed' }] },
          },
          { method: 'DELETE', path: `/Users/${missing}` },
        ],
      },
    });
    assert.equal(bulk.status, 200);
    const createdId = String(bulk.body.Operations[0].location).split('/').pop();

    const [entry] = (await admin(h, '/admin/tenants/acme/requests?path=/Bulk')).body.entries;
    assert.deepEqual(entry.operations, [
      { method: 'POST', path: '/Users', status: 201, resourceId: createdId },
      { method: 'PATCH', path: `/Users/${existing.body.id}`, status: 200, resourceId: existing.body.id },
      { method: 'DELETE', path: `/Users/${missing}`, status: 404, resourceId: missing },
    ]);
    assert.ok(!JSON.stringify(entry).includes('Bulk-Secret-91!'), 'the password inside the Bulk body is redacted');

    const found = async (id: string) =>
      (await admin(h, `/admin/tenants/acme/requests?resourceId=${id}`)).body.entries.map(
        (e: { method: string; path: string }) => `${e.method} ${e.path}`,
      );
    assert.deepEqual(await found(createdId!), ['POST /Bulk']);
    assert.deepEqual(await found(existing.body.id), ['POST /Bulk', 'POST /Users']);
    assert.deepEqual(await found(missing), ['POST /Bulk'], 'a failed operation names its resource too');
    assert.deepEqual(await found('not-touched'), []);
    const lines = (await admin(h, `/admin/tenants/acme/requests?resourceId=${createdId}`, 'application/x-ndjson')).raw
      .trimEnd()
      .split('\n');
    assert.equal(JSON.parse(lines[0]!).operations.length, 3, 'the NDJSON export carries them too');
  });
});

/** docs/console.md "Written off the request's path": closing the server writes what was still waiting. */
describe('request log: on a database file', () => {
  it('a graceful close loses nothing recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimd-request-log-'));
    const url = `sqlite:${join(dir, 'scimd.db')}`;
    try {
      const h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN, SCIMD_DATABASE_URL: url });
      const acme = (await h.server.tenants.listTenants()).find((t) => t.name === 'acme')!;
      assert.equal((await h.request('POST', '/Users', { body: userBody('thread@example.com') })).status, 201);
      assert.deepEqual(
        (await admin(h, '/admin/tenants/acme/requests')).body.entries.map((e: { method: string }) => e.method),
        ['POST'],
        'a listing waits for what is being written',
      );
      for (let i = 0; i < 50; i++) await h.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "u${i}"`)}`);
      await h.close();

      const store = await openStore(url);
      try {
        const entries = await store.listRequests({ tenantId: acme.id, limit: 100 });
        assert.equal(entries.length, 51);
        assert.equal(entries[0]!.query, `filter=${encodeURIComponent('userName eq "u49"')}`);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
