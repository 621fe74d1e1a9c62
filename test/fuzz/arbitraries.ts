/**
 * fast-check generators of hostile input for the fuzz suite: strings that break parsers, SQL and
 * object handling; near-valid filters and PATCH paths; bodies, query strings and headers.
 * Bodies are built as JSON text, so that keys such as `__proto__` reach the server literally.
 */
import fc from 'fast-check';
import type { BodyKind, Method, TenantData } from '../helpers/endpoints.ts';
import { BULK_REQUEST, PATCH_OP, SEARCH_REQUEST } from '../helpers/endpoints.ts';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA } from '../helpers/harness.ts';

/** Keys and values that target JavaScript objects, SQL, LIKE patterns, JSON paths and encodings. */
const NASTY = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__.polluted',
  'constructor.prototype.polluted',
  'toString',
  'hasOwnProperty',
  '\u0000',
  'a\u0000b',
  "' OR 1=1 --",
  '"; DROP TABLE resources; --',
  '%',
  '_',
  '\\',
  '\\"',
  '"',
  '$.userName',
  '\ud800',
  '\udfff\ud800',
  '\u202e',
  '😀',
  'İ',
  'ß',
  '',
  ' ',
  '9007199254740993',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  'False',
  '2026-02-30T25:61:61Z',
  USER_SCHEMA,
  ENTERPRISE,
  `${ENTERPRISE}:manager`,
  'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName',
];

/** encodeURIComponent, with lone surrogates (which it refuses) replaced by U+FFFD as a browser would. */
export function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

