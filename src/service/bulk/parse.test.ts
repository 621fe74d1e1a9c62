import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../../errors/scim-error.ts';
import { type ParsedOperation, parseBulkRequest } from './parse.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const request = (Operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK], Operations, ...extra });
const parseOne = (operation: unknown) => parseBulkRequest(request([operation]), 10).operations[0]!;

/** A ScimError with this status, scimType and detail. */
function scim(status: number, scimType: string | undefined, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType, error.detail], [status, scimType, detail]);
    return true;
  };
}

/** The resource a PUT, PATCH or DELETE names. */
const resourceOf = (op: ParsedOperation) => (op.plan && op.plan.method !== 'POST' ? op.plan.resource : undefined);

/** The operation's echo (method, bulkId) and its error, as the BulkResponse reports them. */
function refused(op: ParsedOperation) {
  assert.equal(op.plan, undefined);
  assert.ok(op.error, 'the operation has an error');
  return { method: op.method, bulkId: op.bulkId, status: op.error.status, scimType: op.error.scimType, detail: op.error.detail };
}

describe('RFC 7644 §3.7 a BulkRequest as a whole', () => {
  it('a body that is not a JSON object is 400 invalidSyntax', () => {
    for (const body of [null, [], 'text', 3]) {
      assert.throws(() => parseBulkRequest(body, 10), scim(400, 'invalidSyntax', 'the BulkRequest must be a JSON object'));
    }
  });

  it('"schemas" must name the BulkRequest URN, in any letter case', () => {
    const missing = `"schemas" must contain "${BULK}"`;
    assert.throws(() => parseBulkRequest({ Operations: [] }, 10), scim(400, 'invalidSyntax', missing));
    assert.throws(() => parseBulkRequest({ schemas: BULK, Operations: [] }, 10), scim(400, 'invalidSyntax', missing));
    assert.throws(() => parseBulkRequest({ schemas: [USER, 7], Operations: [] }, 10), scim(400, 'invalidSyntax', missing));
    const op = { method: 'DELETE', path: '/Users/u1' };
    assert.equal(parseBulkRequest({ schemas: [7, BULK.toUpperCase()], Operations: [op] }, 10).operations.length, 1);
  });

  it('attribute names are case-insensitive (RFC 7643 §2.1), and one given twice is 400', () => {
    const parsed = parseBulkRequest({ SCHEMAS: [BULK], operations: [{ METHOD: 'delete', PATH: '/Users/u1' }], FailOnErrors: 2 }, 10);
    assert.equal(parsed.failOnErrors, 2);
    assert.equal(parsed.operations[0]!.method, 'DELETE');
    assert.throws(
      () => parseBulkRequest({ schemas: [BULK], Operations: [], operations: [] }, 10),
      scim(400, 'invalidSyntax', 'the BulkRequest has "Operations" more than once'),
    );
  });

  it('§3.7.3 failOnErrors is a whole number of at least 1; absent or null means none', () => {
    const op = { method: 'DELETE', path: '/Users/u1' };
    assert.equal(parseBulkRequest(request([op]), 10).failOnErrors, undefined);
    assert.equal(parseBulkRequest(request([op], { failOnErrors: null }), 10).failOnErrors, undefined);
    assert.equal(parseBulkRequest(request([op], { failOnErrors: 1 }), 10).failOnErrors, 1);
    for (const bad of [0, -1, 1.5, '1', true]) {
      assert.throws(
        () => parseBulkRequest(request([op], { failOnErrors: bad }), 10),
        scim(400, 'invalidValue', `"failOnErrors" must be a whole number of at least 1, got ${JSON.stringify(bad)}`),
      );
    }
  });

  it('"Operations" is a non-empty array', () => {
    for (const Operations of [undefined, [], {}, 'x']) {
      assert.throws(
        () => parseBulkRequest({ schemas: [BULK], Operations }, 10),
        scim(400, 'invalidSyntax', '"Operations" must be a non-empty array'),
      );
    }
  });

  it('§3.7.4 more operations than maxOperations is 413; exactly maxOperations is accepted', () => {
    const op = { method: 'DELETE', path: '/Users/u1' };
    assert.equal(parseBulkRequest(request([op, op]), 2).operations.length, 2);
    assert.throws(
      () => parseBulkRequest(request([op, op, op]), 2),
      scim(413, undefined, 'the bulk request has 3 operations, more than maxOperations (2)'),
    );
  });
});

