import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';
import { assertScryptOf } from '../helpers/password-hash.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const OKTA_HEADERS = { 'user-agent': 'Okta SCIM Client 1.0.0', accept: 'application/scim+json' };

type Op = Record<string, unknown>;

describe('Okta: the shapes it really sends', () => {
  let h: Harness;
  let tenantId: string;
  let seq = 0;

  before(async () => {
    h = await startHarness();
    tenantId = (await h.server.store.findTenantByName('acme'))!.id;
  });
  after(() => h.close());

  const q = (filter: string) => encodeURIComponent(filter);

  function send(method: string, url: string, body?: unknown): Promise<Reply> {
    return h.request(method, url, {
      ...(body !== undefined ? { rawBody: JSON.stringify(body) } : {}),
      headers: { ...OKTA_HEADERS, ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}) },
    });
  }

  function patch(type: 'Users' | 'Groups', id: string, ops: Op[]) {
    return send('PATCH', `/${type}/${id}`, { schemas: [PATCH_OP], Operations: ops });
  }

  /** Okta's create-user body (okta-developer-docs scim-20 reference). */
  function oktaUser(userName: string, password = 'Tr0ub4dor&3') {
    return {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'John', familyName: 'Doe' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'John Doe',
      locale: 'en-US',
      externalId: `00u${++seq}abcdefghij`,
      groups: [],
      password,
      active: true,
    };
  }

  async function create(userName = `okta${++seq}@example.com`, password = 'Tr0ub4dor&3'): Promise<Record<string, any>> {
    const res = await send('POST', '/Users', oktaUser(userName, password));
    assert.equal(res.status, 201, res.raw);
    return res.body;
  }

  async function hashOf(id: string): Promise<string | undefined> {
    return (await h.server.store.get(tenantId, 'User', id, { passwordHash: true }))?.passwordHash;
  }

  const memberIds = (group: Record<string, any>): string[] => ((group.members ?? []) as { value: string }[]).map((m) => m.value).sort();

  function assertNoPassword(res: Reply, ...secrets: string[]) {
    assert.ok(!/"password"/i.test(res.raw), `no password attribute: ${res.raw}`);
    for (const secret of secrets) assert.ok(!res.raw.includes(secret), 'the clear text never comes back');
    assert.ok(!res.raw.includes('scrypt$'), 'nor its hash');
  }

  it('okta: lookup with userName eq and startIndex=1&count=100 → an empty ListResponse with integers', async () => {
    const res = await send('GET', `/Users?filter=${q('userName eq "nobody@example.com"')}&startIndex=1&count=100`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.schemas, [LIST]);
    assert.equal(res.body.totalResults, 0);
    assert.equal(res.body.startIndex, 1);
    assert.equal(res.body.itemsPerPage, 0);
    assert.deepEqual(res.body.Resources, []);
  });

  it('okta: create with groups: [] and password → 201 with the body, no password', async () => {
    const userName = `create${++seq}@example.com`;
    const res = await send('POST', '/Users', oktaUser(userName, 'S3cret-Create!'));
    assert.equal(res.status, 201);
    assert.equal(res.body.userName, userName);
    assert.equal(typeof res.body.id, 'string');
    assert.equal(res.body.active, true);
    assert.deepEqual(res.body.name, { givenName: 'John', familyName: 'Doe' });
    assert.equal(res.body.meta.resourceType, 'User');
    assert.equal(res.headers['location'], res.body.meta.location);
    assert.equal(res.body.groups, undefined);
    assertNoPassword(res, 'S3cret-Create!');
    assertScryptOf(await hashOf(res.body.id), 'S3cret-Create!');
    const found = await send('GET', `/Users?filter=${q(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    assert.equal(found.body.totalResults, 1);
    assert.equal(found.body.Resources[0].id, res.body.id);
    assertNoPassword(found, 'S3cret-Create!');
  });

  it('okta: a duplicate create → 409 uniqueness', async () => {
    const u = await create();
    const res = await send('POST', '/Users', oktaUser(u.userName.toUpperCase()));
    assert.equal(res.status, 409);
    assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    assert.equal(res.body.scimType, 'uniqueness');
  });

  it('okta: full-object PUT update (id, meta, groups: [], schemas) is accepted, readOnly parts ignored', async () => {
    const u = await create();
    const hash = await hashOf(u.id);
    const got = await send('GET', `/Users/${u.id}`);
    const body = {
      ...got.body,
      groups: [],
      name: { givenName: 'Johnny', familyName: 'Doe' },
      meta: { ...got.body.meta, created: '2000-01-01T00:00:00Z', version: 'W/"999"' },
    };
    const res = await send('PUT', `/Users/${u.id}`, body);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.id, u.id);
    assert.deepEqual(res.body.name, { givenName: 'Johnny', familyName: 'Doe' });
    assert.equal(res.body.meta.created, u.meta.created);
    assert.notEqual(res.body.meta.version, 'W/"999"');
    assertNoPassword(res);
    assert.equal(await hashOf(u.id), hash, 'a PUT without password keeps the stored hash');
  });

  it('okta: full-object PUT that deactivates (AIW apps) keeps the password hash', async () => {
    const u = await create();
    const hash = await hashOf(u.id);
    const res = await send('PUT', `/Users/${u.id}`, { ...u, groups: [], active: false });
    assert.equal(res.status, 200);
    assert.equal(res.body.active, false);
    assert.equal(await hashOf(u.id), hash);
  });

  it('okta: path-less {"op":"replace","value":{"active":false}} deactivates', async () => {
    const u = await create();
    const res = await patch('Users', u.id, [{ op: 'replace', value: { active: false } }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.active, false);
    assert.equal((await send('GET', `/Users/${u.id}`)).body.active, false);
    const again = await patch('Users', u.id, [{ op: 'replace', value: { active: true } }]);
    assert.equal(again.body.active, true);
  });

  it('okta: password change by PATCH replace "password" is hashed and never echoed', async () => {
    const u = await create(undefined, 'Old-Passw0rd!');
    const before = await hashOf(u.id);
    assertScryptOf(before, 'Old-Passw0rd!');
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'password', value: 'N3w-Passw0rd!' }]);
    assert.equal(res.status, 200, res.raw);
    assertNoPassword(res, 'N3w-Passw0rd!', 'Old-Passw0rd!');
    const afterwards = await hashOf(u.id);
    assertScryptOf(afterwards, 'N3w-Passw0rd!');
    assert.notEqual(afterwards, before);
    assert.notEqual(res.body.meta.version, u.meta.version);
    assertNoPassword(await send('GET', `/Users/${u.id}`), 'N3w-Passw0rd!');
  });

  it('okta: password change by path-less replace {"password": …} as well', async () => {
    const u = await create();
    const before = await hashOf(u.id);
    const res = await patch('Users', u.id, [{ op: 'replace', value: { password: 'Pathless-Pw1!' } }]);
    assert.equal(res.status, 200);
    assertNoPassword(res, 'Pathless-Pw1!');
    assert.notEqual(await hashOf(u.id), before);
    assertScryptOf(await hashOf(u.id), 'Pathless-Pw1!');
  });

  it('okta: remove of password → 400 mutability (refused on purpose), hash kept', async () => {
    const u = await create();
    const before = await hashOf(u.id);
    const res = await patch('Users', u.id, [{ op: 'remove', path: 'password' }]);
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'mutability');
    assert.equal(await hashOf(u.id), before);
  });

  it('okta: uppercase variant of the userName finds the user, the stored case is kept', async () => {
    const userName = `Mixed.Case${++seq}@Example.com`;
    const u = await create(userName);
    for (const variant of [userName.toUpperCase(), userName.toLowerCase()]) {
      const res = await send('GET', `/Users?filter=${q(`userName eq "${variant}"`)}&startIndex=1&count=100`);
      assert.equal(res.status, 200);
      assert.equal(res.body.totalResults, 1);
      assert.equal(res.body.Resources[0].id, u.id);
      assert.equal(res.body.Resources[0].userName, userName);
    }
  });

  it('okta: unknown id → 404 with the Error schema and a string status', async () => {
    for (const path of ['/Users/010101-not-there', '/Groups/010101-not-there']) {
      const res = await send('GET', path);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
      assert.equal(res.body.status, '404');
      assert.equal(typeof res.body.detail, 'string');
    }
    const put = await send('PUT', '/Users/010101-not-there', oktaUser(`ghost${++seq}@example.com`));
    assert.equal(put.status, 404);
    assert.equal(put.body.status, '404');
    const p = await patch('Users', '010101-not-there', [{ op: 'replace', value: { active: false } }]);
    assert.equal(p.status, 404);
    assert.equal(p.body.status, '404');
  });

  // ---- group push ----------------------------------------------------------------------------

  it('okta: group push — create with members: [], rename with {id, displayName}, membership ops, full push', async () => {
    const [a, b, c, d] = [await create(), await create(), await create(), await create()];
    const name = `Okta Push ${++seq}`;
    const created = await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: name, members: [] });
    assert.equal(created.status, 201, created.raw);
    const gid = created.body.id as string;
    assert.deepEqual(created.body.members ?? [], []);

    // rename: path-less replace with the read-only id inside the value
    // A group PATCH answers 204 with the new ETag (Okta's reference shows 204 No Content for group updates).
    const renamed = await patch('Groups', gid, [{ op: 'replace', value: { id: gid, displayName: `${name} v2` } }]);
    assert.equal(renamed.status, 204, renamed.raw);
    const afterRename = (await send('GET', `/Groups/${gid}`)).body;
    assert.equal(afterRename.displayName, `${name} v2`);
    assert.equal(renamed.headers['etag'], afterRename.meta.version);

    // Okta sends the rename with every membership update, even when the name is unchanged
    const sameName = await patch('Groups', gid, [{ op: 'replace', value: { id: gid, displayName: `${name} v2` } }]);
    assert.equal(sameName.status, 204);
    assert.equal(sameName.headers['etag'], renamed.headers['etag']);

    // add members with display
    const add = await patch('Groups', gid, [
      {
        op: 'add',
        path: 'members',
        value: [
          { value: a.id, display: a.userName },
          { value: b.id, display: b.userName },
        ],
      },
    ]);
    assert.equal(add.status, 204, add.raw);
    assert.deepEqual(memberIds((await send('GET', `/Groups/${gid}`)).body), [a.id, b.id].sort());

    // member remove by filter and add in one request
    const swap = await patch('Groups', gid, [
      { op: 'remove', path: `members[value eq "${a.id}"]` },
      { op: 'add', path: 'members', value: [{ value: c.id, display: c.userName }] },
    ]);
    assert.equal(swap.status, 204, swap.raw);
    assert.deepEqual(memberIds((await send('GET', `/Groups/${gid}`)).body), [b.id, c.id].sort());

    // full push: replace path members
    const push = await patch('Groups', gid, [
      { op: 'replace', path: 'members', value: [{ value: d.id, display: d.userName }, { value: b.id }] },
    ]);
    assert.equal(push.status, 204, push.raw);
    const stored = (await send('GET', `/Groups/${gid}`)).body;
    assert.equal(stored.displayName, `${name} v2`);
    assert.deepEqual(memberIds(stored), [b.id, d.id].sort());
    assert.deepEqual(
      ((await send('GET', `/Users/${d.id}`)).body.groups as { value: string }[]).map((g) => g.value),
      [gid],
    );
    assert.equal((await send('GET', `/Users/${a.id}`)).body.groups, undefined);

    // full push to nobody
    const empty = await patch('Groups', gid, [{ op: 'replace', path: 'members', value: [] }]);
    assert.equal(empty.status, 204);
    assert.deepEqual(memberIds((await send('GET', `/Groups/${gid}`)).body), []);

    // unlink with delete
    assert.equal((await send('DELETE', `/Groups/${gid}`)).status, 204);
    assert.equal((await send('GET', `/Groups/${gid}`)).status, 404);
  });

  it('okta: group lookup by displayName and import of /Groups with startIndex/count', async () => {
    const name = `Okta Lookup ${++seq}`;
    await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: name, members: [] });
    const res = await send('GET', `/Groups?filter=${q(`displayName eq "${name}"`)}&startIndex=1&count=100`);
    assert.equal(res.status, 200);
    assert.equal(res.body.totalResults, 1);
    const all = await send('GET', '/Groups?startIndex=1&count=100');
    assert.equal(all.status, 200);
    assert.equal(typeof all.body.totalResults, 'number');
    assert.equal(typeof all.body.itemsPerPage, 'number');
    assert.equal(typeof all.body.startIndex, 'number');
  });

  // ---- replayed sequences --------------------------------------------------------------------

  it('okta: replayed provisioning — lookup → create → PUT update → deactivate → password', async () => {
    const userName = `replay${++seq}@example.com`;
    const lookup = await send('GET', `/Users?filter=${q(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    assert.equal(lookup.status, 200);
    assert.equal(lookup.body.totalResults, 0);

    const created = await send('POST', '/Users', oktaUser(userName, 'First-Pw-1!'));
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    const hash1 = await hashOf(id);

    // profile change: GET then full PUT
    const got = await send('GET', `/Users/${id}`);
    const put = await send('PUT', `/Users/${id}`, {
      ...got.body,
      groups: [],
      displayName: 'John Q. Doe',
      emails: [{ primary: true, value: `new.${userName}`, type: 'work' }],
    });
    assert.equal(put.status, 200, put.raw);
    assert.equal(put.body.displayName, 'John Q. Doe');

    // deactivate
    const off = await patch('Users', id, [{ op: 'replace', value: { active: false } }]);
    assert.equal(off.status, 200);
    assert.equal(off.body.active, false);

    // password sync
    const pw = await patch('Users', id, [{ op: 'replace', path: 'password', value: 'Second-Pw-2!' }]);
    assert.equal(pw.status, 200);
    assertNoPassword(pw, 'Second-Pw-2!', 'First-Pw-1!');
    assertScryptOf(hash1, 'First-Pw-1!', 'the hash stored by the create');
    const hash2 = await hashOf(id);
    assert.notEqual(hash2, hash1);
    assertScryptOf(hash2, 'Second-Pw-2!', 'the hash stored by the password sync');

    // the stored state
    const stored = await send('GET', `/Users/${id}`);
    assert.equal(stored.body.userName, userName);
    assert.equal(stored.body.displayName, 'John Q. Doe');
    assert.deepEqual(stored.body.emails, [{ primary: true, value: `new.${userName}`, type: 'work' }]);
    assert.equal(stored.body.active, false);
    assert.equal(stored.body.externalId, created.body.externalId);
    assert.equal(stored.body.locale, 'en-US');
    assert.equal(stored.body.meta.version, pw.body.meta.version);
    assertNoPassword(stored, 'Second-Pw-2!');
    // reactivate later, still found by the uppercase userName
    const on = await patch('Users', id, [{ op: 'replace', value: { active: true } }]);
    assert.equal(on.body.active, true);
    const found = await send('GET', `/Users?filter=${q(`userName eq "${userName.toUpperCase()}"`)}&startIndex=1&count=100`);
    assert.equal(found.body.Resources[0].id, id);
  });

  it('okta: replayed import — GET /Users?startIndex=1&count=100 then next pages, integers, stable order, no repeats', async () => {
    const other = await startHarness();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 250; i++) {
        // no password here: 250 scrypt hashes would only slow the test down
        const res = await other.request('POST', '/Users', { body: { ...oktaUser(`import${i}@example.com`), password: undefined } });
        assert.equal(res.status, 201);
        ids.push(res.body.id);
      }
      const seen: string[] = [];
      for (let startIndex = 1; ; startIndex += 100) {
        const page = await other.request('GET', `/Users?startIndex=${startIndex}&count=100`, { headers: OKTA_HEADERS });
        assert.equal(page.status, 200);
        assert.ok(Number.isInteger(page.body.totalResults) && typeof page.body.totalResults === 'number');
        assert.ok(Number.isInteger(page.body.startIndex) && typeof page.body.startIndex === 'number');
        assert.ok(Number.isInteger(page.body.itemsPerPage) && typeof page.body.itemsPerPage === 'number');
        assert.equal(page.body.totalResults, 250);
        assert.equal(page.body.startIndex, startIndex);
        assert.match(page.raw, /"totalResults":250/);
        assert.equal(page.body.itemsPerPage, page.body.Resources.length);
        assertNoPassword(page);
        seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
        if (page.body.Resources.length < 100) break;
      }
      assert.deepEqual(seen, ids);
      const test = await other.request('GET', '/Users?startIndex=1&count=2', { headers: OKTA_HEADERS });
      assert.equal(test.status, 200);
      assert.equal(test.body.itemsPerPage, 2);
    } finally {
      await other.close();
    }
  });
});
