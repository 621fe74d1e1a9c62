import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

describe('rfc7644 §3.4.1 retrieving a known resource', () => {
  let h: Harness;
  let id: string;
  before(async () => {
    h = await startHarness();
    id = (await h.request('POST', '/Users', { body: userBody('get@example.com') })).body.id;
  });
  after(() => h.close());

  it('GET /Users/{id} answers 200 with ETag', async () => {
    const res = await h.request('GET', `/Users/${id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, id);
    assert.equal(res.headers['etag'], res.body.meta.version);
  });

  it('an unknown id is 404 with a SCIM error body', async () => {
    const res = await h.request('GET', '/Users/00000000-0000-0000-0000-000000000000');
    assert.equal(res.status, 404);
    assert.equal(res.body.status, '404');
    assert.deepEqual(res.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('a user id is not a group id', async () => {
    const res = await h.request('GET', `/Groups/${id}`);
    assert.equal(res.status, 404);
  });

  it('rfc7644 §3.14 If-None-Match with the current version → 304 without a body', async () => {
    const first = await h.request('GET', `/Users/${id}`);
    const res = await h.request('GET', `/Users/${id}`, { headers: { 'if-none-match': String(first.headers['etag']) } });
    assert.equal(res.status, 304);
    assert.equal(res.raw, '');
  });

  it('rfc7644 §3.14 If-None-Match with an old version → 200', async () => {
    const res = await h.request('GET', `/Users/${id}`, { headers: { 'if-none-match': 'W/"999"' } });
    assert.equal(res.status, 200);
  });

  it('rfc7643 §4.1.1 password is never returned, even when asked for', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('pw@example.com', { password: 'S3cret!pass' }) });
    const res = await h.request('GET', `/Users/${created.body.id}?attributes=password,userName`);
    assert.equal(res.status, 200);
    assert.equal(res.body.password, undefined);
    assert.equal(res.body.userName, 'pw@example.com');
  });

  it('rfc7644 §3.4.2.5 attributes= narrows the response; id and schemas always stay', async () => {
    const res = await h.request('GET', `/Users/${id}?attributes=userName`);
    assert.deepEqual(Object.keys(res.body).sort(), ['id', 'schemas', 'userName']);
  });

  it('rfc7644 §3.4.2.5 excludedAttributes= drops what it names', async () => {
    const res = await h.request('GET', `/Users/${id}?excludedAttributes=emails,name`);
    assert.equal(res.body.emails, undefined);
    assert.equal(res.body.name, undefined);
    assert.equal(res.body.userName, 'get@example.com');
  });
});
