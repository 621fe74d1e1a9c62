import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, groupBody, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const TOKEN = 'urn:ietf:params:scim:api:messages:2.0:delta:token';
const REQUEST = 'urn:ietf:params:scim:api:messages:2.0:delta:request';
const RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:delta:response';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** RFC 3986 §2.3 unreserved characters: what the draft allows in a token. */
const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;

function assertError(res: Reply, status: number, scimType: string | undefined, detail: RegExp): void {
  assert.equal(res.status, status, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, detail);
}

/** The (changeType, id) pairs of a delta page, in order. */
const changes = (res: Reply) =>
  (res.body.Resources as { changeType: string; changedResourceId: string }[]).map((r) => [r.changeType, r.changedResourceId]);

describe('draft-sehgal-scim-delta-query-02: delta tokens and delta queries, derived from the outbox', () => {
  let h: Harness;
  const patch = (path: string, operations: unknown[]) => h.request('PATCH', path, { body: { schemas: [PATCH], Operations: operations } });
  const delta = (prefix: string, body: Record<string, unknown>, token?: string) =>
    h.request('POST', `${prefix}/.delta`, { body: { schemas: [REQUEST], ...body }, ...(token ? { token } : {}) });
  const deltaToken = async (prefix = '') => {
    const res = await h.request('GET', `${prefix}/.deltaToken`);
    assert.equal(res.status, 200, res.raw);
    return res.body.value as string;
  };

  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  it('§4.4: ServiceProviderConfig advertises deltaQuery, its token lifetime (the event retention) and the resources', async () => {
    const spc = (await h.request('GET', '/ServiceProviderConfig')).body;
    assert.deepEqual(spc.deltaQuery, { supported: true, deltaTokenExpiry: 604800, supportedResources: ['ServerRoot', 'User', 'Group'] });
  });

  it('§4.2: GET /.deltaToken, /Users/.deltaToken and /Groups/.deltaToken answer a token message', async () => {
    for (const prefix of ['', '/Users', '/Groups']) {
      const res = await h.request('GET', `${prefix}/.deltaToken`);
      assert.equal(res.status, 200, res.raw);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      assert.deepEqual(res.body.schemas, [TOKEN]);
      assert.match(res.body.value, UNRESERVED);
      assert.ok(Date.parse(res.body.expiry) > Date.now() + 6 * 24 * 3600_000, 'valid as long as the retention');
    }
  });

  it('§5: creates, updates, deletes and a re-created userName, each resource once in the order of its first change, current state', async () => {
    const start = await deltaToken();
    const a = (await h.request('POST', '/Users', { body: userBody('delta-a@example.com') })).body;
    const b = (await h.request('POST', '/Users', { body: userBody('delta-b@example.com') })).body;
    assert.equal((await patch(`/Users/${a.id}`, [{ op: 'replace', path: 'title', value: 'Engineer' }])).status, 200);
    assert.equal((await h.request('DELETE', `/Users/${b.id}`)).status, 204);
    // The same userName again: a new resource with a new id, beside the deleted one.
    const b2 = (await h.request('POST', '/Users', { body: userBody('delta-b@example.com') })).body;
    const g = (await h.request('POST', '/Groups', { body: groupBody('delta-g', [a.id]) })).body;

    const users = await delta('/Users', { deltaToken: start });
    assert.equal(users.status, 200, users.raw);
    assert.deepEqual(users.body.schemas, [LIST]);
    assert.deepEqual(changes(users), [
      ['Create', a.id],
      ['Delete', b.id],
      ['Create', b2.id],
    ]);
    const [created, deleted] = users.body.Resources;
    assert.deepEqual(created.schemas, [RESPONSE]);
    assert.equal(created.resourceType, 'User');
    assert.equal(created.data.title, 'Engineer', 'the current state, after the PATCH');
    assert.deepEqual(
      created.data.groups.map((x: { value: string }) => x.value),
      [g.id],
    );
    assert.deepEqual(
      Object.keys(deleted).sort(),
      ['changeType', 'changedResourceId', 'resourceType', 'schemas'],
      'a Delete has no data (§5.2.1.3)',
    );
    assert.equal(users.body.totalResults, 3);
    assert.equal(users.body.nextCursor, undefined);
    assert.match(users.body.nextDeltaToken.value, UNRESERVED);
    assert.ok(Date.parse(users.body.nextDeltaToken.expiry) > Date.now());

    const groups = await delta('/Groups', { deltaToken: start });
    assert.deepEqual(changes(groups), [['Create', g.id]]);
    assert.deepEqual(
      groups.body.Resources[0].data.members.map((m: { value: string }) => m.value),
      [a.id],
    );
    const all = await delta('', { deltaToken: start });
    assert.deepEqual(changes(all), [...changes(users), ...changes(groups)]);

    // Nothing changed since: an empty page, and a token again.
    const none = await delta('', { deltaToken: all.body.nextDeltaToken.value });
    assert.deepEqual(none.body.Resources, []);
    assert.equal(none.body.totalResults, 0);
    assert.ok(none.body.nextDeltaToken.value);
  });

  it('§5: nested group changes are changes of the group whose members changed', async () => {
    const u = (await h.request('POST', '/Users', { body: userBody('nested-u@example.com') })).body;
    const inner = (await h.request('POST', '/Groups', { body: groupBody('nested-inner', [u.id]) })).body;
    const outer = (await h.request('POST', '/Groups', { body: groupBody('nested-outer') })).body;
    const start = await deltaToken('/Groups');
    assert.equal((await patch(`/Groups/${outer.id}`, [{ op: 'add', path: 'members', value: [{ value: inner.id }] }])).status, 204);
    const added = await delta('/Groups', { deltaToken: start });
    assert.deepEqual(changes(added), [['Update', outer.id]]);
    assert.deepEqual(
      added.body.Resources[0].data.members.map((m: { value: string; type: string }) => [m.value, m.type]),
      [[inner.id, 'Group']],
    );
    // The user's indirect membership is in its current state, though the user itself did not change.
    const viaUsers = await delta('/Users', { deltaToken: start });
    assert.deepEqual(changes(viaUsers), []);
    assert.deepEqual(
      (await h.request('GET', `/Users/${u.id}`)).body.groups.map((x: { value: string; type: string }) => [x.value, x.type]).sort(),
      [
        [inner.id, 'direct'],
        [outer.id, 'indirect'],
      ].sort(),
    );
    const next = added.body.nextDeltaToken.value;
    assert.equal((await patch(`/Groups/${outer.id}`, [{ op: 'remove', path: `members[value eq "${inner.id}"]` }])).status, 204);
    assert.equal((await h.request('DELETE', `/Groups/${inner.id}`)).status, 204);
    const removed = await delta('/Groups', { deltaToken: next });
    assert.deepEqual(changes(removed), [
      ['Update', outer.id],
      ['Delete', inner.id],
    ]);
    assert.equal(removed.body.Resources[0].data.members, undefined, 'no members left');
  });

  it('RFC 9865 paging: nextCursor until the last page, which alone carries nextDeltaToken; writes during the walk wait for the next token', async () => {
    const start = await deltaToken('/Users');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.request('POST', '/Users', { body: userBody(`page-${i}@example.com`) })).body.id);
    const first = await delta('/Users', { deltaToken: start, count: 2 });
    assert.deepEqual(changes(first), [
      ['Create', ids[0]],
      ['Create', ids[1]],
    ]);
    assert.equal(first.body.totalResults, 5);
    assert.equal(first.body.nextDeltaToken, undefined, 'never before the last page');
    assert.match(first.body.nextCursor, UNRESERVED);

    // Concurrent writes while the client pages: one to a resource already returned, one to a
    // resource still to come, and a new resource.
    assert.equal((await patch(`/Users/${ids[0]}`, [{ op: 'replace', path: 'title', value: 'moved' }])).status, 200);
    assert.equal((await patch(`/Users/${ids[3]}`, [{ op: 'replace', path: 'title', value: 'later' }])).status, 200);
    const late = (await h.request('POST', '/Users', { body: userBody('page-late@example.com') })).body.id;

    const second = await delta('/Users', { deltaToken: start, count: 2, cursor: first.body.nextCursor });
    assert.deepEqual(changes(second), [
      ['Create', ids[2]],
      ['Create', ids[3]],
    ]);
    assert.equal(second.body.Resources[1].data.title, 'later', 'always the current state');
    const third = await delta('/Users', { deltaToken: start, count: 2, cursor: second.body.nextCursor });
    assert.deepEqual(changes(third), [['Create', ids[4]]]);
    assert.equal(third.body.nextCursor, undefined);
    assert.equal(third.body.totalResults, 5);
    // Every write made during the walk is in the next delta: none is lost between two tokens.
    const next = await delta('/Users', { deltaToken: third.body.nextDeltaToken.value });
    assert.deepEqual(changes(next), [
      ['Update', ids[0]],
      ['Update', ids[3]],
      ['Create', late],
    ]);
  });

  it('§5: each changed resource once per walk: one changed again after the page that returned it is not on a later page', async () => {
    const carol = (await h.request('POST', '/Users', { body: userBody('walk-carol@example.com') })).body.id;
    const start = await deltaToken();
    const alice = (await h.request('POST', '/Users', { body: userBody('walk-alice@example.com') })).body.id;
    const bob = (await h.request('POST', '/Users', { body: userBody('walk-bob@example.com') })).body.id;
    assert.equal((await patch(`/Users/${carol}`, [{ op: 'replace', path: 'title', value: 'changed' }])).status, 200);
    assert.equal((await patch(`/Users/${alice}`, [{ op: 'replace', path: 'title', value: 'changed' }])).status, 200);
    const team = (await h.request('POST', '/Groups', { body: groupBody('walk-team') })).body.id;

    const first = await delta('', { deltaToken: start, count: 2 });
    assert.deepEqual(changes(first), [
      ['Create', alice],
      ['Create', bob],
    ]);
    const second = await delta('', { deltaToken: start, count: 2, cursor: first.body.nextCursor });
    assert.deepEqual(changes(second), [
      ['Update', carol],
      ['Create', team],
    ]);
    assert.equal(second.body.nextCursor, undefined);
    assert.equal(second.body.totalResults, 4);
  });

  it('§5.1: a filter narrows the changed resources; deletes are always returned', async () => {
    const start = await deltaToken();
    const keep = (await h.request('POST', '/Users', { body: userBody('filter-keep@example.com', { title: 'Keep' }) })).body;
    const other = (await h.request('POST', '/Users', { body: userBody('filter-other@example.com') })).body;
    const gone = (await h.request('POST', '/Users', { body: userBody('filter-gone@example.com', { title: 'Keep' }) })).body;
    assert.equal((await h.request('DELETE', `/Users/${gone.id}`)).status, 204);
    const res = await delta('/Users', { deltaToken: start, filter: 'title eq "Keep"', attributes: ['userName'] });
    assert.deepEqual(changes(res), [
      ['Create', keep.id],
      ['Delete', gone.id],
    ]);
    assert.deepEqual(Object.keys(res.body.Resources[0].data).sort(), ['id', 'schemas', 'userName']);
    assert.ok(other.id);
  });

  it('errors: no token, a token not issued here or to another tenant (400 invalidValue), a token older than the retention (400 expiredDeltaToken)', async () => {
    assertError(await delta('/Users', {}), 400, 'invalidValue', /needs a deltaToken/);
    assertError(await h.request('POST', '/Users/.delta', { body: { deltaToken: 'x' } }), 400, 'invalidValue', /delta:request/);
    assertError(await delta('/Users', { deltaToken: 'not-a-token' }), 400, 'invalidValue', /not one this service provider issued/);
    assertError(await delta('/Users', { deltaToken: await deltaToken(), startIndex: 1 }), 400, 'invalidValue', /cursor and count/);
    const globex = (await h.request('GET', '/.deltaToken', { token: h.tokenB })).body.value;
    assertError(await delta('/Users', { deltaToken: globex }), 400, 'invalidValue', /another tenant/);

    const old = await deltaToken();
    assert.equal((await h.request('POST', '/Users', { body: userBody('expired@example.com') })).status, 201);
    // Retention passes: the outbox drops what every sink (here: none) has delivered, once
    // numbered (on PostgreSQL the relay's reads number events before it prunes; here a read does).
    assert.equal((await h.request('GET', '/Events/position')).status, 200);
    assert.ok((await h.server.store.pruneEvents([], new Date(Date.now() + 60_000).toISOString())) > 0);
    assertError(await delta('/Users', { deltaToken: old }), 400, 'expiredDeltaToken', /no longer kept.*start over with a full query/);
    // A token taken after the pruning works.
    const fresh = await delta('/Users', { deltaToken: await deltaToken() });
    assert.equal(fresh.status, 200, fresh.raw);
  });

  it('GET /Events/position: the latest event position, the sequence the feed has reached', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('position@example.com') });
    assert.equal(created.status, 201);
    const position = await h.request('GET', '/Events/position');
    assert.equal(position.status, 200, position.raw);
    let last = 0;
    for (;;) {
      const page = (await h.request('GET', `/Events?after=${last}&count=1000`)).body;
      if (page.events.length === 0) break;
      last = page.lastSequence;
    }
    assert.deepEqual(position.body, { sequence: last });
    assert.equal((await h.request('GET', '/Events/position', { token: null })).status, 401);
  });
});
