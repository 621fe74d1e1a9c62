import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudEvent } from '../cloud-event.ts';
import { securityEventClaims } from './claims.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PROV = 'urn:ietf:params:scim:event:prov';

function cloudEvent(type: string, data: Record<string, unknown>, subject = 'Users/u1'): CloudEvent {
  return {
    specversion: '1.0',
    id: `id-${type}-${String(data['version'])}`,
    source: 'https://scim.example.com/scim/v2',
    type,
    subject,
    time: '2026-11-29T04:12:24.512Z',
    datacontenttype: 'application/json',
    dataschema: 'urn:scimd:events:1',
    tenant: 'acme',
    sequence: 7,
    data,
  };
}
const events = (e: CloudEvent) => securityEventClaims(e, 'urn:aud')!.events;

describe('rfc9967 §2.4 provisioning events from outbox events', () => {
  it('an extension attribute changes by its URN-qualified path; a vanished one is removed', () => {
    const resource = { id: 'u1', userName: 'a', [ENTERPRISE]: { department: 'Ops' } };
    const e = cloudEvent('scim.user.updated', {
      resource,
      version: 4,
      changedAttributes: [`${ENTERPRISE}:department`, `${ENTERPRISE}:manager`, 'title'],
      method: 'PATCH',
    });
    assert.deepEqual(events(e), {
      [`${PROV}:patch:full`]: {
        version: 'W/"4"',
        data: {
          schemas: [PATCH_OP],
          Operations: [
            { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Ops' },
            { op: 'remove', path: `${ENTERPRISE}:manager` },
            { op: 'remove', path: 'title' },
          ],
        },
      },
    });
  });

  it('a user PUT is put:full with the resource; a PUT that only set the password is put:notice', () => {
    const resource = { id: 'u1', userName: 'a', active: true };
    assert.deepEqual(
      Object.keys(
        events(cloudEvent('scim.user.updated', { resource, version: 2, changedAttributes: ['password', 'userName'], method: 'PUT' })),
      ),
      [`${PROV}:put:full`],
    );
    assert.deepEqual(events(cloudEvent('scim.user.updated', { resource, version: 3, changedAttributes: ['password'], method: 'PUT' })), {
      [`${PROV}:put:notice`]: { version: 'W/"3"', attributes: ['password'] },
    });
  });

  it('an update event written before `method` existed reads as a PATCH', () => {
    const e = cloudEvent('scim.user.updated', { resource: { id: 'u1', title: 'x' }, version: 2, changedAttributes: ['title'] });
    assert.deepEqual(Object.keys(events(e)), [`${PROV}:patch:full`]);
  });

  it('removing active is neither an activation nor a deactivation', () => {
    const e = cloudEvent('scim.user.updated', { resource: { id: 'u1' }, version: 2, changedAttributes: ['active'], method: 'PATCH' });
    assert.deepEqual(Object.keys(events(e)), [`${PROV}:patch:full`]);
  });

  it('txn: the events of one write share it; a delete at the same version has its own', () => {
    const created = securityEventClaims(cloudEvent('scim.group.created', { resource: { id: 'g1' }, version: 1 }, 'Groups/g1'), 'a')!;
    const added = securityEventClaims(cloudEvent('scim.group.members.added', { id: 'g1', version: 1, members: ['u1'] }, 'Groups/g1'), 'b')!;
    const deleted = securityEventClaims(cloudEvent('scim.group.deleted', { id: 'g1', displayName: 'G', version: 1 }, 'Groups/g1'), 'a')!;
    assert.equal(created.txn, added.txn);
    assert.notEqual(deleted.txn, created.txn);
    assert.match(created.txn, /^[0-9a-f]{32}$/);
    assert.equal(added.aud, 'b');
  });

  it('an event type RFC 9967 has no event for gives no SET', () => {
    assert.equal(securityEventClaims(cloudEvent('scim.something.else', { version: 1 }), 'a'), undefined);
  });
});
