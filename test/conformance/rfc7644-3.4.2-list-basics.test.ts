import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;

describe('rfc7644 §3.4.2 listing: the lookups identity providers need from day one', () => {
  let h: Harness;
  const ids: string[] = [];
  before(async () => {
    h = await startHarness();
    for (let i = 0; i < 7; i++) {
      ids.push((await h.request('POST', '/Users', { body: userBody(`list${i}@example.com`) })).body.id);
    }
    await h.request('POST', '/Groups', { body: groupBody('Engineering') });
  });
  after(() => h.close());

  it('rfc7644 §3.4.2 a ListResponse with integers and Resources', async () => {
    const res = await h.request('GET', '/Users');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    assert.equal(res.body.totalResults, 7);
    assert.equal(res.body.startIndex, 1);
    assert.equal(res.body.itemsPerPage, 7);
    assert.equal(res.body.Resources.length, 7);
  });

  it('okta: userName eq finds the user whatever the case of the value', async () => {
    const res = await h.request('GET', `/Users?${q('userName eq "LIST3@EXAMPLE.COM"')}&startIndex=1&count=100`);
    assert.equal(res.body.totalResults, 1);
    assert.equal(res.body.Resources[0].userName, 'list3@example.com');
  });

  it('entra: Test Connection — userName eq a random GUID → 200 with totalResults 0', async () => {
    const res = await h.request('GET', `/Users?${q('userName eq "9d2b4f6e-0c1a-4e1b-9f0e-3b1c2d4e5f60"')}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.totalResults, 0);
    assert.deepEqual(res.body.Resources, []);
  });

  it('externalId eq is exact (caseExact)', async () => {
    assert.equal((await h.request('GET', `/Users?${q('externalId eq "ext-list2@example.com"')}`)).body.totalResults, 1);
    assert.equal((await h.request('GET', `/Users?${q('externalId eq "EXT-LIST2@example.com"')}`)).body.totalResults, 0);
  });

  it('id eq finds one resource', async () => {
    const res = await h.request('GET', `/Users?${q(`id eq "${ids[4]}"`)}`);
    assert.equal(res.body.totalResults, 1);
    assert.equal(res.body.Resources[0].id, ids[4]);
  });

  it('entra: groups by displayName eq, with excludedAttributes=members', async () => {
    const res = await h.request('GET', `/Groups?${q('displayName eq "engineering"')}&excludedAttributes=members`);
    assert.equal(res.body.totalResults, 1);
    assert.equal(res.body.Resources[0].displayName, 'Engineering');
    assert.equal(res.body.Resources[0].members, undefined);
  });

  it('okta: startIndex and count page over a stable order', async () => {
    const page1 = await h.request('GET', '/Users?startIndex=1&count=3');
    const page2 = await h.request('GET', '/Users?startIndex=4&count=3');
    const page3 = await h.request('GET', '/Users?startIndex=7&count=3');
    assert.equal(page1.body.itemsPerPage, 3);
    assert.equal(page2.body.startIndex, 4);
    assert.equal(page3.body.itemsPerPage, 1);
    const seen = [...page1.body.Resources, ...page2.body.Resources, ...page3.body.Resources].map((u: { id: string }) => u.id);
    assert.deepEqual(seen, ids);
  });

  it('rfc7644 §3.4.2.4 count=0 returns only totalResults', async () => {
    const res = await h.request('GET', '/Users?count=0');
    assert.equal(res.body.totalResults, 7);
    assert.equal(res.body.itemsPerPage, 0);
    assert.deepEqual(res.body.Resources, []);
  });

  it('rfc7644 §3.4.2.4 startIndex below 1 is read as 1, a negative count as 0', async () => {
    const res = await h.request('GET', '/Users?startIndex=-5&count=-1');
    assert.equal(res.body.startIndex, 1);
    assert.equal(res.body.itemsPerPage, 0);
  });

  it('a non-integer count is 400', async () => {
    const res = await h.request('GET', '/Users?count=ten');
    assert.equal(res.status, 400);
  });

  it('an unparsable filter is 400 invalidFilter', async () => {
    const res = await h.request('GET', `/Users?${q('userName eq')}`);
    assert.equal(res.status, 400);
    assert.equal(res.body.scimType, 'invalidFilter');
  });
});
