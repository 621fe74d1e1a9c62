import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchema, tenantRegistry } from '../../schema/custom.ts';
import { createCoreRegistry } from '../../schema/registry.ts';
import { maskUnparsedBody, mayMentionSecret, namesSecret, redactBody, redactFilter, redactQuery, scrub, secretNamesOf } from './redact.ts';

const secrets = secretNamesOf(createCoreRegistry());

describe('request log redaction', () => {
  it("knows the core schema's returned:never attributes and the usual credential names", () => {
    for (const name of ['password', 'clientsecret', 'accesstoken']) assert.ok(secrets.has(name), name);
    assert.ok(!secrets.has('username'));
  });

  it('RFC 7644 §3.4.2.2 filters: the value compared with a secret attribute, quoted or not, in any case, inside brackets', () => {
    const cases: Array<[string, string]> = [
      ['password eq "pw1"', 'password eq "[redacted]"'],
      ['userName eq "bob" and PASSWORD ne "pw2"', 'userName eq "bob" and PASSWORD ne "[redacted]"'],
      ['x[password eq "pw3"]', 'x[password eq "[redacted]"]'],
      ['urn:ietf:params:scim:schemas:core:2.0:User:password sw pw4', 'urn:ietf:params:scim:schemas:core:2.0:User:password sw [redacted]'],
      ['password eq "pw\\"5', 'password eq "[redacted]"'],
      ['emails[value eq "a@b.c"]', 'emails[value eq "a@b.c"]'],
      ['password pr', 'password pr'],
    ];
    for (const [filter, expected] of cases) assert.equal(redactFilter(filter, secrets, []), expected, filter);
  });

  it('bodies: secret members whatever their value, the value of a PATCH operation on a secret path, filters of .search', () => {
    const found: string[] = [];
    const out = redactBody(
      {
        userName: 'bob',
        password: 'pw1',
        client_secret: { nested: 'pw2' },
        Operations: [
          { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'pw3' },
          { op: 'replace', path: 'displayName', value: 'Bob' },
        ],
        filter: 'password eq "pw4"',
      },
      secrets,
      found,
    );
    assert.deepEqual(out, {
      userName: 'bob',
      password: '[redacted]',
      client_secret: '[redacted]',
      Operations: [
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: '[redacted]' },
        { op: 'replace', path: 'displayName', value: 'Bob' },
      ],
      filter: 'password eq "[redacted]"',
    });
    assert.deepEqual(found, ['pw1', 'pw2', 'pw3', 'pw4']);
  });

  it('a body that is not JSON keeps its member names and loses every string value, an unterminated one too', () => {
    assert.equal(maskUnparsedBody('{"userName":"bob","password":"pw1', []), '{"userName":"[redacted]","password":"[redacted]"');
    assert.equal(maskUnparsedBody('{"a": 1, "b" : "x\\"y"}', []), '{"a": 1, "b" : "[redacted]"}');
  });

  it('query strings: access_token and filters; scrub removes found secrets in raw, JSON-escaped and URL-encoded forms', () => {
    const found: string[] = [];
    const query = redactQuery('access_token=tok1234&filter=password%20eq%20%22pw%201%22&count=5', secrets, found);
    assert.equal(new URLSearchParams(query).get('access_token'), '[redacted]');
    assert.equal(new URLSearchParams(query).get('filter'), 'password eq "[redacted]"');
    assert.equal(new URLSearchParams(query).get('count'), '5');
    assert.equal(scrub('a pw"q b pw%22q c pw\\"q', ['pw"q']), 'a [redacted] b [redacted] c [redacted]');
    assert.equal(scrub('abc', ['abc']), 'abc', 'values under four characters are left alone');
  });

  it('tells a text that may name a secret, spelled with "_" or "-" anywhere and in any case, from one that cannot', () => {
    const folded = (text: string) => {
      const f = text.toLowerCase().replace(/[_-]/g, '');
      return [...secrets].some((name) => f.includes(name));
    };
    const texts = [
      '{"userName":"bjensen","name":{"givenName":"Barbara"}}',
      '{"Pass_Word":"x"}',
      'client-secret=1',
      'ACCESS_TOKEN=1',
      'x-api-key',
      'p-a-s-s-w-o-r-d',
      'passw0rd',
      'to\u212Aen',
      'filter=userName eq "bjensen"',
      'PrivateKey',
    ];
    for (const text of texts) if (folded(text)) assert.ok(mayMentionSecret(text, secrets), text);
    assert.ok(!mayMentionSecret(texts[0]!, secrets));
    assert.ok(!mayMentionSecret(texts[8]!, secrets));
    const custom = secretNamesOf(createCoreRegistry());
    assert.ok(mayMentionSecret('{"pin_code":1}', new Set([...custom, 'pincode'])));
  });
});

