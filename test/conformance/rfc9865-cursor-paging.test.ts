import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** RFC 3986 §2.3 unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;

function assertError(res: Reply, scimType: string | undefined, detail: RegExp): void {
  assert.equal(res.status, 400, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, '400');
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, detail);
}

const enc = encodeURIComponent;

describe('rfc9865 cursor paging', () => {
  let h: Harness;
  let now = Date.parse('2024-07-01T00:00:00.000Z');
  const ids: string[] = [];
  const names = ['delta', 'Alpha', 'echo', 'bravo', 'Golf', 'charlie', 'foxtrot'];

  before(async () => {
    h = await startHarness(
      { SCIMD_MAX_RESULTS: '5', SCIMD_DEFAULT_PAGE_SIZE: '3', SCIMD_CURSOR_TIMEOUT: '600' },
      { clock: () => new Date(now) },
    );
    for (const userName of names) {
      const res = await h.request('POST', '/Users', {
        body: { schemas: [USER_SCHEMA], userName, title: userName.length > 5 ? 'long' : 'short' },
      });
      assert.equal(res.status, 201);
      ids.push(res.body.id);
      now += 1000;
    }
    await h.request('POST', '/Groups', { body: { schemas: [GROUP_SCHEMA], displayName: 'g1' } });
  });
  after(() => h.close());

  async function get(query: string, path = '/Users'): Promise<Reply> {
    const res = await h.request('GET', `${path}?${query}`);
    assert.equal(res.status, 200, `${query}: ${res.raw}`);
    return res;
  }
  const order = (res: Reply) => res.body.Resources.map((r: { id: string }) => ids.indexOf(r.id));

  it('rfc9865 §2.1 cursor= (empty) starts a walk: first page with nextCursor, no previousCursor, no startIndex', async () => {
    const res = await get('cursor=&count=3');
    const { nextCursor, ...rest } = res.body;
    assert.deepEqual({ ...rest, Resources: order(res) }, { schemas: [LIST], totalResults: 7, itemsPerPage: 3, Resources: [0, 1, 2] });
    assert.match(nextCursor, UNRESERVED);
  });

  it('rfc9865 nextCursor until the last page; totalResults on every page; cursors use unreserved characters only', async () => {
    const seen: number[] = [];
    let res = await get('cursor=&count=2');
    const pages: Reply[] = [res];
    seen.push(...order(res));
    while (res.body.nextCursor !== undefined) {
      assert.match(res.body.nextCursor, UNRESERVED);
      res = await get(`cursor=${res.body.nextCursor}&count=2`);
      pages.push(res);
      seen.push(...order(res));
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(pages.length, 4);
    for (const [i, page] of pages.entries()) {
      assert.equal(page.body.totalResults, 7);
      assert.equal(page.body.itemsPerPage, page.body.Resources.length);
      assert.equal(page.body.startIndex, undefined);
      assert.equal('previousCursor' in page.body, i > 0, `page ${i}`);
      if (i > 0) assert.match(page.body.previousCursor, UNRESERVED);
    }
    assert.equal('nextCursor' in pages[3]!.body, false);
    assert.deepEqual(order(pages[3]!), [6]);
  });

  it('rfc9865 previousCursor goes back to the page before', async () => {
    const p1 = await get('cursor=&count=3');
    const p2 = await get(`cursor=${p1.body.nextCursor}&count=3`);
    const p3 = await get(`cursor=${p2.body.nextCursor}&count=3`);
    assert.deepEqual(order(p3), [6]);
    const back2 = await get(`cursor=${p3.body.previousCursor}&count=3`);
    assert.deepEqual(order(back2), [3, 4, 5]);
    assert.equal(back2.body.totalResults, 7);
    const back1 = await get(`cursor=${back2.body.previousCursor}&count=3`);
    assert.deepEqual(order(back1), [0, 1, 2]);
    assert.equal('previousCursor' in back1.body, false);
    assert.ok(back1.body.nextCursor);
    assert.deepEqual(order(await get(`cursor=${back1.body.nextCursor}&count=3`)), [3, 4, 5]);
  });

  it('rfc9865 with sortBy and sortOrder: the walk follows the sort order, both ways', async () => {
    const folded = names
      .map((n, i) => [n.toLowerCase(), i] as const)
      .sort((a, b) => (a[0] < b[0] ? 1 : -1))
      .map(([, i]) => i);
    const q = 'sortBy=userName&sortOrder=descending&count=2';
    const seen: number[] = [];
    const pages: Reply[] = [];
    let res = await get(`cursor=&${q}`);
    for (;;) {
      pages.push(res);
      seen.push(...order(res));
      if (!res.body.nextCursor) break;
      res = await get(`cursor=${res.body.nextCursor}&${q}`);
    }
    assert.deepEqual(seen, folded);
    const back = await get(`cursor=${pages[pages.length - 1]!.body.previousCursor}&${q}`);
    assert.deepEqual(order(back), order(pages[pages.length - 2]!));
  });

  it('rfc9865 with a filter: totalResults is the filtered count on every page', async () => {
    const q = `filter=${enc('title eq "short"')}&count=1`;
    let res = await get(`cursor=&${q}`);
    const seen: number[] = [];
    for (;;) {
      assert.equal(res.body.totalResults, 5);
      seen.push(...order(res));
      if (!res.body.nextCursor) break;
      res = await get(`cursor=${res.body.nextCursor}&${q}`);
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });

  it('without count the default page size applies; count above the maximum is capped', async () => {
    assert.equal((await get('cursor=')).body.itemsPerPage, 3);
    assert.equal((await get('cursor=&count=50')).body.itemsPerPage, 5);
  });

  it('cursor=&count=0 → totalResults only', async () => {
    const res = await get('cursor=&count=0');
    assert.equal(res.body.totalResults, 7);
    assert.deepEqual(res.body.Resources, []);
  });

  it('rfc9865 an invalid cursor → 400 invalidCursor', async () => {
    assertError(await h.request('GET', '/Users?cursor=garbage'), 'invalidCursor', /not one this server issued/);
    assertError(await h.request('GET', '/Users?cursor=a.b.c'), 'invalidCursor', /not one this server issued/);
    const good = (await get('cursor=&count=2')).body.nextCursor as string;
    const [body, sum] = good.split('.');
    const flipped = `${body!.slice(0, -1)}${body!.endsWith('A') ? 'B' : 'A'}.${sum}`;
    assertError(await h.request('GET', `/Users?cursor=${flipped}`), 'invalidCursor', /not one this server issued/);
    const forged = Buffer.from(JSON.stringify({ v: 1, d: 'a', s: null, r: 0, t: 0, q: 'x', n: 1 })).toString('base64url');
    assertError(await h.request('GET', `/Users?cursor=${forged}.AAAAAAAA`), 'invalidCursor', /not one this server issued/);
  });

  it('rfc9865 a cursor used with another filter, sortBy, sortOrder or resource type → 400 invalidCursor', async () => {
    const cursor = (await get(`cursor=&count=2&sortBy=userName&filter=${enc('userName pr')}`)).body.nextCursor as string;
    assert.equal((await h.request('GET', `/Users?cursor=${cursor}&count=2&sortBy=userName&filter=${enc('userName pr')}`)).status, 200);
    const other = /another filter, sort order or resource type/;
    assertError(
      await h.request('GET', `/Users?cursor=${cursor}&count=2&sortBy=userName&filter=${enc('title pr')}`),
      'invalidCursor',
      other,
    );
    assertError(
      await h.request('GET', `/Users?cursor=${cursor}&count=2&sortBy=title&filter=${enc('userName pr')}`),
      'invalidCursor',
      other,
    );
    assertError(await h.request('GET', `/Users?cursor=${cursor}&count=2&filter=${enc('userName pr')}`), 'invalidCursor', other);
    assertError(
      await h.request('GET', `/Users?cursor=${cursor}&count=2&sortBy=userName&sortOrder=descending&filter=${enc('userName pr')}`),
      'invalidCursor',
      other,
    );
    const plain = (await get('cursor=&count=2')).body.nextCursor as string;
    assertError(await h.request('GET', `/Groups?cursor=${plain}&count=2`), 'invalidCursor', other);
  });

  it('rfc9865 a cursor after SCIMD_CURSOR_TIMEOUT → 400 expiredCursor; just before, it still works', async () => {
    const cursor = (await get('cursor=&count=2')).body.nextCursor as string;
    const issued = now;
    try {
      now = issued + 599_000;
      assert.deepEqual(order(await get(`cursor=${cursor}&count=2`)), [2, 3]);
      now = issued + 602_000;
      assertError(await h.request('GET', `/Users?cursor=${cursor}&count=2`), 'expiredCursor', /expired/);
    } finally {
      now = issued;
    }
  });

  it('rfc9865 a negative count with a cursor → 400 invalidCount', async () => {
    assertError(await h.request('GET', '/Users?cursor=&count=-1'), 'invalidCount', /count must not be negative, got -1/);
    const cursor = (await get('cursor=&count=2')).body.nextCursor as string;
    assertError(await h.request('GET', `/Users?cursor=${cursor}&count=-5`), 'invalidCount', /negative/);
  });

  it('rfc9865 §2 cursor together with startIndex → 400 invalidValue', async () => {
    assertError(await h.request('GET', '/Users?cursor=&startIndex=1'), 'invalidValue', /startIndex and cursor cannot be used together/);
  });

  it('rfc7644 §3.4.3 POST .search takes cursor and count in the body', async () => {
    const first = await h.request('POST', '/Users/.search', { body: { schemas: [SEARCH], cursor: '', count: 4 } });
    assert.equal(first.status, 200, first.raw);
    assert.deepEqual(order(first), [0, 1, 2, 3]);
    const second = await h.request('POST', '/Users/.search', { body: { schemas: [SEARCH], cursor: first.body.nextCursor, count: 4 } });
    assert.deepEqual(order(second), [4, 5, 6]);
    assert.equal('nextCursor' in second.body, false);
  });

  it('a cursor of one tenant reveals nothing of the other tenant', async () => {
    const cursor = (await get('cursor=&count=2')).body.nextCursor as string;
    const res = await h.request('GET', `/Users?cursor=${cursor}&count=2`, { token: h.tokenB });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.Resources, []);
  });
});

describe('rfc9865 cursor walk while users are created and deleted', () => {
  let h: Harness;
  let now = Date.parse('2024-08-01T00:00:00.000Z');
  before(async () => {
    h = await startHarness({}, { clock: () => new Date(now) });
  });
  after(() => h.close());

  for (const [label, query] of [
    ['creation order', ''],
    ['sortBy userName', '&sortBy=userName'],
    ['sortBy userName descending', '&sortBy=userName&sortOrder=descending'],
    ['sortBy title (ties and absent values)', '&sortBy=title'],
  ] as const) {
    it(`never returns a user twice and returns every user that existed throughout (${label})`, async () => {
      const tag = label.replace(/\W+/g, '-');
      const create = async (userName: string, title?: string) => {
        now += 1;
        const res = await h.request('POST', '/Users', {
          body: { schemas: [USER_SCHEMA], userName: `${tag}-${userName}`, ...(title ? { title } : {}) },
        });
        assert.equal(res.status, 201, res.raw);
        return res.body.id as string;
      };
      const initial: string[] = [];
      for (let i = 0; i < 30; i++)
        initial.push(await create(`u${String((i * 7) % 30).padStart(2, '0')}`, i % 3 === 0 ? undefined : `t${i % 4}`));
      const deleted = new Set<string>();
      const filter = `filter=${enc(`userName sw "${tag}-"`)}`;
      const seen: string[] = [];
      let res = await get(`${filter}&cursor=&count=4${query}`);
      let step = 0;
      for (;;) {
        assert.equal(res.status, 200, res.raw);
        seen.push(...res.body.Resources.map((r: { id: string }) => r.id));
        // Between pages: delete one user not seen yet and one already seen, create two that sort anywhere.
        const unseen = initial.filter((id) => !seen.includes(id) && !deleted.has(id));
        if (unseen.length > 0) {
          const victim = unseen[(step * 5) % unseen.length]!;
          assert.equal((await h.request('DELETE', `/Users/${victim}`)).status, 204);
          deleted.add(victim);
        }
        const seenAlive = seen.filter((id) => initial.includes(id) && !deleted.has(id));
        if (seenAlive.length > 0 && step % 2 === 0) {
          const victim = seenAlive[step % seenAlive.length]!;
          assert.equal((await h.request('DELETE', `/Users/${victim}`)).status, 204);
          deleted.add(victim);
        }
        await create(`a${step}`, 't1');
        await create(`z${step}`);
        step++;
        if (!res.body.nextCursor) break;
        res = await h.request('GET', `/Users?${filter}&cursor=${res.body.nextCursor}&count=4${query}`);
      }
      assert.equal(new Set(seen).size, seen.length, 'a user came twice');
      const survivors = initial.filter((id) => !deleted.has(id));
      for (const id of survivors) assert.ok(seen.includes(id), `user ${id} that existed throughout was skipped`);
      for (const id of seen) assert.ok(!initial.includes(id) || !deleted.has(id) || seen.includes(id));
    });
  }

  async function get(query: string): Promise<Reply> {
    return h.request('GET', `/Users?${query}`);
  }
});
