import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCoreRegistry } from '../../schema/registry.ts';
import { maskUnparsedBody, redactBody, redactFilter, redactQuery, scrub, secretNamesOf } from './redact.ts';

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
});
