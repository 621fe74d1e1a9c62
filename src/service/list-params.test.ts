import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import {
  listParamsFromMessage,
  listParamsFromQuery,
  listParamsFromSearchRequest,
  requestMessage,
  selectionFromQuery,
} from './list-params.ts';

/**
 * RFC 7644 §3.4.2 query parameters and the §3.4.3 SearchRequest body, read into one ListParams.
 * Expected values are the RFC's names and literals.
 */

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const limits = { maxLength: 40, maxNames: 3 };

function refused(run: () => unknown, status: number, scimType: string | undefined, detail: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.deepEqual({ status: error.status, scimType: error.scimType, detail: error.detail }, { status, scimType, detail });
    return true;
  });
}

const nothing = {
  filter: undefined,
  sortBy: undefined,
  descending: false,
  startIndex: undefined,
  count: undefined,
  cursor: undefined,
  attributes: undefined,
  excludedAttributes: undefined,
};

describe('RFC 7644 §3.4.2 list query parameters', () => {
  it('none given: nothing set, ascending', () => {
    assert.deepEqual(listParamsFromQuery({}), nothing);
  });

  it('every parameter, as GET sends them (strings)', () => {
    assert.deepEqual(
      listParamsFromQuery({
        filter: 'userName eq "bjensen"',
        sortBy: 'name.familyName',
        sortOrder: 'descending',
        startIndex: '11',
        count: ' 5 ',
        cursor: 'VZUTiy',
        attributes: 'userName, emails',
        excludedAttributes: 'groups',
      }),
      {
        filter: 'userName eq "bjensen"',
        sortBy: 'name.familyName',
        descending: true,
        startIndex: 11,
        count: 5,
        cursor: 'VZUTiy',
        attributes: ['userName', 'emails'],
        excludedAttributes: ['groups'],
      },
    );
  });

  it('§3.4.2.3 sortOrder is "ascending" or "descending" in any letter case; empty is the default', () => {
    assert.equal(listParamsFromQuery({ sortOrder: 'DESCENDING' }).descending, true);
    assert.equal(listParamsFromQuery({ sortOrder: 'Ascending' }).descending, false);
    assert.equal(listParamsFromQuery({ sortOrder: '' }).descending, false);
    refused(
      () => listParamsFromQuery({ sortOrder: 'down' }),
      400,
      'invalidValue',
      'sortOrder must be "ascending" or "descending", got "down"',
    );
  });

  it('an empty sortBy is no sortBy; an empty startIndex or count is not given', () => {
    assert.deepEqual(listParamsFromQuery({ sortBy: '', startIndex: '', count: '' }), nothing);
  });

  it("§3.4.2.4 startIndex and count are integers (negative ones are the handler's to clamp); count otherwise is invalidCount", () => {
    assert.equal(listParamsFromQuery({ startIndex: '-3' }).startIndex, -3);
    assert.equal(listParamsFromQuery({ count: '0' }).count, 0);
    refused(() => listParamsFromQuery({ startIndex: '1.5' }), 400, 'invalidValue', 'startIndex must be an integer, got "1.5"');
    refused(() => listParamsFromQuery({ startIndex: 'one' }), 400, 'invalidValue', 'startIndex must be an integer, got "one"');
    refused(() => listParamsFromQuery({ count: '1e3' }), 400, 'invalidCount', 'count must be an integer, got "1e3"');
    refused(
      () => listParamsFromQuery({ count: '99999999999999999999' }),
      400,
      'invalidCount',
      'count must be an integer, got "99999999999999999999"',
    );
  });

  it('a parameter given twice is 400', () => {
    refused(() => listParamsFromQuery({ count: ['1', '2'] }), 400, undefined, 'query parameter "count" may appear only once');
  });

  it('attributes and excludedAttributes: comma-separated, blanks dropped, within the limits', () => {
    assert.deepEqual(selectionFromQuery({ attributes: ' userName ,, name ', excludedAttributes: ',' }, limits), {
      attributes: ['userName', 'name'],
      excludedAttributes: undefined,
    });
    assert.deepEqual(selectionFromQuery({}), { attributes: undefined, excludedAttributes: undefined });
    refused(() => selectionFromQuery({ attributes: 'a,b,c,d' }, limits), 400, undefined, 'attribute list names more than 3 attributes');
    refused(
      () => selectionFromQuery({ excludedAttributes: 'x'.repeat(41) }, limits),
      400,
      undefined,
      'attribute list is longer than 40 characters',
    );
  });
});

