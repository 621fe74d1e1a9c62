import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope, SCIM_BASE } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import type { JsonResult } from './group-stream.ts';
import type { ResourceResult } from './resource-view.ts';
import { createResourceService, type ResourceService } from './resources.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const NONE = { attributes: undefined, excludedAttributes: undefined };
const T0 = '2026-03-01T10:00:00.000Z';
/** docs/performance.md, "Big groups": the store reads members 1,000 at a time. */
const CHUNK = 1000;

/** The whole text of a streamed answer, and how many pieces it came in. */
async function readAll(result: ResourceResult | JsonResult): Promise<{ json: Record<string, unknown>; pieces: number }> {
  assert.ok('head' in result, 'JSON text');
  let text = result.head;
  let pieces = 1;
  for (let piece = await result.rest?.next(); piece !== undefined; piece = await result.rest?.next()) {
    text += piece;
    pieces++;
  }
  return { json: JSON.parse(text) as Record<string, unknown>, pieces };
}

describe('RFC 7644 §3.4.1 a group with its members as GET sends it: JSON text, the members a chunk at a time (docs/performance.md)', () => {
  let store: Store;
  let resources: ResourceService;
  const scope = lenientScope('t-1');
  const users: string[] = [];
  let small: string;
  let big: string;
  let empty: string;

  const group = async (displayName: string, members: readonly string[]) =>
    (
      (await resources.create(scope, 'Group', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) }, NONE))
        .resource as { id: string }
    ).id;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: T0 });
    resources = createResourceService({
      store,
      registries: { forTenant: async () => createCoreRegistry() },
      clock: () => new Date(T0),
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => `hash:${p}`,
    });
    for (let i = 0; i < CHUNK + 1; i++) {
      const { resource } = await resources.create(
        scope,
        'User',
        { schemas: [USER], userName: `u${i}`, ...(i === 0 ? { displayName: 'Ann' } : {}) },
        NONE,
      );
      users.push((resource as { id: string }).id);
    }
    small = await group('small', users.slice(0, 2));
    big = await group('big', users);
    empty = await group('empty', []);
  });
  after(() => store.close());

  it('a group of one chunk: one text, the group as a GET of it shows it, its version and location', async () => {
    const result = await resources.read(scope, 'Group', small, NONE);
    assert.ok('head' in result && result.rest === undefined, 'one text, no rest');
    const { json } = await readAll(result);
    const expected = (await resources.get(scope, 'Group', small, NONE)).resource;
    assert.deepEqual(json, expected);
    assert.deepEqual(json['members'], [
      { value: users[0], $ref: `${SCIM_BASE}/Users/${users[0]}`, display: 'Ann', type: 'User' },
      { value: users[1], $ref: `${SCIM_BASE}/Users/${users[1]}`, display: 'u1', type: 'User' },
    ]);
    assert.deepEqual([result.version, result.location], [1, `${SCIM_BASE}/Groups/${small}`]);
  });

  it('a group of more than one chunk: the text up to the members, then a chunk at a time, then the rest of the group', async () => {
    const result = await resources.read(scope, 'Group', big, NONE);
    assert.ok('head' in result && result.rest !== undefined);
    assert.ok(result.head.startsWith('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]'), result.head.slice(0, 80));
    const { json, pieces } = await readAll(result);
    assert.equal(pieces, 3, 'the head with the first chunk, the second chunk, the rest of the group');
    const members = json['members'] as Array<{ value: string }>;
    assert.deepEqual(
      members.map((m) => m.value),
      users,
    );
    assert.deepEqual([json['id'], json['displayName'], (json['meta'] as { version: string }).version], [big, 'big', 'W/"1"']);
    assert.equal(await result.rest!.next(), undefined, 'and nothing after the end');
  });

  it('what a member shows follows the request: members.value, or members left out; a group without members has none', async () => {
    const values = await readAll(await resources.read(scope, 'Group', small, { attributes: ['members.value'] }));
    assert.deepEqual(values.json, { schemas: [GROUP], id: small, members: [{ value: users[0] }, { value: users[1] }] });
    const noMembers = await resources.read(scope, 'Group', small, { excludedAttributes: ['members'] });
    assert.ok(!('head' in noMembers));
    assert.equal((noMembers as ResourceResult).resource['members'], undefined);
    const onlyName = await resources.read(scope, 'Group', big, { attributes: ['displayName'] });
    assert.deepEqual((onlyName as ResourceResult).resource, { schemas: [GROUP], id: big, displayName: 'big' });
    const none = await resources.read(scope, 'Group', empty, NONE);
    assert.ok(!('head' in none), 'no members to stream');
    assert.deepEqual(
      [(none as ResourceResult).resource['displayName'], (none as ResourceResult).resource['members']],
      ['empty', undefined],
    );
  });

  it('a reader that stops early closes the stream; an unknown group is 404', async () => {
    const result = (await resources.read(scope, 'Group', big, NONE)) as JsonResult;
    await result.rest!.close();
    for (const options of [NONE, { attributes: ['members'] }]) {
      await assert.rejects(resources.read(scope, 'Group', 'nope', options), (error: unknown) => {
        assert.ok(error instanceof ScimError, String(error));
        assert.deepEqual([error.status, error.detail], [404, 'Group nope not found']);
        return true;
      });
    }
  });
});
