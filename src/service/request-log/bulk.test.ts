import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bulkOperationsOf } from './bulk.ts';

const BASE = 'https://scim.example.com/scim/v2';
const response = (operations: unknown) =>
  JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkResponse'], Operations: operations });

/** docs/console.md "The request log": what each operation of a /Bulk request did, from the RFC 7644 §3.7.3 BulkResponse sent. */
describe('the request log reads /Bulk operations from the BulkResponse', () => {
  it('no BulkResponse (not JSON, an error, a list, no Operations list): nothing', () => {
    assert.equal(bulkOperationsOf({}, 'not json'), undefined);
    assert.equal(
      bulkOperationsOf({}, JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '413' })),
      undefined,
    );
    assert.equal(bulkOperationsOf({}, JSON.stringify([{ status: '201' }])), undefined);
    assert.equal(bulkOperationsOf({}, JSON.stringify({ Operations: { status: '201' } })), undefined);
    assert.equal(bulkOperationsOf({}, 'null'), undefined);
  });

  it('each answered operation: method, status as a number, the resource id and path from its location', () => {
    assert.deepEqual(
      bulkOperationsOf(
        undefined,
        response([
          { method: 'PUT', location: `${BASE}/Users/u-1`, status: '200' },
          'not an operation',
          null,
          { method: 'DELETE', status: 404 },
        ]),
      ),
      [
        { method: 'PUT', path: '/Users/u-1', status: 200, resourceId: 'u-1' },
        { method: 'DELETE', path: undefined, status: 404, resourceId: undefined },
      ],
    );
  });

  it("the path the request gave the operation's bulkId (the first that carried one), else the location's", () => {
    const sent = {
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: {} },
        { method: 'PATCH', path: '/Groups/g-9', bulkId: 'a' },
        { method: 'POST', bulkId: 'b', data: {} },
        { method: 'POST', path: '/Groups', bulkId: 7 },
        'junk',
        { method: 'POST', path: '/Groups' },
      ],
    };
    assert.deepEqual(
      bulkOperationsOf(
        sent,
        response([
          { method: 'POST', bulkId: 'a', location: `${BASE}/Users/u-1`, status: '201' },
          { method: 'POST', bulkId: 'b', location: `${BASE}/Users/u-2`, status: '201' },
          { method: 'POST', bulkId: 'c', status: '409' },
          { method: 'POST', bulkId: 7, location: `${BASE}/Groups/g-1`, status: '201' },
        ]),
      ),
      [
        { method: 'POST', path: '/Users', status: 201, resourceId: 'u-1' },
        { method: 'POST', path: '/Users/u-2', status: 201, resourceId: 'u-2' },
        { method: 'POST', path: undefined, status: 409, resourceId: undefined },
        { method: 'POST', path: '/Groups/g-1', status: 201, resourceId: 'g-1' },
      ],
    );
  });

  it('a request body without an Operations list: paths from the locations', () => {
    for (const body of [null, [], 'text', { Operations: 'x' }])
      assert.deepEqual(bulkOperationsOf(body, response([{ method: 'POST', bulkId: 'a', location: `${BASE}/Users/u-1`, status: '201' }])), [
        { method: 'POST', path: '/Users/u-1', status: 201, resourceId: 'u-1' },
      ]);
  });
});