describe('RFC 7644 §3.4.3 the SearchRequest body', () => {
  it('the same parameters, with JSON types: numbers, and attribute lists as arrays', () => {
    assert.deepEqual(
      listParamsFromSearchRequest({
        schemas: [SEARCH],
        filter: 'displayName sw "smith"',
        sortOrder: 'descending',
        startIndex: 1,
        count: 10,
        attributes: ['displayName', 'userName'],
        excludedAttributes: 'emails',
      }),
      {
        ...nothing,
        filter: 'displayName sw "smith"',
        descending: true,
        startIndex: 1,
        count: 10,
        attributes: ['displayName', 'userName'],
        excludedAttributes: ['emails'],
      },
    );
  });

  it('JSON null is not given', () => {
    assert.deepEqual(
      listParamsFromSearchRequest({
        schemas: [SEARCH],
        filter: null,
        sortBy: null,
        sortOrder: null,
        startIndex: null,
        count: null,
        cursor: null,
        attributes: null,
        excludedAttributes: null,
      }),
      nothing,
    );
  });

  it('a value of the wrong JSON type is 400 invalidValue (invalidCount for count)', () => {
    const body = (extra: Record<string, unknown>) => ({ schemas: [SEARCH], ...extra });
    refused(() => listParamsFromSearchRequest(body({ filter: 7 })), 400, 'invalidValue', 'filter must be a string');
    refused(() => listParamsFromSearchRequest(body({ sortBy: 7 })), 400, 'invalidValue', 'sortBy must be a string');
    refused(() => listParamsFromSearchRequest(body({ cursor: 7 })), 400, 'invalidValue', 'cursor must be a string');
    refused(() => listParamsFromSearchRequest(body({ sortOrder: true })), 400, 'invalidValue', 'sortOrder must be a string');
    refused(() => listParamsFromSearchRequest(body({ startIndex: 1.5 })), 400, 'invalidValue', 'startIndex must be an integer, got 1.5');
    refused(() => listParamsFromSearchRequest(body({ count: 2.5 })), 400, 'invalidCount', 'count must be an integer, got 2.5');
    refused(() => listParamsFromSearchRequest(body({ count: true })), 400, 'invalidCount', 'count must be an integer, got true');
  });

  it('attributes must be a string or an array of strings', () => {
    refused(
      () => listParamsFromSearchRequest({ schemas: [SEARCH], attributes: ['userName', 3] }),
      400,
      'invalidValue',
      'attributes must be a list of attribute names',
    );
    refused(
      () => listParamsFromSearchRequest({ schemas: [SEARCH], excludedAttributes: { name: true } }),
      400,
      'invalidValue',
      'excludedAttributes must be a list of attribute names',
    );
  });

  it('the body is a JSON object listing the SearchRequest URN (in any case)', () => {
    assert.deepEqual(listParamsFromSearchRequest({ schemas: ['urn:other', SEARCH.toUpperCase()] }), nothing);
    for (const body of [null, [], 'x']) {
      refused(() => listParamsFromSearchRequest(body), 400, 'invalidSyntax', 'a SearchRequest body must be a JSON object');
    }
    for (const schemas of [undefined, [], [7], ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], SEARCH]) {
      refused(() => listParamsFromSearchRequest({ schemas }), 400, 'invalidValue', `a SearchRequest must list the schema ${SEARCH}`);
    }
  });

  it('a request message of another kind is checked the same way, and read the same way', () => {
    const delta = 'urn:ietf:params:scim:api:messages:2.0:DeltaQuery';
    refused(
      () => requestMessage({ schemas: [SEARCH] }, delta, 'DeltaQuery'),
      400,
      'invalidValue',
      `a DeltaQuery must list the schema ${delta}`,
    );
    const message = requestMessage({ schemas: [delta], count: 2 }, delta, 'DeltaQuery');
    assert.deepEqual(listParamsFromMessage(message, limits), { ...nothing, count: 2 });
  });
});
