import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTERPRISE, type Harness, startHarness, USER_SCHEMA, userBody } from '../helpers/harness.ts';

/**
 * Microsoft Entra's custom extension form (learn.microsoft.com, "Provisioning a custom
 * extension"): attributes named `urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:attr`,
 * sent in path-less PATCH values and as PATCH paths, with Entra's string booleans.
 */
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('entra: custom extension attributes', () => {
  let h: Harness;
  let id: string;
  before(async () => {
    h = await startHarness();
    await h.server.schemas.importSchema('acme', {
      schema: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
        id: CUSTOM,
        name: 'CustomExtensionName',
        description: 'Entra custom extension',
        attributes: [
          {
            name: 'costCenterCode',
            type: 'string',
            multiValued: false,
            required: false,
            caseExact: false,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
          },
          { name: 'isContractor', type: 'boolean' },
        ],
      },
    });
    const created = await h.request('POST', '/Users', {
      body: { ...userBody('entra-ext@example.com'), schemas: [USER_SCHEMA, ENTERPRISE, CUSTOM], [CUSTOM]: { costCenterCode: 'CC-1' } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    id = created.body.id;
  });
  after(() => h.close());

  it('entra: custom extension path-less PATCH with URN-qualified keys', async () => {
    const res = await h.request('PATCH', `/Users/${id}`, {
      body: {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', value: { [`${CUSTOM}:costCenterCode`]: 'CC-2', [`${CUSTOM}:isContractor`]: 'True', displayName: 'Renamed' } },
        ],
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body[CUSTOM], { costCenterCode: 'CC-2', isContractor: true });
    assert.equal(res.body.displayName, 'Renamed');
  });

  it('entra: custom extension path-less PATCH with the schema URN holding an object', async () => {
    const res = await h.request('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [CUSTOM]: { costCenterCode: 'CC-3' } } }] },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body[CUSTOM].costCenterCode, 'CC-3');
  });

  it('entra: custom extension URN path PATCH (Add, Replace, Remove)', async () => {
    const add = await h.request('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: `${CUSTOM}:costCenterCode`, value: 'CC-4' }] },
    });
    assert.equal(add.body[CUSTOM].costCenterCode, 'CC-4');
    const remove = await h.request('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `${CUSTOM}:isContractor` }] },
    });
    assert.deepEqual(remove.body[CUSTOM], { costCenterCode: 'CC-4' });
  });

  it('entra: matching on a custom extension attribute with a URN path', async () => {
    const filter = encodeURIComponent(`${CUSTOM}:costCenterCode eq "cc-4"`);
    const res = await h.request('GET', `/Users?filter=${filter}&attributes=${encodeURIComponent(`${CUSTOM}:costCenterCode`)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.totalResults, 1);
    assert.equal(res.body.Resources[0].id, id);
    assert.deepEqual(res.body.Resources[0][CUSTOM], { costCenterCode: 'CC-4' });
    const none = await h.request('GET', `/Users?filter=${encodeURIComponent(`${CUSTOM}:costCenterCode eq "nothing"`)}`);
    assert.equal(none.body.totalResults, 0);
  });
});
