import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ENTERPRISE,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  groupBody,
  type Harness,
  type Reply,
  startHarness,
  USER_SCHEMA,
  userBody,
} from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

type Op = Record<string, unknown>;

describe('Microsoft Entra ID: the shapes it really sends', () => {
  let h: Harness;
  let seq = 0;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const q = (filter: string) => encodeURIComponent(filter);

  /** Entra's PATCH envelope: PascalCase ops are common, `id` at the top level sometimes. */
  function patch(type: 'Users' | 'Groups', id: string, ops: Op[], extra: Record<string, unknown> = {}, query = '') {
    return h.request('PATCH', `/${type}/${id}${query}`, { body: { schemas: [PATCH_OP], Operations: ops, ...extra } });
  }

  async function newUser(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await h.request('POST', '/Users', { body: userBody(`entra${++seq}@contoso.com`, extra) });
    assert.equal(res.status, 201, res.raw);
    return res.body;
  }

  async function newGroup(members: string[] = []): Promise<Record<string, any>> {
    const res = await h.request('POST', '/Groups', { body: groupBody(`Entra Group ${++seq}`, members) });
    assert.equal(res.status, 201, res.raw);
    return res.body;
  }

  async function read(type: 'Users' | 'Groups', id: string): Promise<Record<string, any>> {
    const res = await h.request('GET', `/${type}/${id}`);
    assert.equal(res.status, 200, res.raw);
    return res.body;
  }

  function ok(res: Reply, status = 200) {
    assert.equal(res.status, status, res.raw);
  }

  const memberIds = (group: Record<string, any>): string[] => ((group.members ?? []) as { value: string }[]).map((m) => m.value).sort();

  // ---- endpoints -----------------------------------------------------------------------------

  it("entra: endpoint names in lowercase (Microsoft's Postman collection and reference code)", async () => {
    const user = (await h.request('POST', '/users', { body: userBody(`entra${++seq}@contoso.com`) })).body;
    assert.match(user.meta.location, /\/scim\/v2\/Users\/[^/]+$/);
    ok(await h.request('GET', `/users/${user.id}`));
    ok(await h.request('GET', `/USERS?filter=${q(`userName eq "${user.userName}"`)}`));
    ok(
      await h.request('PATCH', `/users/${user.id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      }),
    );
    ok(await h.request('POST', '/users/.search', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] } }));
    ok(await h.request('POST', '/.SEARCH', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] } }));
    ok(await h.request('POST', '/groups', { body: groupBody(`Entra Group ${++seq}`) }), 201);
    for (const path of ['/serviceproviderconfig', '/schemas', '/resourcetypes', '/resourcetypes/user', '/ResourceTypes/Group']) {
      ok(await h.request('GET', path));
    }
    const bulk = await h.request('POST', '/bulk', {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [{ method: 'DELETE', path: `/Users/${user.id}` }],
      },
    });
    ok(bulk);
    assert.equal(bulk.body.Operations[0].status, '204');
    // /Me with a static token is 501 (it names no user): routed, not 404.
    assert.equal((await h.request('GET', '/me')).status, 501);
  });

  it('entra: ids in a path keep their case (an id is caseExact: another case is another id)', async () => {
    const user = await newUser();
    const res = await h.request('GET', `/users/${user.id.toUpperCase()}`);
    assert.equal(res.status, 404, res.raw);
    assert.equal(res.body.detail, `User ${user.id.toUpperCase()} not found`);
  });

  // ---- ops and booleans ----------------------------------------------------------------------

  it('entra: ops in any case (Add, Replace, Remove, REPLACE, aDd)', async () => {
    const u = await newUser({ title: 'Guide' });
    const res = await patch('Users', u.id, [
      { op: 'Add', path: 'nickName', value: 'Babs' },
      { op: 'Replace', path: 'displayName', value: 'Barbara' },
      { op: 'Remove', path: 'title' },
      { op: 'REPLACE', path: 'preferredLanguage', value: 'en-US' },
      { op: 'aDd', path: 'locale', value: 'en-US' },
    ]);
    ok(res);
    assert.equal(res.body.nickName, 'Babs');
    assert.equal(res.body.displayName, 'Barbara');
    assert.equal(res.body.title, undefined);
    assert.equal(res.body.preferredLanguage, 'en-US');
    assert.equal(res.body.locale, 'en-US');
  });

  it('entra: "False"/"True" strings in PATCH values are booleans (active, any case)', async () => {
    const u = await newUser();
    const off = await patch('Users', u.id, [{ op: 'Replace', path: 'active', value: 'False' }]);
    ok(off);
    assert.equal(off.body.active, false);
    const on = await patch('Users', u.id, [{ op: 'Replace', path: 'active', value: 'TRUE' }]);
    assert.equal(on.body.active, true);
    const pathless = await patch('Users', u.id, [{ op: 'Replace', value: { active: 'false' } }]);
    assert.equal(pathless.body.active, false);
    assert.equal((await read('Users', u.id)).active, false);
  });

  it('entra: "True" strings for primary inside PATCH values', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [
      { op: 'Add', path: 'phoneNumbers', value: [{ value: '555-0100', type: 'work', primary: 'True' }] },
    ]);
    ok(res);
    assert.deepEqual(res.body.phoneNumbers, [{ value: '555-0100', type: 'work', primary: true }]);
  });

  it('entra: "True"/"False" strings in a POST body', async () => {
    const res = await h.request('POST', '/Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName: `post-bool${++seq}@contoso.com`,
        active: 'True',
        emails: [{ value: 'pb@contoso.com', type: 'work', primary: 'True' }],
      },
    });
    ok(res, 201);
    assert.equal(res.body.active, true);
    assert.equal(res.body.emails[0].primary, true);
    const off = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: `post-off${++seq}@contoso.com`, active: 'False' },
    });
    ok(off, 201);
    assert.equal(off.body.active, false);
  });

  it('entra: "True"/"False" strings in a PUT body', async () => {
    const u = await newUser();
    const res = await h.request('PUT', `/Users/${u.id}`, { body: { ...u, active: 'False' } });
    ok(res);
    assert.equal(res.body.active, false);
    assert.equal((await read('Users', u.id)).active, false);
  });

  it('entra: a non-boolean string for a boolean is still 400 invalidValue', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'Replace', path: 'active', value: 'maybe' }]);
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
    assert.equal((await read('Users', u.id)).active, true);
  });

  // ---- path-less values with dotted and URN-qualified keys -------------------------------------

  it('entra: path-less replace with dotted and URN-qualified keys', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [
      {
        op: 'replace',
        value: {
          displayName: 'Babs Jensen',
          'name.givenName': 'Babs',
          'name.familyName': 'Jensen-Smith',
          [`${ENTERPRISE}:department`]: 'Tour Operations',
          [`${ENTERPRISE}:employeeNumber`]: '999',
          active: 'False',
        },
      },
    ]);
    ok(res);
    assert.equal(res.body.displayName, 'Babs Jensen');
    assert.deepEqual(res.body.name, { givenName: 'Babs', familyName: 'Jensen-Smith' });
    assert.deepEqual(res.body[ENTERPRISE], { department: 'Tour Operations', employeeNumber: '999' });
    assert.equal(res.body.active, false);
  });

  it('entra: path-less add with dotted and URN-qualified keys onto absent attributes', async () => {
    const created = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: `bare${++seq}@contoso.com` } });
    const res = await patch('Users', created.body.id, [
      { op: 'Add', value: { 'name.givenName': 'Ann', [`${ENTERPRISE}:costCenter`]: 'CC1', [`${ENTERPRISE}:manager`]: '' } },
    ]);
    ok(res);
    assert.deepEqual(res.body.name, { givenName: 'Ann' });
    assert.deepEqual(res.body[ENTERPRISE], { costCenter: 'CC1' });
    assert.ok(res.body.schemas.includes(ENTERPRISE));
  });

  it('entra: path-less value keyed by the extension URN holding an object', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'Replace', value: { [ENTERPRISE]: { division: 'EMEA' } } }]);
    ok(res);
    assert.deepEqual(res.body[ENTERPRISE], { department: 'Sales', employeeNumber: '701984', division: 'EMEA' });
  });

  it('entra: path-less keys in another case (DisplayName, Name.GivenName) resolve case-insensitively', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'Replace', value: { DisplayName: 'Cased', 'Name.GivenName': 'Upper' } }]);
    ok(res);
    assert.equal(res.body.displayName, 'Cased');
    assert.equal(res.body.name.givenName, 'Upper');
  });

  // ---- valuePath creating the element ----------------------------------------------------------

  it('entra: emails[type eq "work"].value creates the work email when none exists', async () => {
    const u = await newUser({ emails: [{ value: 'home@contoso.com', type: 'home' }] });
    const res = await patch('Users', u.id, [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'work@contoso.com' }]);
    ok(res);
    assert.deepEqual(res.body.emails, [
      { value: 'home@contoso.com', type: 'home' },
      { type: 'work', value: 'work@contoso.com' },
    ]);
  });

  it('entra: emails[type eq "work"].value with Add on a user without emails', async () => {
    const created = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: `noemail${++seq}@contoso.com` } });
    const res = await patch('Users', created.body.id, [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'w@contoso.com' }]);
    ok(res);
    assert.deepEqual(res.body.emails, [{ type: 'work', value: 'w@contoso.com' }]);
  });

  it('entra: emails[type eq "work"].primary "True" on the created element', async () => {
    const created = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: `prim${++seq}@contoso.com` } });
    const res = await patch('Users', created.body.id, [
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'p@contoso.com' },
      { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' },
    ]);
    ok(res);
    assert.deepEqual(res.body.emails, [{ type: 'work', value: 'p@contoso.com', primary: true }]);
  });

  it('entra: addresses[type eq "work"].* creates the work address, later ops fill it in', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [
      { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Microsoft Way' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
      { op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Microsoft Way, Redmond' },
      { op: 'Add', path: 'addresses[type eq "work"].country', value: 'US' },
    ]);
    ok(res);
    assert.deepEqual(res.body.addresses, [
      { type: 'work', streetAddress: '1 Microsoft Way', locality: 'Redmond', formatted: '1 Microsoft Way, Redmond', country: 'US' },
    ]);
  });

  it('entra: phoneNumbers[type eq "mobile"].value and [type eq "work"].value create the numbers', async () => {
    const u = await newUser();
    const res = await patch('Users', u.id, [
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0199' },
    ]);
    ok(res);
    assert.deepEqual(res.body.phoneNumbers, [
      { type: 'work', value: '+1 555 0100' },
      { type: 'mobile', value: '+1 555 0199' },
    ]);
    const again = await patch('Users', u.id, [{ op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0200' }]);
    assert.deepEqual(again.body.phoneNumbers, [
      { type: 'work', value: '+1 555 0100' },
      { type: 'mobile', value: '+1 555 0200' },
    ]);
  });

  it('entra: Remove emails[type eq "work"].value when there is none → 400 noTarget', async () => {
    const u = await newUser({ emails: [{ value: 'h@contoso.com', type: 'home' }] });
    const res = await patch('Users', u.id, [{ op: 'Remove', path: 'emails[type eq "work"].value' }]);
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'noTarget');
  });

  // ---- manager -------------------------------------------------------------------------------

  it('entra: manager as a plain string id on Add and Replace', async () => {
    const boss = await newUser();
    const boss2 = await newUser();
    const u = await newUser();
    const add = await patch('Users', u.id, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id }]);
    ok(add);
    assert.equal(add.body[ENTERPRISE].manager.value, boss.id);
    const rep = await patch('Users', u.id, [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: boss2.id }]);
    ok(rep);
    assert.equal(rep.body[ENTERPRISE].manager.value, boss2.id);
    assert.equal((await read('Users', u.id))[ENTERPRISE].manager.value, boss2.id);
  });

  it('entra: manager "" clears it (SCIM Validator "Remove Manager")', async () => {
    const boss = await newUser();
    const u = await newUser({ [ENTERPRISE]: { department: 'Sales', manager: { value: boss.id } } });
    assert.equal(u[ENTERPRISE].manager.value, boss.id);
    const res = await patch('Users', u.id, [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }]);
    ok(res);
    assert.deepEqual(res.body[ENTERPRISE], { department: 'Sales' });
  });

  it('entra: Remove manager clears it', async () => {
    const boss = await newUser();
    const u = await newUser({ [ENTERPRISE]: { manager: { value: boss.id } } });
    const res = await patch('Users', u.id, [{ op: 'Remove', path: `${ENTERPRISE}:manager` }]);
    ok(res);
    assert.equal(res.body[ENTERPRISE], undefined);
    assert.ok(!res.body.schemas.includes(ENTERPRISE));
  });

  it('entra: Remove manager[value eq "id"] clears it', async () => {
    const boss = await newUser();
    const u = await newUser({ [ENTERPRISE]: { department: 'D', manager: { value: boss.id } } });
    const res = await patch('Users', u.id, [{ op: 'Remove', path: `${ENTERPRISE}:manager[value eq "${boss.id}"]` }]);
    ok(res);
    assert.deepEqual(res.body[ENTERPRISE], { department: 'D' });
  });

  it('entra: manager as {"value": id} and as the older [{"$ref", "value"}] both work', async () => {
    const boss = await newUser();
    const u = await newUser();
    const obj = await patch('Users', u.id, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: { value: boss.id } }]);
    ok(obj);
    assert.equal(obj.body[ENTERPRISE].manager.value, boss.id);
    const boss2 = await newUser();
    const arr = await patch('Users', u.id, [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: [{ $ref: null, value: boss2.id }] }]);
    ok(arr);
    assert.equal(arr.body[ENTERPRISE].manager.value, boss2.id);
  });

  it('entra: manager as a plain id in a path-less URN-qualified key', async () => {
    const boss = await newUser();
    const u = await newUser();
    const res = await patch('Users', u.id, [{ op: 'Replace', value: { [`${ENTERPRISE}:manager`]: boss.id } }]);
    ok(res);
    assert.equal(res.body[ENTERPRISE].manager.value, boss.id);
  });

  // ---- members -------------------------------------------------------------------------------

  it('entra: Remove path "members" with a value list removes only the listed members', async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const g = await newGroup([a.id, b.id, c.id]);
    const res = await patch('Groups', g.id, [
      {
        op: 'Remove',
        path: 'members',
        value: [
          { value: a.id, $ref: null },
          { value: c.id, $ref: null },
        ],
      },
    ]);
    // Entra's guidance: a group PATCH answers 204 (a body with every member is unbounded).
    ok(res, 204);
    assert.equal(res.raw, '');
    assert.deepEqual(memberIds(await read('Groups', g.id)), [b.id]);
  });

  it('entra: remove members[value eq "id"] removes that member only', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const g = await newGroup([a.id, b.id]);
    const res = await patch('Groups', g.id, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    ok(res, 204);
    assert.deepEqual(memberIds(await read('Groups', g.id)), [b.id]);
  });

  it('entra: Add members with a value list (with $ref null)', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const g = await newGroup();
    const res = await patch('Groups', g.id, [
      {
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: a.id },
          { $ref: null, value: b.id },
        ],
      },
    ]);
    ok(res, 204);
    assert.deepEqual(memberIds(await read('Groups', g.id)), [a.id, b.id].sort());
  });

  it('entra: several member adds and removes in one request (gallery checklist)', async () => {
    const [a, b, c, d] = [await newUser(), await newUser(), await newUser(), await newUser()];
    const g = await newGroup([a.id, b.id]);
    const res = await patch('Groups', g.id, [
      { op: 'Add', path: 'members', value: [{ value: c.id }] },
      { op: 'Add', path: 'members', value: [{ value: d.id }] },
      { op: 'Remove', path: 'members', value: [{ value: a.id }] },
      { op: 'Remove', path: 'members', value: [{ value: c.id }] },
    ]);
    ok(res, 204);
    assert.deepEqual(memberIds(await read('Groups', g.id)), [b.id, d.id].sort());
  });

  it('entra: an extra top-level "id" and per-operation "name" are ignored', async () => {
    const a = await newUser();
    const g = await newGroup();
    const res = await patch(
      'Groups',
      g.id,
      [{ name: 'addMember', op: 'Add', path: 'members', value: [{ displayName: 'x', value: a.id }] }],
      {
        id: g.id,
      },
    );
    ok(res, 204);
    assert.deepEqual(memberIds(await read('Groups', g.id)), [a.id]);
    const u = await newUser();
    const other = await patch('Users', u.id, [{ name: 'whatever', op: 'Replace', path: 'title', value: 'T' }], { id: 'not-even-this-id' });
    ok(other);
    assert.equal(other.body.id, u.id);
    assert.equal(other.body.title, 'T');
  });

  // ---- roles ---------------------------------------------------------------------------------

  it('entra: roles values that are JSON-encoded strings are kept as sent', async () => {
    const u = await newUser();
    const role = JSON.stringify({ id: '4e1d4f3e-1f5c-4e4f-9a55-2c0d3f6a1b2c', value: 'Admin', displayName: 'Administrator' });
    const res = await patch('Users', u.id, [{ op: 'Add', path: 'roles', value: [{ value: role, primary: 'False' }] }]);
    ok(res);
    assert.deepEqual(res.body.roles, [{ value: role, primary: false }]);
    assert.equal((await read('Users', u.id)).roles[0].value, role);
  });

  it('entra: roles[primary eq "True"].value path', async () => {
    const u = await newUser({ roles: [{ value: 'Reader', primary: true }, { value: 'Writer' }] });
    const res = await patch('Users', u.id, [{ op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Owner' }]);
    ok(res);
    assert.deepEqual(res.body.roles, [{ value: 'Owner', primary: true }, { value: 'Writer' }]);
  });

  // ---- queries -------------------------------------------------------------------------------

  it('entra: Test Connection, userName eq "<random guid>" → 200 with totalResults 0', async () => {
    const res = await h.request('GET', `/Users?filter=${q(`userName eq "${randomUUID()}"`)}`);
    ok(res);
    assert.deepEqual(res.body.schemas, [LIST]);
    assert.equal(res.body.totalResults, 0);
    assert.deepEqual(res.body.Resources, []);
  });

  it('entra: manager pre-check, filter=id eq "…" and <enterprise URN>:manager eq "…"&attributes=id answers id only', async () => {
    const boss = await newUser();
    const other = await newUser();
    const u = await newUser({ [ENTERPRISE]: { manager: { value: boss.id } } });
    const hit = await h.request('GET', `/Users?filter=${q(`id eq "${u.id}" and ${ENTERPRISE}:manager eq "${boss.id}"`)}&attributes=id`);
    ok(hit);
    assert.equal(hit.body.totalResults, 1);
    // attributes=id: id is returned always, schemas too; nothing else of the user.
    assert.deepEqual(Object.keys(hit.body.Resources[0]).sort(), ['id', 'schemas']);
    assert.equal(hit.body.Resources[0].id, u.id);
    const sub = await h.request(
      'GET',
      `/Users?filter=${q(`id eq "${u.id}" and ${ENTERPRISE}:manager.value eq "${boss.id}"`)}&attributes=id`,
    );
    assert.equal(sub.body.totalResults, 1);
    const miss = await h.request('GET', `/Users?filter=${q(`id eq "${u.id}" and ${ENTERPRISE}:manager eq "${other.id}"`)}&attributes=id`);
    ok(miss);
    assert.equal(miss.body.totalResults, 0);
    assert.deepEqual(miss.body.Resources, []);
  });

  it('entra: manager pre-check exactly as Entra sends it (unqualified manager eq) finds the user', async () => {
    const boss = await newUser();
    const u = await newUser({ [ENTERPRISE]: { manager: { value: boss.id } } });
    const res = await h.request('GET', `/Users?filter=${q(`id eq "${u.id}" and manager eq "${boss.id}"`)}&attributes=id`);
    ok(res);
    assert.equal(res.body.totalResults, 1);
    assert.deepEqual(res.body.Resources, [{ schemas: [USER_SCHEMA, ENTERPRISE], id: u.id }]);
  });

  it('entra: lookups by externalId and by a work email (RFC form emails[type eq "work" and value eq "…"])', async () => {
    const u = await newUser();
    const byExt = await h.request('GET', `/Users?filter=${q(`externalId eq "${u.externalId}"`)}`);
    ok(byExt);
    assert.equal(byExt.body.totalResults, 1);
    const byMail = await h.request('GET', `/Users?filter=${q(`emails[type eq "work" and value eq "${u.emails[0].value}"]`)}`);
    ok(byMail);
    assert.equal(byMail.body.totalResults, 1);
    assert.equal(byMail.body.Resources[0].id, u.id);
  });

  it('entra: lookup by emails[type eq "work"].value eq "…" (matching attribute set to the work email)', async () => {
    const u = await newUser();
    const byMail = await h.request('GET', `/Users?filter=${q(`emails[type eq "work"].value eq "${u.emails[0].value}"`)}`);
    ok(byMail);
    assert.equal(byMail.body.totalResults, 1);
  });

  it('entra: create group with the ADSCIM schema, meta.resourceType and empty members', async () => {
    const res = await h.request('POST', '/Groups', {
      body: {
        externalId: randomUUID(),
        displayName: `ADSCIM ${++seq}`,
        members: [],
        meta: { resourceType: 'Group' },
        schemas: [GROUP_SCHEMA, ADSCIM_GROUP],
      },
    });
    ok(res, 201);
    assert.deepEqual(res.body.members ?? [], []);
  });

  // ---- soft delete ---------------------------------------------------------------------------

  it('entra: soft delete, PATCH active "False", later DELETE', async () => {
    const u = await newUser();
    const disable = await patch('Users', u.id, [{ op: 'Replace', path: 'active', value: 'False' }]);
    ok(disable);
    assert.equal(disable.body.active, false);
    const still = await h.request('GET', `/Users?filter=${q(`userName eq "${u.userName}"`)}`);
    assert.equal(still.body.totalResults, 1);
    assert.equal(still.body.Resources[0].active, false);
    const del = await h.request('DELETE', `/Users/${u.id}`);
    assert.equal(del.status, 204);
    const gone = await h.request('GET', `/Users/${u.id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body.schemas, [ERROR_SCHEMA]);
  });

  // ---- replayed sequences --------------------------------------------------------------------

  it('entra: replayed user lifecycle — lookup → create → update → manager → disable → delete', async () => {
    const userName = `replay.user${++seq}@contoso.com`;
    const externalId = randomUUID();
    // 1. lookup by the matching attribute: nothing yet
    const lookup = await h.request('GET', `/Users?filter=${q(`userName eq "${userName}"`)}`);
    ok(lookup);
    assert.equal(lookup.body.totalResults, 0);
    // 2. create, as Entra sends it
    const created = await h.request('POST', '/Users', {
      body: {
        schemas: [USER_SCHEMA, ENTERPRISE],
        externalId,
        userName,
        active: true,
        addresses: [{ primary: true, type: 'work', formatted: '1864 Nitzsche Key', country: 'US' }],
        displayName: 'Replay User',
        emails: [{ primary: true, type: 'work', value: userName }],
        meta: { resourceType: 'User' },
        name: { formatted: 'Replay User', familyName: 'User', givenName: 'Replay' },
        phoneNumbers: [{ primary: true, type: 'work', value: '+1 555 0100' }],
        roles: [],
        title: 'Engineer',
        [ENTERPRISE]: { employeeNumber: 'E1', department: 'R&D' },
      },
    });
    ok(created, 201);
    const id = created.body.id as string;
    assert.equal(created.body.userName, userName);
    assert.equal(created.headers['etag'], created.body.meta.version);
    // the lookup now finds it, in any case
    const found = await h.request('GET', `/Users?filter=${q(`userName eq "${userName.toUpperCase()}"`)}`);
    assert.equal(found.body.totalResults, 1);
    assert.equal(found.body.Resources[0].id, id);
    // 3. update attributes (without the flag: one op per attribute, PascalCase)
    const update = await patch('Users', id, [
      { op: 'Replace', path: 'displayName', value: 'Replay User II' },
      { op: 'Replace', path: 'name.givenName', value: 'Replay2' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: `moved.${userName}` },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0199' },
      { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Research' },
      { op: 'Remove', path: 'title' },
    ]);
    ok(update);
    assert.notEqual(update.body.meta.version, created.body.meta.version);
    // 4. the manager: pre-check query, then set it as a plain id
    const boss = await newUser();
    const check = `/Users?filter=${q(`id eq "${id}" and manager eq "${boss.id}"`)}&attributes=id`;
    const pre = await h.request('GET', check);
    ok(pre);
    assert.equal(pre.body.totalResults, 0);
    const mgr = await patch('Users', id, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id }]);
    ok(mgr);
    const post = await h.request('GET', check);
    assert.equal(post.body.totalResults, 1);
    // 5. disable (soft delete)
    const disabled = await patch('Users', id, [{ op: 'Replace', path: 'active', value: 'False' }]);
    ok(disabled);
    // the stored state before the hard delete
    const stored = await read('Users', id);
    assert.equal(stored.active, false);
    assert.equal(stored.displayName, 'Replay User II');
    assert.deepEqual(stored.name, { formatted: 'Replay User', familyName: 'User', givenName: 'Replay2' });
    assert.deepEqual(stored.emails, [{ primary: true, type: 'work', value: `moved.${userName}` }]);
    assert.deepEqual(stored.phoneNumbers, [
      { primary: true, type: 'work', value: '+1 555 0100' },
      { type: 'mobile', value: '+1 555 0199' },
    ]);
    assert.deepEqual(stored.addresses, [
      { primary: true, type: 'work', formatted: '1864 Nitzsche Key', country: 'US', locality: 'Redmond' },
    ]);
    assert.equal(stored.title, undefined);
    assert.equal(stored.externalId, externalId);
    assert.equal(stored[ENTERPRISE].department, 'Research');
    assert.equal(stored[ENTERPRISE].employeeNumber, 'E1');
    assert.equal(stored[ENTERPRISE].manager.value, boss.id);
    assert.equal(stored.meta.version, disabled.body.meta.version);
    // 6. hard delete, some time later
    const del = await h.request('DELETE', `/Users/${id}`);
    assert.equal(del.status, 204);
    assert.equal((await h.request('GET', `/Users/${id}`)).status, 404);
    const after = await h.request('GET', `/Users?filter=${q(`userName eq "${userName}"`)}`);
    assert.equal(after.body.totalResults, 0);
  });

  it('entra: replayed group lifecycle — lookup → create → add → remove → rename → membership check', async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const name = `Replay Group ${++seq}`;
    // 1. lookup by displayName without members
    const lookup = await h.request('GET', `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${name}"`)}`);
    ok(lookup);
    assert.equal(lookup.body.totalResults, 0);
    // 2. create with empty members
    const created = await h.request('POST', '/Groups', {
      body: {
        externalId: randomUUID(),
        displayName: name,
        members: [],
        meta: { resourceType: 'Group' },
        schemas: [GROUP_SCHEMA, ADSCIM_GROUP],
      },
    });
    ok(created, 201);
    const gid = created.body.id as string;
    const again = await h.request('GET', `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${name}"`)}`);
    assert.equal(again.body.totalResults, 1);
    assert.equal(again.body.Resources[0].members, undefined);
    // 3. add members, several in one request
    const add = await patch('Groups', gid, [{ op: 'Add', path: 'members', value: [{ value: a.id }, { value: b.id }, { value: c.id }] }]);
    ok(add, 204);
    // 4. remove members with a value list (only the listed one goes)
    const remove = await patch('Groups', gid, [{ op: 'Remove', path: 'members', value: [{ value: b.id, $ref: null }] }]);
    ok(remove, 204);
    // 5. rename
    const rename = await patch('Groups', gid, [{ op: 'Replace', path: 'displayName', value: `${name} (renamed)` }]);
    ok(rename, 204);
    assert.equal(rename.headers['etag'], (await read('Groups', gid)).meta.version);
    assert.equal((await read('Groups', gid)).displayName, `${name} (renamed)`);
    // 6. membership check
    const isMember = await h.request(
      'GET',
      `/Groups?filter=${q(`id eq "${gid}" and members[value eq "${a.id}"]`)}&excludedAttributes=members`,
    );
    ok(isMember);
    assert.equal(isMember.body.totalResults, 1);
    assert.equal(isMember.body.Resources[0].id, gid);
    assert.equal(isMember.body.Resources[0].members, undefined);
    const notMember = await h.request(
      'GET',
      `/Groups?filter=${q(`id eq "${gid}" and members[value eq "${b.id}"]`)}&excludedAttributes=members`,
    );
    ok(notMember);
    assert.equal(notMember.body.totalResults, 0);
    // the stored group, and each user's groups
    const stored = await read('Groups', gid);
    assert.equal(stored.displayName, `${name} (renamed)`);
    assert.deepEqual(memberIds(stored), [a.id, c.id].sort());
    assert.deepEqual(
      ((await read('Users', a.id)).groups as { value: string; display: string }[]).map((g) => [g.value, g.display]),
      [[gid, `${name} (renamed)`]],
    );
    assert.equal((await read('Users', b.id)).groups, undefined);
    // Entra's group delete
    assert.equal((await h.request('DELETE', `/Groups/${gid}`)).status, 204);
    assert.equal((await read('Users', a.id)).groups, undefined);
  });
});