describe('request log redaction: every comparison, every kind of value', () => {
  it('RFC 7644 §3.4.2.2: the value after each comparison operator on a secret, and only that value', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ'])
      assert.equal(redactFilter(`password ${op} "v1"`, secrets, []), `password ${op} "[redacted]"`, op);
    const found: string[] = [];
    assert.equal(redactFilter('password eq pw1 and userName eq "bob"', secrets, found), 'password eq [redacted] and userName eq "bob"');
    assert.deepEqual(found, ['pw1']);
  });

  it('a secret member: strings, numbers, booleans, lists and objects under it are found; null is nothing', () => {
    const found: string[] = [];
    const out = redactBody({ password: 12345678, secret: ['abcd', { pin: true, gone: null }], token: null }, secrets, found);
    assert.deepEqual(out, { password: '[redacted]', secret: '[redacted]', token: '[redacted]' });
    assert.deepEqual(found, ['12345678', 'abcd', 'true']);
  });

  it('filter and path members in any case are filters; a non-string one is copied as it is', () => {
    const found: string[] = [];
    assert.deepEqual(redactBody({ Filter: 'password eq "pw1"', PATH: 'x[password eq "pw2"]', path: 7, filter: ['a'] }, secrets, found), {
      Filter: 'password eq "[redacted]"',
      PATH: 'x[password eq "[redacted]"]',
      path: 7,
      filter: ['a'],
    });
    assert.deepEqual(found, ['pw1', 'pw2']);
  });

  it('query strings: names spelt with _ or -, + as a blank, an undecodable query still redacted; only filter parameters are filters', () => {
    const found: string[] = [];
    assert.equal(new URLSearchParams(redactQuery('api_key=abcd1234&count=5', secrets, found)).get('api_key'), '[redacted]');
    assert.equal(
      new URLSearchParams(redactQuery('filter=password+eq+%22pw1%22', secrets, found)).get('filter'),
      'password eq "[redacted]"',
    );
    const odd = redactQuery('filter=password%20eq%20%22pw2%22&bad=%E0%A4%A', secrets, found);
    assert.equal(new URLSearchParams(odd).get('filter'), 'password eq "[redacted]"');
    assert.equal(
      new URLSearchParams(redactQuery('note=password%20eq%20abcd&access_token=t0k3n', secrets, found)).get('note'),
      'password eq abcd',
    );
    assert.deepEqual(found, ['abcd1234', 'pw1', 'pw2', 't0k3n']);
    assert.equal(redactQuery('count=5&x=a+b', secrets, []), 'count=5&x=a+b', 'nothing secret: the query as it was');
    assert.equal(redactQuery('', secrets, []), '');
  });

  it('a path names a secret by any segment after its URN; value filters, even unterminated, are stripped first', () => {
    assert.equal(namesSecret('name.password', secrets), true);
    assert.equal(namesSecret('x[type eq "y"].PASSWORD', secrets), true);
    assert.equal(namesSecret('emails[value eq "password"]', secrets), false);
    assert.equal(namesSecret('x[y.password', secrets), false);
    assert.equal(namesSecret('urn:ietf:params:scim:schemas:core:2.0:User:password', secrets), true);
  });

  it("a tenant extension's returned:never attribute is a secret, also as a sub-attribute (docs/console.md)", () => {
    const schema = parseSchema({
      id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
      attributes: [
        { name: 'badgePin', returned: 'never' },
        { name: 'door', type: 'complex', subAttributes: [{ name: 'room' }, { name: 'unlockCode', returned: 'never' }] },
      ],
    });
    const tenant = secretNamesOf(tenantRegistry(createCoreRegistry(), [{ resourceType: 'User', required: false, schema }]));
    assert.ok(tenant.has('badgepin'));
    assert.ok(tenant.has('unlockcode'));
    assert.ok(!tenant.has('room') && !tenant.has('door'));
    assert.deepEqual(redactBody({ door: { room: '12', unlockCode: '4711-x' } }, tenant, []), {
      door: { room: '12', unlockCode: '[redacted]' },
    });
  });
});
