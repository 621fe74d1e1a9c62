import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type AdminApiDocument,
  adminEndpoints,
  BULK_RESPONSE,
  ENDPOINTS,
  type Endpoint,
  memberProbes,
  type Probe,
  type TenantData,
} from '../helpers/endpoints.ts';
import { ENTERPRISE, ERROR_SCHEMA, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';
import { startIssuer, type TestIssuer } from '../helpers/issuer.ts';
import { seedTenant, snapshotTenant } from '../helpers/two-tenants.ts';

const ADMIN_TOKEN = 'admin-token-of-the-isolation-suite-0123';

/**
 * Two tenants, acme (A) and globex (B), each with a user and a group full of a secret marker.
 * Every endpoint of test/helpers/endpoints.ts is called with A's token, aimed at B's ids, values,
 * members and events: no answer may show B's data, and B's data and event feed stay unchanged.
 * Tenant A also trusts an OAuth issuer, so /Me is tried with a JWT whose subject is B's user;
 * the admin API, deployment-wide, must refuse every tenant's token and JWT.
 */
describe("tenant isolation: tenant A's token never reads or changes tenant B's data", () => {
  let h: Harness;
  let idp: TestIssuer;
  let a: TenantData;
  let b: TenantData;
  let bBefore = '';

  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN_TOKEN });
    idp = await startIssuer();
    await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
    a = await seedTenant(h, h.tokenA, 'acme');
    b = await seedTenant(h, h.tokenB, 'globex');
    bBefore = await snapshotTenant(h, h.tokenB);
  });
  after(async () => {
    await h.close();
    await idp.close();
  });

  async function send(probe: Probe, token = h.tokenA): Promise<Reply> {
    return h.request(probe.method, probe.url, {
      token,
      ...(probe.body !== undefined ? { body: probe.body } : {}),
      ...(probe.headers ? { headers: probe.headers } : {}),
    });
  }

  const namesB = (text: string) => [b.userId, b.groupId].some((id) => text.toLowerCase().includes(id.toLowerCase()));

  /** No answer shows B's marker; no successful one names B's resources at all. */
  function assertNothingOfB(probe: Probe, res: Reply): void {
    const label = `${probe.method} ${probe.url} → ${res.status}`;
    assert.ok(res.status < 500 || (res.status === 501 && probe.url === '/Me'), `${label}: ${res.raw.slice(0, 300)}`);
    assert.ok(!res.raw.includes(b.marker), `${label} shows tenant B's marker`);
    if (res.body?.schemas?.includes(BULK_RESPONSE)) return assertBulkNothingOfB(probe, res);
    if (res.status < 300) assert.ok(!namesB(res.raw), `${label} names a resource of tenant B`);
  }

  /**
   * RFC 7644 §3.7.3: each operation of the BulkResponse answers its operation of the request, in
   * order. One that names B's ids (in its path or data) fails; a failed one may quote the path it
   * was sent, but no successful one names B's resources.
   */
  function assertBulkNothingOfB(probe: Probe, res: Reply): void {
    assert.equal(res.status, 200, res.raw);
    const sent = (probe.body as { Operations: unknown[] }).Operations;
    const answered = res.body.Operations as { status: string; location?: string; response?: { schemas: string[] } }[];
    assert.equal(answered.length, sent.length, `every operation is answered: ${res.raw.slice(0, 500)}`);
    answered.forEach((result, i) => {
      const label = `Operations[${i}] ${JSON.stringify(sent[i]).slice(0, 200)} → ${JSON.stringify(result).slice(0, 300)}`;
      const status = Number(result.status);
      assert.ok(status < 500, label);
      if (status >= 300) assert.deepEqual(result.response?.schemas, [ERROR_SCHEMA], label);
      if (namesB((sent[i] as { path: string }).path)) assert.equal(status, 404, `${label}: another tenant's id is not found`);
      if (status < 300) assert.ok(!namesB(JSON.stringify(result)), `${label} names a resource of tenant B`);
    });
  }

  /** A's groups hold none of B's resources as members, however the write was attempted. */
  async function assertNoMemberOfBInA(label: string): Promise<void> {
    for (const id of [b.userId, b.groupId]) {
      const found = await h.request('GET', `/Groups?filter=${encodeURIComponent(`members.value eq "${id}"`)}&attributes=id`);
      assert.equal(found.status, 200, found.raw);
      assert.equal(found.body.totalResults, 0, `${label} made B's resource ${id} a member of a group of A`);
    }
  }

  const isResourceById = (endpoint: Endpoint) => /^\/(Users|Groups)\/\{id\}$/.test(endpoint.path) && !endpoint.name.includes('not served');

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}`, async () => {
      const probes = endpoint.crossTenant(b);
      assert.ok(probes.length > 0, 'every endpoint declares at least one cross-tenant probe');
      for (const probe of probes) {
        const res = await send(probe);
        assertNothingOfB(probe, res);
        if (isResourceById(endpoint)) assert.equal(res.status, 404, `${probe.method} ${probe.url}: another tenant's id is not found`);
        // A static token names no user (RFC 7644 §3.11); the JWT case follows below.
        if (endpoint.path === '/Me') assert.equal(res.status, 501, `${probe.method} /Me with a static token: ${res.raw}`);
      }
      await assertNoMemberOfBInA(endpoint.name);
      assert.equal(await snapshotTenant(h, h.tokenB), bBefore, `${endpoint.name} changed tenant B's data or events`);
    });
  }

  it('/Me with a JWT of tenant A whose subject is a userName only B has: 404, and B unchanged', async () => {
    // B's seeded userName may exist in A by now (the POST probes create it there, legitimately).
    // Not the marker: the 404 quotes the subject, which the token's holder sent.
    const onlyInB = `globex.only.${randomUUID()}@example.com`;
    const created = await h.request('POST', '/Users', { token: h.tokenB, body: userBody(onlyInB, { title: b.marker }) });
    assert.equal(created.status, 201, created.raw);
    bBefore = await snapshotTenant(h, h.tokenB);
    const jwt = await idp.sign(onlyInB);
    const me = ENDPOINTS.filter((endpoint) => endpoint.path === '/Me');
    assert.deepEqual(me.map((e) => e.method).sort(), ['DELETE', 'GET', 'PATCH', 'POST', 'PUT']);
    for (const probe of me.flatMap((endpoint) => endpoint.crossTenant({ ...b, userName: onlyInB }))) {
      const res = await send(probe, jwt);
      assertNothingOfB(probe, res);
      // POST /Me creates nothing, whoever asks (src/http/routes/me.ts).
      assert.equal(res.status, probe.method === 'POST' ? 501 : 404, `${probe.method} /Me: ${res.raw}`);
    }
    // The same subject in A names A's own user, never B's.
    const own = await h.request('GET', '/Me', { token: await idp.sign(a.userName) });
    assert.equal(own.status, 200, own.raw);
    assert.equal(own.body.id, a.userId);
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });

  it('no SCIM token of any tenant, nor a JWT, opens any /admin route (401)', async () => {
    const document = await h.server.app.inject({ method: 'GET', url: '/admin/openapi.json' });
    assert.equal(document.statusCode, 200, document.body);
    const routes = adminEndpoints(JSON.parse(document.body) as AdminApiDocument);
    // Not vacuous: the document lists the tenant, token and audit routes at least.
    for (const name of ['DELETE /admin/tenants/{name}', 'POST /admin/tenants/{name}/tokens', 'GET /admin/audit']) {
      assert.ok(
        routes.some((r) => r.name === name),
        `${name} is in the admin route list`,
      );
    }
    const jwt = await idp.sign(a.userName);
    for (const endpoint of routes) {
      for (const probe of endpoint.crossTenant(b)) {
        for (const token of [h.tokenA, h.tokenB, jwt]) {
          const res = await h.server.app.inject({
            method: probe.method,
            url: probe.url,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            ...(probe.body !== undefined ? { payload: JSON.stringify(probe.body) } : {}),
          });
          const label = `${probe.method} ${probe.url} → ${res.statusCode}`;
          assert.ok(!res.body.includes(b.marker), label);
          if (endpoint.caller === 'anyone') {
            // Public reads answer anyone; the console's sign-in takes its credentials from the body, never a SCIM token.
            if (probe.method === 'GET') assert.equal(res.statusCode, 200, label);
            else assert.ok(res.statusCode >= 400 && res.statusCode < 500, label);
            continue;
          }
          assert.equal(res.statusCode, 401, `${label}: ${res.body}`);
          assert.deepEqual(JSON.parse(res.body).schemas, [ERROR_SCHEMA], label);
        }
      }
    }
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
    const tenant = await h.server.app.inject({
      method: 'GET',
      url: `/admin/tenants/${b.tenant}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(tenant.statusCode, 200, tenant.body);
    assert.equal(JSON.parse(tenant.body).disabled, false, 'B is still enabled');
  });

  it("A cannot make B's users members of its own group, by id or $ref", async () => {
    for (const probe of memberProbes(a, b)) {
      const res = await send(probe);
      assertNothingOfB(probe, res);
    }
    // B's ids are unknown in A: skipped (a PUT naming only them leaves A's group without members).
    const group = await h.request('GET', `/Groups/${a.groupId}?attributes=members`);
    for (const member of group.body.members ?? []) assert.equal(member.value, a.userId, "only A's own user can be a member of A's group");
    await assertNoMemberOfBInA('after the member probes');
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });

  it("a manager id of B's user stays an opaque value: nothing of B's user is copied into A's", async () => {
    // RFC 7643 §4.3 manager.value is the manager's id; scimd stores it as sent and fills in no
    // displayName from it, so naming a foreign id reveals nothing.
    const res = await h.request('PATCH', `/Users/${a.userId}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: b.userId }],
      },
    });
    assert.equal(res.status, 200, res.raw);
    assert.ok(!res.raw.includes(b.marker));
    assert.equal(res.body[ENTERPRISE].manager.value, b.userId);
    assert.equal(res.body[ENTERPRISE].manager.displayName, undefined);
    const remove = await h.request('PATCH', `/Users/${a.userId}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager` }] },
    });
    assert.equal(remove.status, 200, remove.raw);
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });

  it("B's userName, externalId and group name are free in A: uniqueness is per tenant, no existence oracle", async () => {
    // The POST probes above may already have created them in A: start from a clean slate.
    for (const [path, filter] of [
      ['/Users', `userName eq "${b.userName}"`],
      ['/Groups', `displayName eq "${b.groupName}"`],
    ] as const) {
      const found = await h.request('GET', `${path}?filter=${encodeURIComponent(filter)}`);
      for (const r of found.body.Resources) assert.equal((await h.request('DELETE', `${path}/${r.id}`)).status, 204);
    }
    const user = await h.request('POST', '/Users', { body: userBody(b.userName, { externalId: b.externalId }) });
    assert.equal(user.status, 201, user.raw);
    const group = await h.request('POST', '/Groups', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: b.groupName },
    });
    assert.equal(group.status, 201, group.raw);
    const found = await h.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${b.userName}"`)}`);
    assert.deepEqual(
      found.body.Resources.map((r: { id: string }) => r.id),
      [user.body.id],
    );
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });

  it("A's event feed holds only A's events, even after B writes", async () => {
    const write = await h.request('PATCH', `/Users/${b.userId}`, {
      token: h.tokenB,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: `${b.marker} again` }],
      },
    });
    assert.equal(write.status, 200, write.raw);
    const feed = await h.request('GET', '/Events?after=0&count=1000');
    assert.equal(feed.status, 200);
    assert.ok(feed.body.events.length > 0);
    assert.ok(!feed.raw.includes(b.marker), "no event shows B's marker");
    assert.ok(!feed.raw.includes(b.groupId), "no event names B's group");
    bBefore = await snapshotTenant(h, h.tokenB);
  });

  it("A's Server-Sent Events stream carries A's new events and none of B's", async () => {
    const address = await h.server.app.listen({ host: '127.0.0.1', port: 0 });
    const abort = new AbortController();
    const response = await fetch(`${address}${h.base}/Events?after=0`, {
      headers: { authorization: `Bearer ${h.tokenA}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const reader = response.body!.getReader();
    const ownMarker = `acme-live-${Date.now()}`;
    let text = '';
    try {
      await h.request('PATCH', `/Users/${b.userId}`, {
        token: h.tokenB,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: `${b.marker} live` }],
        },
      });
      await h.request('PATCH', `/Users/${a.userId}`, {
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: ownMarker }],
        },
      });
      const deadline = Date.now() + 10_000;
      while (!text.includes(ownMarker) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } finally {
      abort.abort();
    }
    assert.ok(text.includes(ownMarker), 'A sees its own live event');
    assert.ok(!text.includes(b.marker), "A never sees B's events");
  });
});
