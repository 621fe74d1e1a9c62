import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;

describe('rfc7644 §3.4.2.2 filtering over HTTP', () => {
  let h: Harness;
  let now = T0;
  const id: Record<string, string> = {};
  const created: Record<string, number> = {};
  let salesGroup = '';
  let emptyGroup = '';

  async function createUser(key: string, body: Record<string, unknown>): Promise<void> {
    created[key] = now;
    const res = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], ...body } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    id[key] = res.body.id;
    now += MINUTE;
  }

  before(async () => {
    h = await startHarness({}, { clock: () => new Date(now) });
    await createUser('boss', { userName: 'boss@example.com', displayName: 'The Boss', [ENTERPRISE]: { department: 'Executive' } });
    await createUser('bjensen', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'BJensen@Example.com',
      externalId: 'EXT-bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      displayName: 'Babs Jensen',
      title: 'Tour Guide',
      emails: [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
      active: true,
    });
    // The manager needs the boss's id, so bjensen's enterprise part is set by a PUT (lastModified moves).
    await createUser('jsmith', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'jsmith@corp.example.org',
      externalId: 'ext-jsmith',
      name: { givenName: 'John', familyName: 'Smith' },
      displayName: 'John Smith',
      title: 'Engineer',
      emails: [
        { value: 'jsmith@corp.example.org', type: 'work' },
        { value: 'john@example.com', type: 'home' },
      ],
      active: false,
      [ENTERPRISE]: { department: 'Engineering' },
    });
    await createUser('pct', { userName: '100%_off', name: { familyName: 'Percent' }, title: 'a_b' });
    await createUser('plain', { userName: '1000off', title: 'axb' });
    await createUser('quote', { userName: 'x" or 1=1' });
    const sales = await h.request('POST', '/Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: 'Sales Team', members: [{ value: id['bjensen'] }, { value: id['jsmith'] }] },
    });
    assert.equal(sales.status, 201);
    salesGroup = sales.body.id;
    created['sales'] = now;
    now += MINUTE;
    const empty = await h.request('POST', '/Groups', { body: { schemas: [GROUP_SCHEMA], displayName: 'Empty Group' } });
    emptyGroup = empty.body.id;
    created['empty'] = now;
    now += MINUTE;
    // T0 + 10 min: bjensen gets her manager and department; her lastModified moves, nothing else's.
    now = T0 + 10 * MINUTE;
    const current = (await h.request('GET', `/Users/${id['bjensen']}`)).body;
    const put = await h.request('PUT', `/Users/${id['bjensen']}`, {
      body: { ...current, [ENTERPRISE]: { department: 'Sales', manager: { value: id['boss'] } } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    now = T0 + 20 * MINUTE;
  });
  after(() => h.close());

  /** GET /Users?filter=… is a full ListResponse holding exactly these users, in creation order. */
  async function expectUsers(filter: string, keys: string[], path = '/Users'): Promise<void> {
    const res = await h.request('GET', `${path}?${q(filter)}`);
    assert.equal(res.status, 200, `${filter}: ${JSON.stringify(res.body)}`);
    assert.deepEqual(
      { ...res.body, Resources: res.body.Resources.map((r: { id: string }) => r.id) },
      { schemas: [LIST], totalResults: keys.length, itemsPerPage: keys.length, startIndex: 1, Resources: keys.map((k) => id[k]) },
      filter,
    );
  }

  async function expectGroups(filter: string, groupIds: string[], extra = ''): Promise<void> {
    await listGroups(filter, groupIds, extra);
  }

  async function listGroups(filter: string, groupIds: string[], extra = ''): Promise<Reply> {
    const res = await h.request('GET', `/Groups?${q(filter)}${extra}`);
    assert.equal(res.status, 200, `${filter}: ${JSON.stringify(res.body)}`);
    assert.deepEqual(
      { ...res.body, Resources: res.body.Resources.map((r: { id: string }) => r.id) },
      { schemas: [LIST], totalResults: groupIds.length, itemsPerPage: groupIds.length, startIndex: 1, Resources: groupIds },
      filter,
    );
    return res;
  }

  async function expectInvalidFilter(filter: string, detail: RegExp, path = '/Users'): Promise<void> {
    const res = await h.request('GET', `${path}?${q(filter)}`);
    assert.equal(res.status, 400, `${filter}: ${res.raw}`);
    assert.deepEqual(Object.keys(res.body).sort(), ['detail', 'schemas', 'scimType', 'status']);
    assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    assert.equal(res.body.status, '400');
    assert.equal(res.body.scimType, 'invalidFilter', filter);
    assert.match(res.body.detail, detail, filter);
  }

  describe('Table 3 operators', () => {
    it('eq: equal', () => expectUsers('title eq "Engineer"', ['jsmith']));
    it('ne: not equal (an absent single value is "not equal")', () =>
      expectUsers('title ne "Engineer"', ['boss', 'bjensen', 'pct', 'plain', 'quote']));
    it('co: contains', () => expectUsers('userName co "example"', ['boss', 'bjensen', 'jsmith']));
    it('sw: starts with', () => expectUsers('userName sw "j"', ['jsmith']));
    it('ew: ends with', () => expectUsers('userName ew ".org"', ['jsmith']));
    it('gt: greater than, by code point of the folded strings', () => expectUsers('userName gt "j"', ['jsmith', 'quote']));
    it('ge: greater than or equal', () => expectUsers('userName ge "jsmith@corp.example.org"', ['jsmith', 'quote']));
    it('lt: less than', () => expectUsers('userName lt "1000off"', ['pct']));
    it('le: less than or equal', () => expectUsers('userName le "1000off"', ['pct', 'plain']));
    it('pr: present', () => expectUsers('title pr', ['bjensen', 'jsmith', 'pct', 'plain']));
    it('operators are case-insensitive (EQ, Pr)', async () => {
      await expectUsers('title EQ "Engineer"', ['jsmith']);
      await expectUsers('externalId Pr', ['bjensen', 'jsmith']);
    });
    it('eq null is "not present", ne null is "present"', async () => {
      await expectUsers('title eq null', ['boss', 'quote']);
      await expectUsers('title ne null', ['bjensen', 'jsmith', 'pct', 'plain']);
    });
  });

  describe('logical operators and grouping', () => {
    it('and binds tighter than or: a or b and c = a or (b and c)', async () => {
      await expectUsers('title eq "a_b" or active eq true and title eq "Engineer"', ['pct']);
      await expectUsers('(title eq "a_b" or active eq true) and title eq "Tour Guide"', ['bjensen']);
    });
    it('a and b or c = (a and b) or c', () => expectUsers('active eq false and title pr or userName eq "1000off"', ['jsmith', 'plain']));
    it('not (…) negates; parentheses nest', async () => {
      await expectUsers('not (title pr)', ['boss', 'quote']);
      await expectUsers('not (not (userName sw "b"))', ['boss', 'bjensen']);
      await expectUsers('((userName sw "b") and (not (displayName eq "the boss")))', ['bjensen']);
    });
    it('and, or, not are case-insensitive', () =>
      expectUsers('userName sw "b" AND NOT (title pr) Or userName eq "1000OFF"', ['boss', 'plain']));
  });

  describe('attribute paths', () => {
    it('sub-attribute name.familyName', () => expectUsers('name.familyName eq "jensen"', ['bjensen']));
    it('sub-attribute of a multi-valued attribute: emails.value (any element)', async () => {
      await expectUsers('emails.value eq "babs@jensen.org"', ['bjensen']);
      await expectUsers('emails.value co "example.com"', ['bjensen', 'jsmith']);
    });
    it('emails.type ne "work" needs an email with another type (existential ne)', () =>
      expectUsers('emails.type ne "work"', ['bjensen', 'jsmith']));
    it('value path emails[type eq "work" and value co "@example.com"] needs one element matching both', async () => {
      await expectUsers('emails[type eq "work" and value co "@example.com"]', ['bjensen']);
      // jsmith has a home email at example.com and a work email elsewhere: no single element matches.
      await expectUsers('emails[type eq "home" and value co "@example.com"]', ['jsmith']);
      await expectUsers('emails[type eq "work"] and emails[value ew "@example.com"]', ['bjensen', 'jsmith']);
    });
    it('value path combined with top-level filters', () =>
      expectUsers('userName sw "j" and emails[type eq "work" and value sw "JSMITH"]', ['jsmith']));
    it('a complex attribute compared as a whole compares its value (emails eq "…")', () =>
      expectUsers('emails eq "BABS@jensen.org"', ['bjensen']));
    it('URN-qualified extension attribute: enterprise department', async () => {
      await expectUsers(`${ENTERPRISE}:department eq "sales"`, ['bjensen']);
      await expectUsers(`${ENTERPRISE}:department pr`, ['boss', 'bjensen', 'jsmith']);
    });
    it('URN-qualified sub-attribute: enterprise manager.value (caseExact)', async () => {
      await expectUsers(`${ENTERPRISE}:manager.value eq "${id['boss']}"`, ['bjensen']);
      await expectUsers(`${ENTERPRISE}:manager.value eq "${id['boss']!.toUpperCase()}"`, []);
    });
    it('URN-qualified core attribute: urn:…:core:2.0:User:userName', () => expectUsers(`${USER_SCHEMA}:userName eq "1000off"`, ['plain']));
    it('attribute names and URNs are case-insensitive', async () => {
      await expectUsers('USERNAME eq "1000off"', ['plain']);
      await expectUsers('Name.FamilyName eq "Smith"', ['jsmith']);
      await expectUsers('EMAILS[TYPE eq "home" and VALUE co "jensen"]', ['bjensen']);
      await expectUsers(`${ENTERPRISE.toUpperCase()}:DEPARTMENT eq "Engineering"`, ['jsmith']);
    });
    it('schemas eq the enterprise URN: users whose document holds enterprise attributes', () =>
      expectUsers(`schemas eq "${ENTERPRISE}"`, ['boss', 'bjensen', 'jsmith']));
    it('schemas eq the core URN matches every user', () =>
      expectUsers(`schemas eq "${USER_SCHEMA}"`, ['boss', 'bjensen', 'jsmith', 'pct', 'plain', 'quote']));
  });

  describe('meta attributes, on Users and Groups', () => {
    it('meta.created gt / lt a dateTime', async () => {
      await expectUsers(`meta.created gt "${iso(created['pct']!)}"`, ['plain', 'quote']);
      await expectUsers(`meta.created lt "${iso(created['bjensen']!)}"`, ['boss']);
      await expectUsers(`meta.created ge "${iso(created['pct']!)}" and meta.created le "${iso(created['plain']!)}"`, ['pct', 'plain']);
    });
    it('meta.created eq compares instants, whatever the offset written', () => {
      // 10:02 UTC written as 12:02 at +02:00, and without fraction digits.
      const at = new Date(created['jsmith']!);
      assert.equal(at.toISOString(), '2024-03-01T10:02:00.000Z');
      return expectUsers('meta.created eq "2024-03-01T12:02:00+02:00"', ['jsmith']);
    });
    it('meta.lastModified moves on update only', async () => {
      await expectUsers(`meta.lastModified gt "${iso(T0 + 9 * MINUTE)}"`, ['bjensen']);
      await expectUsers(`meta.lastModified lt "${iso(T0 + 9 * MINUTE)}"`, ['boss', 'jsmith', 'pct', 'plain', 'quote']);
    });
    it('meta.resourceType on Users and Groups', async () => {
      await expectUsers('meta.resourceType eq "User"', ['boss', 'bjensen', 'jsmith', 'pct', 'plain', 'quote']);
      await expectUsers('meta.resourceType eq "Group"', []);
      await expectGroups('meta.resourceType eq "Group"', [salesGroup, emptyGroup]);
    });
    it('meta.created on Groups', async () => {
      await expectGroups(`meta.created gt "${iso(created['sales']!)}"`, [emptyGroup]);
      await expectGroups(`meta.created le "${iso(created['sales']!)}"`, [salesGroup]);
    });
    it('meta.location cannot be filtered on (it depends on the base URL) → 400 invalidFilter', () =>
      expectInvalidFilter('meta.location pr', /meta\.location/));
  });

  describe('group membership', () => {
    it('Groups: members[value eq "…"] and members.value eq "…"', async () => {
      await expectGroups(`members[value eq "${id['jsmith']}"]`, [salesGroup]);
      await expectGroups(`members.value eq "${id['jsmith']}"`, [salesGroup]);
      await expectGroups(`members.value eq "${id['boss']}"`, []);
    });
    it('Groups: members pr / not (members pr)', async () => {
      await expectGroups('members pr', [salesGroup]);
      await expectGroups('not (members pr)', [emptyGroup]);
    });
    it('entra: membership check id eq "g" and members[value eq "u"] with excludedAttributes=members → 1 result', async () => {
      const res = await listGroups(
        `id eq "${salesGroup}" and members[value eq "${id['bjensen']}"]`,
        [salesGroup],
        '&excludedAttributes=members',
      );
      assert.equal(res.body.Resources[0].members, undefined);
      assert.equal(res.body.Resources[0].displayName, 'Sales Team');
    });
    it('entra: membership check for a non-member → 0 results', () =>
      expectGroups(`id eq "${salesGroup}" and members[value eq "${id['boss']}"]`, [], '&excludedAttributes=members'));
    it('Users: groups.value eq "<group>"', async () => {
      await expectUsers(`groups.value eq "${salesGroup}"`, ['bjensen', 'jsmith']);
      await expectUsers(`groups.value eq "${emptyGroup}"`, []);
      await expectUsers('groups pr', ['bjensen', 'jsmith']);
    });
    it('Users: groups.display is the group displayName, case-insensitively', () =>
      expectUsers('groups.display eq "sales team"', ['bjensen', 'jsmith']));
  });

  describe('comparison rules per attribute type', () => {
    it('userName, emails and displayName compare case-insensitively', async () => {
      await expectUsers('userName eq "bjensen@example.com"', ['bjensen']);
      await expectUsers('userName eq "BJENSEN@EXAMPLE.COM"', ['bjensen']);
      await expectUsers('emails.value eq "JSMITH@CORP.EXAMPLE.ORG"', ['jsmith']);
      await expectUsers('displayName eq "babs JENSEN"', ['bjensen']);
      await expectGroups('displayName eq "SALES TEAM"', [salesGroup]);
    });
    it('id and externalId compare exactly', async () => {
      await expectUsers(`id eq "${id['jsmith']}"`, ['jsmith']);
      await expectUsers(`id eq "${id['jsmith']!.toUpperCase()}"`, []);
      await expectUsers('externalId eq "EXT-bjensen"', ['bjensen']);
      await expectUsers('externalId eq "ext-bjensen"', []);
      await expectUsers('externalId sw "ext-"', ['jsmith']);
    });
    it('co/sw/ew treat % and _ literally', async () => {
      await expectUsers('userName co "%_"', ['pct']);
      await expectUsers('userName sw "100%"', ['pct']);
      await expectUsers('userName ew "_off"', ['pct']);
      await expectUsers('userName co "%"', ['pct']);
      await expectUsers('title eq "a_b"', ['pct']);
      await expectUsers('title co "_"', ['pct']);
      await expectUsers('title sw "a_"', ['pct']);
    });
    it('booleans: active eq true, active eq false, active ne true', async () => {
      await expectUsers('active eq true', ['bjensen']);
      await expectUsers('active eq false', ['jsmith']);
      // ne on an absent single value is true (docs/filtering.md).
      await expectUsers('active ne true', ['boss', 'jsmith', 'pct', 'plain', 'quote']);
    });
    it('entra: active eq "True" (a string) is the boolean', async () => {
      await expectUsers('active eq "True"', ['bjensen']);
      await expectUsers('active eq "FALSE"', ['jsmith']);
    });
    it('boolean with gt → 400 invalidFilter', () =>
      expectInvalidFilter('active gt true', /operator "gt" is not allowed on boolean attribute "active" at offset 0/));
    it('boolean compared with a non-boolean string → 400 invalidFilter', () => expectInvalidFilter('active eq "yes"', /active/));
    it('dateTime with co → 400 invalidFilter', () => expectInvalidFilter(`meta.created co "2024"`, /operator "co"/));
    it('null with gt → 400 invalidFilter', () => expectInvalidFilter('title gt null', /null/));
    it('rfc7644 §3.4.2.2 userName eq "x\\" or 1=1" is one comparison and matches literally', async () => {
      await expectUsers('userName eq "x\\" or 1=1"', ['quote']);
      await expectUsers('userName eq "x\\" OR 1=1"', ['quote']);
      await expectUsers('userName eq "y\\" or 1=1"', []);
    });
    it('JSON escapes in string literals (\\u0025 is %)', () => expectUsers('userName sw "100\\u0025"', ['pct']));
  });

  describe('entra: manager pre-check (id eq "u" and manager eq "m", attributes=id)', () => {
    it('URN-qualified manager compared as a whole compares manager.value: 1 result, only id and schemas', async () => {
      const res = await h.request(
        'GET',
        `/Users?${q(`id eq "${id['bjensen']}" and ${ENTERPRISE}:manager eq "${id['boss']}"`)}&attributes=id`,
      );
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        schemas: [LIST],
        totalResults: 1,
        itemsPerPage: 1,
        startIndex: 1,
        Resources: [{ schemas: [USER_SCHEMA, ENTERPRISE], id: id['bjensen'] }],
      });
    });
    it('URN-qualified manager with another manager id: 0 results', async () => {
      const res = await h.request(
        'GET',
        `/Users?${q(`id eq "${id['bjensen']}" and ${ENTERPRISE}:manager eq "${id['jsmith']}"`)}&attributes=id`,
      );
      assert.deepEqual(res.body, { schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    });
    it('entra: unqualified "manager eq" as Entra sends it finds the user (Example 4 of the Entra SCIM tutorial)', async () => {
      const res = await h.request('GET', `/Users?${q(`id eq "${id['bjensen']}" and manager eq "${id['boss']}"`)}&attributes=id`);
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.totalResults, 1);
    });
    it('an unqualified name that no schema of the resource type defines is still 400 invalidFilter', () =>
      expectInvalidFilter(`id eq "${'0'.repeat(36)}" and managerr eq "x"`, /unknown attribute "managerr" at offset 49/));
  });

  describe('unquoted values, read as strings (docs/filtering.md "Unquoted values"; the default profile)', () => {
    it("Microsoft's Postman collection: userName sw O, unquoted", () => expectUsers('userName sw B', ['boss', 'bjensen']));
    it('entra: existence check with an unquoted externalId (a 400 here makes Entra create a duplicate user)', async () => {
      await expectUsers('externalId eq EXT-bjensen', ['bjensen']);
      await expectUsers('externalId eq 6f8c2f4e-9d3a-4b7e-8a1f-2c3d4e5f6a7b', []);
    });
    it("Microsoft's Postman collection: meta.created gt an unquoted date-time is the instant", async () => {
      await expectUsers(`meta.created gt ${iso(created['pct']!)}`, ['plain', 'quote']);
      await expectUsers('meta.Created gt 2015-10-10T14:38:21Z', ['boss', 'bjensen', 'jsmith', 'pct', 'plain', 'quote']);
    });
    it('an unquoted number compared with a string attribute is the text written (userName eq 1000off, eq 42)', async () => {
      await expectUsers('userName eq 1000off', ['plain']);
      await expectUsers('userName eq 42', []);
    });
    it('true, false and null keep their meaning; numbers stay numbers for a dateTime (400)', async () => {
      await expectUsers('active eq True and title sw Tour', ['bjensen']);
      await expectUsers('title eq null', ['boss', 'quote']);
      await expectInvalidFilter('meta.created gt 2024', /not an xsd:dateTime/);
    });
    it('inside a value filter and on /.search too', async () => {
      await expectUsers('emails[type eq work and value ew example.com]', ['bjensen']);
      const res = await h.request('POST', '/Users/.search', {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw jsmith' },
      });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(
        res.body.Resources.map((r: { id: string }) => r.id),
        [id['jsmith']],
      );
    });
  });

  describe('bad filters → 400 invalidFilter with a precise detail', () => {
    it('unknown attribute, named with its offset', () =>
      expectInvalidFilter('userName eq "a" and bogus eq "x"', /unknown attribute "bogus" at offset 20/));
    it('unknown sub-attribute', () => expectInvalidFilter('name.nickname eq "x"', /name\.nickname/));
    it('unknown attribute inside a value filter', () => expectInvalidFilter('emails[bogus eq "x"]', /bogus/));
    it('an attribute of the other resource type (userName on Groups)', () =>
      expectInvalidFilter('userName eq "x"', /unknown attribute "userName" at offset 0/, '/Groups'));
    it('unbalanced parentheses: missing )', () => expectInvalidFilter('(userName eq "a"', /unbalanced parenthesis at offset 0/));
    it('unbalanced parentheses: stray )', () => expectInvalidFilter('userName eq "a")', /unbalanced parenthesis at offset 15/));
    it('unbalanced bracket', () => expectInvalidFilter('emails[type eq "work"', /unbalanced bracket at offset 6/));
    it('unterminated string', () => expectInvalidFilter('userName eq "abc', /unterminated string at offset 12/));
    it('bad dates', async () => {
      await expectInvalidFilter('meta.created gt "yesterday"', /"yesterday" is not an xsd:dateTime/);
      await expectInvalidFilter('meta.created gt "2024-02-30T00:00:00Z"', /not an xsd:dateTime/);
      await expectInvalidFilter('meta.lastModified lt "2024-01-01"', /not an xsd:dateTime/);
      await expectInvalidFilter('meta.created gt 2024', /not an xsd:dateTime/);
    });
    it('unknown operator', () => expectInvalidFilter('userName eqq "x"', /unknown operator "eqq" at offset 9/));
    it('missing operator / value', async () => {
      await expectInvalidFilter('userName', /expected an operator after "userName"/);
      await expectInvalidFilter('userName eq', /at offset 11/);
    });
    it('trailing garbage', () => expectInvalidFilter('userName eq "a" garbage', /expected "and", "or" or end of input.*at offset 16/));
    it('empty filter', () => expectInvalidFilter('   ', /empty filter/));
    it('not without parentheses', () => expectInvalidFilter('not userName eq "a"', /"\(" after "not"/));
    it('value filter on a simple attribute', () => expectInvalidFilter('userName[value eq "x"]', /not complex/));
    it('nested value filters', () => expectInvalidFilter('emails[type eq "work" and emails[value eq "x"]]', /nested value filter/));
    it('a filter over 4096 characters', async () => {
      const long = `userName eq "${'a'.repeat(4096)}"`;
      await expectInvalidFilter(long, /longer than 4096 characters/);
      // 4096 exactly is fine.
      const exact = `userName eq "${'a'.repeat(4096 - 14)}"`;
      assert.equal(exact.length, 4096);
      await expectUsers(exact, []);
    });
    it('nesting over 32 levels', async () => {
      await expectInvalidFilter(`${'('.repeat(33)}userName eq "a"${')'.repeat(33)}`, /nested deeper than 32 levels at offset 32/);
      await expectUsers(`${'('.repeat(32)}userName eq "1000off"${')'.repeat(32)}`, ['plain']);
      await expectInvalidFilter(`${'not ('.repeat(40)}userName eq "a"${')'.repeat(40)}`, /nested deeper than 32 levels/);
    });
    it('thousands of nested parentheses never overflow the stack (400, not 500)', () =>
      expectInvalidFilter(`${'('.repeat(4000)}`, /nested deeper than 32 levels/));
    it('a control character outside a string', () =>
      expectInvalidFilter('userName eq "a"\u0001', /unexpected character U\+0001 at offset 15/));
    it('the same filter on /.search is the same 400', async () => {
      const res = await h.request('POST', '/Users/.search', {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eqq "bjensen"' },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidFilter');
    });
  });

  describe('multi-valued ne and extension presence (in tenant globex, apart from the fixtures above)', () => {
    const other: Record<string, string> = {};
    before(async () => {
      for (const [key, body] of [
        ['typeless', { userName: 'typeless@example.com', emails: [{ value: 'typeless@example.com' }] }],
        ['work', { userName: 'work@example.com', emails: [{ value: 'work@example.com', type: 'work' }] }],
        ['home', { userName: 'home@example.com', emails: [{ value: 'home@example.com', type: 'home' }] }],
        ['emptyDept', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'empty-dept@example.com', [ENTERPRISE]: { department: '' } }],
        [
          'emptyManager',
          { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'empty-manager@example.com', [ENTERPRISE]: { manager: { value: '' } } },
        ],
      ] as const) {
        const res = await h.request('POST', '/Users', { token: h.tokenB, body: { schemas: [USER_SCHEMA], ...body } });
        assert.equal(res.status, 201, res.raw);
        other[key] = res.body.id;
      }
    });
    const found = async (filter: string) => {
      const res = await h.request('GET', `/Users?${q(filter)}`, { token: h.tokenB });
      assert.equal(res.status, 200, res.raw);
      return res.body.Resources.map((r: { userName: string }) => r.userName).sort();
    };

    it('emails[type ne "work"] matches an email without a type (the absent rule applies per element)', async () => {
      assert.deepEqual(await found('emails[type ne "work"]'), ['home@example.com', 'typeless@example.com']);
    });
    it('emails.type ne "work" needs an email that has a type other than work (docs/filtering.md, multi-valued)', async () => {
      assert.deepEqual(await found('emails.type ne "work"'), ['home@example.com']);
    });
    it('schemas lists the enterprise URN only when an enterprise attribute is present: GET and filter agree ({"department": ""})', async () => {
      const get = await h.request('GET', `/Users/${other['emptyDept']}`, { token: h.tokenB });
      const listed = (await found(`schemas eq "${ENTERPRISE}"`)).includes('empty-dept@example.com');
      assert.equal(get.body.schemas.includes(ENTERPRISE), listed);
    });
    it('an extension holding only an empty complex value ({"manager": {"value": ""}}) is not in schemas (docs/filtering.md: present means a present sub-attribute)', async () => {
      assert.deepEqual(await found(`schemas eq "${ENTERPRISE}"`), []);
      assert.deepEqual(await found(`${ENTERPRISE}:manager pr`), []);
    });
  });

  describe('tenancy', () => {
    it('filters never see another tenant', async () => {
      const res = await h.request('GET', `/Users?${q('userName eq "1000off" or title pr')}`, { token: h.tokenB });
      assert.deepEqual(res.body, { schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    });
  });
});
