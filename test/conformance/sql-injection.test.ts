import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, ERROR_SCHEMA, groupBody, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const enc = encodeURIComponent;

/** Values that break naive SQL building: quotes, comments, LIKE wildcards, escapes, unicode. */
const HOSTILE = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '"; DROP TABLE resources; --',
  "'); DELETE FROM resources; --",
  '%',
  '_',
  '%%',
  '\\',
  '\\%',
  "\\'",
  '*',
  '?',
  '$.userName',
  "json_extract(doc, '$')",
  '1) OR (1=1',
  'ÅÄÖ ünïcødé 😀 \u202e',
];

/** U+0000 is refused in stored values (PostgreSQL text cannot hold it), yet may appear in a filter. */
const NUL_VALUES = ['a\u0000b', '\u0000'];

/** JSON string literal for a filter: exactly one quoted string whatever the value holds. */
const lit = (s: string) => JSON.stringify(s);

describe('SQL injection: hostile values never change what a query means', () => {
  let h: Harness;
  const ids = new Map<string, string>();
  let groupId = '';
  let snapshot = '';

  /** Every user and group of the tenant, fully, in a stable order: the data to keep intact. */
  async function everything(): Promise<string> {
    const users = await h.request('GET', '/Users?count=1000&sortBy=userName');
    const groups = await h.request('GET', '/Groups?count=1000');
    return JSON.stringify([users.body, groups.body]);
  }

  before(async () => {
    h = await startHarness();
    for (const [i, value] of HOSTILE.entries()) {
      const res = await h.request('POST', '/Users', {
        body: {
          schemas: [USER_SCHEMA, ENTERPRISE],
          userName: `u${i}:${value}`,
          displayName: value,
          title: value,
          externalId: value,
          emails: [{ value: `${value}@example.com`, type: 'work' }],
          [ENTERPRISE]: { department: value },
        },
      });
      assert.equal(res.status, 201, `${JSON.stringify(value)}: ${res.raw}`);
      ids.set(value, res.body.id);
    }
    await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'innocent@example.com', title: 'plain' } });
    groupId = (
      await h.request('POST', '/Groups', { body: groupBody("Robert'); DROP TABLE memberships;--", [...ids.values()].slice(0, 3)) })
    ).body.id;
    snapshot = await everything();
  });
  after(() => h.close());

  for (const value of NUL_VALUES) {
    it(`a value holding U+0000 (${JSON.stringify(value)}) is refused with 400 invalidValue, and matches nothing in a filter`, async () => {
      const res = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: `nul${value}`, title: value } });
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidValue');
      for (const op of ['eq', 'co', 'sw', 'ew']) {
        const found = await h.request('GET', `/Users?filter=${enc(`title ${op} ${lit(value)}`)}`);
        assert.equal(found.status, 200, found.raw);
        assert.equal(found.body.totalResults, 0);
      }
      assert.equal(await everything(), snapshot);
    });
  }

  /** A 200 ListResponse (never 500), holding only ids among `allowed`. */
  async function list(path: string, query: string): Promise<Reply> {
    const res = await h.request('GET', `${path}?${query}`);
    assert.ok(res.status === 200 || res.status === 400, `${query}: ${res.status} ${res.raw}`);
    if (res.status === 400) assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    return res;
  }

  for (const value of HOSTILE) {
    const name = JSON.stringify(value);
    it(`filter values: eq/co/sw/ew with ${name} match exactly the rows holding it`, async () => {
      const own = ids.get(value)!;
      // Exact matches: only the user holding this value (case-insensitive for title and department).
      for (const filter of [
        `title eq ${lit(value)}`,
        `externalId eq ${lit(value)}`,
        `displayName eq ${lit(value)}`,
        `emails.value eq ${lit(`${value}@example.com`)}`,
        `${ENTERPRISE}:department eq ${lit(value)}`,
        `emails[type eq "work" and value eq ${lit(`${value}@example.com`)}]`,
      ]) {
        const res = await list('/Users', `filter=${enc(filter)}`);
        assert.equal(res.status, 200, filter);
        assert.deepEqual(
          res.body.Resources.map((r: { id: string }) => r.id),
          [own],
          filter,
        );
      }
      // Substring tests: whichever users really hold the text (compared in JavaScript, the reference).
      const fold = value.toLowerCase();
      for (const [op, test] of [
        ['co', (t: string) => t.includes(fold)],
        ['sw', (t: string) => t.startsWith(fold)],
        ['ew', (t: string) => t.endsWith(fold)],
      ] as const) {
        const res = await list('/Users', `filter=${enc(`title ${op} ${lit(value)}`)}`);
        assert.equal(res.status, 200);
        const expected = [...ids]
          .filter(([v]) => test(v.toLowerCase()))
          .map(([, id]) => id)
          .sort();
        assert.deepEqual(res.body.Resources.map((r: { id: string }) => r.id).sort(), expected, `title ${op} ${name}`);
      }
    });
  }

  it('userName eq "x\\" or 1=1" and friends are single comparisons', async () => {
    for (const filter of [
      'userName eq "x\\" or 1=1"',
      'userName eq "\' OR 1=1 --"',
      'userName eq "" or ""=""',
      'title eq "plain" or 1=1',
    ]) {
      const res = await list('/Users', `filter=${enc(filter)}`);
      if (res.status === 200) assert.ok(res.body.totalResults <= 1, `${filter} matched ${res.body.totalResults}`);
      else assert.equal(res.body.scimType, 'invalidFilter');
    }
  });

  it('unquoted SQL in the filter grammar → 400 invalidFilter, never 500', async () => {
    for (const filter of [
      "userName eq '' OR 1=1 --",
      'userName eq "a"; DROP TABLE resources',
      '1=1',
      "' OR 1=1 --",
      'userName eq "a" --',
      'userName eq "a" /* c */',
      'title eq "a" or title eq "b" union select * from tokens',
    ]) {
      const res = await list('/Users', `filter=${enc(filter)}`);
      assert.equal(res.status, 400, filter);
      assert.equal(res.body.scimType, 'invalidFilter', filter);
    }
  });

  it('an unquoted value is one literal, never SQL: userName eq 1=1 and eq x;DROP match nothing (200)', async () => {
    for (const filter of ['userName eq 1=1', "userName eq x';DROP", 'userName eq --']) {
      const res = await list('/Users', `filter=${enc(filter)}`);
      assert.equal(res.status, 200, filter);
      assert.equal(res.body.totalResults, 0, filter);
    }
  });

  it('hostile attribute names in filters → 400 invalidFilter', async () => {
    for (const attr of [
      'userName"',
      'doc',
      'r.doc',
      'urn:x:y:z:userName',
      "title'--",
      'emails.value.x',
      '$.userName',
      'name."familyName"',
      `${ENTERPRISE}:department"); DROP TABLE resources; --`,
    ]) {
      const res = await list('/Users', `filter=${enc(`${attr} eq "x"`)}`);
      assert.equal(res.status, 400, attr);
      assert.equal(res.body.scimType, 'invalidFilter', attr);
    }
  });

  it('hostile sortBy → 400, never 500, never a different order', async () => {
    for (const sortBy of [...HOSTILE, 'userName; DROP TABLE resources', 'userName DESC', '1', 'r.row_key', 'userName,title', 'title--']) {
      const res = await list('/Users', `sortBy=${enc(sortBy)}`);
      assert.equal(res.status, 400, `sortBy ${JSON.stringify(sortBy)}: ${res.raw}`);
    }
  });

  it('hostile sortOrder → 400 invalidValue', async () => {
    for (const order of ["ascending'; --", 'DESC', '1']) {
      const res = await list('/Users', `sortBy=userName&sortOrder=${enc(order)}`);
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidValue');
    }
  });

  it('hostile attributes / excludedAttributes select nothing unknown and never fail', async () => {
    for (const value of [...HOSTILE, 'userName,doc', 'password_hash', 'passwordHash', '*']) {
      const res = await list('/Users', `attributes=${enc(value)}&count=2`);
      assert.equal(res.status, 200, `${JSON.stringify(value)}: ${res.raw}`);
      for (const r of res.body.Resources)
        assert.deepEqual(
          Object.keys(r)
            .sort()
            .filter((k) => k !== 'userName' && k !== 'emails'),
          ['id', 'schemas'],
        );
      const ex = await list('/Users', `excludedAttributes=${enc(value)}&count=2`);
      assert.equal(ex.status, 200);
      for (const r of ex.body.Resources) assert.equal(r.password, undefined);
    }
  });

  it('hostile ids in paths → 404, never another resource', async () => {
    for (const id of [...HOSTILE, `${ids.get('%')}' OR '1'='1`, '*', '..', '%25']) {
      for (const method of ['GET', 'DELETE'] as const) {
        const res = await h.request(method, `/Users/${enc(id)}`);
        assert.equal(res.status, 404, `${method} ${JSON.stringify(id)}: ${res.raw}`);
        assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
      }
      const put = await h.request('PUT', `/Users/${enc(id)}`, { body: { schemas: [USER_SCHEMA], userName: 'hijack' } });
      assert.equal(put.status, 404);
    }
  });

  it('hostile member values are unknown ids: skipped, never SQL, the group untouched', async () => {
    const before = (await h.request('GET', `/Groups/${groupId}`)).raw;
    for (const value of HOSTILE) {
      const res = await h.request('PATCH', `/Groups/${groupId}`, {
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'members', value: [{ value }] }],
        },
      });
      assert.equal(res.status, 204, res.raw);
      assert.equal(res.headers['scimd-skipped-members'], encodeURIComponent(value));
    }
    assert.equal((await h.request('GET', `/Groups/${groupId}`)).raw, before);
    const res = await list('/Groups', `filter=${enc(`members[value eq "' OR 1=1 --"]`)}`);
    assert.equal(res.body.totalResults, 0);
  });

  it('hostile cursors → 400 invalidCursor', async () => {
    for (const cursor of HOSTILE.filter((c) => c !== '')) {
      const res = await list('/Users', `cursor=${enc(cursor)}`);
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidCursor', JSON.stringify(cursor));
    }
  });

  it('hostile .search bodies behave like the query string', async () => {
    const res = await h.request('POST', '/.search', {
      body: { schemas: [SEARCH], filter: `title eq ${lit("' OR 1=1 --")}`, sortBy: 'title', attributes: ["' OR 1=1 --"] },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.Resources.map((r: { id: string }) => r.id),
      [ids.get("' OR 1=1 --")],
    );
  });

  it('the data is intact afterwards, and the other tenant still sees nothing', async () => {
    assert.equal(await everything(), snapshot);
    const other = await h.request('GET', '/Users', { token: h.tokenB });
    assert.equal(other.body.totalResults, 0);
    assert.equal((await h.request('GET', '/Users?count=0')).body.totalResults, HOSTILE.length + 1);
  });
});
