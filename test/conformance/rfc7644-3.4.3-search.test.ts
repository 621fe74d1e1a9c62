import assert from 'node:assert/strict';
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

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

function assertError(res: Reply, scimType: string | undefined, detail: RegExp): void {
  assert.equal(res.status, 400, res.raw);
  assert.deepEqual(Object.keys(res.body).sort(), scimType ? ['detail', 'schemas', 'scimType', 'status'] : ['detail', 'schemas', 'status']);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, '400');
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, detail);
}

describe('rfc7644 §3.4.3 querying with POST .search', () => {
  let h: Harness;
  const users: string[] = [];
  const groups: string[] = [];
  before(async () => {
    h = await startHarness();
    for (const name of ['carol@example.com', 'alice@example.com', 'bob@example.org']) {
      const res = await h.request('POST', '/Users', { body: userBody(name) });
      assert.equal(res.status, 201);
      users.push(res.body.id);
    }
    for (const [name, members] of [
      ['Sales', [users[0]!]],
      ['Admins', [users[1]!, users[2]!]],
    ] as const) {
      const res = await h.request('POST', '/Groups', { body: groupBody(name, [...members]) });
      assert.equal(res.status, 201);
      groups.push(res.body.id);
    }
  });
  after(() => h.close());

  const search = (path: string, body: Record<string, unknown>) =>
    h.request('POST', `${path}/.search`, { body: { schemas: [SEARCH], ...body } });
  const idsOf = (res: Reply) => res.body.Resources.map((r: { id: string }) => r.id);

  it('rfc7644 §3.4.3 POST /Users/.search answers exactly what GET /Users answers', async () => {
    const filter = 'userName ew "example.com" or emails[type eq "home" and value co "bob"]';
    const get = await h.request(
      'GET',
      `/Users?filter=${encodeURIComponent(filter)}&sortBy=userName&sortOrder=descending&startIndex=1&count=2&attributes=userName,emails.value`,
    );
    const post = await search('/Users', {
      filter,
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 1,
      count: 2,
      attributes: ['userName', 'emails.value'],
    });
    assert.equal(post.status, 200);
    assert.equal(post.headers['content-type'], get.headers['content-type']);
    assert.deepEqual(post.body, get.body);
    assert.deepEqual(post.body, {
      schemas: [LIST],
      totalResults: 3,
      itemsPerPage: 2,
      startIndex: 1,
      Resources: [
        {
          schemas: [USER_SCHEMA, ENTERPRISE],
          id: users[0],
          userName: 'carol@example.com',
          emails: [{ value: 'carol@example.com' }, { value: 'home.carol@example.com' }],
        },
        {
          schemas: [USER_SCHEMA, ENTERPRISE],
          id: users[2],
          userName: 'bob@example.org',
          emails: [{ value: 'bob@example.org' }, { value: 'home.bob@example.org' }],
        },
      ],
    });
  });

  it('rfc7644 §3.4.3 POST /Groups/.search with excludedAttributes as an array', async () => {
    const post = await search('/Groups', { filter: `members[value eq "${users[2]}"]`, excludedAttributes: ['members'] });
    assert.equal(post.status, 200);
    assert.equal(post.body.totalResults, 1);
    assert.equal(post.body.Resources[0].id, groups[1]);
    assert.equal(post.body.Resources[0].displayName, 'Admins');
    assert.equal(post.body.Resources[0].members, undefined);
    const get = await h.request(
      'GET',
      `/Groups?filter=${encodeURIComponent(`members[value eq "${users[2]}"]`)}&excludedAttributes=members`,
    );
    assert.deepEqual(post.body, get.body);
  });

  it('rfc7644 §3.4.3 a search without filter lists everything of the type', async () => {
    const res = await search('/Users', {});
    assert.deepEqual(idsOf(res), users);
  });

  it('rfc7644 §3.4.3 the SearchRequest schema is required: missing → 400 invalidValue', async () => {
    assertError(
      await h.request('POST', '/Users/.search', { body: { filter: 'userName pr' } }),
      'invalidValue',
      /SearchRequest must list the schema/,
    );
    assertError(
      await h.request('POST', '/Users/.search', { body: { schemas: [USER_SCHEMA], filter: 'userName pr' } }),
      'invalidValue',
      /SearchRequest/,
    );
    assertError(await h.request('POST', '/.search', { body: { schemas: 'x' } }), 'invalidValue', /SearchRequest/);
  });

  it('the SearchRequest schema URN is matched case-insensitively', async () => {
    const res = await h.request('POST', '/Users/.search', { body: { schemas: [SEARCH.toUpperCase()], filter: 'userName sw "ALICE"' } });
    assert.equal(res.status, 200);
    assert.deepEqual(idsOf(res), [users[1]]);
  });

  it('a SearchRequest that is not a JSON object → 400 invalidSyntax', async () => {
    assertError(await h.request('POST', '/Users/.search', { rawBody: '["x"]' }), 'invalidSyntax', /JSON object/);
  });

  it('wrongly typed SearchRequest members → 400', async () => {
    assertError(await search('/Users', { filter: 42 }), 'invalidValue', /filter must be a string/);
    assertError(await search('/Users', { attributes: [1, 2] }), 'invalidValue', /attributes must be a list/);
    assertError(await search('/Users', { count: 'many' }), 'invalidCount', /count must be an integer/);
    assertError(await search('/Users', { sortOrder: 'up' }), 'invalidValue', /sortOrder/);
  });

  it('rfc7644 §3.4.3 attributes may be a comma-separated string too', async () => {
    const res = await search('/Users', { filter: 'userName sw "alice"', attributes: 'userName, externalId' });
    assert.deepEqual(res.body.Resources, [
      { schemas: [USER_SCHEMA, ENTERPRISE], id: users[1], userName: 'alice@example.com', externalId: 'ext-alice@example.com' },
    ]);
  });

  it('rfc7644 §3.4.3 POST /.search at the root returns Users and Groups', async () => {
    const res = await search('', { attributes: ['id'] });
    assert.equal(res.status, 200);
    assert.equal(res.body.totalResults, 5);
    assert.deepEqual(new Set(idsOf(res)), new Set([...users, ...groups]));
    const types = res.body.Resources.map((r: { schemas: string[] }) => r.schemas[0]);
    assert.equal(types.filter((t: string) => t === GROUP_SCHEMA).length, 2);
  });

  it('root search: a filter naming an attribute only Users have (userName) finds the user', async () => {
    const res = await search('', { filter: 'userName eq "BOB@example.org"' });
    assert.equal(res.status, 200);
    assert.deepEqual(idsOf(res), [users[2]]);
    assert.equal(res.body.totalResults, 1);
    assert.equal(res.body.Resources[0].meta.resourceType, 'User');
  });

  it('root search: an attribute both types have (displayName) matches both', async () => {
    const res = await search('', { filter: 'displayName co "a"' });
    // userBody's displayName is "Display <userName>"; groups are Sales and Admins.
    assert.deepEqual(new Set(idsOf(res)), new Set([...users, ...groups]));
    const narrowed = await search('', { filter: 'displayName eq "sales"' });
    assert.deepEqual(idsOf(narrowed), [groups[0]]);
  });

  it('root search: meta.resourceType selects a type', async () => {
    const res = await search('', { filter: 'meta.resourceType eq "Group"', sortBy: 'displayName' });
    assert.deepEqual(idsOf(res), [groups[1], groups[0]]);
  });

  it('root search: a filter unknown to every type → 400 invalidFilter', async () => {
    assertError(await search('', { filter: 'shoeSize gt 42' }), 'invalidFilter', /unknown attribute "shoeSize" at offset 0/);
  });

  it('root search: index paging spans both types', async () => {
    const all = idsOf(await search('', {}));
    const paged = [
      ...idsOf(await search('', { startIndex: 1, count: 2 })),
      ...idsOf(await search('', { startIndex: 3, count: 2 })),
      ...idsOf(await search('', { startIndex: 5, count: 2 })),
    ];
    assert.deepEqual(paged, all);
  });

  it('root search: cursor paging spans both types', async () => {
    const all = idsOf(await search('', {}));
    const seen: string[] = [];
    let res = await search('', { cursor: '', count: 2 });
    for (;;) {
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.totalResults, 5);
      seen.push(...idsOf(res));
      if (!res.body.nextCursor) break;
      res = await search('', { cursor: res.body.nextCursor, count: 2 });
    }
    assert.deepEqual(seen, all);
  });

  it('root search: sortBy an attribute only Users have orders, it does not drop the Groups (rfc7644 §3.4.2.3)', async () => {
    const res = await search('', { sortBy: 'userName' });
    assert.equal(res.status, 200);
    assert.equal(res.body.totalResults, 5);
  });

  it('root search: another tenant sees nothing', async () => {
    const res = await h.request('POST', '/.search', { body: { schemas: [SEARCH] }, token: h.tokenB });
    assert.deepEqual(res.body, { schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
  });

  it('GET on a .search path is not a search (405)', async () => {
    const res = await h.request('GET', '/Users/.search');
    assert.equal(res.status, 405);
  });
});
