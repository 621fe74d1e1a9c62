import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import type { AttributeDefinition } from '../../src/schema/attribute.ts';
import type { ResourceTypeSpec } from '../../src/schema/types/spec.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** A value of a simple attribute's type, the nth of its kind (RFC 7643 §2.3). */
function sample(def: AttributeDefinition, n: number): unknown {
  switch (def.type) {
    case 'string':
      return def.canonicalValues?.[0] ?? `${def.name}-${n}`;
    case 'boolean':
      return n % 2 === 0;
    case 'integer':
      return n;
    case 'decimal':
      return n + 0.5;
    case 'dateTime':
      return new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
    case 'reference':
      return `https://example.com/${def.name}/${n}`;
    case 'binary':
      return Buffer.from(`${def.name}-${n}`).toString('base64');
    default:
      return undefined;
  }
}

/**
 * The conformance suite of one resource type, generated from its catalogue entry and core schema
 * (docs/resource-types.md): CRUD, filter, sort, PATCH, Bulk, ETags, paging, events, enablement and
 * tenant isolation, over the HTTP API of a real server. The conformance pass runs it on SQLite and
 * again on PostgreSQL (SCIMD_TEST_DATABASE_URL), so every optional type passes on both stores.
 */
export function resourceTypeSuite(spec: ResourceTypeSpec): void {
  const { name, endpoint, schema: schemaId } = spec.resourceType;
  const core = spec.schemas[0]!;
  const indexed = spec.indexed;
  assert.ok(indexed, `${name} has an indexed attribute`);
  const required = core.attributes.filter((a) => a.required && a.name !== indexed && a.type !== 'complex');

  /** A body with every required attribute and the indexed one (whose value tells resources apart). */
  const body = (label: string, n: number, extra: Record<string, unknown> = {}) => ({
    schemas: [schemaId],
    [indexed!]: label,
    externalId: `ext-${label}`,
    ...Object.fromEntries(required.map((a) => [a.name, a.multiValued ? [sample(a, n)] : sample(a, n)])),
    ...extra,
  });

  describe(`resource type ${name} (${endpoint}): the conformance suite generated from its schema`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
      await h.server.resourceTypes.enable('acme', [name]);
    });
    after(async () => {
      await h.close();
    });
    const create = async (label: string, n: number) => {
      const created = await h.request('POST', endpoint, { body: body(label, n) });
      assert.equal(created.status, 201, created.raw);
      return created;
    };

    it('RFC 7644 §3.3, §3.4.1, §3.5.1, §3.6: create, read, replace and delete', async () => {
      const created = await create(`crud-${name}`, 1);
      const id = created.body.id as string;
      assert.deepEqual(created.body.schemas, [schemaId]);
      assert.equal(created.body.meta.resourceType, name);
      assert.equal(created.body.meta.location, `https://scim.example.com/scim/v2${endpoint}/${id}`);
      assert.equal(created.headers['location'], created.body.meta.location);
      assert.equal(created.headers['etag'], created.body.meta.version);
      assert.equal(created.body[indexed!], `crud-${name}`);
      for (const a of required) assert.ok(created.body[a.name] !== undefined || a.returned === 'never', a.name);

      const read = await h.request('GET', `${endpoint}/${id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, created.body);

      const replaced = await h.request('PUT', `${endpoint}/${id}`, { body: body(`crud-${name}-renamed`, 1) });
      assert.equal(replaced.status, 200, replaced.raw);
      assert.equal(replaced.body[indexed!], `crud-${name}-renamed`);
      assert.notEqual(replaced.body.meta.version, created.body.meta.version);

      assert.equal((await h.request('DELETE', `${endpoint}/${id}`)).status, 204);
      assert.equal((await h.request('GET', `${endpoint}/${id}`)).status, 404);
      assert.equal((await h.request('DELETE', `${endpoint}/${id}`)).status, 404);
    });

    it('RFC 7644 §3.4.2.2: filters on the indexed attribute (any case), externalId, id and meta', async () => {
      const a = await create(`Filter-${name}-Alpha`, 2);
      await create(`filter-${name}-beta`, 3);
      const list = async (filter: string) => {
        const reply = await h.request('GET', `${endpoint}?filter=${encodeURIComponent(filter)}`);
        assert.equal(reply.status, 200, reply.raw);
        assert.deepEqual(reply.body.schemas, [LIST_RESPONSE]);
        return (reply.body.Resources as { id: string; [k: string]: unknown }[]).map((r) => r[indexed!]);
      };
      assert.deepEqual(await list(`${indexed} eq "filter-${name}-alpha"`), [`Filter-${name}-Alpha`]);
      assert.deepEqual((await list(`${indexed} sw "filter-${name}-"`)).length, 2);
      assert.deepEqual(await list(`${indexed} co "BETA"`), [`filter-${name}-beta`]);
      assert.deepEqual(await list(`externalId eq "ext-Filter-${name}-Alpha"`), [`Filter-${name}-Alpha`]);
      assert.deepEqual(await list(`id eq "${a.body.id}"`), [`Filter-${name}-Alpha`]);
      assert.deepEqual(await list(`${indexed} sw "filter-${name}-" and not (${indexed} ew "alpha")`), [`filter-${name}-beta`]);
      assert.ok((await list(`meta.lastModified gt "2000-01-01T00:00:00Z" and ${indexed} sw "filter-${name}"`)).length === 2);
      const unknown = await h.request('GET', `${endpoint}?filter=${encodeURIComponent('noSuchAttribute eq "x"')}`);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.scimType, 'invalidFilter');
    });

    it('RFC 7644 §3.4.2.3 and §3.4.2.4: sorted by the indexed attribute, paged by index and by cursor (RFC 9865)', async () => {
      for (const [i, label] of ['sort-c', 'sort-a', 'sort-b', 'sort-d'].entries()) await create(`${label}-${name}`, 10 + i);
      const filter = encodeURIComponent(`${indexed} sw "sort-"`);
      const ascending = await h.request('GET', `${endpoint}?filter=${filter}&sortBy=${indexed}`);
      assert.deepEqual(
        ascending.body.Resources.map((r: Record<string, unknown>) => r[indexed!]),
        ['a', 'b', 'c', 'd'].map((l) => `sort-${l}-${name}`),
      );
      const descending = await h.request('GET', `${endpoint}?filter=${filter}&sortBy=${indexed}&sortOrder=descending`);
      assert.equal(descending.body.Resources[0][indexed!], `sort-d-${name}`);
      const page2 = await h.request('GET', `${endpoint}?filter=${filter}&sortBy=${indexed}&startIndex=3&count=2`);
      assert.equal(page2.body.totalResults, 4);
      assert.equal(page2.body.startIndex, 3);
      assert.deepEqual(
        page2.body.Resources.map((r: Record<string, unknown>) => r[indexed!]),
        [`sort-c-${name}`, `sort-d-${name}`],
      );
      const walked: unknown[] = [];
      let url = `${endpoint}?filter=${filter}&sortBy=${indexed}&count=3&cursor=`;
      for (let pages = 0; pages < 5; pages++) {
        const page = await h.request('GET', url);
        assert.equal(page.status, 200, page.raw);
        walked.push(...page.body.Resources.map((r: Record<string, unknown>) => r[indexed!]));
        if (!page.body.nextCursor) break;
        url = `${endpoint}?filter=${filter}&sortBy=${indexed}&count=3&cursor=${encodeURIComponent(page.body.nextCursor)}`;
      }
      assert.deepEqual(
        walked,
        ['a', 'b', 'c', 'd'].map((l) => `sort-${l}-${name}`),
      );
    });

    it('RFC 7644 §3.5.2: PATCH replaces, adds and removes, and changes the version only when something changed', async () => {
      const created = await create(`patch-${name}`, 20);
      const id = created.body.id as string;
      const patch = (operations: unknown[], headers: Record<string, string> = {}) =>
        h.request('PATCH', `${endpoint}/${id}`, { body: { schemas: [PATCH_OP], Operations: operations }, headers });
      const replaced = await patch([{ op: 'replace', path: indexed, value: `patched-${name}` }]);
      assert.equal(replaced.status, 200, replaced.raw);
      assert.equal(replaced.body[indexed!], `patched-${name}`);
      const found = await h.request('GET', `${endpoint}?filter=${encodeURIComponent(`${indexed} eq "PATCHED-${name}"`)}`);
      assert.equal(found.body.totalResults, 1, 'the indexed column follows the PATCH');
      const same = await patch([{ op: 'replace', path: indexed, value: `patched-${name}` }]);
      assert.equal(same.body.meta.version, replaced.body.meta.version, 'a PATCH that changes nothing keeps the version');
      assert.equal((await patch([{ op: 'remove', path: 'externalId' }])).body.externalId, undefined);
      assert.equal((await patch([{ op: 'add', value: { externalId: 'ext-again' } }])).body.externalId, 'ext-again');
      const invalid = await patch([{ op: 'replace', path: 'meta.created', value: 'x' }]);
      assert.equal(invalid.status, 400);
    });

    it('RFC 7644 §3.14: ETags: If-None-Match answers 304, a stale If-Match 412', async () => {
      const created = await create(`etag-${name}`, 30);
      const id = created.body.id as string;
      const etag = created.headers['etag'] as string;
      assert.equal((await h.request('GET', `${endpoint}/${id}`, { headers: { 'if-none-match': etag } })).status, 304);
      const put = await h.request('PUT', `${endpoint}/${id}`, { body: body(`etag-${name}-2`, 30), headers: { 'if-match': etag } });
      assert.equal(put.status, 200, put.raw);
      const stale = await h.request('DELETE', `${endpoint}/${id}`, { headers: { 'if-match': etag } });
      assert.equal(stale.status, 412);
      assert.equal(
        (await h.request('DELETE', `${endpoint}/${id}`, { headers: { 'if-match': put.headers['etag'] as string } })).status,
        204,
      );
    });

    it('RFC 7644 §3.7: Bulk creates, patches by bulkId and deletes', async () => {
      const reply = await h.request('POST', '/Bulk', {
        body: {
          schemas: [BULK_REQUEST],
          Operations: [
            { method: 'POST', path: endpoint, bulkId: 'one', data: body(`bulk-${name}`, 40) },
            {
              method: 'PATCH',
              path: `${endpoint}/bulkId:one`,
              data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: indexed, value: `bulk-${name}-patched` }] },
            },
          ],
        },
      });
      assert.equal(reply.status, 200, reply.raw);
      const [posted, patched] = reply.body.Operations;
      assert.equal(posted.status, '201');
      assert.equal(patched.status, '200');
      const id = String(posted.location).split('/').pop()!;
      assert.equal((await h.request('GET', `${endpoint}/${id}`)).body[indexed!], `bulk-${name}-patched`);
      const deleted = await h.request('POST', '/Bulk', {
        body: { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: `${endpoint}/${id}` }] },
      });
      assert.equal(deleted.body.Operations[0].status, '204');
    });

    it('RFC 7644 §3.4.3: POST /.search at the root finds it beside users, filtered, sorted and paged by index and by cursor', async () => {
      const search = (body: Record<string, unknown>) =>
        h.request('POST', '/.search', { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...body } });
      const user = await h.request('POST', '/Users', {
        body: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `root-${name}@example.com`,
          externalId: `ext-root-${name}`,
        },
      });
      assert.equal(user.status, 201, user.raw);
      const mine = await create(`root-${name}`, 70);
      const filter = `externalId eq "ext-root-${name}"`;
      const types = (reply: Awaited<ReturnType<typeof search>>) => {
        assert.equal(reply.status, 200, reply.raw);
        return reply.body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType);
      };
      const all = await search({ filter, sortBy: 'meta.created' });
      assert.equal(all.body.totalResults, 2);
      assert.deepEqual(types(all), ['User', name]);
      assert.equal(all.body.Resources[1].id, mine.body.id);
      assert.deepEqual(types(await search({ filter, sortBy: 'meta.created', sortOrder: 'descending' })), [name, 'User']);
      const byIndex = [1, 2, 3].map((startIndex) => search({ filter, sortBy: 'meta.created', startIndex, count: 1 }));
      assert.deepEqual((await Promise.all(byIndex)).map(types), [['User'], [name], []]);
      const walked: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 3; pages++) {
        const page = await search({ filter, count: 1, cursor });
        walked.push(...types(page));
        if (!page.body.nextCursor) break;
        cursor = page.body.nextCursor;
      }
      assert.deepEqual(walked.sort(), ['User', name].sort());
      assert.deepEqual(types(await search({ filter: `${indexed} eq "root-${name}"` })), [name], 'a filter of its attributes');
      assert.equal((await search({ filter, count: 0 })).body.totalResults, 2);
    });

    it('draft-sehgal-scim-delta-query-02 §5: the root delta query has its changes', async () => {
      const token = (await h.request('GET', '/.deltaToken')).body.value as string;
      const created = await create(`delta-${name}`, 80);
      const user = await h.request('POST', '/Users', {
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `delta-${name}@example.com` },
      });
      await h.request('DELETE', `${endpoint}/${created.body.id}`);
      const delta = await h.request('POST', '/.delta', {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:delta:request'], deltaToken: token },
      });
      assert.equal(delta.status, 200, delta.raw);
      assert.deepEqual(
        delta.body.Resources.map((r: Record<string, unknown>) => [r.changeType, r.resourceType, r.changedResourceId]),
        [
          ['Delete', name, created.body.id],
          ['Create', 'User', user.body.id],
        ],
      );
      const other = await create(`delta-${name}-kept`, 81);
      const next = await h.request('POST', '/.delta', {
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:delta:request'], deltaToken: delta.body.nextDeltaToken.value },
      });
      assert.deepEqual(next.body.Resources[0].data, (await h.request('GET', `${endpoint}/${other.body.id}`)).body);
    });

    it(`events: scim.${spec.noun}.created, .updated and .deleted, subject ${endpoint.slice(1)}/{id}, in the one feed`, async () => {
      const created = await create(`events-${name}`, 50);
      const id = created.body.id as string;
      await h.request('PATCH', `${endpoint}/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: indexed, value: `events-${name}-2` }] },
      });
      await h.request('DELETE', `${endpoint}/${id}`);
      const feed = await h.request('GET', '/Events?after=0&count=1000');
      const mine = feed.body.events.filter((e: { subject: string }) => e.subject === `${endpoint.slice(1)}/${id}`);
      assert.deepEqual(
        mine.map((e: { type: string }) => e.type),
        [`scim.${spec.noun}.created`, `scim.${spec.noun}.updated`, `scim.${spec.noun}.deleted`],
      );
      assert.equal(mine[0].data.resource[indexed!], `events-${name}`);
      assert.deepEqual(mine[1].data.changedAttributes, [indexed]);
      for (const event of mine) assertValidEvent(event);
      assert.equal(mine[2].data.id, id);
      assert.equal(mine[2].data[indexed!], `events-${name}-2`);
    });

    it('a tenant that has not enabled the type gets 404 as for an unknown path, and sees nothing of another tenant', async () => {
      const created = await create(`isolated-${name}`, 60);
      const other = await h.request('GET', `${endpoint}/${created.body.id}`, { token: h.tokenB });
      assert.equal(other.status, 404);
      assert.equal(other.body.detail, `no such endpoint: GET /scim/v2${endpoint}/${created.body.id}`);
      assert.equal((await h.request('POST', endpoint, { token: h.tokenB, body: body('x', 1) })).status, 404);
      await h.server.resourceTypes.enable('globex', [name]);
      const theirs = await h.request('GET', endpoint, { token: h.tokenB });
      assert.equal(theirs.body.totalResults, 0, "another tenant's list holds none of acme's");
      assert.equal((await h.request('GET', `${endpoint}/${created.body.id}`, { token: h.tokenB })).status, 404);
      await h.server.resourceTypes.disable('acme', [name]);
      assert.equal((await h.request('GET', `${endpoint}/${created.body.id}`)).status, 404);
      await h.server.resourceTypes.enable('acme', [name]);
      assert.equal((await h.request('GET', `${endpoint}/${created.body.id}`)).status, 200, 'disabling kept the resources');
    });
    it('custom attributes (docs/custom-attributes.md): a tenant extension is published, validated, filtered, sorted, patched and purged', async () => {
      const urn = `urn:example:params:scim:schemas:extension:acme:2.0:${name}`;
      await h.server.schemas.addAttribute('acme', {
        schemaId: urn,
        attribute: { name: 'costCode', type: 'string', canonicalValues: ['cc-1', 'cc-2'] },
      });
      await h.server.schemas.addAttribute('acme', { schemaId: urn, attribute: { name: 'level', type: 'integer' } });
      const schema = await h.request('GET', `/Schemas/${urn}`);
      assert.equal(schema.status, 200, schema.raw);
      assert.deepEqual(
        schema.body.attributes.map((a: { name: string; type: string }) => [a.name, a.type]),
        [
          ['costCode', 'string'],
          ['level', 'integer'],
        ],
      );
      const type = await h.request('GET', `/ResourceTypes/${name}`);
      assert.deepEqual(type.body.schemaExtensions.at(-1), { schema: urn, required: false });
      assert.equal((await h.request('GET', `/Schemas/${urn}`, { token: h.tokenB })).status, 404, 'another tenant never sees it');

      const extended = (label: string, n: number, values: Record<string, unknown>) =>
        h.request('POST', endpoint, { body: { ...body(label, n), schemas: [schemaId, urn], [urn]: values } });
      const wrongType = await extended(`ext-bad-${name}`, 90, { level: 'high' });
      assert.equal(wrongType.status, 400, wrongType.raw);
      assert.equal(wrongType.body.scimType, 'invalidValue');
      assert.equal((await extended(`ext-bad-${name}`, 90, { costCode: 'cc-9' })).status, 400, 'canonicalValues are enforced');
      const three = await extended(`ext-3-${name}`, 91, { costCode: 'CC-1', level: 3 });
      assert.equal(three.status, 201, three.raw);
      assert.deepEqual(three.body.schemas, [schemaId, urn]);
      assert.deepEqual(three.body[urn], { costCode: 'CC-1', level: 3 });
      await extended(`ext-1-${name}`, 92, { level: 1 });
      const list = async (query: string) => {
        const reply = await h.request('GET', `${endpoint}?${query}`);
        assert.equal(reply.status, 200, reply.raw);
        return reply.body.Resources.map((r: Record<string, unknown>) => r[indexed!]);
      };
      assert.deepEqual(await list(`filter=${encodeURIComponent(`${urn}:level gt 2`)}`), [`ext-3-${name}`]);
      assert.deepEqual(await list(`filter=${encodeURIComponent(`costCode eq "cc-1"`)}`), [`ext-3-${name}`], 'an unqualified name');
      assert.deepEqual(await list(`filter=${encodeURIComponent(`${urn}:level pr`)}&sortBy=${urn}:level&sortOrder=descending`), [
        `ext-3-${name}`,
        `ext-1-${name}`,
      ]);
      const patched = await h.request('PATCH', `${endpoint}/${three.body.id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${urn}:level`, value: 4 }] },
      });
      assert.equal(patched.status, 200, patched.raw);
      assert.equal(patched.body[urn].level, 4);
      // Removed, its values go with it (RFC 7643 §3.3 extensions are the tenant's to change).
      await h.server.schemas.removeAttribute('acme', urn, 'level');
      assert.deepEqual((await h.request('GET', `${endpoint}/${three.body.id}`)).body[urn], { costCode: 'CC-1' });
      await assert.rejects(
        h.server.schemas.addAttribute('acme', { schemaId: urn, attribute: { name: 'tag', type: 'string', uniqueness: 'server' } }),
        /uniqueness "server" is kept for extensions of User and Group/,
      );
      await h.server.schemas.removeSchema('acme', urn);
      const after = await h.request('GET', `${endpoint}/${three.body.id}`);
      assert.deepEqual(after.body.schemas, [schemaId]);
      assert.equal(after.body[urn], undefined);
    });
  });
}
