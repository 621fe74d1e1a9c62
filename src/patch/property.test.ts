import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import { ScimError } from '../errors/scim-error.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from '../schema/core/enterprise-user.ts';
import { USER_SCHEMA_ID } from '../schema/core/user.ts';
import { jsonEqual } from '../schema/json.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { validateResource } from '../schema/validate.ts';
import { applyPatch } from './apply.ts';
import { PATCH_OP_SCHEMA } from './operation.ts';
import { parsePatchRequest } from './parse.ts';
import { planPatch } from './plan.ts';

const registry = createCoreRegistry();
const EXT = ENTERPRISE_USER_SCHEMA_ID;

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const types = fc.constantFrom('work', 'home', 'other', 'Work', 'untyped');
const email = fc.record({ value: fc.emailAddress(), type: optional(types), primary: optional(fc.boolean()) }, { requiredKeys: ['value'] });

/** Users as the store holds them: built as a POST body, then validated into canonical form. */
const user = fc
  .record(
    {
      userName: fc.string({ minLength: 1, maxLength: 12 }),
      displayName: fc.string({ maxLength: 12 }),
      active: fc.boolean(),
      name: fc.record({ givenName: fc.string({ maxLength: 8 }), familyName: fc.string({ maxLength: 8 }) }, { requiredKeys: [] }),
      emails: fc.array(email, { maxLength: 3 }),
      roles: fc.array(fc.record({ value: fc.string({ maxLength: 8 }), primary: fc.boolean() }), { maxLength: 2 }),
      [EXT]: fc.record({ department: fc.string({ maxLength: 8 }), manager: fc.record({ value: fc.uuid() }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ['userName'] },
  )
  .map((body) => {
    // RFC 7643 §2.4: at most one primary per attribute; the generator keeps only the first.
    const onePrimary = <T extends { primary?: boolean | undefined }>(list: T[] | undefined) =>
      list?.map((e, i) => ({ ...e, primary: e.primary === true && list.findIndex((x) => x.primary === true) === i }));
    const fixed = { ...body, emails: onePrimary(body.emails), roles: onePrimary(body.roles) };
    return validateResource(registry, 'User', { schemas: [USER_SCHEMA_ID, EXT], ...fixed }, { mode: 'create' }).doc;
  });

const validPaths = fc.constantFrom(
  undefined,
  'displayName',
  'nickName',
  'active',
  'userName',
  'name',
  'name.givenName',
  'NAME.familyName',
  'emails',
  'emails.type',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[type eq "home" or primary eq true].primary',
  'emails[value co "@"].display',
  'roles[primary eq "True"].value',
  'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].formatted',
  `${EXT}:manager`,
  `${EXT}:manager.value`,
  `${EXT}:manager[value eq "m1"]`,
  `${EXT}:department`,
  'password',
);
const invalidPaths = fc.constantFrom(
  'groups',
  'id',
  'meta.lastModified',
  'members',
  'unknownAttr',
  'emails[type eq]',
  'emails[type eq "work"',
  'name..givenName',
  '',
  'urn:bogus:Thing:attr',
);
const paths = fc.oneof({ arbitrary: validPaths, weight: 6 }, { arbitrary: invalidPaths, weight: 1 });

const keys = fc.constantFrom(
  'displayName',
  'name.givenName',
  'active',
  'id',
  'emails',
  `${EXT}:department`,
  `${EXT}:manager`,
  EXT,
  'value',
  'type',
  'primary',
  'bogus',
  'password',
  'userName',
);
const scalar = fc.oneof(
  { arbitrary: fc.string({ maxLength: 10 }), weight: 4 },
  { arbitrary: fc.boolean(), weight: 2 },
  { arbitrary: fc.constantFrom('True', 'False', 'TRUE', '', 'work'), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: scalar, weight: 4 },
    { arbitrary: tie('object'), weight: 2 },
    { arbitrary: tie('array'), weight: 1 },
  ),
  object: fc.dictionary(keys, tie('any'), { maxKeys: 4 }),
  array: fc.array(tie('any'), { maxLength: 3 }),
})).any;

