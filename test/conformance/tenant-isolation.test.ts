import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENDPOINTS, memberProbes, type Probe, type TenantData } from '../helpers/endpoints.ts';
import { ENTERPRISE, startHarness, userBody, type Harness, type Reply } from '../helpers/harness.ts';
import { seedTenant, snapshotTenant } from '../helpers/two-tenants.ts';

/**
 * Two tenants, acme (A) and globex (B), each with a user and a group full of a secret marker.
 * Every endpoint of test/helpers/endpoints.ts is called with A's token, aimed at B's ids, values,
 * members and events: no answer may show B's data, and B's data and event feed stay unchanged.
 */
describe('tenant isolation: tenant A\'s token never reads or changes tenant B\'s data', () => {
  let h: Harness;
  let a: TenantData;
  let b: TenantData;
  let bBefore = '';

  before(async () => {
    h = await startHarness();
    a = await seedTenant(h, h.tokenA, 'acme');
    b = await seedTenant(h, h.tokenB, 'globex');
    bBefore = await snapshotTenant(h, h.tokenB);
  });
  after(() => h.close());

  async function send(probe: Probe, token = h.tokenA): Promise<Reply> {
    return h.request(probe.method, probe.url, {
      token,
      ...(probe.body !== undefined ? { body: probe.body } : {}),
      ...(probe.headers ? { headers: probe.headers } : {}),
    });
  }

  /** No answer shows B's marker; no successful one names B's resources at all. */
  function assertNothingOfB(probe: Probe, res: Reply): void {
    const label = `${probe.method} ${probe.url} → ${res.status}`;
    assert.ok(res.status < 500, `${label}: ${res.raw.slice(0, 300)}`);
    assert.ok(!res.raw.includes(b.marker), `${label} shows tenant B's marker`);
    if (res.status < 300) {
      assert.ok(!res.raw.includes(b.userId) && !res.raw.includes(b.groupId), `${label} names a resource of tenant B`);
    }
  }

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}`, async () => {
      const probes = endpoint.crossTenant(b);
      assert.ok(probes.length > 0, 'every endpoint declares at least one cross-tenant probe');
      for (const probe of probes) {
        const res = await send(probe);
        assertNothingOfB(probe, res);
        if (endpoint.path.endsWith('{id}') && /^\/(Users|Groups)\//.test(endpoint.path) && !endpoint.name.includes('not served')) {
          assert.equal(res.status, 404, `${probe.method} ${probe.url}: another tenant's id is not found`);
        }
      }
      assert.equal(await snapshotTenant(h, h.tokenB), bBefore, `${endpoint.name} changed tenant B's data or events`);
    });
  }

  it('A cannot make B\'s users members of its own group, by id or $ref', async () => {
    for (const probe of memberProbes(a, b)) {
      const res = await send(probe);
      assertNothingOfB(probe, res);
    }
    const group = await h.request('GET', `/Groups/${a.groupId}?attributes=members`);
    assert.deepEqual(
      group.body.members.map((m: { value: string }) => m.value),
      [a.userId],
      'only A\'s own user is a member of A\'s group',
    );
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });

  it('a manager id of B\'s user stays an opaque value: nothing of B\'s user is copied into A\'s', async () => {
    // RFC 7643 §4.3 manager.value is the manager's id; scimd stores it as sent and fills in no
    // displayName from it, so naming a foreign id reveals nothing.
    const res = await h.request('PATCH', `/Users/${a.userId}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: b.userId }] },
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

  it('B\'s userName, externalId and group name are free in A: uniqueness is per tenant, no existence oracle', async () => {
    // The POST probes above may already have created them in A: start from a clean slate.
    for (const [path, filter] of [['/Users', `userName eq "${b.userName}"`], ['/Groups', `displayName eq "${b.groupName}"`]] as const) {
      const found = await h.request('GET', `${path}?filter=${encodeURIComponent(filter)}`);
      for (const r of found.body.Resources) assert.equal((await h.request('DELETE', `${path}/${r.id}`)).status, 204);
    }
    const user = await h.request('POST', '/Users', { body: userBody(b.userName, { externalId: b.externalId }) });
    assert.equal(user.status, 201, user.raw);
    const group = await h.request('POST', '/Groups', { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: b.groupName } });
    assert.equal(group.status, 201, group.raw);
    const found = await h.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${b.userName}"`)}`);
    assert.deepEqual(found.body.Resources.map((r: { id: string }) => r.id), [user.body.id]);
    assert.equal(await snapshotTenant(h, h.tokenB), bBefore);
  });

  it('A\'s event feed holds only A\'s events, even after B writes', async () => {
    const write = await h.request('PATCH', `/Users/${b.userId}`, {
      token: h.tokenB,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `${b.marker} again` }] },
    });
    assert.equal(write.status, 200, write.raw);
    const feed = await h.request('GET', '/Events?after=0&count=1000');
    assert.equal(feed.status, 200);
    assert.ok(feed.body.events.length > 0);
    assert.ok(!feed.raw.includes(b.marker), 'no event shows B\'s marker');
    assert.ok(!feed.raw.includes(b.groupId), 'no event names B\'s group');
    bBefore = await snapshotTenant(h, h.tokenB);
  });

  it('A\'s Server-Sent Events stream carries A\'s new events and none of B\'s', async () => {
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
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `${b.marker} live` }] },
      });
      await h.request('PATCH', `/Users/${a.userId}`, {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: ownMarker }] },
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
    assert.ok(!text.includes(b.marker), 'A never sees B\'s events');
  });
});
