import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, type Harness, startHarness, userBody } from '../helpers/harness.ts';

function assertScimError(
  res: { status: number; body: { schemas: string[]; status: string; scimType?: string; detail: string } },
  status: number,
  scimType?: string,
) {
  assert.equal(res.status, status);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
  assert.equal(typeof res.body.detail, 'string');
}

describe('rfc7644 §3.12 error responses', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_MAX_BODY_BYTES: '4096' });
  });
  after(() => h.close());

  it('malformed JSON → 400 invalidSyntax, without echoing the body', async () => {
    const res = await h.request('POST', '/Users', { rawBody: '{"userName": "x", "password": "hunter2hunter2"' });
    assertScimError(res, 400, 'invalidSyntax');
    assert.ok(!res.raw.includes('hunter2'));
  });

  for (const raw of ['[]', '"text"', '42', 'null']) {
    it(`a non-object body (${raw}) → 400 invalidSyntax`, async () => {
      assertScimError(await h.request('POST', '/Users', { rawBody: raw }), 400, 'invalidSyntax');
    });
  }

  it('an empty body → 400 invalidSyntax', async () => {
    assertScimError(await h.request('POST', '/Users', { rawBody: '' }), 400, 'invalidSyntax');
  });

  it('a body over SCIMD_MAX_BODY_BYTES → 413', async () => {
    const res = await h.request('POST', '/Users', { body: userBody('big@example.com', { title: 'x'.repeat(10_000) }) });
    assertScimError(res, 413);
  });

  it('an unsupported content type → 415', async () => {
    const res = await h.request('POST', '/Users', {
      rawBody: 'userName=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertScimError(res, 415);
  });

  it('application/json is accepted as well as application/scim+json', async () => {
    const res = await h.request('POST', '/Users', {
      rawBody: JSON.stringify(userBody('json@example.com')),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(res.status, 201);
  });

  it('an unknown route → 404 with a SCIM body', async () => {
    assertScimError(await h.request('GET', '/Widgets'), 404);
  });

  it('a method the route does not have → 405 with Allow', async () => {
    const res = await h.request('DELETE', '/Users');
    assertScimError(res, 405);
    assert.equal(res.headers['allow'], 'GET, POST, HEAD');
  });

  it('a method the route does not have → 405 whatever its body (a malformed one is not read)', async () => {
    const res = await h.request('PATCH', '/Users', { rawBody: '{"Operations": [' });
    assertScimError(res, 405);
    assert.equal(res.headers['allow'], 'GET, POST, HEAD');
  });

  it('a method the route does not have still needs the token → 401 before 405', async () => {
    assertScimError(await h.request('DELETE', '/Users', { token: null }), 401);
  });

  it('/Me with a static tenant token → 501', async () => {
    assertScimError(await h.request('GET', '/Me'), 501);
  });

  it('an unexpected failure → 500 with nothing internal in the body', async () => {
    const store = h.server.store;
    const original = store.query.bind(store);
    store.query = async () => {
      throw new Error('SQLITE_CORRUPT: secret internals at /var/lib/db');
    };
    try {
      const res = await h.request('GET', '/Users');
      assertScimError(res, 500);
      assert.ok(!res.raw.includes('SQLITE'));
      assert.match(res.body.detail, /request id/);
    } finally {
      store.query = original;
    }
  });

  it('responses are application/scim+json', async () => {
    const res = await h.request('GET', '/Users');
    assert.match(String(res.headers['content-type']), /^application\/scim\+json; charset=utf-8$/);
  });
});
