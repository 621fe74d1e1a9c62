import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

describe('rfc7644 §3.6 deleting resources', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('DELETE answers 204; the resource is gone (404) and its userName is free again', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('del@example.com') });
    const res = await h.request('DELETE', `/Users/${created.body.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.raw, '');
    assert.equal((await h.request('GET', `/Users/${created.body.id}`)).status, 404);
    assert.equal((await h.request('DELETE', `/Users/${created.body.id}`)).status, 404);
    assert.equal((await h.request('POST', '/Users', { body: userBody('del@example.com') })).status, 201);
  });

  it('rfc7644 §3.14 DELETE with a stale If-Match → 412 and the resource stays', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('delstale@example.com') });
    await h.request('PUT', `/Users/${created.body.id}`, { body: { ...created.body, title: 'changed' } });
    const res = await h.request('DELETE', `/Users/${created.body.id}`, { headers: { 'if-match': created.body.meta.version } });
    assert.equal(res.status, 412);
    assert.equal((await h.request('GET', `/Users/${created.body.id}`)).status, 200);
  });

  it('rfc7644 §3.14 DELETE with the current If-Match → 204', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('delok@example.com') });
    const res = await h.request('DELETE', `/Users/${created.body.id}`, { headers: { 'if-match': created.body.meta.version } });
    assert.equal(res.status, 204);
  });

  it('deleting a user removes it from its groups', async () => {
    const user = await h.request('POST', '/Users', { body: userBody('member-del@example.com') });
    const group = await h.request('POST', '/Groups', { body: groupBody('Del Group', [user.body.id]) });
    assert.equal(group.body.members.length, 1);
    await h.request('DELETE', `/Users/${user.body.id}`);
    const read = await h.request('GET', `/Groups/${group.body.id}`);
    assert.equal(read.body.members, undefined);
  });

  it('rfc9110 §9.3.5 DELETE with a JSON Content-Type and no body (curl -H on every call) → 204', async () => {
    for (const contentType of ['application/scim+json', 'application/json; charset=utf-8']) {
      const created = await h.request('POST', '/Users', { body: userBody(`del-ctype-${contentType.length}@example.com`) });
      const res = await h.request('DELETE', `/Users/${created.body.id}`, { headers: { 'content-type': contentType } });
      assert.equal(res.status, 204, res.raw);
      assert.equal((await h.request('GET', `/Users/${created.body.id}`)).status, 404);
    }
  });

  it('rfc9110 §15.5.6 DELETE /Users (the collection) with a Content-Type and no body → 405 with Allow, not 400', async () => {
    const res = await h.request('DELETE', '/Users', { headers: { 'content-type': 'application/scim+json' } });
    assert.equal(res.status, 405, res.raw);
    assert.equal(res.body.status, '405');
    assert.equal(res.headers['allow'], 'GET, POST, HEAD');
  });

  it('DELETE /Groups/{id} answers 204', async () => {
    const group = await h.request('POST', '/Groups', { body: groupBody('Gone Group') });
    assert.equal((await h.request('DELETE', `/Groups/${group.body.id}`)).status, 204);
    assert.equal((await h.request('GET', `/Groups/${group.body.id}`)).status, 404);
  });
});
