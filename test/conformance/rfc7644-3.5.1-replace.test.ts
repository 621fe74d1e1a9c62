import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, type Harness, startHarness, userBody } from '../helpers/harness.ts';

describe('rfc7644 §3.5.1 replacing with PUT', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('PUT replaces: omitted readWrite attributes are cleared, the version moves on', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('put@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'put@example.com', title: 'Boss' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.title, 'Boss');
    assert.equal(res.body.name, undefined);
    assert.equal(res.body.emails, undefined);
    assert.equal(res.body[ENTERPRISE], undefined);
    assert.notEqual(res.body.meta.version, created.body.meta.version);
    assert.equal(res.headers['etag'], res.body.meta.version);
    assert.equal(res.body.meta.created, created.body.meta.created);
  });

  it('okta: a full-object PUT with id, meta, groups: [] and schemas is accepted, readOnly parts ignored', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('okta-put@example.com') });
    const body = { ...created.body, groups: [], displayName: 'Changed', meta: { ...created.body.meta, version: 'W/"77"' } };
    const res = await h.request('PUT', `/Users/${created.body.id}`, { body });
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Changed');
    assert.equal(res.body.id, created.body.id);
  });

  it('a PUT that changes nothing keeps the version', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('same@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, { body: created.body });
    assert.equal(res.status, 200);
    assert.equal(res.body.meta.version, created.body.meta.version);
    assert.equal(res.body.meta.lastModified, created.body.meta.lastModified);
  });

  it('a body id different from the URL id is ignored (readOnly)', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('idbody@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, { body: { ...created.body, id: 'other' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, created.body.id);
  });

  it('rfc7644 §3.14 If-Match with a stale version → 412, nothing changes', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('stale@example.com') });
    await h.request('PUT', `/Users/${created.body.id}`, { body: { ...created.body, title: 'v2' } });
    const res = await h.request('PUT', `/Users/${created.body.id}`, {
      body: { ...created.body, title: 'v3' },
      headers: { 'if-match': created.body.meta.version },
    });
    assert.equal(res.status, 412);
    const read = await h.request('GET', `/Users/${created.body.id}`);
    assert.equal(read.body.title, 'v2');
  });

  it('rfc7644 §3.14 If-Match with the current version → 200', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('fresh@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, {
      body: { ...created.body, title: 'ok' },
      headers: { 'if-match': created.body.meta.version },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.title, 'ok');
  });

  it("PUT to another user's userName → 409 uniqueness", async () => {
    await h.request('POST', '/Users', { body: userBody('taken@example.com') });
    const created = await h.request('POST', '/Users', { body: userBody('mover@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, { body: { ...created.body, userName: 'Taken@example.com' } });
    assert.equal(res.status, 409);
    assert.equal(res.body.scimType, 'uniqueness');
  });

  it('rfc7240 Prefer: return=minimal on PUT → 204 with the new ETag and no body', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('minimal@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, {
      body: { ...created.body, title: 'quiet' },
      headers: { prefer: 'return=minimal' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.raw, '');
    const read = await h.request('GET', `/Users/${created.body.id}`);
    assert.equal(read.body.title, 'quiet');
    assert.equal(res.headers['etag'], read.body.meta.version);
  });

  it('PUT of an unknown id → 404', async () => {
    const res = await h.request('PUT', '/Users/nope', { body: userBody('nope@example.com') });
    assert.equal(res.status, 404);
  });

  it('a password sent with PUT is hashed, never echoed; omitting it later keeps it', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('pwput@example.com') });
    const res = await h.request('PUT', `/Users/${created.body.id}`, { body: { ...created.body, password: 'N3wPassw0rd!' } });
    assert.equal(res.status, 200);
    assert.ok(!res.raw.includes('N3wPassw0rd!'));
    const stored = await h.server.store.get((await h.server.store.findTenantByName('acme'))!.id, 'User', created.body.id, {
      passwordHash: true,
    });
    assert.match(stored!.passwordHash!, /^scrypt\$/);
    await h.request('PUT', `/Users/${created.body.id}`, { body: { ...created.body, title: 'x' } });
    const again = await h.server.store.get((await h.server.store.findTenantByName('acme'))!.id, 'User', created.body.id, {
      passwordHash: true,
    });
    assert.equal(again!.passwordHash, stored!.passwordHash);
  });
});