describe('RFC 7644 §3.7 one operation: a plan, or its own error while the others run', () => {
  it('POST to /Users or /Groups with a bulkId and data', () => {
    const data = { schemas: [USER], userName: 'bjensen' };
    const op = parseOne({ method: 'post', bulkId: 'qwerty', path: '/Users', data });
    assert.deepEqual(op, {
      method: 'POST',
      bulkId: 'qwerty',
      plan: { type: 'User', version: undefined, method: 'POST', bulkId: 'qwerty', data, references: new Set() },
    });
    assert.equal(parseOne({ method: 'POST', bulkId: 'g', path: '/Groups/', data: {} }).plan?.type, 'Group');
  });

  it('PUT, PATCH and DELETE name one resource by id, with the version as If-Match', () => {
    const data = { schemas: [USER], userName: 'bjensen' };
    assert.deepEqual(parseOne({ method: 'PUT', path: '/Users/2819c223', version: 'W/"3"', data }).plan, {
      type: 'User',
      version: 'W/"3"',
      method: 'PUT',
      resource: { kind: 'id', id: '2819c223' },
      data,
      references: new Set(),
    });
    assert.deepEqual(parseOne({ method: 'DELETE', path: '/Groups/e9e30dba' }).plan, {
      type: 'Group',
      version: undefined,
      method: 'DELETE',
      resource: { kind: 'id', id: 'e9e30dba' },
      references: new Set(),
    });
  });

  it('a PATCH whose data has no "schemas" is read as a PatchOp (the §3.7 example, errata 5050); one with schemas is kept', () => {
    const Operations = [{ op: 'replace', path: 'active', value: false }];
    assert.deepEqual(parseOne({ method: 'PATCH', path: '/Users/u1', data: { Operations } }).plan, {
      type: 'User',
      version: undefined,
      method: 'PATCH',
      resource: { kind: 'id', id: 'u1' },
      data: { schemas: [PATCH_OP], Operations },
      references: new Set(),
    });
    const own = { Schemas: [USER], Operations };
    const plan = parseOne({ method: 'PATCH', path: '/Users/u1', data: own }).plan;
    assert.ok(plan && plan.method === 'PATCH');
    assert.deepEqual(plan.data, own);
  });

  it('§3.7.2 a path "/Users/bulkId:x" names the resource a POST of the request creates, and the operation depends on it', () => {
    const ops = parseBulkRequest(
      request([
        { method: 'POST', bulkId: 'x', path: '/Users', data: { userName: 'a' } },
        { method: 'DELETE', path: '/Users/bulkId:x' },
        { method: 'PATCH', path: '/Groups/g1', data: { Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:x' }] }] } },
      ]),
      10,
    ).operations;
    assert.deepEqual(ops[1]!.plan, {
      type: 'User',
      version: undefined,
      method: 'DELETE',
      resource: { kind: 'bulkId', bulkId: 'x' },
      references: new Set(['x']),
    });
    assert.deepEqual(ops[2]!.plan?.references, new Set(['x']));
    // "bulkId:" alone is an ordinary id.
    assert.deepEqual(resourceOf(parseOne({ method: 'DELETE', path: '/Users/bulkId:' })), { kind: 'id', id: 'bulkId:' });
  });

  it('a POST that refers to the bulkId of another POST depends on it', () => {
    const parsed = parseBulkRequest(
      request([
        { method: 'POST', bulkId: 'group', path: '/Groups', data: { displayName: 'G', members: [{ value: 'bulkId:user' }] } },
        { method: 'POST', bulkId: 'user', path: '/Users', data: { userName: 'u' } },
      ]),
      10,
    );
    assert.deepEqual(parsed.operations[0]!.plan?.references, new Set(['user']));
    assert.deepEqual(
      [...parsed.definedBy],
      [
        ['group', 0],
        ['user', 1],
      ],
    );
  });

  it('an operation that is not an object, or names a field twice, is an error of its own, echoing nothing', () => {
    const parsed = parseBulkRequest(request(['nope', { method: 'DELETE', Method: 'DELETE', path: '/Users/u1' }]), 10);
    assert.deepEqual(refused(parsed.operations[0]!), {
      method: undefined,
      bulkId: undefined,
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'Operations[0] must be a JSON object',
    });
    assert.deepEqual(refused(parsed.operations[1]!), {
      method: undefined,
      bulkId: undefined,
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'Operations[1] has "method" more than once',
    });
  });

  it('a method other than POST, PUT, PATCH or DELETE is echoed as written', () => {
    assert.deepEqual(refused(parseOne({ method: 'GET', bulkId: 'b', path: '/Users/u1' })), {
      method: 'GET',
      bulkId: 'b',
      status: 400,
      scimType: 'invalidValue',
      detail: '"method" must be POST, PUT, PATCH or DELETE, got "GET"',
    });
    assert.deepEqual(refused(parseOne({ path: '/Users/u1' })), {
      method: undefined,
      bulkId: undefined,
      status: 400,
      scimType: 'invalidValue',
      detail: '"method" must be POST, PUT, PATCH or DELETE, got nothing',
    });
    assert.equal(refused(parseOne({ method: 7, path: '/Users/u1' })).method, undefined);
  });

  it('a bulkId is a non-empty string without double quotes', () => {
    for (const bulkId of ['', 'a"b', 7]) {
      assert.deepEqual(refused(parseOne({ method: 'POST', bulkId, path: '/Users', data: {} })), {
        method: 'POST',
        bulkId: typeof bulkId === 'string' ? bulkId : undefined,
        status: 400,
        scimType: 'invalidValue',
        detail: '"bulkId" must be a non-empty string without double quotes',
      });
    }
  });

  it('version is a string (an ETag); path is a string naming /Users or /Groups', () => {
    assert.deepEqual(refused(parseOne({ method: 'DELETE', path: '/Users/u1', version: 3 })).detail, '"version" must be a string (an ETag)');
    assert.deepEqual(refused(parseOne({ method: 'DELETE' })).detail, '"path" must be a string such as "/Users" or "/Groups/{id}"');
    for (const path of ['/Printers', 'Users', '/Users/a/b', '/Users?x=1', '/Userz', '/Users/a#b']) {
      assert.deepEqual(refused(parseOne({ method: 'DELETE', path })), {
        method: 'DELETE',
        bulkId: undefined,
        status: 400,
        scimType: 'invalidValue',
        detail: `"path" must be "/Users", "/Groups", "/Users/{id}" or "/Groups/{id}", got ${JSON.stringify(path)}`,
      });
    }
    assert.deepEqual(resourceOf(parseOne({ method: 'DELETE', path: '/Users/u1/' })), { kind: 'id', id: 'u1' });
  });

  it('a POST needs a bulkId, a resource type endpoint and data', () => {
    assert.deepEqual(
      refused(parseOne({ method: 'POST', path: '/Users', data: {} })).detail,
      'a POST operation needs a "bulkId" (RFC 7644 §3.7)',
    );
    assert.deepEqual(
      refused(parseOne({ method: 'POST', bulkId: 'b', path: '/Groups/g1', data: {} })).detail,
      'a POST "path" names a resource type endpoint ("/Groups"), got "/Groups/g1"',
    );
    for (const data of [undefined, [], 'x']) {
      assert.deepEqual(refused(parseOne({ method: 'POST', bulkId: 'b', path: '/Users', data })), {
        method: 'POST',
        bulkId: 'b',
        status: 400,
        scimType: 'invalidSyntax',
        detail: 'a POST operation needs a JSON object "data"',
      });
    }
  });

  it('PUT, PATCH and DELETE need one resource; PUT and PATCH need data, DELETE none', () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      assert.deepEqual(
        refused(parseOne({ method, path: '/Users', data: {} })).detail,
        `a ${method} "path" names one resource ("/Users/{id}"), got "/Users"`,
      );
    }
    assert.deepEqual(refused(parseOne({ method: 'PUT', path: '/Users/u1' })).detail, 'a PUT operation needs a JSON object "data"');
    assert.deepEqual(
      refused(parseOne({ method: 'PATCH', path: '/Users/u1', data: [] })).detail,
      'a PATCH operation needs a JSON object "data"',
    );
    assert.ok(parseOne({ method: 'DELETE', path: '/Users/u1', data: 'ignored' }).plan);
  });

  it('§3.7.2 the first POST with a bulkId defines it; a later one and a reference to none cannot run', () => {
    const parsed = parseBulkRequest(
      request([
        { method: 'POST', bulkId: 'dup', path: '/Users', data: 'not an object' },
        { method: 'POST', bulkId: 'dup', path: '/Users', data: { userName: 'b' } },
        { method: 'DELETE', bulkId: 'dup', path: '/Users/bulkId:nobody' },
        { method: 'PUT', path: '/Users/u1', data: { manager: 'bulkId:dup' } },
      ]),
      10,
    );
    assert.deepEqual([...parsed.definedBy], [['dup', 0]]);
    assert.equal(refused(parsed.operations[0]!).detail, 'a POST operation needs a JSON object "data"');
    assert.deepEqual(refused(parsed.operations[1]!), {
      method: 'POST',
      bulkId: 'dup',
      status: 400,
      scimType: 'invalidValue',
      detail: 'bulkId "dup" is already used by Operations[0]',
    });
    assert.deepEqual(refused(parsed.operations[2]!), {
      method: 'DELETE',
      bulkId: 'dup',
      status: 400,
      scimType: 'invalidValue',
      detail: '"bulkId:nobody" refers to no POST of this request',
    });
    // Referring to a malformed POST's bulkId is allowed here: it fails later as a dependent.
    assert.deepEqual(parsed.operations[3]!.plan?.references, new Set(['dup']));
  });
});
