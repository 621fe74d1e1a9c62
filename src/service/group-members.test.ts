import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope, listParams, SCIM_BASE } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { DEFAULT_FILTER_LIMITS } from '../filter/parser.ts';
import { tenantRegistry } from '../schema/custom.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { GROUP_MEMBER_TYPE } from '../schema/types/group-member.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createGroupMemberService, type GroupMemberService } from './group-members.ts';
import type { ListParams } from './list-params.ts';
import { PROFILES } from './profiles.ts';
import { createResourceService, type ResourceService } from './resources.ts';

/** draft-zollner-scim-group-members-01 §4.2, and RFC 7644's messages. */
const GROUP_MEMBER = 'urn:ietf:params:scim:schemas:core:2.0:GroupMember';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const NONE = { attributes: undefined, excludedAttributes: undefined };
const T0 = '2026-03-01T10:00:00.000Z';

/** A ScimError with this status, scimType and detail. */
function scim(status: number, scimType: string | undefined, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType, error.detail], [status, scimType, detail]);
    return true;
  };
}

describe("draft-zollner-scim-group-members-01 GroupMembers (docs/group-members.md), a group's memberships as resources", () => {
  let store: Store;
  let resources: ResourceService;
  let members: GroupMemberService;
  let now = Date.parse(T0);
  const clock = () => new Date(now);
  const scope = lenientScope('t-1');
  const registry = tenantRegistry(createCoreRegistry(), [], [GROUP_MEMBER_TYPE]);
  let ann: string;
  let bob: string;
  let team: string;
  let inner: string;

  const idOf = (written: { resource: unknown }) => (written.resource as { id: string }).id;
  const body = (groupId: unknown, memberId: unknown) => ({
    schemas: [GROUP_MEMBER],
    group: { value: groupId },
    member: { value: memberId },
  });
  const list = async (params: Partial<ListParams>, s = scope) =>
    (await members.list(s, listParams(params))) as Record<string, unknown> & { Resources: Array<Record<string, unknown>> };
  const ids = (response: { Resources: Array<Record<string, unknown>> }) => response.Resources.map((r) => r['id']);

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: T0 });
    const registries = { forTenant: async () => registry };
    const limits = { maxResults: 3, defaultPageSize: 2, cursorTimeoutSeconds: 60 };
    resources = createResourceService({ store, registries, clock, limits, hashPassword: async (p) => `hash:${p}` });
    members = createGroupMemberService({
      store,
      registries,
      clock,
      limits,
      filterLimits: DEFAULT_FILTER_LIMITS,
      changeMembers: resources.changeMembers,
    });
    ann = idOf(await resources.create(scope, 'User', { schemas: [USER], userName: 'ann', displayName: 'Ann A' }, NONE));
    bob = idOf(await resources.create(scope, 'User', { schemas: [USER], userName: 'bob' }, NONE));
    inner = idOf(await resources.create(scope, 'Group', { schemas: [GROUP], displayName: 'Inner' }, NONE));
    team = idOf(await resources.create(scope, 'Group', { schemas: [GROUP], displayName: 'Team' }, NONE));
  });
  after(() => store.close());

  it('§6.1, §4.2: POST adds the member and answers the membership: id group~member, references, displays, meta.created', async () => {
    now = Date.parse('2026-03-01T10:00:01.000Z');
    const added = await members.create(scope, body(team, ann), NONE);
    const id = `${team}~${ann}`;
    assert.deepEqual(added, {
      location: `${SCIM_BASE}/GroupMembers/${id}`,
      resource: {
        schemas: [GROUP_MEMBER],
        id,
        group: { value: team, $ref: `${SCIM_BASE}/Groups/${team}`, display: 'Team' },
        member: { value: ann, $ref: `${SCIM_BASE}/Users/${ann}`, type: 'User', display: 'Ann A' },
        meta: {
          resourceType: 'GroupMember',
          created: '2026-03-01T10:00:01.000Z',
          lastModified: '2026-03-01T10:00:01.000Z',
          location: `${SCIM_BASE}/GroupMembers/${id}`,
        },
      },
    });
    const group = await resources.get(scope, 'Group', team, NONE);
    assert.deepEqual(
      ((group.resource as { members: Array<{ value: string }> }).members ?? []).map((m) => m.value),
      [ann],
      '§7.1.2: the group lists the member',
    );

    now = Date.parse('2026-03-01T10:00:02.000Z');
    // The member's display is its userName without a displayName; a group member is of type Group.
    const second = await members.create(
      scope,
      {
        schemas: ['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUPMEMBER'],
        Group: { VALUE: team },
        member: { value: bob, type: 'Group', display: 'not bob' },
      },
      NONE,
    );
    assert.deepEqual(second.resource['member'], { value: bob, $ref: `${SCIM_BASE}/Users/${bob}`, type: 'User', display: 'bob' });
    now = Date.parse('2026-03-01T10:00:03.000Z');
    const nested = await members.create(scope, body(team, inner), { attributes: ['member'] });
    assert.deepEqual(nested.resource, {
      schemas: [GROUP_MEMBER],
      id: `${team}~${inner}`,
      member: { value: inner, $ref: `${SCIM_BASE}/Groups/${inner}`, type: 'Group', display: 'Inner' },
    });
    assert.equal(nested.location, `${SCIM_BASE}/GroupMembers/${team}~${inner}`);
  });

  it('§6.1: a membership that exists is 409 uniqueness; a group or member that does not exist is 400 invalidValue', async () => {
    await assert.rejects(
      members.create(scope, body(team, ann), NONE),
      scim(409, 'uniqueness', `"${ann}" is a member of group "${team}" already`),
    );
    const missing = '00000000-0000-0000-0000-000000000000';
    await assert.rejects(members.create(scope, body(missing, ann), NONE), scim(400, 'invalidValue', `group "${missing}" does not exist`));
    await assert.rejects(members.create(scope, body(bob, ann), NONE), scim(400, 'invalidValue', `group "${bob}" does not exist`));
    await assert.rejects(members.create(scope, body(inner, missing), NONE), (error: unknown) => {
      assert.ok(error instanceof ScimError, String(error));
      assert.deepEqual([error.status, error.scimType], [400, 'invalidValue']);
      return true;
    });
  });

  it('§6.1: the body is a GroupMember with group.value and member.value (strings), in any letter case', async () => {
    for (const bad of ['x', null, [body(team, ann)]]) {
      await assert.rejects(members.create(scope, bad, NONE), scim(400, 'invalidValue', 'a GroupMember must be a JSON object'));
    }
    for (const schemas of [undefined, 'x', [], [GROUP], [5]]) {
      await assert.rejects(
        members.create(scope, { ...body(team, ann), schemas }, NONE),
        scim(400, 'invalidValue', `schemas must contain ${GROUP_MEMBER}`),
      );
    }
    const refused = (name: string) => scim(400, 'invalidValue', `${name}.value is required: the id of the ${name}`);
    await assert.rejects(members.create(scope, { schemas: [GROUP_MEMBER], member: { value: ann } }, NONE), refused('group'));
    await assert.rejects(members.create(scope, body('', ann), NONE), refused('group'));
    await assert.rejects(members.create(scope, body(5, ann), NONE), refused('group'));
    await assert.rejects(members.create(scope, { schemas: [GROUP_MEMBER], group: team, member: { value: ann } }, NONE), refused('group'));
    await assert.rejects(members.create(scope, { schemas: [GROUP_MEMBER], group: null, member: { value: ann } }, NONE), refused('group'));
    await assert.rejects(members.create(scope, { schemas: [GROUP_MEMBER], group: { value: team }, member: {} }, NONE), refused('member'));
    await assert.rejects(members.create(scope, { schemas: [GROUP_MEMBER], group: { value: team } }, NONE), refused('member'));
  });

  it('§6.2: GET /GroupMembers/{id} answers the membership; an id that names none is 404', async () => {
    const found = await members.get(scope, `${team}~${ann}`, { excludedAttributes: ['meta'] });
    assert.deepEqual(found.resource, {
      schemas: [GROUP_MEMBER],
      id: `${team}~${ann}`,
      group: { value: team, $ref: `${SCIM_BASE}/Groups/${team}`, display: 'Team' },
      member: { value: ann, $ref: `${SCIM_BASE}/Users/${ann}`, type: 'User', display: 'Ann A' },
    });
    assert.equal(found.location, `${SCIM_BASE}/GroupMembers/${team}~${ann}`);
    for (const id of [`${inner}~${ann}`, `${team}~${ann}~x`, `~${ann}`, `${team}~`, team, '']) {
      await assert.rejects(members.get(scope, id, NONE), scim(404, undefined, `GroupMember ${id} not found`), id);
    }
  });

  it('§6.2, §6.2.2: a ListResponse in the order the members were added; any attribute filters; sortBy is refused', async () => {
    const all = await list({ count: 3 });
    assert.deepEqual(Object.keys(all), ['schemas', 'totalResults', 'itemsPerPage', 'startIndex', 'Resources']);
    assert.deepEqual([all['schemas'], all['totalResults'], all['itemsPerPage'], all['startIndex']], [[LIST], 3, 3, 1]);
    assert.deepEqual(ids(all), [`${team}~${ann}`, `${team}~${bob}`, `${team}~${inner}`]);
    assert.deepEqual(ids(await list({ filter: `member.value eq "${bob}"` })), [`${team}~${bob}`]);
    assert.deepEqual(ids(await list({ filter: 'member.type eq "group"' })), [`${team}~${inner}`]);
    assert.deepEqual(ids(await list({ filter: 'member.display sw "ANN"' })), [`${team}~${ann}`]);
    const strict = { ...scope, profile: PROFILES.strict };
    assert.deepEqual(ids(await list({ filter: 'member.display eq "bob"' }, strict)), [`${team}~${bob}`]);
    await assert.rejects(list({ filter: 'member.display eq bob' }, strict), (error: unknown) => {
      assert.ok(error instanceof ScimError, String(error));
      assert.deepEqual([error.status, error.scimType], [400, 'invalidFilter']);
      return true;
    });
    assert.deepEqual(ids(await list({ filter: 'member.display eq bob' })), [`${team}~${bob}`], 'the lenient profile takes a bare word');
    const projected = await list({ count: 1, attributes: ['member.value'] });
    assert.deepEqual(projected.Resources, [{ schemas: [GROUP_MEMBER], id: `${team}~${ann}`, member: { value: ann } }]);
    const excluded = await list({ count: 1, excludedAttributes: ['group', 'member', 'meta'] });
    assert.deepEqual(excluded.Resources, [{ schemas: [GROUP_MEMBER], id: `${team}~${ann}` }]);
    await assert.rejects(
      list({ sortBy: 'member.display' }),
      scim(400, 'invalidValue', 'GroupMembers come in the order their members were added; sortBy is not supported here'),
    );
  });

  it('§6.2.1: index pages (default count 2 here, at most 3) and RFC 9865 cursors', async () => {
    const first = await list({});
    assert.deepEqual([ids(first), first['totalResults']], [[`${team}~${ann}`, `${team}~${bob}`], 3]);
    assert.deepEqual(ids(await list({ startIndex: 3 })), [`${team}~${inner}`]);
    const page1 = await list({ cursor: '', count: 2 });
    assert.deepEqual(ids(page1), [`${team}~${ann}`, `${team}~${bob}`]);
    assert.equal(typeof page1['nextCursor'], 'string');
    const page2 = await list({ cursor: page1['nextCursor'] as string, count: 2 });
    assert.deepEqual([ids(page2), page2['totalResults'], page2['nextCursor']], [[`${team}~${inner}`], 3, undefined]);
    await assert.rejects(list({ cursor: page1['nextCursor'] as string, count: 2, filter: 'member.type eq "User"' }), (error: unknown) => {
      assert.ok(error instanceof ScimError, String(error));
      assert.deepEqual([error.status, error.scimType], [400, 'invalidCursor']);
      return true;
    });
  });

  it('§5: a group carries membersMetadata: hybrid, the ref that lists its members, the member types', async () => {
    const group = (await resources.get(scope, 'Group', team, NONE)).resource;
    const extension = 'urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group';
    assert.deepEqual(group['schemas'], [GROUP, extension]);
    assert.deepEqual(group[extension], {
      membersMetadata: {
        policy: 'hybrid',
        ref: `${SCIM_BASE}/GroupMembers?filter=group.value%20eq%20%22${team}%22`,
        allowedMemberTypes: ['User', 'Group'],
      },
    });
    const user = (await resources.get(scope, 'User', ann, NONE)).resource;
    assert.deepEqual([user['schemas'], user[extension]], [[USER], undefined], 'users carry none');
  });

  it('§6.3: DELETE removes the member from the group; deleting it again, or an id that names no membership, is 404', async () => {
    await members.remove(scope, `${team}~${bob}`);
    assert.deepEqual(ids(await list({ count: 3 })), [`${team}~${ann}`, `${team}~${inner}`]);
    const group = await resources.get(scope, 'Group', team, NONE);
    assert.deepEqual((group.resource as { members: Array<{ value: string }> }).members.map((m) => m.value).sort(), [ann, inner].sort());
    const missing = '00000000-0000-0000-0000-000000000000';
    for (const id of [`${team}~${bob}`, `${missing}~${ann}`, `${bob}~${ann}`, 'no-separator', `${team}~`, `a~b~c`]) {
      await assert.rejects(members.remove(scope, id), scim(404, undefined, `GroupMember ${id} not found`), id);
    }
  });
});
