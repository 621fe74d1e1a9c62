import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { lenientScope } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createDeltaService, type DeltaService } from './delta.ts';
import { createResourceService, type ResourceService } from './resources.ts';

/** draft-sehgal-scim-delta-query-02 §4.2, §5.1, §5.2. */
const TOKEN_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:delta:token';
const REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:delta:request';
const RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:delta:response';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const NONE = { attributes: undefined, excludedAttributes: undefined };
/** SCIMD_EVENT_RETENTION's default, 7 days. */
const RETENTION = 604_800;
const BOTH: readonly ResourceTypeName[] = ['User', 'Group'];

/** A ScimError with this status, scimType and detail. */
function scim(status: number, scimType: string, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType, error.detail], [status, scimType, detail]);
    return true;
  };
}

const NOT_ISSUED = 'the deltaToken is not one this service provider issued (use the value of a nextDeltaToken or of GET /.deltaToken)';

/** The token's JSON body, read as a client could (it is base64url before a dot). */
const tokenBody = (value: string) => JSON.parse(Buffer.from(value.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

/**
 * A token forged by someone who knows the format (base64url JSON, a dot, 8 characters of a
 * SHA-256 over a fixed prefix and the body): to reach the checks behind the checksum.
 */
function forge(payload: unknown): string {
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHash('sha256').update(`scimd-delta-token:${body}`).digest('base64url').slice(0, 8)}`;
}

type Response = Record<string, unknown> & { Resources: Array<Record<string, unknown>> };

describe('draft-sehgal-scim-delta-query-02 delta queries (docs/delta-query.md), read from the outbox', () => {
  let store: Store;
  let resources: ResourceService;
  let delta: DeltaService;
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const clock = () => new Date(now);
  const scope = lenientScope('t-1');
  const names = new Map<string, string>();
  const ids: Record<string, string> = {};
  let t0: string;

  async function user(userName: string): Promise<string> {
    const { resource } = await resources.create(scope, 'User', { schemas: [USER], userName }, NONE);
    const id = (resource as { id: string }).id;
    names.set(id, userName);
    ids[userName] = id;
    return id;
  }
  const rename = (id: string, displayName: string) =>
    resources.patch(
      scope,
      'User',
      id,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: displayName }] },
      undefined,
    );
  const query = async (body: Record<string, unknown>, types = BOTH) =>
    (await delta.query(scope, types, { schemas: [REQUEST_SCHEMA], ...body })) as Response;
  /** "<changeType> <userName or displayName>" of each entry. */
  const changes = (response: Response) =>
    response.Resources.map((r) => `${r['changeType']} ${names.get(r['changedResourceId'] as string) ?? r['changedResourceId']}`);

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: clock().toISOString() });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: clock().toISOString() });
    resources = createResourceService({
      store,
      registries: { forTenant: async () => createCoreRegistry() },
      clock,
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => `hash:${p}`,
    });
    delta = createDeltaService({
      store,
      resources,
      clock,
      limits: { maxResults: 4, defaultPageSize: 2, cursorTimeoutSeconds: 60 },
      retentionSeconds: RETENTION,
    });
    const carol = await user('carol');
    t0 = (await delta.token(scope)).value;
    const alice = await user('alice');
    await rename(alice, 'Alice A');
    const bob = await user('bob');
    await resources.remove(scope, 'User', bob, undefined);
    await rename(carol, 'Carol C');
    const { resource } = await resources.create(
      scope,
      'Group',
      { schemas: [GROUP], displayName: 'team', members: [{ value: alice }] },
      NONE,
    );
    names.set((resource as { id: string }).id, 'team');
    ids['team'] = (resource as { id: string }).id;
  });
  after(() => store.close());

  it('§4.2 GET /.deltaToken: an opaque token of unreserved characters for the latest position, and its expiry (now + retention)', async () => {
    now += 1500;
    const token = await delta.token(scope);
    assert.deepEqual(Object.keys(token), ['schemas', 'value', 'expiry']);
    assert.deepEqual(token.schemas, [TOKEN_SCHEMA]);
    assert.match(token.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8}$/);
    assert.equal(token.expiry, new Date(now + RETENTION * 1000).toISOString());
    const latest = await store.latestSequence('t-1');
    assert.ok(latest >= 6, 'six writes, at least one event each');
    assert.equal(await delta.position(scope), latest);
    const body = tokenBody(token.value);
    assert.deepEqual([body['v'], body['p'], body['t']], [1, latest, Math.floor(now / 1000)]);
    assert.equal(tokenBody((await delta.token(lenientScope('t-2'))).value)['p'], 0, 'a tenant without events');
  });

  it('§5.2 each changed resource once, in the order of its first change, with its current state; a deleted one as Delete without data', async () => {
    const response = await query({ deltaToken: t0, count: 4 });
    assert.deepEqual(Object.keys(response), ['schemas', 'totalResults', 'itemsPerPage', 'nextDeltaToken', 'Resources']);
    assert.deepEqual([response['schemas'], response['totalResults'], response['itemsPerPage']], [[LIST], 4, 4]);
    assert.deepEqual(changes(response), ['Create alice', 'Delete bob', 'Update carol', 'Create team']);
    const [alice, bob, carol, team] = response.Resources as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    assert.deepEqual(bob, { schemas: [RESPONSE_SCHEMA], changedResourceId: ids['bob'], resourceType: 'User', changeType: 'Delete' });
    assert.deepEqual(Object.keys(alice), ['schemas', 'changedResourceId', 'resourceType', 'changeType', 'data']);
    assert.deepEqual([alice['schemas'], alice['resourceType']], [[RESPONSE_SCHEMA], 'User']);
    const data = alice['data'] as Record<string, unknown>;
    assert.deepEqual([data['id'], data['userName'], data['displayName']], [ids['alice'], 'alice', 'Alice A']);
    assert.equal((carol['data'] as Record<string, unknown>)['displayName'], 'Carol C');
    assert.deepEqual([team['resourceType'], (team['data'] as Record<string, unknown>)['displayName']], ['Group', 'team']);
    const next = response['nextDeltaToken'] as { value: string; expiry: string };
    assert.deepEqual(Object.keys(next), ['value', 'expiry']);
    assert.equal(next.expiry, new Date(now + RETENTION * 1000).toISOString());
    assert.equal(tokenBody(next.value)['p'], await store.latestSequence('t-1'));

    const empty = await query({ deltaToken: next.value });
    assert.deepEqual([empty['totalResults'], empty['itemsPerPage'], empty.Resources], [0, 0, []]);
    assert.ok(empty['nextDeltaToken'] !== undefined && empty['nextCursor'] === undefined);
  });

  it('per endpoint: /Users/.delta the users, /Groups/.delta the groups, totalResults counted for it', async () => {
    const users = await query({ deltaToken: t0, count: 4 }, ['User']);
    assert.deepEqual([changes(users), users['totalResults']], [['Create alice', 'Delete bob', 'Update carol'], 3]);
    const groups = await query({ deltaToken: t0 }, ['Group']);
    assert.deepEqual([changes(groups), groups['totalResults']], [['Create team'], 1]);
  });

  it('RFC 9865 paging: count (default 2 here, at least 1, at most 4), nextCursor until the last page, a walk pinned to its first page', async () => {
    const first = await query({ deltaToken: t0 });
    assert.deepEqual([changes(first), first['totalResults'], first['itemsPerPage']], [['Create alice', 'Delete bob'], 4, 2]);
    assert.deepEqual(Object.keys(first), ['schemas', 'totalResults', 'itemsPerPage', 'nextCursor', 'Resources']);
    await user('dave');
    const second = await query({ deltaToken: t0, cursor: first['nextCursor'] });
    assert.deepEqual([changes(second), second['totalResults']], [['Update carol', 'Create team'], 4]);
    assert.equal(second['nextCursor'], undefined);
    const next = await query({ deltaToken: (second['nextDeltaToken'] as { value: string }).value });
    assert.deepEqual(changes(next), ['Create dave'], 'a write during the walk is in the next delta');

    assert.deepEqual(changes(await query({ deltaToken: t0, count: 0 })), ['Create alice']);
    assert.deepEqual(changes(await query({ deltaToken: t0, count: 1, cursor: '' })), ['Create alice']);
    const capped = await query({ deltaToken: t0, count: 100 });
    assert.deepEqual([changes(capped), capped['totalResults']], [['Create alice', 'Delete bob', 'Update carol', 'Create team'], 5]);
    assert.ok(capped['nextCursor'] !== undefined);

    await assert.rejects(
      query({ deltaToken: t0, cursor: first['nextCursor'] }, ['User']),
      scim(400, 'invalidCursor', 'the cursor belongs to a query with another filter, sort order or resource type'),
    );
    const start = now;
    now += 61_000;
    await assert.rejects(
      query({ deltaToken: t0, cursor: first['nextCursor'] }),
      scim(400, 'expiredCursor', 'the cursor expired (cursors are valid for 60 seconds)'),
    );
    now = start;
  });

  it('the SearchRequest attributes: a changed resource that does not match the filter is left out, a Delete always comes; attributes', async () => {
    const filtered = await query({ deltaToken: t0, count: 4, filter: 'userName sw "a"' }, ['User']);
    assert.deepEqual([changes(filtered), filtered['totalResults'], filtered['itemsPerPage']], [['Create alice', 'Delete bob'], 4, 2]);
    const onlyName = await query({ deltaToken: t0, count: 1, attributes: ['userName'] }, ['User']);
    const data = onlyName.Resources[0]!['data'] as Record<string, unknown>;
    assert.deepEqual([data['userName'], data['displayName']], ['alice', undefined]);
    const without = await query({ deltaToken: t0, count: 1, excludedAttributes: ['displayName'] }, ['User']);
    assert.equal((without.Resources[0]!['data'] as Record<string, unknown>)['displayName'], undefined);
    const groups = await query({ deltaToken: t0, count: 4, filter: 'displayName eq "team"' }, ['Group']);
    assert.deepEqual(changes(groups), ['Create team']);
    const none = await query({ deltaToken: t0, count: 4, filter: 'displayName eq "nobody"' }, ['Group']);
    assert.deepEqual([changes(none), none['totalResults']], [[], 1]);
  });

  it('the attribute list limits of the deployment (SCIMD_MAX_ATTRIBUTE_NAMES) hold in a delta request', async () => {
    const narrow = createDeltaService({
      store,
      resources,
      clock,
      limits: { maxResults: 4, defaultPageSize: 2, cursorTimeoutSeconds: 60 },
      retentionSeconds: RETENTION,
      attributeLimits: { maxLength: 4096, maxNames: 1 },
    });
    const body = { schemas: [REQUEST_SCHEMA], deltaToken: t0, attributes: ['userName', 'displayName'] };
    await assert.rejects(narrow.query(scope, ['User'], body), (error: unknown) => {
      assert.ok(error instanceof ScimError, String(error));
      assert.deepEqual([error.status, error.detail], [400, 'attribute list names more than 1 attributes']);
      return true;
    });
    assert.equal((await query({ deltaToken: t0, count: 1, attributes: ['userName', 'displayName'] }, ['User'])).Resources.length, 1);
  });

  it('§5 each changed resource once per walk: one changed again after the page that returned it is not on a later page', async () => {
    // In a tenant of its own, so that the walk is exactly these changes.
    const own = lenientScope('t-3');
    await store.createTenant({ id: 't-3', name: 'walk', createdAt: clock().toISOString() });
    const create = async (userName: string) => {
      const { resource } = await resources.create(own, 'User', { schemas: [USER], userName }, NONE);
      names.set((resource as { id: string }).id, `${userName}@t-3`);
      return (resource as { id: string }).id;
    };
    const touch = (id: string) =>
      resources.patch(own, 'User', id, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, undefined);
    const carol = await create('carol');
    const token = (await delta.token(own)).value;
    const alice = await create('alice');
    await create('bob');
    await touch(carol);
    await touch(alice);
    const { resource } = await resources.create(own, 'Group', { schemas: [GROUP], displayName: 'team' }, NONE);
    names.set((resource as { id: string }).id, 'team@t-3');
    const walk = async (count: number) => {
      const pages: string[][] = [];
      let cursor: unknown;
      do {
        const page = (await delta.query(own, BOTH, { schemas: [REQUEST_SCHEMA], deltaToken: token, count, cursor })) as Response;
        assert.equal(page['totalResults'], 4);
        pages.push(changes(page));
        cursor = page['nextCursor'];
      } while (cursor !== undefined);
      return pages;
    };
    assert.deepEqual(await walk(2), [
      ['Create alice@t-3', 'Create bob@t-3'],
      ['Update carol@t-3', 'Create team@t-3'],
    ]);
    assert.deepEqual(await walk(1), [['Create alice@t-3'], ['Create bob@t-3'], ['Update carol@t-3'], ['Create team@t-3']]);
    assert.deepEqual(await walk(3), [['Create alice@t-3', 'Create bob@t-3', 'Update carol@t-3'], ['Create team@t-3']]);
  });

  it('a resource changed 200 times is one change of the walk, and the changes after it are reached', async () => {
    const token = (await delta.token(scope)).value;
    const busy = await user('busy');
    for (let i = 0; i < 200; i++) await rename(busy, `Busy ${i}`);
    await user('late');
    assert.deepEqual(changes(await query({ deltaToken: token, count: 4 })), ['Create busy', 'Create late']);
    assert.deepEqual(changes(await query({ deltaToken: token, count: 1 })), ['Create busy']);
  });

  it('refused requests: the message schema, a deltaToken, no sortBy or startIndex (400 invalidValue)', async () => {
    await assert.rejects(delta.query(scope, BOTH, 'x'), scim(400, 'invalidSyntax', 'a delta query request body must be a JSON object'));
    await assert.rejects(
      delta.query(scope, BOTH, { deltaToken: t0 }),
      scim(400, 'invalidValue', `a delta query request must list the schema ${REQUEST_SCHEMA}`),
    );
    for (const deltaToken of [undefined, '', 5]) {
      await assert.rejects(query({ deltaToken }), scim(400, 'invalidValue', 'a delta query request needs a deltaToken (a string)'));
    }
    await assert.rejects(
      query({ deltaToken: t0, sortBy: 'userName' }),
      scim(400, 'invalidValue', 'sortBy is not supported in a delta query: changes come in the order they were made'),
    );
    await assert.rejects(
      query({ deltaToken: t0, startIndex: 1 }),
      scim(400, 'invalidValue', 'a delta query pages with cursor and count (RFC 9865), not startIndex'),
    );
  });

  it('a deltaToken this server did not issue, or issued to another tenant, or past the tenant position, is 400 invalidValue', async () => {
    const [body, sum] = t0.split('.') as [string, string];
    const flipped = `${body}.${sum.slice(0, 7)}${sum.endsWith('A') ? 'B' : 'A'}`;
    const mark = tokenBody(t0)['h'];
    const position = tokenBody(t0)['p'] as number;
    const forged = [
      'abc',
      `${t0}.x`,
      `.${sum}`,
      `${body}.`,
      flipped,
      forge('not json'),
      forge({ v: 2, p: position, t: 0, h: mark }),
      forge({ v: 1, p: -1, t: 0, h: mark }),
      forge({ v: 1, p: 1.5, t: 0, h: mark }),
      forge({ v: 1, p: String(position), t: 0, h: mark }),
    ];
    for (const deltaToken of forged) await assert.rejects(query({ deltaToken }), scim(400, 'invalidValue', NOT_ISSUED), deltaToken);
    assert.deepEqual(
      changes(await query({ deltaToken: forge({ v: 1, p: position, t: 0, h: mark }), count: 1 })),
      ['Create alice'],
      'the forger got the format right',
    );
    const other = (await delta.token(lenientScope('t-2'))).value;
    await assert.rejects(query({ deltaToken: other }), scim(400, 'invalidValue', 'the deltaToken was issued to another tenant'));
    const latest = await store.latestSequence('t-1');
    await assert.rejects(
      query({ deltaToken: forge({ v: 1, p: latest + 1, t: 0, h: mark }) }),
      scim(400, 'invalidValue', 'the deltaToken names a position this tenant has not reached'),
    );
    assert.deepEqual((await query({ deltaToken: forge({ v: 1, p: latest, t: 0, h: mark }) })).Resources, []);
  });

  it('events pruned after the token: 400 expiredDeltaToken, start over', async () => {
    const latest = await store.latestSequence('t-1');
    await store.markDelivered('sink', 't-1', latest);
    assert.ok((await store.pruneEvents(['sink'], new Date(now + 1000).toISOString())) > 0);
    await assert.rejects(
      query({ deltaToken: t0 }),
      scim(
        400,
        'expiredDeltaToken',
        `the changes after this deltaToken are no longer kept (events are kept ${RETENTION} s): start over with a full query after GET /.deltaToken`,
      ),
    );
    const fresh = (await delta.token(scope)).value;
    await user('after-prune');
    assert.deepEqual(changes(await query({ deltaToken: fresh })), ['Create after-prune']);
  });
});