const ATTRIBUTES = [
  'id',
  'externalId',
  'userName',
  'displayName',
  'name',
  'name.givenName',
  'name.familyName',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'active',
  'title',
  'password',
  'groups',
  'groups.value',
  'members',
  'members.value',
  'members.display',
  'meta',
  'meta.created',
  'meta.lastModified',
  'meta.version',
  'schemas',
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:department`,
  'UserName',
  'EMAILS.VALUE',
  'x-unknown',
];

const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Eq', 'pr', 'xx'];

/** A string that is either plain random text, a nasty atom, one of the known ids, or very long. */
export function hostileString(ids: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY, ...ATTRIBUTES) },
    { weight: 1, arbitrary: ids.length > 0 ? fc.constantFrom(...ids) : fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('x', '(', '[', '"', '\\', 'é'), fc.integer({ min: 100, max: 20_000 }))
        .map(([c, n]) => c.repeat(n)),
    },
  );
}

/** A JSON value as text, scalar or nested, with hostile strings and keys. */
export function jsonText(ids: readonly string[], depth = 3): fc.Arbitrary<string> {
  const scalar = fc.oneof(
    hostileString(ids).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '0', '-0', '1e308', '-1', '9007199254740993', '1.5', '[]', '{}'),
    fc.double().map((d) => (Number.isFinite(d) ? JSON.stringify(d) : '0')),
  );
  if (depth <= 0) return scalar;
  const inner = jsonText(ids, depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(inner, { maxLength: 4 }).map((items) => `[${items.join(',')}]`) },
    { weight: 1, arbitrary: objectText(fc.oneof(hostileString(ids), fc.constantFrom(...ATTRIBUTES)), inner) },
  );
}

/** `{"key": value, …}` from key and value-text generators; duplicate keys are kept on purpose. */
export function objectText(keys: fc.Arbitrary<string>, values: fc.Arbitrary<string>, maxKeys = 5): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(keys, values), { maxLength: maxKeys })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

/** Filters from the RFC 7644 grammar's pieces: often valid, often nearly so, sometimes garbage. */
export function filterText(ids: readonly string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    hostileString(ids).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '42', '-1.5e3', '"2026-01-01T00:00:00Z"', 'unquoted'),
  );
  const { expr } = fc.letrec<{ expr: string; compare: string }>((tie) => ({
    compare: fc.oneof(
      fc
        .tuple(fc.constantFrom(...ATTRIBUTES), fc.constantFrom(...OPERATORS), value)
        .map(([a, o, v]) => (o === 'pr' ? `${a} pr` : `${a} ${o} ${v}`)),
      fc.tuple(fc.constantFrom('emails', 'members', 'groups', '__proto__'), tie('expr')).map(([a, f]) => `${a}[${f}]`),
    ),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('compare'),
      fc.tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('expr')).map(([l, c, r]) => `${l} ${c} ${r}`),
      tie('expr').map((e) => `not (${e})`),
      tie('expr').map((e) => `(${e})`),
    ),
  }));
  return fc.oneof(
    { weight: 4, arbitrary: expr },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.constantFrom(...ATTRIBUTES, ...OPERATORS, 'and', 'or', 'not', '(', ')', '[', ']', '"', '.', ' '), { maxLength: 12 })
        .map((t) => t.join(' ')),
    },
    { weight: 1, arbitrary: hostileString(ids) },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((n) => `${'('.repeat(n)}userName pr${')'.repeat(n)}`) },
  );
}

/** PATCH paths: attrPath, valuePath[.subAttr], URN-qualified, and broken variants. */
export function patchPath(ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ATTRIBUTES, ...NASTY),
    fc
      .tuple(
        fc.constantFrom('emails', 'members', 'addresses', 'name', 'groups', '__proto__'),
        filterText(ids),
        fc.constantFrom('', '.value', '.type', '.__proto__', '.'),
      )
      .map(([a, f, s]) => `${a}[${f}]${s}`),
    hostileString(ids),
  );
}

function patchBodyText(ids: readonly string[]): fc.Arbitrary<string> {
  const operation = objectText(
    fc.constantFrom('op', 'path', 'value', 'OP', 'Path', 'name', '__proto__'),
    fc.oneof(
      fc.constantFrom('"add"', '"Add"', '"remove"', '"Remove"', '"replace"', '"REPLACE"', '"move"', 'null'),
      patchPath(ids).map((p) => JSON.stringify(p)),
      jsonText(ids, 3),
      fc.constantFrom(...ids).map((id) => `[{"value":${JSON.stringify(id)}}]`),
    ),
    4,
  );
  return fc
    .tuple(fc.constantFrom(`["${PATCH_OP}"]`, '[]', '"x"', `["${PATCH_OP.toUpperCase()}"]`), fc.array(operation, { maxLength: 6 }))
    .map(([schemas, ops]) => `{"schemas":${schemas},"Operations":[${ops.join(',')}]}`);
}

function resourceBodyText(kind: 'User' | 'Group', ids: readonly string[]): fc.Arbitrary<string> {
  const schemas = kind === 'User' ? `["${USER_SCHEMA}","${ENTERPRISE}"]` : `["${GROUP_SCHEMA}"]`;
  const name = kind === 'User' ? 'userName' : 'displayName';
  const members = fc
    .array(fc.oneof(fc.constantFrom(...ids), hostileString(ids)), { maxLength: 4 })
    .map((v) => JSON.stringify(v.map((value) => ({ value }))));
  return fc
    .tuple(
      fc.oneof(hostileString(ids), fc.uuid()),
      objectText(fc.oneof(fc.constantFrom(...ATTRIBUTES), hostileString(ids)), jsonText(ids, 3)),
      members,
    )
    .map(([value, extra, memberList]) => {
      const rest = extra.slice(1, -1);
      return `{"schemas":${schemas},"${name}":${JSON.stringify(value)},"members":${memberList}${rest ? `,${rest}` : ''}}`;
    });
}

function searchBodyText(ids: readonly string[]): fc.Arbitrary<string> {
  return objectText(
    fc.constantFrom('filter', 'attributes', 'excludedAttributes', 'count', 'startIndex', 'sortBy', 'sortOrder', 'cursor', '__proto__'),
    fc.oneof(
      filterText(ids).map((f) => JSON.stringify(f)),
      jsonText(ids, 2),
      fc.integer().map(String),
    ),
    6,
  ).map((o) => `{"schemas":["${SEARCH_REQUEST}"]${o === '{}' ? '' : `,${o.slice(1, -1)}`}}`);
}

const BULK_IDS = ['u1', 'g1', 'x', '', 'bulkId:u1', '"', '__proto__'];

/**
 * One operation of a BulkRequest. Mostly well formed, so that operations get past parsing and
 * into the resource service: creates whose bulkIds repeat, dangle and refer to each other in
 * circles, writes to own, foreign and bulkId paths, group members mixing bulkId references with
 * real and foreign ids. Otherwise random keys and values: methods, paths and nested data.
 */
function bulkOperationText(ids: readonly string[]): fc.Arbitrary<string> {
  const references = [...ids, ...BULK_IDS.map((id) => `bulkId:${id}`)];
  const bulkId = fc.constantFrom(...BULK_IDS);
  const target = (plural: string) =>
    fc.oneof(
      bulkId.map((id) => `/${plural}/bulkId:${id}`),
      fc.constantFrom(...ids).map((id) => `/${plural}/${id}`),
    );
  const user = fc
    .tuple(fc.oneof(fc.constantFrom('bulk.one@example.com', 'BULK.ONE@example.com'), fc.uuid(), hostileString(ids)), hostileString(ids))
    .map(([userName, title]) => JSON.stringify({ schemas: [USER_SCHEMA], userName, title }));
  const group = fc
    .tuple(fc.oneof(fc.constant('bulk group'), hostileString(ids)), fc.array(fc.constantFrom(...references), { maxLength: 4 }))
    .map(([displayName, members]) =>
      JSON.stringify({ schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) }),
    );
  const members = fc
    .tuple(fc.constantFrom('add', 'remove', 'replace'), fc.array(fc.constantFrom(...references), { maxLength: 3 }))
    .map(([op, values]) => JSON.stringify({ Operations: [{ op, path: 'members', value: values.map((value) => ({ value })) }] }));
  const op = (method: string, path: fc.Arbitrary<string>, data?: fc.Arbitrary<string>) =>
    fc
      .tuple(bulkId, path, data ?? fc.constant(undefined))
      .map(
        ([id, p, d]) =>
          `{"method":"${method}","bulkId":${JSON.stringify(id)},"path":${JSON.stringify(p)}${d === undefined ? '' : `,"data":${d}`}}`,
      );
  const wellFormed = fc.oneof(
    op('POST', fc.constant('/Users'), user),
    op('POST', fc.constant('/Groups'), group),
    op('PUT', target('Users'), user),
    op('PUT', target('Groups'), group),
    op('PATCH', target('Users'), patchBodyText(references)),
    op('PATCH', target('Groups'), members),
    op('DELETE', fc.oneof(target('Users'), target('Groups'))),
  );
  const path = fc.oneof(
    fc.constantFrom(
      '/Users',
      '/Groups',
      '/Users/',
      'Users',
      '/Me',
      '/Bulk',
      '/Users/.search',
      '/Groups/bulkId:',
      '/Users/bulkId:bulkId:u1',
    ),
    fc
      .tuple(fc.constantFrom('/Users/', '/Groups/', '/users/', '/Groups//'), fc.oneof(fc.constantFrom(...references), hostileString(ids)))
      .map(([p, id]) => `${p}${id}`),
    hostileString(ids),
  );
  const data = fc.oneof(
    resourceBodyText('User', references),
    resourceBodyText('Group', references),
    patchBodyText(references),
    jsonText(references, 3),
  );
  const random = objectText(
    fc.constantFrom('method', 'bulkId', 'path', 'data', 'version', 'Method', '__proto__'),
    fc.oneof(
      fc.constantFrom('"POST"', '"PUT"', '"PATCH"', '"DELETE"', '"post"', '"GET"', '"Delete"', 'null'),
      bulkId.map((id) => JSON.stringify(id)),
      path.map((p) => JSON.stringify(p)),
      data,
      fc.constantFrom('"W/\\"1\\""', '"*"', '1'),
    ),
    5,
  );
  return fc.oneof({ weight: 3, arbitrary: wellFormed }, { weight: 1, arbitrary: random });
}

/** RFC 7644 §3.7 BulkRequests: operations of bulkOperationText, with hostile schemas and failOnErrors. */
function bulkBodyText(ids: readonly string[]): fc.Arbitrary<string> {
  const failOnErrors = fc.constantFrom(
    '',
    '',
    '"failOnErrors":1,',
    '"failOnErrors":0,',
    '"failOnErrors":-1,',
    '"failOnErrors":1.5,',
    '"failOnErrors":"2",',
    '"failOnErrors":null,',
  );
  const schemas = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`["${BULK_REQUEST}"]`) },
    { weight: 1, arbitrary: fc.constantFrom(`["${BULK_REQUEST.toUpperCase()}"]`, '[]', '"x"') },
  );
  return fc
    .tuple(schemas, failOnErrors, fc.array(bulkOperationText(ids), { maxLength: 8 }))
    .map(([s, fail, ops]) => `{"schemas":${s},${fail}"Operations":[${ops.join(',')}]}`);
}

/** A JSON object of an admin route: the fields its schema declares, and others, with hostile values. */
function fieldsBodyText(fields: readonly string[], ids: readonly string[]): fc.Arbitrary<string> {
  const keys =
    fields.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: hostileString(ids) })
      : hostileString(ids);
  return objectText(keys, jsonText(ids, 3), Math.max(5, fields.length + 2));
}

/** A body of the kind an endpoint reads, or something else entirely (garbage, too deep, wrong type). */
export function bodyText(kind: BodyKind, ids: readonly string[], fields: readonly string[] = []): fc.Arbitrary<string | undefined> {
  const garbage = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom(
      '',
      '[]',
      'null',
      '"x"',
      '{',
      '{"a":1,}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
    ),
    fc.integer({ min: 20, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 20, max: 5_000 }).map((n) => `{"schemas":[],"a":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
  );
  const typed =
    kind === 'patch'
      ? patchBodyText(ids)
      : kind === 'search'
        ? searchBodyText(ids)
        : kind === 'User' || kind === 'Group'
          ? resourceBodyText(kind, ids)
          : kind === 'bulk'
            ? bulkBodyText(ids)
            : kind === 'json'
              ? fieldsBodyText(fields, ids)
              : fc.constant(undefined);
  return fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: fc.constant(undefined) });
}

