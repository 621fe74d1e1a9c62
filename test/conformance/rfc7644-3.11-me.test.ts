import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA, userBody } from '../helpers/harness.ts';
import { startIssuer, type TestIssuer } from '../helpers/issuer.ts';

function assertScimError(res: Reply, status: number, detail?: RegExp): void {
  assert.equal(res.status, status, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, String(status));
  if (detail) assert.match(res.body.detail, detail);
}

describe('rfc7644 §3.11 /Me', () => {
  let h: Harness;
  let idp: TestIssuer;

  before(async () => {
    h = await startHarness();
    idp = await startIssuer();
    await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
  });
  after(async () => {
    await h.close();
    await idp.close();
  });

  const createUser = async (userName: string, token?: string) => {
    const res = await h.request('POST', '/Users', { body: userBody(userName), ...(token ? { token } : {}) });
    assert.equal(res.status, 201, res.raw);
    return res.body as { id: string; userName: string };
  };

  it('with a static tenant token every method answers 501 with a SCIM error body', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'POST']) {
      assertScimError(await h.request(method, '/Me', { body: userBody('x@example.com') }), 501);
    }
  });

  it('GET /Me is the user whose userName is the token subject (case-insensitively), with its ETag', async () => {
    const user = await createUser('barbara@example.com');
    const res = await h.request('GET', '/Me', { token: await idp.sign('Barbara@Example.com') });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.id, user.id);
    assert.equal(res.body.meta.location, `https://scim.example.com/scim/v2/Users/${user.id}`);
    assert.equal(res.headers['etag'], res.body.meta.version);
    const attrs = await h.request('GET', '/Me?attributes=userName', { token: await idp.sign('barbara@example.com') });
    assert.deepEqual(Object.keys(attrs.body).sort(), ['id', 'schemas', 'userName']);
  });

  it('PATCH /Me and PUT /Me change that user, with If-Match honoured', async () => {
    const user = await createUser('patchme@example.com');
    const token = await idp.sign('patchme@example.com');
    const patched = await h.request('PATCH', '/Me', {
      token,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Me Myself' }],
      },
    });
    assert.equal(patched.status, 200, patched.raw);
    assert.equal((await h.request('GET', `/Users/${user.id}`)).body.displayName, 'Me Myself');

    const stale = await h.request('PUT', '/Me', { token, body: userBody('patchme@example.com'), headers: { 'if-match': 'W/"1"' } });
    assertScimError(stale, 412);

    const put = await h.request('PUT', '/Me', {
      token,
      body: { schemas: [USER_SCHEMA], userName: 'patchme@example.com', title: 'Engineer' },
    });
    assert.equal(put.status, 200, put.raw);
    const stored = (await h.request('GET', `/Users/${user.id}`)).body;
    assert.equal(stored.title, 'Engineer');
    assert.equal(stored.displayName, undefined, 'PUT replaced the whole user');

    const minimal = await h.request('PATCH', '/Me', {
      token,
      headers: { prefer: 'return=minimal' },
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] },
    });
    assert.equal(minimal.status, 204);
  });

  it('DELETE /Me deletes that user; then /Me is 404', async () => {
    const user = await createUser('leaving@example.com');
    const token = await idp.sign('leaving@example.com');
    assert.equal((await h.request('DELETE', '/Me', { token })).status, 204);
    assert.equal((await h.request('GET', `/Users/${user.id}`)).status, 404);
    assertScimError(await h.request('GET', '/Me', { token }), 404, /leaving@example\.com/);
  });

  it('a subject no user of the tenant has → 404, even when another tenant has that userName', async () => {
    await createUser('only-in-globex@example.com', h.tokenB);
    assertScimError(await h.request('GET', '/Me', { token: await idp.sign('only-in-globex@example.com') }), 404);
    assertScimError(await h.request('GET', '/Me', { token: await idp.sign('x" or userName pr or userName eq "y') }), 404);
  });

  it('POST /Me → 501: users are created at /Users', async () => {
    assertScimError(
      await h.request('POST', '/Me', { token: await idp.sign('someone@example.com'), body: userBody('someone@example.com') }),
      501,
      /\/Users/,
    );
  });

  it('with subjectAttribute "id", the subject is the user id', async () => {
    const user = await createUser('by-id@example.com');
    await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd', subjectAttribute: 'id' });
    try {
      const res = await h.request('GET', '/Me', { token: await idp.sign(user.id) });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.userName, 'by-id@example.com');
      assertScimError(await h.request('GET', '/Me', { token: await idp.sign('by-id@example.com') }), 404);
    } finally {
      await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
    }
  });
});
