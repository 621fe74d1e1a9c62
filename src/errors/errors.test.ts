import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toScimError } from './from-unknown.ts';
import { quoteInput } from './quote.ts';
import * as errors from './scim-error.ts';
import { ScimError } from './scim-error.ts';
import { toErrorBody } from './to-response.ts';

describe('RFC 7644 §3.12 error responses', () => {
  it('the body: the Error schema, the status as a string, scimType when there is one, the detail', () => {
    assert.deepEqual(toErrorBody(new ScimError(409, 'uniqueness', 'userName is taken')), {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName is taken',
    });
    const body = toErrorBody(new ScimError(404, undefined, 'Resource 2819c223 not found'));
    assert.deepEqual(body, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
      detail: 'Resource 2819c223 not found',
    });
    assert.ok(!('scimType' in body), 'no scimType member at all when there is none');
  });

  it('a scimType travels only with the status Table 9 gives it', () => {
    assert.throws(() => new ScimError(404, 'invalidFilter', 'x'), /scimType invalidFilter cannot travel with status 404/);
    assert.throws(() => new ScimError(400, 'uniqueness', 'x'), /scimType uniqueness cannot travel with status 400/);
    assert.throws(() => new ScimError(400, 'sensitive', 'x'), /sensitive/);
    const error = new ScimError(403, 'sensitive', 'filter on password');
    assert.equal(error.name, 'ScimError');
    assert.equal(error.message, 'filter on password');
    assert.ok(error instanceof Error);
    assert.deepEqual(error.headers, {});
  });

  it('Table 9: each error helper has its status and scimType', () => {
    const cases: Array<[ScimError, number, string | undefined]> = [
      [errors.invalidFilter('d'), 400, 'invalidFilter'],
      [errors.invalidPath('d'), 400, 'invalidPath'],
      [errors.invalidValue('d'), 400, 'invalidValue'],
      [errors.invalidSyntax('d'), 400, 'invalidSyntax'],
      [errors.mutability('d'), 400, 'mutability'],
      [errors.noTarget('d'), 400, 'noTarget'],
      [errors.uniqueness('d'), 409, 'uniqueness'],
      [errors.invalidCursor('d'), 400, 'invalidCursor'],
      [errors.expiredCursor('d'), 400, 'expiredCursor'],
      [errors.invalidCount('d'), 400, 'invalidCount'],
      // draft-sehgal-scim-delta-query §7: a delta token older than the events kept.
      [errors.expiredDeltaToken('d'), 400, 'expiredDeltaToken'],
      [errors.badRequest('d'), 400, undefined],
      [errors.notFound('d'), 404, undefined],
      [errors.preconditionFailed('d'), 412, undefined],
      [errors.forbidden('d'), 403, undefined],
      [errors.payloadTooLarge('d'), 413, undefined],
      [errors.notImplemented('d'), 501, undefined],
    ];
    for (const [error, status, scimType] of cases) {
      assert.deepEqual([error.status, error.scimType, error.detail, error.headers], [status, scimType, 'd', {}], `${status} ${scimType}`);
    }
  });

  it('RFC 6750 §3: 401 names the Bearer scheme; an invalid token says invalid_token with a description safe in a header', () => {
    const plain = errors.unauthorized('no token');
    assert.deepEqual([plain.status, plain.headers], [401, { 'www-authenticate': 'Bearer realm="scimd"' }]);
    const invalid = errors.invalidToken('the "token" \\ expired — at 12:00');
    assert.equal(invalid.status, 401);
    assert.equal(invalid.detail, 'the "token" \\ expired — at 12:00');
    assert.deepEqual(invalid.headers, {
      'www-authenticate': `Bearer realm="scimd", error="invalid_token", error_description="the 'token' ' expired ? at 12:00"`,
    });
  });

  it('RFC 6585 §4 429 and RFC 9110 §15.6.4 503 say when to come back (Retry-After)', () => {
    const limited = errors.tooManyRequests('slow down', 7);
    assert.deepEqual([limited.status, limited.headers, limited.detail], [429, { 'retry-after': '7' }, 'slow down']);
    const down = errors.serviceUnavailable('database gone', 5);
    assert.deepEqual([down.status, down.headers, down.detail], [503, { 'retry-after': '5' }, 'database gone']);
  });
});

describe('RFC 7644 §3.12: whatever is thrown becomes a SCIM error, and nothing internal leaks', () => {
  it('a ScimError stays as it is', () => {
    const error = errors.noTarget('no such email');
    assert.deepEqual(toScimError(error, 'r1'), { scimError: error, internal: false });
  });

  it('the framework errors a client caused keep their meaning', () => {
    const cases: Array<[string, number, string | undefined, string]> = [
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, undefined, 'the request body is larger than the server accepts'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, undefined, 'the request body must be application/scim+json or application/json'],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalidSyntax', 'the request body is empty'],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'invalidSyntax', 'the Content-Length does not match the body'],
      ['FST_ERR_BAD_URL', 400, undefined, 'the request URL is malformed'],
      ['FST_ERR_MAX_PARAM_LENGTH', 414, undefined, 'a path segment of the request URL is too long'],
    ];
    for (const [code, status, scimType, detail] of cases) {
      const { scimError, internal } = toScimError(Object.assign(new Error('internal wording'), { code, statusCode: 500 }), 'r1');
      assert.deepEqual([scimError.status, scimError.scimType, scimError.detail, internal], [status, scimType, detail, false], code);
    }
  });

  it('another 4xx with a message keeps its status and message; anything else is a 500 naming only the request id', () => {
    const client = toScimError({ statusCode: 405, message: 'method not allowed' }, 'r1');
    assert.deepEqual([client.scimError.status, client.scimError.detail, client.internal], [405, 'method not allowed', false]);
    for (const thrown of [
      new Error('SELECT * FROM users failed'),
      { statusCode: 400 },
      { statusCode: 500, message: 'boom' },
      { statusCode: 399, message: 'odd' },
      { statusCode: '404', message: 'not a number' },
      { code: 42, message: 'x' },
      { code: 'ECONNRESET', message: 'socket hang up' },
      'a string',
      null,
      undefined,
    ]) {
      const { scimError, internal } = toScimError(thrown, 'req-9');
      assert.deepEqual(
        [scimError.status, scimError.scimType, scimError.detail, internal],
        [500, undefined, 'internal server error (request id req-9)', true],
        String(JSON.stringify(thrown)),
      );
    }
    for (const status of [400, 499]) {
      const edge = toScimError({ statusCode: status, message: 'client side' }, 'r1');
      assert.deepEqual([edge.scimError.status, edge.internal], [status, false]);
    }
  });
});

describe('error details quote client input, at most 200 characters', () => {
  it('a string is JSON-quoted whole up to 200 characters, cut with an ellipsis beyond', () => {
    assert.equal(quoteInput('emails[type eq "work"]'), '"emails[type eq \\"work\\"]"');
    assert.equal(quoteInput('x'.repeat(200)), `"${'x'.repeat(200)}"`);
    assert.equal(quoteInput('x'.repeat(201)), `"${'x'.repeat(200)}…"`);
    assert.equal(quoteInput(''), '""');
  });

  it('other values as JSON, cut the same way but not quoted again', () => {
    assert.equal(quoteInput(42), '42');
    assert.equal(quoteInput(null), 'null');
    assert.equal(quoteInput({ a: [1, true] }), '{"a":[1,true]}');
    assert.equal(quoteInput(undefined), 'undefined');
    const long = Array.from({ length: 100 }, (_, i) => i);
    assert.equal(quoteInput(long), `${JSON.stringify(long).slice(0, 200)}…`);
  });
});
