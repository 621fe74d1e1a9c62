import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

function assertRefused(res: Reply, status: number, scimType: string | undefined, detail: RegExp) {
  assert.equal(res.status, status, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, detail);
}

/**
 * draft-zollner-scim-interop-profile-02, the `strict` profile (docs/profiles.md): tenant acme is
 * strict, globex keeps the default (lenient) and shows what the profile changes.
 */
describe('draft-zollner-scim-interop-profile-02: a strict tenant', () => {
  let h: Harness;
  let seq = 0;
  before(async () => {
    h = await startHarness();
    await h.server.tenants.setProfile('acme', 'strict', {});
  });
  after(() => h.close());

  const strict = (method: string, url: string, body?: unknown) => h.request(method, url, body === undefined ? {} : { body });
  const lenient = (method: string, url: string, body?: unknown) =>
    h.request(method, url, { token: h.tokenB, ...(body === undefined ? {} : { body }) });
  const user = (extra: Record<string, unknown> = {}) => ({ schemas: [USER_SCHEMA], userName: `strict${++seq}@example.com`, ...extra });
  const patchOp = (...ops: Record<string, unknown>[]) => ({ schemas: [PATCH_OP], Operations: ops });

  async function created(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await strict('POST', '/Users', user(extra));
    assert.equal(res.status, 201, res.raw);
    return res.body;
  }

  it('§4: ServiceProviderConfig says interopProfileConformant true for the strict tenant only, and not once an override breaks it', async () => {
    assert.equal((await strict('GET', '/ServiceProviderConfig')).body.interopProfileConformant, true);
    assert.equal((await lenient('GET', '/ServiceProviderConfig')).body.interopProfileConformant, false);
    await h.server.tenants.setProfile('acme', 'strict', { rejectUnknownAttributes: false });
    assert.equal((await strict('GET', '/ServiceProviderConfig')).body.interopProfileConformant, false, 'at once on this instance');
    await h.server.tenants.setProfile('acme', 'strict', {});
    assert.equal((await strict('GET', '/ServiceProviderConfig')).body.interopProfileConformant, true);
  });

  it('§5.3: an attribute no schema defines is 400 invalidSyntax on POST and PUT (a lenient tenant drops it)', async () => {
    assertRefused(await strict('POST', '/Users', user({ shoeSize: 42 })), 400, 'invalidSyntax', /"shoeSize" is not defined/);
    const dropped = await lenient('POST', '/Users', user({ shoeSize: 42 }));
    assert.equal(dropped.status, 201, dropped.raw);
    assert.equal(dropped.body.shoeSize, undefined);

    const u = await created();
    assertRefused(await strict('PUT', `/Users/${u.id}`, { ...u, shoeSize: 42 }), 400, 'invalidSyntax', /"shoeSize"/);
    assertRefused(
      await strict('POST', '/Users', user({ name: { givenName: 'Barbara', nickname: 'Babs' } })),
      400,
      'invalidSyntax',
      /"name\.nickname" is not defined/,
    );
    assertRefused(
      await strict('POST', '/Users', user({ schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Sales', floor: 3 } })),
      400,
      'invalidSyntax',
      /enterprise:2\.0:User:floor" is not defined/,
    );
    assertRefused(
      await strict('POST', '/Users', user({ 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge': 'x' })),
      400,
      'invalidSyntax',
      /acme:2\.0:User:badge/,
    );
  });

  it('§5.3: a schema URI the resource type does not have is 400 invalidSyntax (Entra adds ADSCIM to groups; lenient ignores it)', async () => {
    const group = { schemas: [GROUP_SCHEMA, ADSCIM_GROUP], displayName: `Strict Group ${++seq}` };
    assertRefused(await strict('POST', '/Groups', group), 400, 'invalidSyntax', /schema "http:\/\/schemas\.microsoft\.com.*" in "schemas"/);
    assert.equal((await lenient('POST', '/Groups', group)).status, 201);
  });

  it('§5.3: attributes the schemas define but the client may not write (id, meta, groups) are still ignored, not refused', async () => {
    const res = await strict('POST', '/Users', user({ id: 'mine', meta: { resourceType: 'User' }, groups: [], active: true }));
    assert.equal(res.status, 201, res.raw);
    assert.notEqual(res.body.id, 'mine');
  });

  it('§5.3: a PATCH value with a sub-attribute no schema defines is 400 invalidSyntax; nothing changes', async () => {
    const u = await created({ title: 'Before' });
    const res = await strict(
      'PATCH',
      `/Users/${u.id}`,
      patchOp(
        { op: 'replace', path: 'title', value: 'After' },
        { op: 'add', path: 'emails', value: [{ value: 'a@example.com', label: 'x' }] },
      ),
    );
    assertRefused(res, 400, 'invalidSyntax', /Operations\[1\].*"emails(\[0\])?\.label" is not defined/);
    assert.equal((await strict('GET', `/Users/${u.id}`)).body.title, 'Before');
    const other = await lenient('POST', '/Users', user());
    const dropped = await lenient(
      'PATCH',
      `/Users/${other.body.id}`,
      patchOp({ op: 'add', path: 'emails', value: [{ value: 'a@example.com', label: 'x' }] }),
    );
    assert.deepEqual(dropped.body.emails, [{ value: 'a@example.com' }]);
  });

  it('§5.4: /Schemas declares the type values of emails, phoneNumbers, ims, photos and addresses as canonicalValues', async () => {
    const schema = (await strict('GET', `/Schemas/${USER_SCHEMA}`)).body;
    const typeOf = (name: string) =>
      schema.attributes.find((a: { name: string }) => a.name === name).subAttributes.find((s: { name: string }) => s.name === 'type')
        .canonicalValues;
    assert.deepEqual(typeOf('emails'), ['work', 'home', 'other']);
    assert.deepEqual(typeOf('phoneNumbers'), ['work', 'home', 'mobile', 'fax', 'pager', 'other']);
    assert.deepEqual(typeOf('ims'), ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']);
    assert.deepEqual(typeOf('photos'), ['photo', 'thumbnail']);
    assert.deepEqual(typeOf('addresses'), ['work', 'home', 'other']);
  });

  it('§6.5.1.1: a PATCH operation without "path" is 400 invalidSyntax, whatever its op (Okta and Entra send them; lenient applies them)', async () => {
    const u = await created({ active: true });
    for (const op of ['replace', 'add', 'Replace']) {
      assertRefused(
        await strict('PATCH', `/Users/${u.id}`, patchOp({ op, value: { active: false } })),
        400,
        'invalidSyntax',
        /Operations\[0\].*requires a "path"/,
      );
    }
    assert.equal((await strict('GET', `/Users/${u.id}`)).body.active, true);
    const other = await lenient('POST', '/Users', user({ active: true }));
    const applied = await lenient('PATCH', `/Users/${other.body.id}`, patchOp({ op: 'replace', value: { active: false } }));
    assert.equal(applied.body.active, false);
  });

  it('§6.5.2.1: replace of a whole complex attribute sets exactly what it gives; add merges (lenient merges both, RFC 7644 §3.5.2.3)', async () => {
    const name = { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' };
    const u = await created({ name });
    const replaced = await strict('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'name', value: { givenName: 'Babs' } }));
    assert.deepEqual(replaced.body.name, { givenName: 'Babs' });
    const added = await strict('PATCH', `/Users/${u.id}`, patchOp({ op: 'add', path: 'name', value: { familyName: 'Jensen' } }));
    assert.deepEqual(added.body.name, { familyName: 'Jensen', givenName: 'Babs' });
    const other = await lenient('POST', '/Users', user({ name }));
    const merged = await lenient(
      'PATCH',
      `/Users/${other.body.id}`,
      patchOp({ op: 'replace', path: 'name', value: { givenName: 'Babs' } }),
    );
    assert.deepEqual(merged.body.name, { ...name, givenName: 'Babs' });
  });

  it('§6.5.2.1: add and replace are the same on singular simple attributes, set or not', async () => {
    const viaAdd = await created({ title: 'Old', active: true });
    const viaReplace = await created({ title: 'Old', active: true });
    const ops = (op: string) =>
      patchOp({ op, path: 'title', value: 'New' }, { op, path: 'active', value: false }, { op, path: 'nickName', value: 'Babs' });
    const added = await strict('PATCH', `/Users/${viaAdd.id}`, ops('add'));
    const replaced = await strict('PATCH', `/Users/${viaReplace.id}`, ops('replace'));
    assert.equal(added.status, 200, added.raw);
    for (const res of [added, replaced]) {
      assert.equal(res.body.title, 'New');
      assert.equal(res.body.active, false);
      assert.equal(res.body.nickName, 'Babs');
    }
  });

  it('§6.6: DELETE deletes: 404 afterwards for every operation, gone from lists, its userName free for a new user', async () => {
    const u = await created();
    assert.equal((await strict('DELETE', `/Users/${u.id}`)).status, 204);
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', u],
      ['PATCH', patchOp({ op: 'replace', path: 'title', value: 'x' })],
      ['DELETE', undefined],
    ] as const) {
      assertRefused(await strict(method, `/Users/${u.id}`, body), 404, undefined, new RegExp(u.id));
    }
    const listed = await strict('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`);
    assert.equal(listed.body.totalResults, 0);
    const again = await strict('POST', '/Users', { schemas: [USER_SCHEMA], userName: u.userName });
    assert.equal(again.status, 201, again.raw);
    assert.notEqual(again.body.id, u.id);
  });

  it('§6.6: a PATCH never deletes: active false keeps the user, readable and listed', async () => {
    const u = await created({ active: true });
    assert.equal((await strict('PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: false }))).status, 200);
    assert.equal((await strict('GET', `/Users/${u.id}`)).body.active, false);
    const listed = await strict('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`);
    assert.equal(listed.body.totalResults, 1);
  });
});
