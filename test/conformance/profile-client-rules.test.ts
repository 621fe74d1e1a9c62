import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, groupBody, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * The behaviours issue 16's client defects left to a tenant's profile (docs/profiles.md): what
 * lenient accepts (unquoted filter values, unknown member ids, a member type that contradicts its id,
 * two groups of one name), strict refuses, and the entra profile's unique group names. Tenant acme
 * changes profile per test; globex keeps lenient and shows the default.
 */
describe('profiles: unquoted filter values, member rules and unique group names', () => {
  let h: Harness;
  let seq = 0;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const profile = (name: 'lenient' | 'strict' | 'entra', overrides: Record<string, boolean> = {}) =>
    h.server.tenants.setProfile('acme', name, overrides);

  function refused(res: Reply, status: number, scimType: string | undefined, detail: RegExp) {
    assert.equal(res.status, status, res.raw);
    assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    assert.equal(res.body.scimType, scimType);
    assert.match(res.body.detail, detail);
  }

  async function newUser(token?: string) {
    const res = await h.request('POST', '/Users', { body: userBody(`rules${++seq}@example.com`), ...(token ? { token } : {}) });
    assert.equal(res.status, 201, res.raw);
    return res.body as { id: string; userName: string };
  }

  it('strict: an unquoted filter value is 400 invalidFilter (RFC 7644 grammar); lenient reads it as a string', async () => {
    await profile('strict');
    const user = await newUser();
    refused(
      await h.request('GET', `/Users?filter=${encodeURIComponent(`userName eq ${user.userName}`)}`),
      400,
      'invalidFilter',
      /expected a quoted string, number, true, false or null at offset 12/,
    );
    const quoted = await h.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`);
    assert.equal(quoted.body.totalResults, 1);
    await profile('lenient');
    const unquoted = await h.request('GET', `/Users?filter=${encodeURIComponent(`userName eq ${user.userName}`)}`);
    assert.equal(unquoted.status, 200, unquoted.raw);
    assert.equal(unquoted.body.totalResults, 1);
  });

  it('strict: unknown member ids are 400 invalidValue naming each of them, and nothing changes', async () => {
    await profile('strict');
    const known = await newUser();
    const ghosts = ['ghost-a', 'ghost-b'];
    refused(
      await h.request('POST', '/Groups', { body: groupBody(`Strict ${++seq}`, [known.id, ...ghosts]) }),
      400,
      'invalidValue',
      /^members "ghost-a", "ghost-b" do not exist$/,
    );
    const group = await h.request('POST', '/Groups', { body: groupBody(`Strict ${++seq}`) });
    const res = await h.request('PATCH', `/Groups/${group.body.id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: known.id }, { value: 'ghost-a' }] }] },
    });
    refused(res, 400, 'invalidValue', /^member "ghost-a" does not exist$/);
    const read = await h.request('GET', `/Groups/${group.body.id}`);
    assert.equal(read.body.members, undefined);
    assert.equal(read.body.meta.version, group.body.meta.version);
  });

  it('strict: a member whose type contradicts its id is 400 invalidValue', async () => {
    await profile('strict');
    const user = await newUser();
    refused(
      await h.request('POST', '/Groups', { body: { ...groupBody(`Typed ${++seq}`), members: [{ value: user.id, type: 'Group' }] } }),
      400,
      'invalidValue',
      new RegExp(`member "${user.id}" is a User, not a "Group"`),
    );
  });

  it('overrides: strict with rejectUnknownMembers=false skips an unknown id and says so', async () => {
    await profile('strict', { rejectUnknownMembers: false });
    const res = await h.request('POST', '/Groups', { body: groupBody(`Override ${++seq}`, ['ghost-c']) });
    assert.equal(res.status, 201, res.raw);
    assert.equal(res.headers['scimd-skipped-members'], 'ghost-c');
  });

  it('entra: group displayName is unique in the tenant, case-insensitively: 409 uniqueness with the holder, on create and rename', async () => {
    await profile('entra');
    const first = await h.request('POST', '/Groups', { body: groupBody('Entra Sales') });
    assert.equal(first.status, 201, first.raw);
    const again = await h.request('POST', '/Groups', { body: groupBody('ENTRA SALES') });
    refused(again, 409, 'uniqueness', /displayName "ENTRA SALES" is already in use/);
    assert.equal(again.headers['location'], `https://scim.example.com/scim/v2/Groups/${first.body.id}`);
    const other = await h.request('POST', '/Groups', { body: groupBody('Entra Marketing') });
    const rename = await h.request('PATCH', `/Groups/${other.body.id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'entra sales' }] },
    });
    refused(rename, 409, 'uniqueness', /displayName "entra sales" is already in use/);
    // globex keeps lenient: RFC 7643 §8.7.1 uniqueness none.
    for (let i = 0; i < 2; i++) {
      assert.equal((await h.request('POST', '/Groups', { body: groupBody('Entra Sales'), token: h.tokenB })).status, 201);
    }
  });

  it('lenient with uniqueGroupDisplayName=true refuses a name a group created before the opt-in holds', async () => {
    await profile('lenient');
    assert.equal((await h.request('POST', '/Groups', { body: groupBody('Before Opt-in') })).status, 201);
    assert.equal((await h.request('POST', '/Groups', { body: groupBody('Before Opt-in') })).status, 201);
    await profile('lenient', { uniqueGroupDisplayName: true });
    refused(await h.request('POST', '/Groups', { body: groupBody('before opt-in') }), 409, 'uniqueness', /already in use/);
  });
});
