import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ScimError } from '../../src/errors/scim-error.ts';
import { createServer } from '../../src/server.ts';
import { openStore } from '../../src/store/open.ts';
import {
  ENTERPRISE,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  groupBody,
  type Harness,
  startHarness,
  USER_SCHEMA,
  userBody,
} from '../helpers/harness.ts';

describe('rfc7644 §3.3 creating resources', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('POST /Users answers 201 with the resource, Location and an ETag equal to meta.version', async () => {
    const res = await h.request('POST', '/Users', { body: userBody('bjensen@example.com') });
    assert.equal(res.status, 201);
    assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    // A UUID of version 7 whose time is meta.created (src/schema/time-ordered-id.ts).
    assert.match(res.body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(res.body.userName, 'bjensen@example.com');
    assert.deepEqual(res.body.schemas, [USER_SCHEMA, ENTERPRISE]);
    assert.equal(res.body[ENTERPRISE].department, 'Sales');
    assert.equal(res.body.meta.resourceType, 'User');
    assert.equal(res.body.meta.location, `https://scim.example.com/scim/v2/Users/${res.body.id}`);
    assert.equal(res.headers['location'], res.body.meta.location);
    assert.equal(res.headers['etag'], res.body.meta.version);
    assert.match(res.body.meta.version, /^W\/"\d+"$/);
    assert.equal(res.body.meta.created, res.body.meta.lastModified);
    assert.ok(!Number.isNaN(Date.parse(res.body.meta.created)));
    assert.equal(Number.parseInt(res.body.id.slice(0, 8) + res.body.id.slice(9, 13), 16), Date.parse(res.body.meta.created));
  });

  it('the created user reads back the same', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('readback@example.com') });
    const read = await h.request('GET', `/Users/${created.body.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, created.body);
  });

  it('rfc7643 §3.1 client-sent id and meta are ignored', async () => {
    const res = await h.request('POST', '/Users', {
      body: userBody('ids@example.com', { id: 'client-chosen', meta: { resourceType: 'Group', created: '2000-01-01T00:00:00Z' } }),
    });
    assert.equal(res.status, 201);
    assert.notEqual(res.body.id, 'client-chosen');
    assert.equal(res.body.meta.resourceType, 'User');
    assert.notEqual(res.body.meta.created, '2000-01-01T00:00:00Z');
  });

  it('rfc7643 §2 unknown attributes are dropped, never stored or echoed', async () => {
    const res = await h.request('POST', '/Users', {
      body: userBody('unknown@example.com', { favouriteColour: 'blue', name: { givenName: 'A', nickname2: 'x' } }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.favouriteColour, undefined);
    assert.deepEqual(res.body.name, { givenName: 'A' });
    const read = await h.request('GET', `/Users/${res.body.id}`);
    assert.equal(read.body.favouriteColour, undefined);
  });

  it('rfc7643 §2.1 attribute names are case-insensitive and come back in canonical case', async () => {
    const res = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], UserName: 'CaseNames@example.com', Active: true, NAME: { GivenName: 'Ann' } },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.userName, 'CaseNames@example.com');
    assert.equal(res.body.active, true);
    assert.deepEqual(res.body.name, { givenName: 'Ann' });
  });

  it('rfc7643 §4.1 userName is unique per tenant, case-insensitively: 409 uniqueness, with the location of the user that has it', async () => {
    const first = await h.request('POST', '/Users', { body: userBody('unique@example.com') });
    const res = await h.request('POST', '/Users', { body: userBody('UNIQUE@example.com') });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    assert.equal(res.body.status, '409');
    assert.equal(res.body.scimType, 'uniqueness');
    // docs/protocol.md: a client whose first attempt committed (answered 503) links the user.
    assert.equal(res.headers['location'], `https://scim.example.com/scim/v2/Users/${first.body.id}`);
    assert.equal(
      res.body.detail,
      `userName "UNIQUE@example.com" is already in use: https://scim.example.com/scim/v2/Users/${first.body.id}`,
    );
  });

  it('rfc7643 §4.1 userName is required: 400 invalidValue', async () => {
    const res = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], displayName: 'no user name' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
    assert.match(res.body.detail, /userName/);
  });

  it('rfc7643 §2.3 a wrongly typed value is 400 invalidValue naming the attribute', async () => {
    const res = await h.request('POST', '/Users', { body: userBody('typed@example.com', { active: 'maybe' }) });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
    assert.match(res.body.detail, /active/);
  });

  it('rfc7643 §2.4 at most one primary value per multi-valued attribute', async () => {
    const res = await h.request('POST', '/Users', {
      body: userBody('primary@example.com', {
        emails: [
          { value: 'a@example.com', primary: true },
          { value: 'b@example.com', primary: true },
        ],
      }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
  });

  it('entra: "True" and "False" as strings are booleans on POST', async () => {
    const res = await h.request('POST', '/Users', { body: userBody('strbool@example.com', { active: 'False' }) });
    assert.equal(res.status, 201);
    assert.equal(res.body.active, false);
  });

  it('okta: groups: [] and password on create → 201 with the body, no password, groups ignored', async () => {
    const res = await h.request('POST', '/Users', {
      body: userBody('okta@example.com', { groups: [{ value: 'whatever' }], password: 't1meMa$heen' }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.password, undefined);
    assert.equal(res.body.groups, undefined);
    assert.ok(!res.raw.includes('t1meMa$heen'));
  });

  it("POST /Groups answers 201; Entra's extra ADSCIM schema URI is tolerated", async () => {
    const res = await h.request('POST', '/Groups', {
      body: {
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        displayName: 'Entra Group',
        externalId: 'e1',
        members: [],
        meta: { resourceType: 'Group' },
      },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.schemas, [GROUP_SCHEMA]);
    assert.equal(res.body.displayName, 'Entra Group');
    assert.equal(res.body.meta.resourceType, 'Group');
  });

  it('rfc7643 §8.7.1 group displayName has uniqueness "none": a second group of the same name (any case) is created, Okta and Entra allow it', async () => {
    const first = await h.request('POST', '/Groups', { body: groupBody('Dup Group') });
    const res = await h.request('POST', '/Groups', { body: groupBody('dup group') });
    assert.equal(res.status, 201, res.raw);
    assert.notEqual(res.body.id, first.body.id);
    const found = await h.request('GET', `/Groups?filter=${encodeURIComponent('displayName eq "DUP GROUP"')}&attributes=id`);
    assert.deepEqual(
      found.body.Resources.map((g: { id: string }) => g.id),
      [first.body.id, res.body.id],
    );
  });

  it("a body without the resource's core schema is 400 invalidValue", async () => {
    const res = await h.request('POST', '/Users', { body: { schemas: [GROUP_SCHEMA], userName: 'wrong-schema' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidValue');
  });
});

describe('rfc7644 §3.3 a create answers from its commit', () => {
  it('a new group whose members cannot be read back after its commit (the database went away) answers 201 with them, without names', async () => {
    const real = await openStore('sqlite::memory:');
    let readsFail = false;
    // The real store, whose reads fail on demand as a database that went away would make them.
    const store = new Proxy(real, {
      get(target, property) {
        if (property === 'get' && readsFail) {
          return async () => {
            throw new ScimError(503, undefined, 'the database is not available; retry later', { 'retry-after': '5' });
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const server = await createServer(loadConfig({ SCIMD_DATABASE_URL: 'sqlite::memory:', SCIMD_PUBLIC_URL: 'https://scim.example.com' }), {
      store,
    });
    try {
      await server.tenants.createTenant('acme');
      const token = (await server.tenants.mintToken('acme')).token;
      const post = async (url: string, body: unknown) => {
        const res = await server.app.inject({
          method: 'POST',
          url: `/scim/v2${url}`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          payload: JSON.stringify(body),
        });
        return { status: res.statusCode, body: JSON.parse(res.body) };
      };
      const member = await post('/Users', userBody('member@example.com'));
      readsFail = true;
      const group = await post('/Groups', groupBody('Read Back Fails', [member.body.id]));
      assert.equal(group.status, 201, JSON.stringify(group.body));
      assert.deepEqual(group.body.members, [
        { value: member.body.id, type: 'User', $ref: `https://scim.example.com/scim/v2/Users/${member.body.id}` },
      ]);
      readsFail = false;
      const stored = await server.app.inject({
        method: 'GET',
        url: `/scim/v2/Groups/${group.body.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.deepEqual(
        JSON.parse(stored.body).members.map((m: { value: string; display: string }) => [m.value, m.display]),
        [[member.body.id, 'Display member@example.com']],
      );
    } finally {
      await server.close();
    }
  });
});
