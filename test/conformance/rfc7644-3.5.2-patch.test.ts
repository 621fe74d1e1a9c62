import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, ERROR_SCHEMA, groupBody, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Op = Record<string, unknown>;

describe('rfc7644 §3.5.2 modifying with PATCH', () => {
  let h: Harness;
  let seq = 0;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  function patch(type: 'Users' | 'Groups', id: string, ops: Op[], options: { query?: string; headers?: Record<string, string> } = {}) {
    return h.request('PATCH', `/${type}/${id}${options.query ?? ''}`, {
      body: { schemas: [PATCH_OP], Operations: ops },
      ...(options.headers ? { headers: options.headers } : {}),
    });
  }

  async function newUser(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await h.request('POST', '/Users', { body: userBody(`p${++seq}@example.com`, extra) });
    assert.equal(res.status, 201, res.raw);
    return res.body;
  }

  async function newGroup(members: string[] = []): Promise<Record<string, any>> {
    const res = await h.request('POST', '/Groups', { body: groupBody(`Group ${++seq}`, members) });
    assert.equal(res.status, 201, res.raw);
    return res.body;
  }

  async function getRaw(type: 'Users' | 'Groups', id: string): Promise<Reply> {
    const res = await h.request('GET', `/${type}/${id}`);
    assert.equal(res.status, 200);
    return res;
  }

  function assertScimError(res: Reply, status: number, scimType?: string) {
    assert.equal(res.status, status, res.raw);
    assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    assert.equal(res.body.status, String(status));
    if (scimType !== undefined) assert.equal(res.body.scimType, scimType, res.raw);
  }

  /** Runs a PATCH that must fail and checks the stored resource did not move at all. */
  async function assertRefusedUnchanged(type: 'Users' | 'Groups', id: string, ops: Op[], status: number, scimType?: string) {
    const before = await getRaw(type, id);
    const res = await patch(type, id, ops);
    assertScimError(res, status, scimType);
    const afterwards = await getRaw(type, id);
    assert.equal(afterwards.raw, before.raw);
    assert.equal(afterwards.headers['etag'], before.headers['etag']);
    return res;
  }

  const memberIds = (group: Record<string, any>): string[] => (group.members ?? []).map((m: { value: string }) => m.value);

  // ---- add / replace / remove, with and without path ----------------------------------------

  it('add with a path sets an unassigned attribute', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'add', path: 'nickName', value: 'Babs' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.nickName, 'Babs');
    assert.equal((await getRaw('Users', u.id)).body.nickName, 'Babs');
  });

  it('add without a path merges the value object into the resource', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'add', value: { nickName: 'Babs', name: { middleName: 'Jane' } } }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.nickName, 'Babs');
    assert.deepEqual(res.body.name, { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' });
  });

  it('replace with a path replaces a singular attribute', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'displayName', value: 'Babs' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Babs');
  });

  it('replace without a path replaces each attribute the value names, others untouched', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', value: { displayName: 'Babs', title: 'Tour Guide' } }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Babs');
    assert.equal(res.body.title, 'Tour Guide');
    assert.equal(res.body.userName, u.userName);
    assert.deepEqual(res.body.emails, u.emails);
  });

  it('replace of a sub-attribute path (name.givenName) keeps the sibling sub-attributes', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'name.givenName', value: 'Babs' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.name, { givenName: 'Babs', familyName: 'Jensen' });
  });

  it('remove with a path unassigns the attribute', async () => {
    const u = await newUser({ title: 'Boss' });
    const res = await patch('Users', u.id, [{ op: 'remove', path: 'title' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.title, undefined);
    assert.equal((await getRaw('Users', u.id)).body.title, undefined);
  });

  it('remove of a sub-attribute (name.familyName) leaves the rest of name', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'remove', path: 'name.familyName' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.name, { givenName: 'Barbara' });
  });

  it('remove without a path → 400 noTarget, nothing changed', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'remove' }], 400, 'noTarget');
  });

  // ---- URN-qualified paths -------------------------------------------------------------------

  it('URN-qualified extension path: replace enterprise department', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Tours' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body[ENTERPRISE], { department: 'Tours', employeeNumber: '701984' });
  });

  it('URN-qualified extension path: add to an absent extension creates it, remove of its last attribute drops it', async () => {
    const created = await h.request('POST', '/Users', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bare${++seq}` },
    });
    const id = created.body.id;
    const added = await patch('Users', id, [{ op: 'add', path: `${ENTERPRISE}:costCenter`, value: '4130' }]);
    assert.equal(added.status, 200);
    assert.deepEqual(added.body[ENTERPRISE], { costCenter: '4130' });
    assert.ok(added.body.schemas.includes(ENTERPRISE));
    const removed = await patch('Users', id, [{ op: 'remove', path: `${ENTERPRISE}:costCenter` }]);
    assert.equal(removed.status, 200);
    assert.equal(removed.body[ENTERPRISE], undefined);
  });

  it('URN-qualified core path (urn:…:core:2.0:User:displayName) targets the core attribute', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:displayName', value: 'Core' },
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Core');
  });

  it('URN-qualified sub-attribute path (enterprise manager.value)', async () => {
    const boss = await newUser();
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'add', path: `${ENTERPRISE}:manager.value`, value: boss.id }]);
    assert.equal(res.status, 200);
    assert.equal(res.body[ENTERPRISE].manager.value, boss.id);
  });

  // ---- valuePath with filter and sub-attribute -------------------------------------------------

  it('valuePath with filter and sub-attribute: replace emails[type eq "work"].value changes only the work email', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.emails, [
      { value: 'new@example.com', type: 'work', primary: true },
      { value: u.emails[1].value, type: 'home' },
    ]);
  });

  it('valuePath with filter, no sub-attribute: replace merges into the matching element', async () => {
    const u = await newUser({ addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield' }] });
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'addresses[type eq "work"]', value: { streetAddress: '2 Elm St' } }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.addresses, [{ type: 'work', streetAddress: '2 Elm St', locality: 'Springfield' }]);
  });

  it('valuePath sub-attribute on addresses: addresses[type eq "work"].streetAddress', async () => {
    const u = await newUser({
      addresses: [
        { type: 'work', streetAddress: '1 Main St' },
        { type: 'home', streetAddress: '9 Home Rd' },
      ],
    });
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '3 Oak Ave' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.addresses, [
      { type: 'work', streetAddress: '3 Oak Ave' },
      { type: 'home', streetAddress: '9 Home Rd' },
    ]);
  });

  it('valuePath filter yielding no match on remove → 400 noTarget, nothing changed', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'remove', path: 'emails[type eq "other"]' }], 400, 'noTarget');
  });

  // ---- multi-valued semantics ----------------------------------------------------------------

  it('add to a multi-valued attribute appends', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'add', path: 'emails', value: [{ value: 'third@example.com', type: 'other' }] }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.emails.length, 3);
    assert.deepEqual(res.body.emails[2], { value: 'third@example.com', type: 'other' });
    assert.deepEqual(res.body.emails.slice(0, 2), u.emails);
  });

  it('add to a multi-valued attribute does not duplicate an equal value', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'add', path: 'emails', value: [u.emails[1]] }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.emails, u.emails);
    assert.equal(res.body.meta.version, u.meta.version);
  });

  it('rfc7644 §3.5.2.1 add of an email already there (same value and type, primary left out) changes nothing: same version, no event', async () => {
    const u = await newUser();
    const tenantId = (await h.server.store.findTenantByName('acme'))!.id;
    const eventsBefore = (await h.server.store.readEvents(tenantId, 0, 100_000)).length;
    const work = u.emails.find((e: { type: string }) => e.type === 'work');
    assert.equal(work.primary, true);
    for (const value of [{ value: work.value.toUpperCase(), type: 'work' }, { value: work.value }, { ...work, primary: 'True' }]) {
      const res = await patch('Users', u.id, [{ op: 'add', path: 'emails', value: [value] }]);
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body.emails, u.emails, JSON.stringify(value));
      assert.equal(res.body.meta.version, u.meta.version);
      assert.equal(res.body.meta.lastModified, u.meta.lastModified);
    }
    assert.equal((await h.server.store.readEvents(tenantId, 0, 100_000)).length, eventsBefore);
  });

  it('rfc7644 §3.5.2.1 add of an email already there with primary true makes that email the primary, without a second copy', async () => {
    const u = await newUser();
    const home = u.emails.find((e: { type: string }) => e.type === 'home');
    const res = await patch('Users', u.id, [{ op: 'add', path: 'emails', value: [{ ...home, primary: true }] }]);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(
      res.body.emails,
      u.emails.map((e: { type: string }) => ({ ...e, primary: e.type === 'home' })),
    );
    assert.notEqual(res.body.meta.version, u.meta.version);
  });

  it('replace of a multi-valued attribute replaces all its values', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'work' }] }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.emails, [{ value: 'only@example.com', type: 'work' }]);
  });

  it('replace with a value filter touches only the matching elements', async () => {
    const u = await newUser({
      phoneNumbers: [
        { value: '555-1', type: 'work' },
        { value: '555-2', type: 'mobile' },
        { value: '555-3', type: 'work' },
      ],
    });
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '555-9' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.phoneNumbers, [
      { value: '555-9', type: 'work' },
      { value: '555-2', type: 'mobile' },
      { value: '555-9', type: 'work' },
    ]);
  });

  it('remove with a value filter removes only the matching elements', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'remove', path: 'emails[type eq "home"]' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.emails, [u.emails[0]]);
  });

  it('remove of a whole multi-valued attribute unassigns it', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'remove', path: 'emails' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.emails, undefined);
  });

  it('one primary true clears the others (add)', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [
      { op: 'add', path: 'emails', value: [{ value: 'np@example.com', type: 'other', primary: true }] },
    ]);
    assert.equal(res.status, 200);
    const primaries = res.body.emails.filter((e: { primary?: boolean }) => e.primary === true);
    assert.deepEqual(primaries, [{ value: 'np@example.com', type: 'other', primary: true }]);
  });

  it('one primary true clears the others (valuePath replace)', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }]);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.emails.map((e: { type: string; primary?: boolean }) => [e.type, e.primary === true]),
      [
        ['work', false],
        ['home', true],
      ],
    );
  });

  it('two primaries written by one operation → 400 invalidValue, nothing changed', async () => {
    const u = await newUser();
    await assertRefusedUnchanged(
      'Users',
      u.id,
      [
        {
          op: 'add',
          path: 'emails',
          value: [
            { value: 'a1@example.com', primary: true },
            { value: 'a2@example.com', primary: true },
          ],
        },
      ],
      400,
      'invalidValue',
    );
  });

  // ---- errors: mutability, invalidPath, structure ----------------------------------------------

  it('remove of a required attribute (userName) → 400 mutability, nothing changed', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'remove', path: 'userName' }], 400, 'mutability');
  });

  it('remove of a required group attribute (displayName) → 400 mutability', async () => {
    const g = await newGroup();
    await assertRefusedUnchanged('Groups', g.id, [{ op: 'remove', path: 'displayName' }], 400, 'mutability');
  });

  it('an unparsable path → 400 invalidPath, nothing changed', async () => {
    const u = await newUser();
    for (const path of ['emails[type eq "work"', 'name..givenName', '', 'emails]', '.title']) {
      const res = await assertRefusedUnchanged('Users', u.id, [{ op: 'replace', path, value: 'x' }], 400);
      assert.ok(['invalidPath', 'invalidFilter'].includes(res.body.scimType), `${path}: ${res.raw}`);
    }
  });

  it('a path naming an unknown attribute → 400 invalidPath, nothing changed', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'replace', path: 'shoeSize', value: '42' }], 400, 'invalidPath');
    await assertRefusedUnchanged('Users', u.id, [{ op: 'add', path: 'name.nickname', value: 'x' }], 400, 'invalidPath');
    await assertRefusedUnchanged('Users', u.id, [{ op: 'remove', path: `${ENTERPRISE}:shoeSize` }], 400, 'invalidPath');
  });

  it('an error inside the path filter → 400 invalidFilter (RFC 7644 §3.12 Table 9)', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'remove', path: 'emails[shoe eq "x"]' }], 400, 'invalidFilter');
  });

  it('a readOnly target (id, meta.created, groups, manager.displayName) → 400 mutability, nothing changed', async () => {
    const u = await newUser();
    for (const [op, path, value] of [
      ['replace', 'id', 'other'],
      ['replace', 'meta.created', '2020-01-01T00:00:00Z'],
      ['add', 'groups', [{ value: 'x' }]],
      ['add', `${ENTERPRISE}:manager.displayName`, 'Boss'],
    ] as const) {
      await assertRefusedUnchanged('Users', u.id, [{ op, path, value }], 400, 'mutability');
    }
  });

  it('readOnly attributes inside a path-less value are ignored (id, meta)', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', value: { id: 'evil', meta: { version: 'W/"99"' }, title: 'Ok' } }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, u.id);
    assert.equal(res.body.title, 'Ok');
  });

  it('a value of the wrong type (active: 42) → 400 invalidValue, nothing changed', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'replace', path: 'active', value: 42 }], 400, 'invalidValue');
  });

  it('the PatchOp schemas missing → 400 invalidSyntax', async () => {
    const u = await newUser();
    const before = await getRaw('Users', u.id);
    const res = await h.request('PATCH', `/Users/${u.id}`, { body: { Operations: [{ op: 'replace', path: 'title', value: 'x' }] } });
    assertScimError(res, 400, 'invalidSyntax');
    const wrong = await h.request('PATCH', `/Users/${u.id}`, {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
    });
    assertScimError(wrong, 400, 'invalidSyntax');
    assert.equal((await getRaw('Users', u.id)).raw, before.raw);
  });

  it('Operations missing or empty → 400 invalidSyntax', async () => {
    const u = await newUser();
    assertScimError(await h.request('PATCH', `/Users/${u.id}`, { body: { schemas: [PATCH_OP] } }), 400, 'invalidSyntax');
    assertScimError(await h.request('PATCH', `/Users/${u.id}`, { body: { schemas: [PATCH_OP], Operations: [] } }), 400, 'invalidSyntax');
  });

  it('an unknown op → 400 invalidSyntax', async () => {
    const u = await newUser();
    await assertRefusedUnchanged('Users', u.id, [{ op: 'move', path: 'title', value: 'x' }], 400, 'invalidSyntax');
  });

  it('PATCH of an unknown id → 404', async () => {
    const res = await patch('Users', '00000000-0000-0000-0000-000000000000', [{ op: 'replace', path: 'title', value: 'x' }]);
    assertScimError(res, 404);
  });

  // ---- atomicity and uniqueness --------------------------------------------------------------

  it('atomic: a PATCH whose 2nd operation fails leaves the stored resource byte-identical', async () => {
    const u = await newUser();
    const before = await getRaw('Users', u.id);
    const res = await patch('Users', u.id, [
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'remove', path: 'userName' },
      { op: 'add', path: 'title', value: 'Never' },
    ]);
    assertScimError(res, 400, 'mutability');
    assert.match(res.body.detail, /Operations\[1\]/);
    const afterwards = await getRaw('Users', u.id);
    assert.equal(afterwards.raw, before.raw);
    assert.equal(afterwards.body.meta.version, before.body.meta.version);
  });

  it('atomic: a group PATCH whose 2nd operation fails keeps the 1st member change from happening', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id]);
    const before = await h.request('GET', `/Groups/${g.id}`);
    const res = await patch('Groups', g.id, [
      { op: 'add', path: 'members', value: [{ value: b.id }] },
      { op: 'replace', path: 'displayName', value: 42 },
    ]);
    assertScimError(res, 400);
    const afterwards = await h.request('GET', `/Groups/${g.id}`);
    assert.equal(afterwards.raw, before.raw);
  });

  it('atomic: a member add that fails in the store (the group as its own member) also undoes the document change', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    const before = await h.request('GET', `/Groups/${g.id}`);
    const res = await patch('Groups', g.id, [
      { op: 'replace', path: 'displayName', value: `Renamed ${++seq}` },
      { op: 'remove', path: `members[value eq "${a.id}"]` },
      { op: 'add', path: 'members', value: [{ value: g.id }] },
    ]);
    assertScimError(res, 400, 'invalidValue');
    const afterwards = await h.request('GET', `/Groups/${g.id}`);
    assert.equal(afterwards.raw, before.raw);
  });

  it('uniqueness: PATCH userName to an existing one (any case) → 409 uniqueness, nothing changed', async () => {
    const taken = await newUser();
    const u = await newUser();
    const res = await assertRefusedUnchanged(
      'Users',
      u.id,
      [
        { op: 'replace', path: 'title', value: 'Moved' },
        { op: 'replace', path: 'userName', value: taken.userName.toUpperCase() },
      ],
      409,
      'uniqueness',
    );
    assert.match(res.body.detail, /userName/);
  });

  it('rfc7643 §8.7.1 a group renamed to another group\'s displayName is renamed (uniqueness "none")', async () => {
    const taken = await newGroup();
    const g = await newGroup();
    const res = await patch('Groups', g.id, [{ op: 'replace', value: { displayName: taken.displayName.toUpperCase() } }]);
    assert.equal(res.status, 204, res.raw);
    assert.equal((await h.request('GET', `/Groups/${g.id}`)).body.displayName, taken.displayName.toUpperCase());
  });

  // ---- response ------------------------------------------------------------------------------

  it('response: 200 with the full resource, meta and ETag', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'T' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, u.id);
    assert.equal(res.body.userName, u.userName);
    assert.equal(res.body.meta.resourceType, 'User');
    assert.equal(res.body.meta.location, `https://scim.example.com/scim/v2/Users/${u.id}`);
    assert.equal(res.headers['etag'], res.body.meta.version);
    assert.match(String(res.headers['content-type']), /application\/scim\+json/);
    assert.deepEqual(res.body, (await getRaw('Users', u.id)).body);
  });

  it('response honours attributes', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'T' }], { query: '?attributes=title' });
    assert.equal(res.status, 200);
    assert.equal(res.body.title, 'T');
    assert.equal(res.body.id, u.id);
    assert.equal(res.body.emails, undefined);
    assert.equal(res.body.name, undefined);
  });

  it('response honours excludedAttributes', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'T' }], { query: '?excludedAttributes=emails,name' });
    assert.equal(res.status, 200);
    assert.equal(res.body.title, 'T');
    assert.equal(res.body.emails, undefined);
    assert.equal(res.body.name, undefined);
    assert.equal(res.body.userName, u.userName);
  });

  it('Prefer: return=minimal → 204, no body, ETag of the new version', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'Min' }], { headers: { prefer: 'return=minimal' } });
    assert.equal(res.status, 204);
    assert.equal(res.raw, '');
    const stored = await getRaw('Users', u.id);
    assert.equal(stored.body.title, 'Min');
    assert.equal(res.headers['etag'], stored.body.meta.version);
    assert.notEqual(res.headers['etag'], u.meta.version);
  });

  it('Prefer: return=minimal → 204 with Preference-Applied (RFC 7240 §3)', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'Min' }], { headers: { prefer: 'return=minimal' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['preference-applied'], 'return=minimal');
    const plain = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'Plain' }]);
    assert.equal(plain.headers['preference-applied'], undefined);
  });

  it('entra: a group PATCH answers 204 by default (a body with every member is unbounded), with the new ETag', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id]);
    const res = await patch('Groups', g.id, [{ op: 'add', path: 'members', value: [{ value: b.id }] }]);
    assert.equal(res.status, 204);
    assert.equal(res.raw, '');
    const stored = await getRaw('Groups', g.id);
    assert.equal(res.headers['etag'], stored.body.meta.version);
    assert.deepEqual(memberIds(stored.body).sort(), [a.id, b.id].sort());
  });

  it('rfc7644 §3.5.2 a group PATCH asked for a representation answers 200 with the whole group, members included, as GET shows it', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id]);
    const res = await patch('Groups', g.id, [{ op: 'add', path: 'members', value: [{ value: b.id }] }], {
      headers: { prefer: 'return=representation' },
    });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.headers['preference-applied'], 'return=representation');
    assert.deepEqual(memberIds(res.body).sort(), [a.id, b.id].sort());
    assert.deepEqual(res.body, (await getRaw('Groups', g.id)).body);
    assert.equal(res.headers['etag'], res.body.meta.version);
  });

  it('rfc7644 §3.5.2 attributes or excludedAttributes ask for the group: 200 subject to them, members shown unless excluded', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    const excluded = await patch('Groups', g.id, [{ op: 'replace', path: 'externalId', value: 'x1' }], {
      query: '?excludedAttributes=externalId',
    });
    assert.equal(excluded.status, 200, excluded.raw);
    assert.equal(excluded.body.externalId, undefined);
    assert.deepEqual(memberIds(excluded.body), [a.id]);
    const noMembers = await patch('Groups', g.id, [{ op: 'replace', path: 'externalId', value: 'x2' }], {
      query: '?excludedAttributes=members',
    });
    assert.equal(noMembers.status, 200);
    assert.equal(noMembers.body.members, undefined);
    assert.equal(noMembers.body.externalId, 'x2');
    const asked = await patch('Groups', g.id, [{ op: 'remove', path: `members[value eq "${a.id}"]` }], { query: '?attributes=members' });
    assert.equal(asked.status, 200);
    assert.equal(asked.body.id, g.id);
    assert.equal(asked.body.members, undefined, 'no members left');
    assert.equal(asked.body.displayName, undefined);
  });

  it('a user PATCH with Prefer: return=representation is 200 with Preference-Applied; a group one with return=minimal is 204', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'R' }], {
      headers: { prefer: 'return=representation' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['preference-applied'], 'return=representation');
    assert.equal(res.body.title, 'R');
    const g = await newGroup();
    const min = await patch('Groups', g.id, [{ op: 'replace', path: 'externalId', value: 'm' }], {
      query: '?attributes=externalId',
      headers: { prefer: 'return=minimal' },
    });
    assert.equal(min.status, 204, 'an explicit return=minimal wins over attributes');
  });

  // ---- versions ------------------------------------------------------------------------------

  it('meta.version and lastModified change when something changed', async () => {
    const u = await newUser();
    await new Promise((r) => setTimeout(r, 5));
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'New' }]);
    assert.notEqual(res.body.meta.version, u.meta.version);
    assert.notEqual(res.body.meta.lastModified, u.meta.lastModified);
    assert.equal(res.body.meta.created, u.meta.created);
  });

  it('a PATCH to the same value keeps meta.version and lastModified', async () => {
    const u = await newUser();
    await new Promise((r) => setTimeout(r, 5));
    const res = await patch('Users', u.id, [
      { op: 'replace', path: 'displayName', value: u.displayName },
      { op: 'Replace', path: 'active', value: 'True' },
      { op: 'add', path: 'name.givenName', value: 'Barbara' },
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body.meta.version, u.meta.version);
    assert.equal(res.body.meta.lastModified, u.meta.lastModified);
  });

  it('removing an absent attribute keeps meta.version', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'remove', path: 'nickName' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.meta.version, u.meta.version);
  });

  it('adding an existing member keeps meta.version and lastModified', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    await new Promise((r) => setTimeout(r, 5));
    const res = await patch('Groups', g.id, [{ op: 'add', path: 'members', value: [{ value: a.id }] }], { query: '?attributes=meta' });
    assert.equal(res.status, 200);
    assert.equal(res.body.meta.version, g.meta.version);
    assert.equal(res.body.meta.lastModified, g.meta.lastModified);
  });

  it('removing a member changes meta.version', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    const res = await patch('Groups', g.id, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    assert.equal(res.status, 204);
    assert.notEqual(res.headers['etag'], g.meta.version);
  });

  it('a full member push (replace members) with the same members keeps meta.version', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id, b.id]);
    const res = await patch('Groups', g.id, [{ op: 'replace', path: 'members', value: [{ value: a.id }, { value: b.id }] }], {
      query: '?attributes=members,meta',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(memberIds(res.body).sort(), [a.id, b.id].sort());
    assert.equal(res.body.meta.version, g.meta.version);
  });

  it('If-Match with a stale version → 412, nothing changes', async () => {
    const u = await newUser();
    await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'v2' }]);
    const before = await getRaw('Users', u.id);
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'v3' }], { headers: { 'if-match': u.meta.version } });
    assertScimError(res, 412);
    const afterwards = await getRaw('Users', u.id);
    assert.equal(afterwards.raw, before.raw);
    assert.equal(afterwards.body.title, 'v2');
  });

  it('If-Match with the current version → 200', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'ok' }], { headers: { 'if-match': u.meta.version } });
    assert.equal(res.status, 200);
    assert.equal(res.body.title, 'ok');
  });

  it('If-Match: * → 200', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'replace', path: 'title', value: 'any' }], { headers: { 'if-match': '*' } });
    assert.equal(res.status, 200);
  });

  it('ServiceProviderConfig.patch.supported is true', async () => {
    const res = await h.request('GET', '/ServiceProviderConfig');
    assert.equal(res.status, 200);
    assert.equal(res.body.patch.supported, true);
  });

  // ---- group membership ----------------------------------------------------------------------

  it('several member add/remove operations in one request apply in order', async () => {
    const [a, b, c, d] = [await newUser(), await newUser(), await newUser(), await newUser()];
    const g = await newGroup([a.id, b.id]);
    const res = await patch(
      'Groups',
      g.id,
      [
        { op: 'add', path: 'members', value: [{ value: c.id }] },
        { op: 'remove', path: `members[value eq "${a.id}"]` },
        { op: 'add', path: 'members', value: [{ value: d.id }, { value: a.id }] },
        { op: 'remove', path: 'members', value: [{ value: c.id }] },
        { op: 'remove', path: `members[value eq "${b.id}"]` },
      ],
      { query: '?attributes=members' },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(memberIds(res.body).sort(), [a.id, d.id].sort());
    const stored = await h.request('GET', `/Groups/${g.id}`);
    assert.deepEqual(memberIds(stored.body).sort(), [a.id, d.id].sort());
  });

  it('add then remove of the same member in one request leaves it out', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id]);
    const res = await patch('Groups', g.id, [
      { op: 'add', path: 'members', value: [{ value: b.id }] },
      { op: 'remove', path: `members[value eq "${b.id}"]` },
    ]);
    assert.equal(res.status, 204);
    assert.deepEqual(memberIds((await h.request('GET', `/Groups/${g.id}`)).body), [a.id]);
  });

  it('removing a member id that is not a member (or does not exist) is fine', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    const res = await patch('Groups', g.id, [
      { op: 'remove', path: 'members[value eq "00000000-0000-0000-0000-000000000000"]' },
      { op: 'remove', path: 'members', value: [{ value: 'no-such-id' }] },
    ]);
    assert.equal(res.status, 204);
    assert.equal(res.headers['etag'], g.meta.version);
    assert.deepEqual(memberIds((await h.request('GET', `/Groups/${g.id}`)).body), [a.id]);
  });

  it('entra: adding [known, unknown] adds the known member, skips the unknown id and names it in Scimd-Skipped-Members', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id]);
    const ghost = '00000000-0000-0000-0000-000000000000';
    const res = await patch('Groups', g.id, [{ op: 'add', path: 'members', value: [{ value: b.id }, { value: ghost }] }]);
    assert.equal(res.status, 204, res.raw);
    assert.equal(res.headers['scimd-skipped-members'], ghost);
    assert.deepEqual(memberIds((await h.request('GET', `/Groups/${g.id}`)).body).sort(), [a.id, b.id].sort());
  });

  it('entra: a PATCH whose only added members are unknown changes nothing: same version, no event, the skip is still said', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    const tenantId = (await h.server.store.findTenantByName('acme'))!.id;
    const eventsBefore = (await h.server.store.readEvents(tenantId, 0, 100_000)).length;
    const ghosts = Array.from({ length: 25 }, (_, i) => `ghost-${String(i).padStart(2, '0')},é`);
    const res = await patch('Groups', g.id, [{ op: 'add', path: 'members', value: ghosts.map((value) => ({ value })) }]);
    assert.equal(res.status, 204, res.raw);
    // At most 20 ids, each percent-encoded (a comma or a non-ASCII letter cannot stand in the list), and the total.
    assert.equal(
      res.headers['scimd-skipped-members'],
      ghosts
        .slice(0, 20)
        .map((id) => id.replace(',', '%2C').replace('é', '%C3%A9'))
        .join(','),
    );
    assert.equal(res.headers['scimd-skipped-members-total'], '25');
    const read = await getRaw('Groups', g.id);
    assert.equal(read.body.meta.version, g.meta.version);
    assert.equal((await h.server.store.readEvents(tenantId, 0, 100_000)).length, eventsBefore);
  });

  it('a group as member that would close a cycle (nested groups) → 400 invalidValue', async () => {
    const inner = await newGroup();
    const g = await newGroup([inner.id]);
    await assertRefusedUnchanged('Groups', inner.id, [{ op: 'add', path: 'members', value: [{ value: g.id }] }], 400, 'invalidValue');
  });

  it('remove path "members" without value removes all members', async () => {
    const a = await newUser();
    const b = await newUser();
    const g = await newGroup([a.id, b.id]);
    const res = await patch('Groups', g.id, [{ op: 'remove', path: 'members' }]);
    assert.equal(res.status, 204);
    assert.deepEqual(memberIds((await h.request('GET', `/Groups/${g.id}`)).body), []);
  });

  it('members filter other than value eq → 400 invalidPath (refused on purpose)', async () => {
    const a = await newUser();
    const g = await newGroup([a.id]);
    await assertRefusedUnchanged('Groups', g.id, [{ op: 'remove', path: 'members[type eq "User"]' }], 400, 'invalidPath');
  });

  it("member changes show in the user's groups", async () => {
    const a = await newUser();
    const g = await newGroup();
    await patch('Groups', g.id, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    const user = await getRaw('Users', a.id);
    assert.deepEqual(
      user.body.groups.map((x: { value: string }) => x.value),
      [g.id],
    );
  });

  it('a member PATCH on a group with 2,000 members answers 204 and keeps all the others; asked for the group, it streams them', async () => {
    const tenantId = (await h.server.store.findTenantByName('acme'))!.id;
    const ids: string[] = [];
    for (let i = 0; i < 2005; i++) {
      const id = `big-${i.toString().padStart(5, '0')}-${seq}`;
      await h.server.store.create(tenantId, {
        resourceType: 'User',
        id,
        doc: { userName: `big${i}.${seq}@example.com` },
        now: new Date().toISOString(),
      });
      ids.push(id);
    }
    const initial = ids.slice(0, 2000);
    const extra = ids.slice(2000);
    const created = await h.request('POST', '/Groups', { body: groupBody(`Big ${++seq}`, initial), headers: {} });
    assert.equal(created.status, 201);
    const res = await patch('Groups', created.body.id, [
      { op: 'add', path: 'members', value: extra.map((value) => ({ value })) },
      { op: 'remove', path: `members[value eq "${initial[0]}"]` },
    ]);
    assert.equal(res.status, 204);
    assert.equal(res.raw, '');
    const stored = await h.request('GET', `/Groups/${created.body.id}`);
    const got = new Set(memberIds(stored.body));
    assert.equal(got.size, 2004);
    for (const id of [...initial.slice(1), ...extra]) assert.ok(got.has(id), id);
    assert.ok(!got.has(initial[0]!));
    const whole = await patch('Groups', created.body.id, [{ op: 'remove', path: `members[value eq "${extra[0]}"]` }], {
      headers: { prefer: 'return=representation' },
    });
    assert.equal(whole.status, 200);
    assert.equal(memberIds(whole.body).length, 2003);
    assert.deepEqual(whole.body, (await h.request('GET', `/Groups/${created.body.id}`)).body);
  });
});
