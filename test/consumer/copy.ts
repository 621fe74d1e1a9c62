import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type Copy, groupsOf } from '../../consumer/index.ts';
import { groupBody, type Harness, userBody } from '../helpers/harness.ts';

type Get = (path: string) => Promise<Record<string, unknown>>;

/** Every resource of an endpoint, as GET returns them (cursor pages). */
export async function everything(get: Get, endpoint: 'Users' | 'Groups'): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor = '';
  for (;;) {
    const page = await get(`/${endpoint}?count=1000&cursor=${encodeURIComponent(cursor)}`);
    out.push(...(page['Resources'] as Record<string, unknown>[]));
    if (typeof page['nextCursor'] !== 'string') return out;
    cursor = page['nextCursor'];
  }
}

const byId = <T extends { id: string }>(list: readonly T[]) => new Map(list.map((x) => [x.id, x]));
const sortPairs = (pairs: string[][]) => pairs.map((p) => p.join(' ')).sort();

/**
 * The consumer's copy equals what the SCIM API answers: every user and group field by field
 * (JSON equality, so key order aside), every group's members and every user's groups (direct and
 * indirect, derived from the copy's edges) membership by membership.
 */
export async function assertCopyEquals(get: Get, copy: Copy): Promise<{ users: number; groups: number; edges: number }> {
  const users = await everything(get, 'Users');
  const groups = await everything(get, 'Groups');
  const copiedUsers = byId(copy.users);
  const copiedGroups = byId(copy.groups);
  assert.deepEqual([...copiedUsers.keys()].sort(), users.map((u) => u['id'] as string).sort(), 'the same users');
  assert.deepEqual([...copiedGroups.keys()].sort(), groups.map((g) => g['id'] as string).sort(), 'the same groups');
  for (const user of users) {
    const { groups: memberOf, ...resource } = user;
    const copied = copiedUsers.get(user['id'] as string)!;
    assert.deepEqual(copied.resource, resource, `user ${user['id']} field by field`);
    assert.deepEqual(
      sortPairs(groupsOf(copy.edges, user['id'] as string).map((g) => [g.value, g.type])),
      sortPairs(((memberOf as { value: string; type: string }[] | undefined) ?? []).map((g) => [g.value, g.type])),
      `user ${user['id']}: its groups, direct and indirect`,
    );
  }
  for (const group of groups) {
    const { members, ...resource } = group;
    assert.deepEqual(copiedGroups.get(group['id'] as string)!.resource, resource, `group ${group['id']} field by field`);
    assert.deepEqual(
      sortPairs(copy.edges.filter((e) => e.group === group['id']).map((e) => [e.member, e.memberKind])),
      sortPairs(((members as { value: string; type: string }[] | undefined) ?? []).map((m) => [m.value, m.type])),
      `group ${group['id']}: its members`,
    );
  }
  return { users: users.length, groups: groups.length, edges: copy.edges.length };
}

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A harness listening on a port: the consumer talks HTTP to it, as it would to a deployed scimd. */
export async function listening(h: Harness): Promise<string> {
  await h.server.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.server.app.server.address() as AddressInfo).port}${h.base}`;
}

/** Changes of every kind: creates, PATCHes, a deactivation, deletes, a re-created userName, nested groups. */
export async function changes(h: Harness, tag: string): Promise<void> {
  const patch = (path: string, Operations: unknown[]) => h.request('PATCH', path, { body: { schemas: [PATCH], Operations } });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await h.request('POST', '/Users', { body: userBody(`${tag}-${i}@example.com`) })).body.id);
  const inner = (await h.request('POST', '/Groups', { body: groupBody(`${tag}-inner`, [ids[0]!, ids[1]!]) })).body.id;
  const outer = (await h.request('POST', '/Groups', { body: groupBody(`${tag}-outer`, [ids[2]!]) })).body.id;
  assert.equal((await patch(`/Groups/${outer}`, [{ op: 'add', path: 'members', value: [{ value: inner }] }])).status, 204);
  assert.equal((await patch(`/Users/${ids[3]}`, [{ op: 'replace', path: 'active', value: false }])).status, 200);
  assert.equal((await patch(`/Users/${ids[4]}`, [{ op: 'replace', path: 'displayName', value: 'Renamed' }])).status, 200);
  assert.equal((await h.request('DELETE', `/Users/${ids[1]}`)).status, 204);
  assert.equal((await h.request('POST', '/Users', { body: userBody(`${tag}-1@example.com`) })).status, 201);
  assert.equal(
    (
      await patch(`/Groups/${inner}`, [
        { op: 'replace', value: { displayName: `${tag}-inner-renamed` } },
        { op: 'add', path: 'members', value: [{ value: ids[5] }] },
      ])
    ).status,
    204,
  );
  const doomed = (await h.request('POST', '/Groups', { body: groupBody(`${tag}-doomed`, [ids[0]!]) })).body.id;
  assert.equal((await patch(`/Groups/${outer}`, [{ op: 'add', path: 'members', value: [{ value: doomed }] }])).status, 204);
  assert.equal((await h.request('DELETE', `/Groups/${doomed}`)).status, 204);
}
