import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CloudEvent, sequenceOf, toCloudEvent } from '../../src/events/cloud-event.ts';
import { assertValidEvent, eventSchemaErrors } from '../../src/events/testing/schema.ts';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

/** Issue 5, Outbox: every change appends exactly its events in its transaction; nothing else does. */
describe('transactional outbox: the events each kind of change produces', () => {
  let h: Harness;
  let tenantId: string;
  let seen = 0;

  before(async () => {
    h = await startHarness();
    tenantId = (await h.server.store.findTenantByName('acme'))!.id;
  });
  after(async () => h.close());

  /** The events appended since the last call, each checked against docs/event.schema.json. */
  async function newEvents(): Promise<CloudEvent[]> {
    const records = await h.server.store.readEvents(tenantId, seen, 1000);
    const events = records.map((r) => toCloudEvent(r));
    for (const e of events) {
      assertValidEvent(e);
      assert.equal(sequenceOf(e), ++seen, 'sequence is gapless');
    }
    return events;
  }

  it('create, replace, patch, password change, membership, delete: exactly the expected events in order', async () => {
    const u = await h.request('POST', '/Users', { body: userBody('ev1@example.com', { password: 'Secret-123-x' }) });
    assert.equal(u.status, 201);
    let events = await newEvents();
    assert.deepEqual(
      events.map((e) => e.type),
      ['scim.user.created'],
    );
    const created = events[0]!;
    assert.equal(created.subject, `Users/${u.body.id}`);
    assert.equal(created.source, 'https://scim.example.com/scim/v2');
    assert.equal(created.tenant, 'acme');
    assert.equal(created.data['version'], 1);
    const resource = created.data['resource'] as Record<string, unknown>;
    assert.equal(resource['userName'], 'ev1@example.com');
    assert.equal(resource['password'], undefined);
    assert.ok(!JSON.stringify(created).includes('Secret-123-x'));

    const p = await h.request('PATCH', `/Users/${u.body.id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    assert.equal(p.status, 200);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => e.type),
      ['scim.user.updated'],
    );
    assert.deepEqual(events[0]!.data['changedAttributes'], ['active']);
    assert.equal(events[0]!.data['version'], 2);

    const pw = await h.request('PATCH', `/Users/${u.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'password', value: 'Other-456-y' }],
      },
    });
    assert.equal(pw.status, 200);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => [e.type, e.data['changedAttributes']]),
      [['scim.user.updated', ['password']]],
    );
    assert.ok(!JSON.stringify(events).includes('Other-456-y'));

    const put = await h.request('PUT', `/Users/${u.body.id}`, {
      body: userBody('ev1@example.com', { displayName: 'Renamed', active: false }),
    });
    assert.equal(put.status, 200);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => [e.type, e.data['changedAttributes']]),
      [['scim.user.updated', ['displayName']]],
    );

    const u2 = await h.request('POST', '/Users', { body: userBody('ev2@example.com') });
    const g = await h.request('POST', '/Groups', { body: groupBody('Ev Sales', [u.body.id]) });
    assert.equal(g.status, 201);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => e.type),
      ['scim.user.created', 'scim.group.created', 'scim.group.members.added'],
    );
    assert.equal(
      (events[1]!.data['resource'] as Record<string, unknown>)['members'],
      undefined,
      'group events never carry the member list',
    );
    assert.deepEqual(events[2]!.data, { id: g.body.id, version: 1, members: [u.body.id] });

    const swap = await h.request('PATCH', `/Groups/${g.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'add', path: 'members', value: [{ value: u2.body.id }] },
          { op: 'remove', path: `members[value eq "${u.body.id}"]` },
        ],
      },
    });
    assert.equal(swap.status, 204);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => [e.type, e.data['members']]),
      [
        ['scim.group.members.removed', [u.body.id]],
        ['scim.group.members.added', [u2.body.id]],
      ],
    );
    assert.ok(events.every((e) => e.data['version'] === 2));

    const rename = await h.request('PATCH', `/Groups/${g.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Ev Sales EMEA' }],
      },
    });
    assert.equal(rename.status, 204);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => [e.type, e.data['changedAttributes']]),
      [['scim.group.updated', ['displayName']]],
    );

    assert.equal((await h.request('DELETE', `/Groups/${g.body.id}`)).status, 204);
    assert.equal((await h.request('DELETE', `/Users/${u.body.id}`)).status, 204);
    events = await newEvents();
    assert.deepEqual(
      events.map((e) => [e.type, e.data]),
      [
        ['scim.group.deleted', { id: g.body.id, displayName: 'Ev Sales EMEA', version: 3 }],
        [
          'scim.user.deleted',
          { id: u.body.id, externalId: 'ext-ev1@example.com', userName: 'ev1@example.com', displayName: 'Renamed', version: 4 },
        ],
      ],
    );
    assert.equal(new Set((await h.server.store.readEvents(tenantId, 0, 1000)).map((e) => e.id)).size, seen, 'ids are unique');
  });

  it('a rejected write (400, 409, 412, 404) and a no-op write produce no event', async () => {
    await newEvents();
    const u = await h.request('POST', '/Users', { body: userBody('noop@example.com') });
    await newEvents();
    assert.equal((await h.request('POST', '/Users', { body: { schemas: [] } })).status, 400);
    assert.equal((await h.request('POST', '/Users', { body: userBody('noop@example.com') })).status, 409);
    assert.equal((await h.request('POST', '/Groups', { body: { ...groupBody('Bad'), members: [{ value: 42 }] } })).status, 400);
    const stale = await h.request('PATCH', `/Users/${u.body.id}`, {
      headers: { 'if-match': 'W/"99"' },
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    assert.equal(stale.status, 412);
    assert.equal((await h.request('DELETE', '/Users/no-such-id')).status, 404);
    const same = await h.request('PATCH', `/Users/${u.body.id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: true }] },
    });
    assert.equal(same.status, 200);
    assert.equal((await h.request('PUT', `/Users/${u.body.id}`, { body: userBody('noop@example.com') })).status, 200);
    const g = await h.request('POST', '/Groups', { body: groupBody('Noop', [u.body.id]) });
    await newEvents();
    const again = await h.request('PATCH', `/Groups/${g.body.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: u.body.id }] }],
      },
    });
    assert.equal(again.status, 204);
    assert.deepEqual(await newEvents(), []);
  });

  it('sequences are per tenant: another tenant starts at 1', async () => {
    const r = await h.request('POST', '/Users', { token: h.tokenB, body: userBody('other@example.com') });
    assert.equal(r.status, 201);
    const globex = (await h.server.store.findTenantByName('globex'))!.id;
    const events = (await h.server.store.readEvents(globex, 0, 10)).map((r) => toCloudEvent(r));
    assert.deepEqual(
      events.map((e) => [e.tenant, sequenceOf(e)]),
      [['globex', 1]],
    );
  });

  it('the schema validator rejects what the contract forbids', () => {
    const base = {
      specversion: '1.0',
      id: '00000000-0000-4000-8000-000000000000',
      source: 'https://x/scim/v2',
      type: 'scim.group.created',
      subject: 'Groups/1',
      time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:scimd:events:1',
      tenant: 'acme',
      sequence: 1,
    };
    const resource = {
      schemas: ['x'],
      id: '1',
      meta: { resourceType: 'Group', created: 'a', lastModified: 'b', location: 'c', version: 'W/"1"' },
    };
    assert.deepEqual(eventSchemaErrors({ ...base, data: { resource, version: 1 } }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...base, data: { resource: { ...resource, members: [] }, version: 1 } }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...base, sequence: 0, data: { resource, version: 1 } }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...base, type: 'scim.user.deleted', data: { id: '1', version: 1 } }), []);
    // Contract 2: the CloudEvents sequence extension's string, zero-padded so that it sorts as it counts.
    const v2 = { ...base, dataschema: 'urn:scimd:events:2', data: { resource, version: 1 } };
    assert.deepEqual(eventSchemaErrors({ ...v2, sequence: '00000000000000000001' }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...v2, sequence: 1 }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...v2, sequence: '1' }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...v2, sequence: '00000000000000000000' }), []);
    assert.notDeepEqual(eventSchemaErrors({ ...base, sequence: '00000000000000000001', data: { resource, version: 1 } }), []);
  });
});