const QUERY_KEYS = [
  'filter',
  'attributes',
  'excludedAttributes',
  'count',
  'startIndex',
  'sortBy',
  'sortOrder',
  'cursor',
  'after',
  '__proto__',
  'constructor',
  'filter[x]',
  'a.b',
];

/** A query string: known (SCIM and `ownKeys`) and hostile parameters, repeated ones, and broken percent-encoding. */
export function queryString(ids: readonly string[], ownKeys: readonly string[] = []): fc.Arbitrary<string> {
  const value = fc.oneof(
    filterText(ids),
    hostileString(ids),
    fc.constantFrom('0', '-1', '1', '99999999999999999999', '1.5', '1e3', 'ascending', 'DESCENDING', 'members,groups', 'x'.repeat(5000)),
  );
  const pair = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...QUERY_KEYS, ...ownKeys), value).map(([k, v]) => `${encode(k)}=${encode(v)}`) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', 'filter=%E0%A4%A', '=', '&&', 'count', 'filter=a&filter=b', '%00=1') },
  );
  return fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.join('&')}`));
}

const HEADER_TEXT = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

/**
 * Request headers: content types, conditional requests, Prefer, Accept, and Authorization: mostly
 * `token`, sometimes one of `otherTokens` (a JWT, another kind of token), sometimes a broken one.
 */
export function headers(token: string, otherTokens: readonly string[] = []): fc.Arbitrary<Record<string, string>> {
  return fc.record(
    {
      'content-type': fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('application/scim+json', 'application/json; charset=utf-8') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'application/scim+json; charset=latin1',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/json, text/html',
          ),
        },
      ),
      'if-match': fc.oneof(fc.constantFrom('*', 'W/"1"', '"1"', 'W/"999999999999999999999"', ''), HEADER_TEXT),
      'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"1"', 'W/"2"'), HEADER_TEXT),
      prefer: fc.oneof(fc.constantFrom('return=minimal', 'return=representation', 'respond-async'), HEADER_TEXT),
      // Never text/event-stream: a stream is endless by design; the isolation suite covers it.
      accept: fc.constantFrom('application/scim+json', '*/*', 'text/html', 'application/json;q=0', ''),
      'last-event-id': fc.oneof(fc.constantFrom('0', '-1', '99999999999999999999', '1.5'), HEADER_TEXT),
      authorization: fc.oneof(
        { weight: 8, arbitrary: fc.constant(`Bearer ${token}`) },
        { weight: 2, arbitrary: fc.constantFrom(token, ...otherTokens).map((t) => `Bearer ${t}`) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '',
            'Bearer',
            'Bearer ',
            `Bearer ${token}x`,
            `bearer ${token}`,
            'Basic YTpi',
            `Bearer ${'x'.repeat(5000)}`,
          ),
        },
        { weight: 1, arbitrary: HEADER_TEXT.map((t) => `Bearer ${t}`) },
      ),
    },
    { requiredKeys: ['authorization'] },
  );
}

/** Mostly the endpoint's own method; sometimes another, to reach 405s and the not-found handler. */
export function method(own: Method): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(own) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
  );
}

/**
 * What `{id}` (any path parameter) becomes: own and foreign ids, `names` (such as a tenant the
 * admin API may change), and ids that attack routing and lookups.
 */
export function resourceId(a: TenantData, b: TenantData, names: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: names.length > 0 ? 3 : 1, arbitrary: fc.constantFrom(a.userId, ...names) },
    { weight: 3, arbitrary: fc.constantFrom(a.userId, a.groupId, b.userId, b.groupId) },
    { weight: 2, arbitrary: hostileString([a.userId]).map(encode) },
    { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '.search', 'x%2Fy', '%00', '%', 'x'.repeat(500), '__proto__', 'constructor') },
  );
}
