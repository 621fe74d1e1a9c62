import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

const AGENT = 'urn:ietf:params:scim:schemas:core:2.0:Agent';

/**
 * The agent resource (draft-wzdk-scim-agent-resource-00, built from draft-wahl-scim-agent-schema-01
 * as docs/resource-types.md says): owners, OAuth client identifiers, roles.
 */
describe('draft-wzdk-scim-agent-resource-00: /Agents', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.server.resourceTypes.enable('acme', ['Agents']);
  });
  after(async () => {
    await h.close();
  });

  it('an agent with its owner, OAuth client and roles round-trips, and is found by owner and by client', async () => {
    const owner = await h.request('POST', '/Users', { body: userBody('owner@example.com') });
    const agent = {
      schemas: [AGENT],
      displayName: 'Expense assistant',
      description: 'Files expense reports for its owner',
      active: true,
      agenticApplicationId: 'app-42',
      owners: [{ value: owner.body.id, type: 'User' }],
      oAuthClientIdentifiers: [{ clientId: 'client-7', issuer: 'https://login.example.com', subject: 'agent-7' }],
      roles: [{ value: 'expenses.submit', primary: true }],
    };
    const created = await h.request('POST', '/Agents', { body: agent });
    assert.equal(created.status, 201, created.raw);
    const { id, meta, ...shown } = created.body;
    assert.equal(meta.resourceType, 'Agent');
    assert.deepEqual(shown, agent);
    const byOwner = await h.request('GET', `/Agents?filter=${encodeURIComponent(`owners.value eq "${owner.body.id}"`)}`);
    assert.deepEqual(
      byOwner.body.Resources.map((a: { id: string }) => a.id),
      [id],
    );
    const byClient = await h.request('GET', `/Agents?filter=${encodeURIComponent('oAuthClientIdentifiers[clientId eq "client-7"]')}`);
    assert.equal(byClient.body.totalResults, 1);
    const deactivated = await h.request('PATCH', `/Agents/${id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    assert.equal(deactivated.body.active, false);
  });

  it('RFC 7644 §3.7.2: one Bulk request creates a user and an agent it owns (bulkId reference in owners), then a role and a device', async () => {
    await h.server.resourceTypes.enable('acme', ['Roles', 'Devices']);
    const reply = await h.request('POST', '/Bulk', {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'POST',
            path: '/Agents',
            bulkId: 'a',
            data: { schemas: [AGENT], displayName: 'Owned', owners: [{ value: 'bulkId:o' }] },
          },
          { method: 'POST', path: '/Users', bulkId: 'o', data: userBody('bulk-owner@example.com') },
          {
            method: 'POST',
            path: '/Roles',
            bulkId: 'r',
            data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Role'], value: 'bulk-role' },
          },
          {
            method: 'POST',
            path: '/Devices',
            bulkId: 'd',
            data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Device'], displayName: 'Bulk device', active: true },
          },
          { method: 'DELETE', path: '/Roles/bulkId:r' },
        ],
      },
    });
    assert.equal(reply.status, 200, reply.raw);
    assert.deepEqual(
      reply.body.Operations.map((o: { status: string }) => o.status),
      ['201', '201', '201', '201', '204'],
    );
    const ownerId = reply.body.Operations[1].location.split('/').pop();
    const agent = await h.request('GET', new URL(reply.body.Operations[0].location).pathname.replace('/scim/v2', ''));
    assert.equal(agent.body.owners[0].value, ownerId);
  });
});
