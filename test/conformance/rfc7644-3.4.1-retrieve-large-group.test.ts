import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MEMBERS = 2_150;

/**
 * GET of a group with thousands of members (docs/performance.md, "Big groups"): the members are
 * read and sent a chunk at a time, and the answer must be exactly what the rest of the API shows
 * of the group (here: a PATCH answer that asks for members, built the ordinary way).
 * On the harness's database (in-memory SQLite, or PostgreSQL in the PostgreSQL pass) and, without
 * SCIMD_TEST_DATABASE_URL, on an SQLite file, where the chunks come from a snapshot connection.
 */
const databases: { name: string; env: () => Record<string, string>; cleanup?: () => void }[] = [
  { name: 'the harness database', env: () => ({}) },
];
if (!process.env['SCIMD_TEST_DATABASE_URL']) {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-large-group-'));
  databases.push({
    name: 'an SQLite file',
    env: () => ({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'scimd.db')}` }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
}

for (const database of databases) {
  describe(`rfc7644 §3.4.1 retrieving a group of ${MEMBERS} members, on ${database.name}`, () => {
    let h: Harness;
    let group: string;
    let userIds: string[];
    /** The group as a PATCH that changes nothing answers it when asked for its members. */
    const ordinary = async (query: string) =>
      (
        await h.request('PATCH', `/Groups/${group}?${query}`, {
          body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Everyone' }] },
        })
      ).body;

    before(async () => {
      h = await startHarness(database.env());
      const tenant = (await h.server.store.findTenantByName('acme'))!;
      const now = new Date().toISOString();
      userIds = Array.from({ length: MEMBERS }, () => randomUUID());
      await h.server.store.createMany(
        tenant.id,
        userIds.map((id, i) => ({
          resourceType: 'User' as const,
          id,
          doc: { userName: `member-${i}@example.com`, ...(i % 3 === 0 ? {} : { displayName: `Member "${i}" \u00e9` }) },
          now,
        })),
      );
      group = randomUUID();
      await h.server.store.create(tenant.id, {
        resourceType: 'Group',
        id: group,
        doc: { displayName: 'Everyone' },
        members: userIds.map((value) => ({ value })),
        now,
      });
    });
    after(async () => {
      await h.close();
      database.cleanup?.();
    });

    it('GET answers 200 with its ETag and every member, as the rest of the API shows the group', async () => {
      const res = await h.request('GET', `/Groups/${group}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['etag'], res.body.meta.version);
      assert.equal(res.body.members.length, MEMBERS);
      assert.deepEqual(
        res.body.members.map((m: { value: string }) => m.value),
        userIds,
      );
      assert.deepEqual(res.body, await ordinary('attributes=members,displayName,meta,externalId'));
      assert.deepEqual(res.body.members[1], {
        value: userIds[1],
        $ref: `https://scim.example.com/scim/v2/Users/${userIds[1]}`,
        display: 'Member "1" \u00e9',
        type: 'User',
      });
      assert.equal(res.body.members[0].display, 'member-0@example.com');
    });

    it('attributes=members.value: each member has its value and nothing else', async () => {
      const res = await h.request('GET', `/Groups/${group}?attributes=members.value`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.members[0], { value: userIds[0] });
      assert.equal(res.body.members.length, MEMBERS);
      assert.equal(res.body.displayName, undefined);
      assert.deepEqual(res.body, await ordinary('attributes=members.value'));
    });

    it('excludedAttributes=members.display and members.$ref leave them out of every member', async () => {
      const res = await h.request('GET', `/Groups/${group}?excludedAttributes=members.display,members.$ref`);
      assert.deepEqual(res.body.members.at(-1), { value: userIds.at(-1), type: 'User' });
      // A group PATCH answers without members unless `attributes` names them (Entra's advice).
      assert.deepEqual(res.body, await ordinary('attributes=displayName,members.value,members.type,meta'));
    });

    it('excludedAttributes=members: no members', async () => {
      const res = await h.request('GET', `/Groups/${group}?excludedAttributes=members`);
      assert.equal(res.body.members, undefined);
      assert.equal(res.body.displayName, 'Everyone');
    });

    it('rfc7644 §3.14 If-None-Match with the current version → 304, and the group reads again after', async () => {
      const first = await h.request('GET', `/Groups/${group}?attributes=displayName`);
      for (let i = 0; i < 12; i++) {
        const res = await h.request('GET', `/Groups/${group}`, { headers: { 'if-none-match': String(first.headers['etag']) } });
        assert.equal(res.status, 304);
      }
      assert.equal((await h.request('GET', `/Groups/${group}`)).body.members.length, MEMBERS);
    });

    it('a group with one member, and one with none (no members attribute, RFC 7643 §2.5)', async () => {
      const small = await h.request('POST', '/Groups', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'One', members: [{ value: userIds[5] }] },
      });
      const one = await h.request('GET', `/Groups/${small.body.id}`);
      assert.equal(one.headers['content-length'], String(Buffer.byteLength(one.raw)));
      assert.deepEqual(one.body, small.body);
      const empty = await h.request('POST', '/Groups', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'None' },
      });
      const none = await h.request('GET', `/Groups/${empty.body.id}`);
      assert.equal(none.status, 200);
      assert.equal('members' in none.body, false);
      assert.deepEqual(none.body, empty.body);
    });

    it('clients that go away in the middle of the members release what their reads held', async () => {
      const address = await h.server.app.listen({ host: '127.0.0.1', port: 0 });
      // More clients than a PostgreSQL pool has connections: a read left holding one would starve the rest.
      for (let i = 0; i < 14; i++) {
        const controller = new AbortController();
        const res = await fetch(`${address}/scim/v2/Groups/${group}`, {
          headers: { authorization: `Bearer ${h.tokenA}` },
          signal: controller.signal,
        });
        assert.equal(res.status, 200);
        await res.body!.getReader().read();
        controller.abort();
      }
      const res = await fetch(`${address}/scim/v2/Groups/${group}?attributes=members.value`, {
        headers: { authorization: `Bearer ${h.tokenA}` },
        signal: AbortSignal.timeout(20_000),
      });
      assert.equal(((await res.json()) as { members: unknown[] }).members.length, MEMBERS);
    });

    it('an unknown group is 404', async () => {
      const res = await h.request('GET', `/Groups/${randomUUID()}`);
      assert.equal(res.status, 404);
      assert.equal(res.body.status, '404');
    });
  });
}
