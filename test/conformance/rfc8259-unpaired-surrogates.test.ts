import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

function assertRefused(res: Reply, scimType: string): void {
  assert.equal(res.status, 400, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, /unpaired UTF-16 surrogate/);
}

/**
 * RFC 8259 §8.2: JSON may escape an unpaired surrogate ("\ud800"), which no UTF-8 text carries
 * (RFC 7644 §3.1). Found by the endpoint fuzzer: on PostgreSQL such a string in a resource was a
 * 500 (json refuses it), on SQLite it was silently stored as U+FFFD. Now it is refused where it
 * enters, on both stores alike.
 */
describe('RFC 8259 §8.2 unpaired surrogates are refused, never stored', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('in a request body: 400 invalidSyntax (POST /Users, POST /Groups, POST /Bulk)', async () => {
    assertRefused(await h.request('POST', '/Users', { rawBody: `{"schemas":["${USER_SCHEMA}"],"userName":"x\\ud800"}` }), 'invalidSyntax');
    assertRefused(
      await h.request('POST', '/Groups', { rawBody: `{"schemas":["${GROUP_SCHEMA}"],"displayName":"\\udc00"}` }),
      'invalidSyntax',
    );
    const bulk = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","bulkId":"g","path":"/Groups","data":{"schemas":["${GROUP_SCHEMA}"],"displayName":"\\ud800"}}]}`;
    assertRefused(await h.request('POST', '/Bulk', { rawBody: bulk }), 'invalidSyntax');
    // In a key too.
    assertRefused(
      await h.request('POST', '/Users', { rawBody: `{"schemas":["${USER_SCHEMA}"],"userName":"k@example.com","\\ud800":1}` }),
      'invalidSyntax',
    );
    const users = await h.request('GET', '/Users');
    assert.equal(users.body.totalResults, 0, 'nothing was created');
  });

  // The value filter of a path is read by the filter lexer, which names its errors invalidFilter.
  it("in a PATCH path's value filter: 400 invalidFilter, the user unchanged", async () => {
    const user = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'patched@example.com' } });
    assert.equal(user.status, 201, user.raw);
    const res = await h.request('PATCH', `/Users/${user.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'emails[type eq "\\ud800"].value', value: 'a@example.com' }],
      },
    });
    assertRefused(res, 'invalidFilter');
    assert.equal((await h.request('GET', `/Users/${user.body.id}`)).body.meta.version, user.body.meta.version);
  });

  it('in a filter literal: 400 invalidFilter', async () => {
    assertRefused(await h.request('GET', `/Users?filter=${encodeURIComponent('title eq "\\udc00"')}`), 'invalidFilter');
  });

  it('an escaped surrogate pair is a character like any other, stored and returned', async () => {
    const res = await h.request('POST', '/Users', {
      rawBody: `{"schemas":["${USER_SCHEMA}"],"userName":"smile@example.com","title":"\\ud83d\\ude00"}`,
    });
    assert.equal(res.status, 201, res.raw);
    assert.equal((await h.request('GET', `/Users/${res.body.id}`)).body.title, '😀');
  });
});
