import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const OKTA_HEADERS = { 'user-agent': 'Okta SCIM Client 1.0.0', accept: 'application/scim+json' };

/**
 * Okta's provisioning sequence (okta-developer-docs, SCIM 2.0 reference) under the okta profile,
 * which is lenient's behaviours (docs/profiles.md), and under strict, which refuses Okta's
 * path-less PATCH: why docs/okta.md says not to give an Okta tenant the strict profile.
 */
describe('Okta: its provisioning sequence under the okta profile, and why not strict', () => {
  let h: Harness;
  let seq = 0;
  before(async () => {
    h = await startHarness();
    await h.server.tenants.setProfile('acme', 'okta', {});
    await h.server.tenants.setProfile('globex', 'strict', {});
  });
  after(() => h.close());

  function send(token: string, method: string, url: string, body?: unknown): Promise<Reply> {
    return h.request(method, url, {
      token,
      ...(body !== undefined ? { rawBody: JSON.stringify(body) } : {}),
      headers: { ...OKTA_HEADERS, ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}) },
    });
  }

  const oktaUser = () => ({
    schemas: [USER_SCHEMA],
    userName: `okta${++seq}@example.com`,
    name: { givenName: 'John', familyName: 'Doe' },
    emails: [{ primary: true, value: `okta${seq}@example.com`, type: 'work' }],
    displayName: 'John Doe',
    locale: 'en-US',
    externalId: `00u${seq}abcdefghij`,
    groups: [],
    password: 'Tr0ub4dor&3',
    active: true,
  });
  const deactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] };

  it('okta profile: lookup, create, full-object PUT, path-less deactivation, group rename with its id and membership', async () => {
    const token = h.tokenA;
    const lookup = await send(
      token,
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}&startIndex=1&count=100`,
    );
    assert.equal(lookup.body.totalResults, 0);
    const created = await send(token, 'POST', '/Users', oktaUser());
    assert.equal(created.status, 201, created.raw);
    const put = await send(token, 'PUT', `/Users/${created.body.id}`, { ...created.body, groups: [], title: 'Engineer' });
    assert.equal(put.status, 200, put.raw);
    assert.equal(put.body.title, 'Engineer');
    assert.equal((await send(token, 'PATCH', `/Users/${created.body.id}`, deactivate)).status, 200);
    assert.equal((await send(token, 'GET', `/Users/${created.body.id}`)).body.active, false);

    const group = await send(token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Okta Group ${++seq}`, members: [] });
    assert.equal(group.status, 201, group.raw);
    const membership = await send(token, 'PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { id: group.body.id, displayName: `Okta Group renamed ${seq}` } },
        { op: 'add', path: 'members', value: [{ value: created.body.id, display: 'John Doe' }] },
      ],
    });
    assert.ok(membership.status === 200 || membership.status === 204, membership.raw);
    const read = (await send(token, 'GET', `/Groups/${group.body.id}`)).body;
    assert.equal(read.displayName, `Okta Group renamed ${seq}`);
    assert.deepEqual(
      read.members.map((m: { value: string }) => m.value),
      [created.body.id],
    );
  });

  it("strict profile: Okta's create is accepted (groups and password are attributes the schemas define), its path-less deactivation is 400 invalidSyntax", async () => {
    const token = h.tokenB;
    const created = await send(token, 'POST', '/Users', oktaUser());
    assert.equal(created.status, 201, created.raw);
    const refused = await send(token, 'PATCH', `/Users/${created.body.id}`, deactivate);
    assert.equal(refused.status, 400, refused.raw);
    assert.equal(refused.body.scimType, 'invalidSyntax');
    assert.equal((await send(token, 'GET', `/Users/${created.body.id}`)).body.active, true);
  });
});
