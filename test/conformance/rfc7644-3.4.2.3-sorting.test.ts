import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ENTERPRISE,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  type Harness,
  type Reply,
  startHarness,
  USER_SCHEMA,
  userBody,
} from '../helpers/harness.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const T0 = Date.parse('2024-05-01T08:00:00.000Z');
const MINUTE = 60_000;

function assertError(res: Reply, status: number, scimType: string | undefined, detail: RegExp): void {
  assert.equal(res.status, status, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, detail);
}

describe('rfc7644 §3.4.2.3 sorting', () => {
  let h: Harness;
  let now = T0;
  /** Users in creation order. */
  const ids: string[] = [];
  const specs: Array<Record<string, unknown>> = [
    { userName: 'alice', name: { familyName: 'Zeta' }, title: 'T', [ENTERPRISE]: { department: 'Sales' } },
    { userName: 'Bob', name: { familyName: 'alpha' }, title: 'T' },
    { userName: 'carol', name: { givenName: 'Carol' }, title: 'T', [ENTERPRISE]: { department: 'engineering' } },
    { userName: 'DAVE', name: { familyName: 'Beta' }, title: 'T', [ENTERPRISE]: { department: 'Engineering' } },
    { userName: 'eve', name: { familyName: 'gamma' }, [ENTERPRISE]: { department: 'Marketing' } },
    { userName: '_under', nickName: 'u' },
  ];

  before(async () => {
    h = await startHarness({}, { clock: () => new Date(now) });
    for (const spec of specs) {
      const res = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA, ENTERPRISE], ...spec } });
      assert.equal(res.status, 201, res.raw);
      ids.push(res.body.id);
      now += MINUTE;
    }
    // carol then alice are modified last: lastModified order is Bob, DAVE, eve, _under, carol, alice.
    for (const [at, index] of [
      [10, 2],
      [11, 0],
    ] as const) {
      now = T0 + at * MINUTE;
      const current = (await h.request('GET', `/Users/${ids[index]}`)).body;
      const res = await h.request('PUT', `/Users/${ids[index]}`, { body: { ...current, nickName: `changed-${at}` } });
      assert.equal(res.status, 200, res.raw);
    }
    now = T0 + 20 * MINUTE;
    for (const name of ['beta', 'Alpha', 'gamma']) {
      assert.equal((await h.request('POST', '/Groups', { body: { schemas: [GROUP_SCHEMA], displayName: name } })).status, 201);
    }
  });
  after(() => h.close());

  async function order(query: string, path = '/Users'): Promise<number[]> {
    const res = await h.request('GET', `${path}?${query}`);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body.schemas, [LIST]);
    assert.equal(res.body.totalResults, 6 + (path === '/Groups' ? -3 : 0));
    assert.equal(res.body.itemsPerPage, res.body.Resources.length);
    return res.body.Resources.map((r: { id: string }) => ids.indexOf(r.id));
  }

  const cases: Array<[string, string, number[]]> = [
    // Folded: "_under" (0x5F) < "alice" < "bob" …; a case-sensitive order would put Bob and DAVE first.
    ['userName, case-insensitive order for a caseExact=false string', 'userName', [5, 0, 1, 2, 3, 4]],
    ['name.familyName, absent values last', 'name.familyName', [1, 3, 4, 0, 2, 5]],
    ['an enterprise attribute (URN-qualified), ties in creation order', `${ENTERPRISE}:department`, [2, 3, 4, 0, 1, 5]],
    ['meta.created', 'meta.created', [0, 1, 2, 3, 4, 5]],
    ['meta.lastModified', 'meta.lastModified', [1, 3, 4, 5, 2, 0]],
    ['title: ties broken by creation order, absent last', 'title', [0, 1, 2, 3, 4, 5]],
  ];
  for (const [name, sortBy, ascending] of cases) {
    it(`rfc7644 §3.4.2.3 sortBy ${name} (ascending)`, async () => {
      assert.deepEqual(await order(`sortBy=${encodeURIComponent(sortBy)}`), ascending);
      assert.deepEqual(await order(`sortBy=${encodeURIComponent(sortBy)}&sortOrder=ascending`), ascending);
    });
    it(`rfc7644 §3.4.2.3 sortBy ${name}, descending is the exact reverse`, async () => {
      assert.deepEqual(await order(`sortBy=${encodeURIComponent(sortBy)}&sortOrder=descending`), [...ascending].reverse());
    });
  }

  it('sortBy names are case-insensitive, and sortOrder is too', async () => {
    assert.deepEqual(await order('sortBy=USERNAME&sortOrder=Descending'), [4, 3, 2, 1, 0, 5]);
    assert.deepEqual(await order(`sortBy=${encodeURIComponent(`${ENTERPRISE.toUpperCase()}:Department`)}`), [2, 3, 4, 0, 1, 5]);
  });

  it('rfc7644 §3.4.2.3 sortOrder in any letter case: ASCENDING, DESCENDING, dEsCeNdInG, by GET and by POST .search', async () => {
    const ascending = [5, 0, 1, 2, 3, 4];
    for (const [sortOrder, expected] of [
      ['ASCENDING', ascending],
      ['DESCENDING', [...ascending].reverse()],
      ['dEsCeNdInG', [...ascending].reverse()],
    ] as const) {
      assert.deepEqual(await order(`sortBy=userName&sortOrder=${sortOrder}`), expected, `GET sortOrder=${sortOrder}`);
      const res = await h.request('POST', '/Users/.search', {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], sortBy: 'userName', sortOrder },
      });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(
        res.body.Resources.map((r: { id: string }) => ids.indexOf(r.id)),
        expected,
        `POST .search sortOrder ${sortOrder}`,
      );
    }
  });

  it('sortBy combines with a filter', async () => {
    const res = await h.request('GET', `/Users?filter=${encodeURIComponent('title eq "T"')}&sortBy=name.familyName&sortOrder=descending`);
    assert.equal(res.body.totalResults, 4);
    assert.deepEqual(
      res.body.Resources.map((r: { id: string }) => ids.indexOf(r.id)),
      [2, 0, 3, 1],
    );
  });

  it('Groups sort by displayName case-insensitively', async () => {
    const res = await h.request('GET', '/Groups?sortBy=displayName');
    assert.deepEqual(
      res.body.Resources.map((g: { displayName: string }) => g.displayName),
      ['Alpha', 'beta', 'gamma'],
    );
    const desc = await h.request('GET', '/Groups?sortBy=displayName&sortOrder=descending');
    assert.deepEqual(
      desc.body.Resources.map((g: { displayName: string }) => g.displayName),
      ['gamma', 'beta', 'Alpha'],
    );
  });

  it('the order is total: identical across repeated requests and consistent across index pages', async () => {
    for (const [sortBy, sortOrder] of [
      ['title', 'ascending'],
      ['title', 'descending'],
      [`${ENTERPRISE}:department`, 'descending'],
      ['name.familyName', 'ascending'],
    ]) {
      const query = `sortBy=${encodeURIComponent(sortBy!)}&sortOrder=${sortOrder}`;
      const whole = await order(query);
      assert.deepEqual(await order(query), whole);
      const paged: number[] = [];
      for (let start = 1; start <= 6; start += 2) paged.push(...(await order(`${query}&startIndex=${start}&count=2`)));
      assert.deepEqual(paged, whole, query);
    }
  });

  it('sortBy a multi-valued attribute → 400 invalidValue', async () => {
    assertError(
      await h.request('GET', '/Users?sortBy=emails'),
      400,
      'invalidValue',
      /sortBy "emails" must name a singular, simple attribute/,
    );
    assertError(await h.request('GET', '/Users?sortBy=emails.value'), 400, 'invalidValue', /emails\.value/);
    assertError(await h.request('GET', '/Groups?sortBy=members.value'), 400, 'invalidValue', /members\.value/);
  });

  it('sortBy a complex attribute → 400 invalidValue', async () => {
    assertError(await h.request('GET', '/Users?sortBy=name'), 400, 'invalidValue', /sortBy "name" must name a singular, simple attribute/);
  });

  it('sortBy an unknown attribute → 400 invalidValue naming it', async () => {
    assertError(await h.request('GET', '/Users?sortBy=shoeSize'), 400, 'invalidValue', /sortBy "shoeSize" names no attribute of User/);
    assertError(await h.request('GET', '/Groups?sortBy=userName'), 400, 'invalidValue', /sortBy "userName" names no attribute of Group/);
  });

  it('sortBy something that is not an attribute path → 400, never 500', async () => {
    for (const bad of ['emails[type eq "work"]', '"userName"', 'userName desc', '1=1']) {
      const res = await h.request('GET', `/Users?sortBy=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, `${bad}: ${res.raw}`);
      assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    }
  });

  it('a bogus sortOrder → 400 invalidValue', async () => {
    assertError(
      await h.request('GET', '/Users?sortBy=userName&sortOrder=sideways'),
      400,
      'invalidValue',
      /sortOrder must be "ascending" or "descending", got "sideways"/,
    );
    assertError(await h.request('GET', '/Users?sortBy=userName&sortOrder=asc'), 400, 'invalidValue', /sortOrder/);
  });

  it('sortBy given twice → 400', async () => {
    const res = await h.request('GET', '/Users?sortBy=userName&sortBy=title');
    assert.equal(res.status, 400);
  });
});

describe('rfc7644 §3.4.2.4 index paging with SCIMD_MAX_RESULTS=5, SCIMD_DEFAULT_PAGE_SIZE=3', () => {
  let h: Harness;
  const ids: string[] = [];
  before(async () => {
    h = await startHarness({ SCIMD_MAX_RESULTS: '5', SCIMD_DEFAULT_PAGE_SIZE: '3' });
    for (let i = 0; i < 7; i++) ids.push((await h.request('POST', '/Users', { body: userBody(`page${i}@example.com`) })).body.id);
  });
  after(() => h.close());

  async function page(query: string): Promise<{ body: Record<string, unknown>; order: number[] }> {
    const res = await h.request('GET', `/Users${query}`);
    assert.equal(res.status, 200, res.raw);
    const order = res.body.Resources.map((r: { id: string }) => ids.indexOf(r.id));
    return { body: { ...res.body, Resources: order }, order };
  }

  it('without count, the default page size', async () => {
    assert.deepEqual((await page('')).body, { schemas: [LIST], totalResults: 7, itemsPerPage: 3, startIndex: 1, Resources: [0, 1, 2] });
  });

  it('count above SCIMD_MAX_RESULTS is capped to it', async () => {
    assert.deepEqual((await page('?count=100')).body, {
      schemas: [LIST],
      totalResults: 7,
      itemsPerPage: 5,
      startIndex: 1,
      Resources: [0, 1, 2, 3, 4],
    });
  });

  it('count=0 returns totalResults only', async () => {
    assert.deepEqual((await page('?count=0')).body, { schemas: [LIST], totalResults: 7, itemsPerPage: 0, startIndex: 1, Resources: [] });
  });

  it('the last page is short', async () => {
    assert.deepEqual((await page('?startIndex=6&count=5')).body, {
      schemas: [LIST],
      totalResults: 7,
      itemsPerPage: 2,
      startIndex: 6,
      Resources: [5, 6],
    });
  });

  it('startIndex beyond the end → empty Resources with the right totalResults', async () => {
    assert.deepEqual((await page('?startIndex=8')).body, {
      schemas: [LIST],
      totalResults: 7,
      itemsPerPage: 0,
      startIndex: 8,
      Resources: [],
    });
    assert.deepEqual((await page('?startIndex=1000&count=2')).body, {
      schemas: [LIST],
      totalResults: 7,
      itemsPerPage: 0,
      startIndex: 1000,
      Resources: [],
    });
  });

  it('pages of the default size cover everything once', async () => {
    const seen = [...(await page('?startIndex=1')).order, ...(await page('?startIndex=4')).order, ...(await page('?startIndex=7')).order];
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
  });

  it('a filter with paging counts the filtered total', async () => {
    const filter = encodeURIComponent('userName ew "@example.com" and not (userName eq "page0@example.com")');
    assert.deepEqual((await page(`?filter=${filter}&startIndex=2&count=2`)).body, {
      schemas: [LIST],
      totalResults: 6,
      itemsPerPage: 2,
      startIndex: 2,
      Resources: [2, 3],
    });
  });

  it('ServiceProviderConfig advertises what is honoured: filter.maxResults and pagination sizes', async () => {
    const res = await h.request('GET', '/ServiceProviderConfig');
    assert.deepEqual(res.body.filter, { supported: true, maxResults: 5 });
    assert.deepEqual(res.body.sort, { supported: true });
    assert.equal(res.body.pagination.defaultPageSize, 3);
    assert.equal(res.body.pagination.maxPageSize, 5);
  });

  it('non-integer startIndex → 400 invalidValue; non-integer count → 400 invalidCount', async () => {
    assertError(await h.request('GET', '/Users?startIndex=abc'), 400, 'invalidValue', /startIndex must be an integer/);
    assertError(await h.request('GET', '/Users?count=1.5'), 400, 'invalidCount', /count must be an integer/);
  });
});