/** A value of the right shape for the path, so that many bodies get past coercion. */
function typedFor(path: string | undefined): fc.Arbitrary<unknown> {
  const text = fc.string({ maxLength: 10 });
  if (path === undefined) {
    return fc.record(
      { displayName: text, 'name.givenName': text, active: fc.constantFrom(true, 'False'), id: text, [`${EXT}:department`]: text },
      { requiredKeys: [] },
    );
  }
  if (/active|primary/.test(path)) return fc.constantFrom(true, false, 'True', 'false');
  if (path === 'name') return fc.record({ givenName: text, middleName: fc.option(text) }, { requiredKeys: [] });
  if (path === 'emails') return fc.oneof(email, fc.array(email, { maxLength: 2 }));
  if (path === 'emails.type') return types;
  if (path === 'emails[type eq "work"]') return fc.record({ value: fc.emailAddress(), primary: fc.boolean() }, { requiredKeys: ['value'] });
  if (path === `${EXT}:manager`) return fc.oneof(fc.uuid(), fc.constant(''), fc.record({ value: fc.uuid() }));
  return text;
}

const operation = fc
  .record({
    op: fc.oneof(
      { arbitrary: fc.constantFrom('add', 'Add', 'ADD', 'remove', 'Remove', 'replace', 'Replace', 'REPLACE'), weight: 12 },
      fc.constantFrom('move', 7),
    ),
    path: paths,
    name: fc.string(),
  })
  .chain((o) => fc.oneof({ arbitrary: typedFor(o.path), weight: 3 }, { arbitrary: value, weight: 1 }).map((v) => ({ ...o, value: v })));
const body = fc.record({ schemas: fc.constant([PATCH_OP_SCHEMA]), Operations: fc.array(operation, { minLength: 1, maxLength: 3 }) });

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

describe('RFC 7644 §3.5.2 PATCH properties', () => {
  it('random PATCH bodies on random users: only ScimError is thrown, the input is never mutated, and the result stays canonical', () => {
    fc.assert(
      fc.property(user, body, (doc, request) => {
        const snapshot = structuredClone(doc);
        deepFreeze(doc);
        let result;
        try {
          result = applyPatch(registry, 'User', doc, planPatch(registry, 'User', parsePatchRequest(request)));
        } catch (error) {
          assert.ok(error instanceof ScimError, `not a ScimError: ${String(error)}`);
          assert.equal(error.status, 400);
          assert.ok(error.detail.startsWith('Operations['), `error without its operation index: ${error.detail}`);
          assert.deepEqual(doc, snapshot, 'a failed PATCH leaves the input as it was');
          return;
        }
        assert.deepEqual(doc, snapshot, 'the input document is not mutated');
        assert.ok(!('password' in result.doc));
        assert.equal(result.memberOps.length, 0, 'users have no members');
        if (jsonEqual(result.doc, doc))
          assert.deepEqual(
            result.changedAttributes.filter((a) => a !== 'password'),
            [],
          );
        else assert.ok(result.changedAttributes.length > 0);
        // The service re-validates the result (mode 'replace'); a document the validator accepts
        // must come back unchanged, i.e. PATCH wrote the canonical form POST/PUT would have.
        let validated;
        try {
          validated = validateResource(
            registry,
            'User',
            { schemas: [USER_SCHEMA_ID, EXT], ...result.doc },
            { mode: 'replace', existing: doc },
          );
        } catch (error) {
          assert.ok(error instanceof ScimError, `validator threw ${String(error)}`);
          return;
        }
        assert.ok(jsonEqual(validated.doc, result.doc), `not canonical: ${JSON.stringify(result.doc)} vs ${JSON.stringify(validated.doc)}`);
      }),
      fuzzParameters(1500),
    );
  });

  it('random member operations on a group never touch the document and yield only member ops', () => {
    const memberPaths = fc.constantFrom(
      'members',
      'Members',
      'members[value eq "a"]',
      'members[value eq "a" or value eq "b"]',
      'members[type eq "User"]',
      'members.value',
      'displayName',
    );
    const memberValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.array(fc.record({ value: fc.constantFrom('a', 'b', '', 'c') }, { requiredKeys: [] }), { maxLength: 3 }),
      fc.string({ maxLength: 4 }),
    );
    const op = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'Remove'), path: memberPaths, value: memberValue });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 4 }), (ops) => {
        const doc = deepFreeze({ displayName: 'Tour Guides' });
        const request = {
          schemas: [PATCH_OP_SCHEMA],
          Operations: ops.map((o) => (o.value === undefined ? { op: o.op, path: o.path } : o)),
        };
        try {
          const result = applyPatch(registry, 'Group', doc, planPatch(registry, 'Group', parsePatchRequest(request)));
          const touchesName = ops.some((o) => o.path === 'displayName');
          if (!touchesName) assert.deepEqual(result.doc, doc);
          assert.equal(result.changedAttributes.includes('members'), result.memberOps.length > 0);
        } catch (error) {
          assert.ok(error instanceof ScimError, `not a ScimError: ${String(error)}`);
        }
      }),
      fuzzParameters(500),
    );
  });
});
