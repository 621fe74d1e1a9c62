import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_SCHEMA, groupBody, type Harness, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const HR = 'urn:ietf:params:scim:schemas:extension:hr:2.0:User';
const TEAM = 'urn:ietf:params:scim:schemas:extension:team:2.0:Group';

function hrUser(userName: string, hr: Record<string, unknown>): Record<string, unknown> {
  return { schemas: [USER_SCHEMA, HR], userName, [HR]: hr };
}

describe('custom attributes (tenant extension schemas)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const add = (attribute: Record<string, unknown>) => h.server.schemas.addAttribute('acme', { schemaId: HR, attribute });
    await add({ name: 'badgeNumber', type: 'string', uniqueness: 'server' });
    await add({ name: 'level', type: 'integer' });
    await add({ name: 'tier', type: 'string', canonicalValues: ['gold', 'silver'] });
    await add({ name: 'skills', type: 'string', multiValued: true });
    await add({
      name: 'desk',
      type: 'complex',
      subAttributes: [
        { name: 'building', type: 'string' },
        { name: 'floor', type: 'integer' },
      ],
    });
    await add({ name: 'secretCode', type: 'string', returned: 'never', mutability: 'writeOnly' });
    await add({ name: 'nickname', type: 'string', returned: 'request' });
    await add({ name: 'hired', type: 'dateTime' });
    await add({ name: 'remote', type: 'boolean' });
    await add({ name: 'score', type: 'decimal' });
    await h.server.schemas.addAttribute('acme', { schemaId: TEAM, attribute: { name: 'costCode', type: 'string' } });
  });
  after(() => h.close());

  it('custom attributes: the extension is in its tenant /Schemas and /ResourceTypes schemaExtensions', async () => {
    const schemas = await h.request('GET', '/Schemas');
    const hr = schemas.body.Resources.find((s: { id: string }) => s.id === HR);
    assert.ok(hr, 'the tenant extension is listed');
    assert.deepEqual(
      hr.attributes.map((a: { name: string }) => a.name),
      ['badgeNumber', 'level', 'tier', 'skills', 'desk', 'secretCode', 'nickname', 'hired', 'remote', 'score'],
    );
    const level = hr.attributes.find((a: { name: string }) => a.name === 'level');
    assert.equal(level.type, 'integer');
    assert.equal(hr.attributes[0].uniqueness, 'server');
    assert.equal((await h.request('GET', `/Schemas/${HR}`)).body.id, HR);

    const user = await h.request('GET', '/ResourceTypes/User');
    assert.deepEqual(
      user.body.schemaExtensions.map((e: { schema: string }) => e.schema),
      ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', HR],
    );
    const group = await h.request('GET', '/ResourceTypes/Group');
    assert.deepEqual(group.body.schemaExtensions, [{ schema: TEAM, required: false }]);
  });

  it('custom attributes: tenant B never sees tenant A extension', async () => {
    const schemas = await h.request('GET', '/Schemas', { token: h.tokenB });
    assert.equal(
      schemas.body.Resources.some((s: { id: string }) => s.id === HR),
      false,
    );
    assert.equal((await h.request('GET', `/Schemas/${HR}`, { token: h.tokenB })).status, 404);
    const user = await h.request('GET', '/ResourceTypes/User', { token: h.tokenB });
    assert.equal(
      user.body.schemaExtensions.some((e: { schema: string }) => e.schema === HR),
      false,
    );
    // For tenant B the attribute names nothing: dropped on create, invalidFilter in a filter.
    const created = await h.request('POST', '/Users', { token: h.tokenB, body: hrUser('b-only@example.com', { level: 3 }) });
    assert.equal(created.status, 201);
    assert.equal(created.body[HR], undefined);
    const filtered = await h.request('GET', `/Users?filter=${encodeURIComponent(`${HR}:level eq 3`)}`, { token: h.tokenB });
    assert.equal(filtered.status, 400);
    assert.equal(filtered.body.scimType, 'invalidFilter');
  });

  it('custom attributes: values are validated like core attributes', async () => {
    const wrongType = await h.request('POST', '/Users', { body: hrUser('v1@example.com', { level: 'high' }) });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.scimType, 'invalidValue');
    assert.match(wrongType.body.detail, /level/);
    const notCanonical = await h.request('POST', '/Users', { body: hrUser('v2@example.com', { tier: 'bronze' }) });
    assert.equal(notCanonical.status, 400);
    const ok = await h.request('POST', '/Users', {
      body: hrUser('v3@example.com', {
        level: 2,
        tier: 'Gold',
        skills: ['go', 'sql'],
        desk: { building: 'B1', floor: 4 },
        secretCode: 's3',
      }),
    });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.schemas, [USER_SCHEMA, HR]);
    assert.equal(ok.body[HR].level, 2);
    assert.deepEqual(ok.body[HR].desk, { building: 'B1', floor: 4 });
    assert.equal(ok.body[HR].secretCode, undefined, 'returned: never');
  });

  it('custom attributes: filter by extension attribute', async () => {
    const rows = [
      ['f1@example.com', 5, 'North', '2019-03-01T09:00:00Z', true, 1.5],
      ['f2@example.com', 7, 'South', '2021-06-15T09:00:00+02:00', false, 2.25],
      ['f3@example.com', 9, 'North', '2023-01-10T09:00:00.000Z', true, 10],
    ] as const;
    for (const [name, level, building, hired, remote, score] of rows) {
      const body = hrUser(name, { level, desk: { building, floor: 1 }, skills: [`skill-${level}`], hired, remote, score });
      assert.equal((await h.request('POST', '/Users', { body })).status, 201);
    }
    const names = async (filter: string) => {
      const res = await h.request('GET', `/Users?filter=${encodeURIComponent(filter)}&sortBy=userName`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.Resources.map((u: { userName: string }) => u.userName);
    };
    assert.deepEqual(await names(`${HR}:level gt 5 and userName sw "f"`), ['f2@example.com', 'f3@example.com']);
    assert.deepEqual(await names(`${HR}:desk.building eq "north"`), ['f1@example.com', 'f3@example.com']);
    assert.deepEqual(await names(`${HR}:skills co "-7"`), ['f2@example.com']);
    assert.deepEqual(await names(`${HR}:hired gt "2020-01-01T00:00:00Z"`), ['f2@example.com', 'f3@example.com']);
    assert.deepEqual(await names(`${HR}:remote eq true`), ['f1@example.com', 'f3@example.com']);
    assert.deepEqual(await names(`${HR}:score ge 2.25`), ['f2@example.com', 'f3@example.com']);
    assert.deepEqual(await names(`${HR}:desk pr and ${HR}:level lt 6 and userName sw "f"`), ['f1@example.com']);
    // Unqualified, as Entra writes extension attributes: the one extension defining it is meant.
    assert.deepEqual(await names('level ge 9'), ['f3@example.com']);
    const search = await h.request('POST', '/Users/.search', {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `${HR}:level lt 6 and userName sw "f"` },
    });
    assert.deepEqual(
      search.body.Resources.map((u: { userName: string }) => u.userName),
      ['f1@example.com'],
    );
  });

  it('custom attributes: sortable and selectable', async () => {
    const sorted = await h.request(
      'GET',
      `/Users?filter=${encodeURIComponent('userName sw "f"')}&sortBy=${encodeURIComponent(`${HR}:level`)}&sortOrder=descending&attributes=${encodeURIComponent(`${HR}:level`)}`,
    );
    assert.equal(sorted.status, 200, JSON.stringify(sorted.body));
    assert.deepEqual(
      sorted.body.Resources.map((u: Record<string, Record<string, unknown>>) => u[HR]!['level']),
      [9, 7, 5],
    );
    assert.equal(sorted.body.Resources[0].userName, undefined, 'only the requested attribute (and id)');
    assert.deepEqual(Object.keys(sorted.body.Resources[0][HR]), ['level']);

    const created = await h.request('POST', '/Users', { body: hrUser('sel@example.com', { level: 1, nickname: 'Babs' }) });
    assert.equal(created.body[HR].nickname, undefined, 'returned: request is not in a default response');
    const asked = await h.request('GET', `/Users/${created.body.id}?attributes=${encodeURIComponent(`${HR}:nickname`)}`);
    assert.equal(asked.body[HR].nickname, 'Babs');
    const excluded = await h.request('GET', `/Users/${created.body.id}?excludedAttributes=${encodeURIComponent(`${HR}:level`)}`);
    assert.equal(excluded.body[HR], undefined);
  });

  it('custom attributes: patchable by URN path and sub-attribute', async () => {
    const created = await h.request('POST', '/Users', { body: hrUser('p1@example.com', { level: 1, skills: ['a', 'b'] }) });
    const id = created.body.id;
    const patched = await h.request('PATCH', `/Users/${id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', path: `${HR}:level`, value: 3 },
          { op: 'add', path: `${HR}:desk.floor`, value: 12 },
          { op: 'add', path: `${HR}:skills`, value: ['c'] },
        ],
      },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body[HR], { level: 3, skills: ['a', 'b', 'c'], desk: { floor: 12 } });
    const bad = await h.request('PATCH', `/Users/${id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: `${HR}:level`, value: 'x' }],
      },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.scimType, 'invalidValue');
  });

  it('custom attributes: uniqueness server refuses a second resource with the value (create, PUT and PATCH)', async () => {
    const first = await h.request('POST', '/Users', { body: hrUser('u1@example.com', { badgeNumber: 'B-100' }) });
    assert.equal(first.status, 201);
    const dup = await h.request('POST', '/Users', { body: hrUser('u2@example.com', { badgeNumber: 'b-100' }) });
    assert.equal(dup.status, 409, 'caseExact false: compared folded');
    assert.equal(dup.body.scimType, 'uniqueness');
    const second = await h.request('POST', '/Users', { body: hrUser('u2@example.com', { badgeNumber: 'B-200' }) });
    assert.equal(second.status, 201);
    const patch = await h.request('PATCH', `/Users/${second.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: `${HR}:badgeNumber`, value: 'B-100' }],
      },
    });
    assert.equal(patch.status, 409);
    const put = await h.request('PUT', `/Users/${second.body.id}`, { body: hrUser('u2@example.com', { badgeNumber: 'B-100' }) });
    assert.equal(put.status, 409);
    // The first user gives the value up; then the second may take it.
    await h.request('PATCH', `/Users/${first.body.id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: `${HR}:badgeNumber` }] },
    });
    const retaken = await h.request('PUT', `/Users/${second.body.id}`, { body: hrUser('u2@example.com', { badgeNumber: 'B-100' }) });
    assert.equal(retaken.status, 200);
    // Another tenant's users never collide with these.
    const other = await h.request('POST', '/Users', { token: h.tokenB, body: hrUser('u1@example.com', { badgeNumber: 'B-100' }) });
    assert.equal(other.status, 201);
  });

  it('custom attributes: appear in events', async () => {
    const created = await h.request('POST', '/Users', { body: hrUser('ev@example.com', { level: 4 }) });
    await h.request('PATCH', `/Users/${created.body.id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: `${HR}:level`, value: 5 }] },
    });
    const feed = await h.request('GET', '/Events?after=0&count=1000');
    const mine = feed.body.events.filter((e: { subject: string }) => e.subject === `Users/${created.body.id}`);
    assert.equal(mine[0].type, 'scim.user.created');
    assert.equal(mine[0].data.resource[HR].level, 4);
    assert.equal(mine[1].type, 'scim.user.updated');
    assert.equal(mine[1].data.resource[HR].level, 5);
    assert.ok(
      mine[1].data.changedAttributes.some((a: string) => a.includes('level')),
      JSON.stringify(mine[1].data.changedAttributes),
    );
  });

  it('custom attributes: a Group extension works like a User one', async () => {
    const created = await h.request('POST', '/Groups', {
      body: { ...groupBody('Team Blue'), schemas: [GROUP_SCHEMA, TEAM], [TEAM]: { costCode: 'CC-1' } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body[TEAM].costCode, 'CC-1');
    const found = await h.request('GET', `/Groups?filter=${encodeURIComponent(`${TEAM}:costCode eq "cc-1"`)}`);
    assert.equal(found.body.totalResults, 1);
  });
});

describe('custom attributes: changing definitions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const ORG = 'urn:ietf:params:scim:schemas:extension:org:2.0:User';
  const add = (attribute: Record<string, unknown>) => h.server.schemas.addAttribute('acme', { schemaId: ORG, attribute });
  const user = (userName: string, org: Record<string, unknown>) => ({ schemas: [USER_SCHEMA, ORG], userName, [ORG]: org });

  it('custom attributes: a removed attribute disappears from responses and its values are gone for good', async () => {
    await add({ name: 'room', type: 'string' });
    await add({ name: 'wing', type: 'string' });
    const created = await h.request('POST', '/Users', { body: user('rm@example.com', { room: '101', wing: 'East' }) });
    assert.equal(created.body[ORG].room, '101');
    await h.server.schemas.removeAttribute('acme', ORG, 'room');
    const read = await h.request('GET', `/Users/${created.body.id}`);
    assert.deepEqual(read.body[ORG], { wing: 'East' });
    const filter = await h.request('GET', `/Users?filter=${encodeURIComponent(`${ORG}:room eq "101"`)}`);
    assert.equal(filter.status, 400);
    // Defined again, it starts empty: the old values were purged with the definition.
    await add({ name: 'room', type: 'integer' });
    assert.equal((await h.request('GET', `/Users/${created.body.id}`)).body[ORG].room, undefined);
    // Removing the whole schema removes the extension from resources and discovery.
    await h.server.schemas.removeSchema('acme', ORG);
    const after = await h.request('GET', `/Users/${created.body.id}`);
    assert.equal(after.body[ORG], undefined);
    assert.deepEqual(after.body.schemas, [USER_SCHEMA]);
    assert.equal((await h.request('GET', `/Schemas/${ORG}`)).status, 404);
  });

  it('custom attributes: a type change that stored values cannot satisfy is refused with a clear message', async () => {
    await add({ name: 'code', type: 'string' });
    await h.request('POST', '/Users', { body: user('t1@example.com', { code: '42' }) });
    const bob = await h.request('POST', '/Users', { body: user('t2@example.com', { code: 'abc' }) });
    await assert.rejects(add({ name: 'code', type: 'integer' }), (error: Error & { status?: number; detail?: string }) => {
      assert.equal(error.status, 400);
      assert.match(error.detail!, /existing data does not satisfy/);
      return true;
    });
    // Still the string it was, and still readable.
    assert.equal((await h.request('GET', `/Users/${bob.body.id}`)).body[ORG].code, 'abc');
    // A change the data satisfies is accepted.
    await add({ name: 'code', type: 'string', caseExact: true, description: 'badge code' });
    const schema = await h.request('GET', `/Schemas/${ORG}`);
    assert.equal(schema.body.attributes.find((a: { name: string }) => a.name === 'code').caseExact, true);
  });

  it('custom attributes: an attribute becomes unique only when stored values already are', async () => {
    await add({ name: 'seat', type: 'string' });
    const a = await h.request('POST', '/Users', { body: user('s1@example.com', { seat: 'A1' }) });
    await h.request('POST', '/Users', { body: user('s2@example.com', { seat: 'a1' }) });
    await assert.rejects(add({ name: 'seat', type: 'string', uniqueness: 'server' }), /share a value/);
    await h.request('PATCH', `/Users/${a.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: `${ORG}:seat`, value: 'B7' }],
      },
    });
    await add({ name: 'seat', type: 'string', uniqueness: 'server' });
    const dup = await h.request('POST', '/Users', { body: user('s3@example.com', { seat: 'b7' }) });
    assert.equal(dup.status, 409, 'the existing values were indexed when the attribute became unique');
    // No longer unique: the keys go, duplicates are allowed.
    await add({ name: 'seat', type: 'string' });
    assert.equal((await h.request('POST', '/Users', { body: user('s3@example.com', { seat: 'b7' }) })).status, 201);
  });

  it('custom attributes: definitions are checked (names, types, core schemas, global uniqueness)', async () => {
    await assert.rejects(add({ name: '1bad', type: 'string' }), /name must start with a letter/);
    await assert.rejects(add({ name: 'x', type: 'text' }), /type must be one of/);
    await assert.rejects(add({ name: 'x', type: 'string', uniqueness: 'global' }), /global/);
    await assert.rejects(add({ name: 'x', type: 'boolean', uniqueness: 'server' }), /uniqueness/);
    await assert.rejects(
      h.server.schemas.addAttribute('acme', {
        schemaId: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        attribute: { name: 'x' },
      }),
      /schema of the server/,
    );
    await assert.rejects(h.server.schemas.addAttribute('acme', { schemaId: 'not a urn', attribute: { name: 'x' } }), /must be a URN/);
    await assert.rejects(h.server.schemas.addAttribute('nobody', { schemaId: ORG, attribute: { name: 'x' } }), /no tenant named/);
  });
});
