import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, GROUP_SCHEMA, groupBody, type Harness, type Reply, startHarness, USER_SCHEMA, userBody } from '../helpers/harness.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const enc = encodeURIComponent;

describe('rfc7644 §3.4.2.5 attributes and excludedAttributes', () => {
  let h: Harness;
  let userId = '';
  let groupId = '';
  const body = userBody('attrs@example.com', {
    password: 'Sup3r-secret-pw',
    [ENTERPRISE]: { department: 'Sales', employeeNumber: '42' },
  });

  before(async () => {
    h = await startHarness();
    const res = await h.request('POST', '/Users', { body });
    assert.equal(res.status, 201, res.raw);
    userId = res.body.id;
    groupId = (await h.request('POST', '/Groups', { body: groupBody('Projected', [userId]) })).body.id;
  });
  after(() => h.close());

  const get = async (query: string, path = `/Users/${userId}`): Promise<Reply> => {
    const res = await h.request('GET', `${path}?${query}`);
    assert.equal(res.status, 200, res.raw);
    return res;
  };

  it('attributes=emails.value: only that sub-attribute, with id and schemas (returned=always)', async () => {
    assert.deepEqual((await get('attributes=emails.value')).body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: userId,
      emails: [{ value: 'attrs@example.com' }, { value: 'home.attrs@example.com' }],
    });
  });

  it('attributes=name.givenName,userName', async () => {
    assert.deepEqual((await get('attributes=name.givenName,userName')).body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: userId,
      userName: 'attrs@example.com',
      name: { givenName: 'Barbara' },
    });
  });

  it('URN-qualified names: an enterprise attribute, and a core attribute with its URN', async () => {
    assert.deepEqual((await get(`attributes=${enc(`${ENTERPRISE}:department,${USER_SCHEMA}:userName`)}`)).body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: userId,
      userName: 'attrs@example.com',
      [ENTERPRISE]: { department: 'Sales' },
    });
  });

  it('a whole extension by its URN', async () => {
    assert.deepEqual((await get(`attributes=${enc(ENTERPRISE)}`)).body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: userId,
      [ENTERPRISE]: { department: 'Sales', employeeNumber: '42' },
    });
  });

  it('attribute names are case-insensitive, and the response uses the canonical names', async () => {
    assert.deepEqual((await get(`attributes=${enc(`EMAILS.VALUE,Name.GivenName,${ENTERPRISE.toUpperCase()}:DEPARTMENT`)}`)).body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: userId,
      name: { givenName: 'Barbara' },
      emails: [{ value: 'attrs@example.com' }, { value: 'home.attrs@example.com' }],
      [ENTERPRISE]: { department: 'Sales' },
    });
  });

  it('returned=always is never dropped: excludedAttributes=id,schemas keeps both', async () => {
    const res = await get('excludedAttributes=id,schemas,userName');
    assert.equal(res.body.id, userId);
    assert.deepEqual(res.body.schemas, [USER_SCHEMA, ENTERPRISE]);
    assert.equal(res.body.userName, undefined);
    assert.equal(res.body.displayName, 'Display attrs@example.com');
  });

  it('returned=never is never shown: password, asked for or not', async () => {
    assert.equal((await get('')).body.password, undefined);
    assert.deepEqual((await get('attributes=password')).body, { schemas: [USER_SCHEMA, ENTERPRISE], id: userId });
    assert.equal((await get('excludedAttributes=emails')).body.password, undefined);
  });

  it('excludedAttributes of sub-attributes: emails.type, name.familyName', async () => {
    const res = await get('excludedAttributes=emails.type,emails.primary,name.familyName');
    assert.deepEqual(res.body.emails, [{ value: 'attrs@example.com' }, { value: 'home.attrs@example.com' }]);
    assert.deepEqual(res.body.name, { givenName: 'Barbara' });
    assert.equal(res.body.userName, 'attrs@example.com');
  });

  it('meta sub-attributes', async () => {
    const res = await get('attributes=meta.resourceType,meta.created');
    assert.deepEqual(Object.keys(res.body).sort(), ['id', 'meta', 'schemas']);
    assert.deepEqual(Object.keys(res.body.meta).sort(), ['created', 'resourceType']);
    assert.equal(res.body.meta.resourceType, 'User');
  });

  it('an unknown name selects nothing and is no error', async () => {
    assert.deepEqual((await get('attributes=shoeSize')).body, { schemas: [USER_SCHEMA, ENTERPRISE], id: userId });
    assert.equal((await get('excludedAttributes=shoeSize')).body.userName, 'attrs@example.com');
  });

  it('entra postman: attributes=emails[type eq "work"] is read as emails', async () => {
    const res = await get(`attributes=${enc('emails[type eq "work"]')}`);
    assert.equal(res.body.emails.length, 2);
  });

  it("the user's groups are returned, and can be excluded", async () => {
    assert.deepEqual((await get('attributes=groups.value')).body.groups, [{ value: groupId }]);
    assert.equal((await get('excludedAttributes=groups')).body.groups, undefined);
  });

  it('lists: attributes apply to every resource', async () => {
    const res = await get(`filter=${enc(`id eq "${userId}"`)}&attributes=userName`, '/Users');
    assert.deepEqual(res.body, {
      schemas: [LIST],
      totalResults: 1,
      itemsPerPage: 1,
      startIndex: 1,
      Resources: [{ schemas: [USER_SCHEMA, ENTERPRISE], id: userId, userName: 'attrs@example.com' }],
    });
  });

  it('lists: excludedAttributes=members on Groups returns no members', async () => {
    const res = await get('excludedAttributes=members', '/Groups');
    assert.equal(res.body.totalResults, 1);
    assert.deepEqual(Object.keys(res.body.Resources[0]).sort(), ['displayName', 'id', 'meta', 'schemas']);
    const one = await get('excludedAttributes=members', `/Groups/${groupId}`);
    assert.equal(one.body.members, undefined);
  });

  it('Groups: members by default, members.value alone when asked', async () => {
    const full = await get('', `/Groups/${groupId}`);
    assert.deepEqual(full.body.members, [
      { value: userId, $ref: `https://scim.example.com/scim/v2/Users/${userId}`, display: 'Display attrs@example.com', type: 'User' },
    ]);
    assert.deepEqual((await get('attributes=members.value', `/Groups/${groupId}`)).body, {
      schemas: [GROUP_SCHEMA],
      id: groupId,
      members: [{ value: userId }],
    });
  });

  it('.search: attributes and excludedAttributes as arrays', async () => {
    const a = await h.request('POST', '/Users/.search', {
      body: { schemas: [SEARCH], attributes: ['name.givenName', `${ENTERPRISE}:employeeNumber`] },
    });
    assert.deepEqual(a.body.Resources, [
      { schemas: [USER_SCHEMA, ENTERPRISE], id: userId, name: { givenName: 'Barbara' }, [ENTERPRISE]: { employeeNumber: '42' } },
    ]);
    const e = await h.request('POST', '/Users/.search', {
      body: { schemas: [SEARCH], excludedAttributes: ['emails', 'name', 'meta', ENTERPRISE] },
    });
    assert.deepEqual(Object.keys(e.body.Resources[0]).sort(), [
      'active',
      'displayName',
      'externalId',
      'groups',
      'id',
      'schemas',
      'userName',
    ]);
  });

  it('POST response honours attributes', async () => {
    const res = await h.request('POST', `/Users?attributes=${enc('userName,emails.value')}`, { body: userBody('post-attrs@example.com') });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: res.body.id,
      userName: 'post-attrs@example.com',
      emails: [{ value: 'post-attrs@example.com' }, { value: 'home.post-attrs@example.com' }],
    });
    assert.match(String(res.headers['location']), new RegExp(`/Users/${res.body.id}$`));
  });

  it('PUT response honours excludedAttributes', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('put-attrs@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}?excludedAttributes=${enc(`emails,name,meta,${ENTERPRISE}:department`)}`, {
      body: userBody('put-attrs@example.com', { title: 'Changed' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: created.body.id,
      userName: 'put-attrs@example.com',
      externalId: 'ext-put-attrs@example.com',
      displayName: 'Display put-attrs@example.com',
      title: 'Changed',
      active: true,
      [ENTERPRISE]: { employeeNumber: '701984' },
    });
  });

  it('POST /Groups with excludedAttributes=members', async () => {
    const res = await h.request('POST', '/Groups?excludedAttributes=members', {
      body: groupBody('Created without members echo', [userId]),
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.members, undefined);
    assert.equal(res.body.displayName, 'Created without members echo');
  });
});
