import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { attr, type SchemaDefinition } from '../schema/attribute.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../schema/core/resource-types.ts';
import { createCoreRegistry, type SchemaRegistry } from '../schema/registry.ts';
import { createAcmeRegistry } from '../schema/testing/acme-extension.ts';
import { applyPatch, type PatchResult } from './apply.ts';
import { type PatchParseOptions, parsePatchRequest } from './parse.ts';
import { type PlanOptions, planPatch } from './plan.ts';

/**
 * RFC 7644 §3.5.2 PATCH cases beside the fixture tables of apply.test.ts: the error each refusal
 * gives (its scimType and the detail a client reads), and the branches no fixture row takes.
 * Expected values are written out from the RFC, docs/patch.md and literals.
 */

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ACME = 'urn:acme:params:scim:schemas:extension:acme:2.0:User';
const TEST = 'urn:example:params:scim:schemas:extension:test:2.0:User';

/** What the core schemas lack: required sub-attributes, and attributes named like User's special ones. */
const TEST_SCHEMA: SchemaDefinition = {
  id: TEST,
  name: 'Test',
  description: 'test extension',
  attributes: [
    attr('badge', 'complex', { subAttributes: [attr('number', 'string', { required: true }), attr('colour', 'string')] }),
    attr('keys', 'complex', { multiValued: true, subAttributes: [attr('id', 'string', { required: true }), attr('label', 'string')] }),
    attr('password', 'string'),
    attr('members', 'string', { multiValued: true }),
  ],
};

const core = createCoreRegistry();
const acme = createAcmeRegistry();
const test = createCoreRegistry().withSchemas(
  [TEST_SCHEMA],
  [
    { ...USER_RESOURCE_TYPE, schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: TEST, required: false }] },
    GROUP_RESOURCE_TYPE,
  ],
);

interface Call {
  readonly registry?: SchemaRegistry;
  readonly resourceType?: string;
  readonly options?: PatchParseOptions & PlanOptions;
}

function patch(doc: Record<string, unknown>, operations: unknown[], call: Call = {}): PatchResult {
  const parsed = parsePatchRequest({ schemas: [PATCH_OP], Operations: operations }, call.options);
  const registry = call.registry ?? core;
  const resourceType = call.resourceType ?? 'User';
  return applyPatch(registry, resourceType, doc, planPatch(registry, resourceType, parsed, call.options));
}

/** `run` throws a ScimError with this status, scimType and detail (whole, or the given part of it). */
function refused(run: () => unknown, status: number, scimType: string, detail: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.deepEqual({ status: error.status, scimType: error.scimType }, { status, scimType }, error.detail);
    if (typeof detail === 'string') assert.equal(error.detail, detail);
    else assert.match(error.detail, detail);
    return true;
  });
}

const user = { userName: 'bjensen' };

describe('RFC 7644 §3.5.2 the PatchOp request', () => {
  it('a body of JSON null is 400 invalidSyntax', () => {
    refused(() => parsePatchRequest(null), 400, 'invalidSyntax', 'the PATCH body must be a JSON object');
  });

  it('an operation of JSON null is 400 invalidSyntax, located by its index', () => {
    refused(
      () => parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'x' }, null] }),
      400,
      'invalidSyntax',
      'Operations[1]: an operation must be a JSON object',
    );
  });

  it('"op" missing or not add/remove/replace is 400 invalidSyntax naming what was found', () => {
    const expected = '"op" must be "add", "remove" or "replace", found';
    refused(() => patch(user, [{ path: 'nickName', value: 'x' }]), 400, 'invalidSyntax', `Operations[0]: ${expected} nothing`);
    refused(() => patch(user, [{ op: 'copy', path: 'nickName' }]), 400, 'invalidSyntax', `Operations[0]: ${expected} "copy"`);
    refused(() => patch(user, [{ op: 7, path: 'nickName' }]), 400, 'invalidSyntax', `Operations[0]: ${expected} 7`);
  });

  it('one member spelled twice (any case) is 400 invalidSyntax; members it does not know are ignored', () => {
    refused(
      () => patch(user, [{ op: 'add', OP: 'add', path: 'nickName', value: 'x' }]),
      400,
      'invalidSyntax',
      'Operations[0]: the operation has "op" more than once',
    );
    refused(
      () => parsePatchRequest({ schemas: [PATCH_OP], SCHEMAS: [PATCH_OP], Operations: [] }),
      400,
      'invalidSyntax',
      'the PATCH body has "schemas" more than once',
    );
    // Entra sends a per-operation "name" and a top-level "id"; two unknown members are two ignored members.
    const result = patch(user, [{ op: 'replace', path: 'nickName', value: 'Babs', name: 'n', id: 'i' }]);
    assert.deepEqual(result.doc, { userName: 'bjensen', nickName: 'Babs' });
  });

  it('"schemas" must contain the PatchOp URN, among others if it likes', () => {
    const result = applyPatch(
      core,
      'User',
      user,
      planPatch(
        core,
        'User',
        parsePatchRequest({ schemas: [CORE_USER, PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'B' }] }),
      ),
    );
    assert.deepEqual(result.doc, { userName: 'bjensen', nickName: 'B' });
    for (const schemas of [['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], [42], PATCH_OP]) {
      refused(
        () => parsePatchRequest({ schemas, Operations: [{ op: 'add', path: 'nickName', value: 'B' }] }),
        400,
        'invalidSyntax',
        `"schemas" must contain "${PATCH_OP}"`,
      );
    }
  });

  it('"Operations" must be a non-empty array of at most maxOperations', () => {
    refused(
      () => parsePatchRequest({ schemas: [PATCH_OP], Operations: [] }),
      400,
      'invalidSyntax',
      '"Operations" must be a non-empty array',
    );
    const op = { op: 'add', path: 'nickName', value: 'B' };
    assert.equal(parsePatchRequest({ schemas: [PATCH_OP], Operations: [op, op] }, { maxOperations: 2 }).length, 2);
    refused(
      () => parsePatchRequest({ schemas: [PATCH_OP], Operations: [op, op, op] }, { maxOperations: 2 }),
      400,
      'invalidValue',
      '"Operations" has 3 operations; at most 2 are accepted',
    );
  });

  it('the errors of one operation name what is missing or wrong', () => {
    refused(() => patch(user, [{ op: 'add', path: 7, value: 'x' }]), 400, 'invalidSyntax', 'Operations[0]: "path" must be a string');
    refused(() => patch(user, [{ op: 'remove' }]), 400, 'noTarget', 'Operations[0]: "remove" requires a "path" (RFC 7644 §3.5.2.2)');
    refused(() => patch(user, [{ op: 'add', path: 'nickName' }]), 400, 'invalidValue', 'Operations[0]: "add" requires a "value"');
    refused(
      () => patch(user, [{ op: 'replace', value: 'Babs' }]),
      400,
      'invalidValue',
      'Operations[0]: "replace" without a "path" needs a JSON object "value" naming the attributes to change (RFC 7644 §3.5.2)',
    );
    // applyPatch takes operations from elsewhere too: it checks the same itself.
    refused(
      () => applyPatch(core, 'User', user, planPatch(core, 'User', [{ op: 'add', path: undefined, pathText: undefined, value: ['x'] }])),
      400,
      'invalidValue',
      'Operations[0]: "add" without a "path" needs a JSON object "value"',
    );
  });
});

describe('RFC 7644 §3.5.2.1 and §3.5.2.3 without a path: the keys of "value"', () => {
  it('an attribute the key does not name is dropped, or 400 invalidPath naming it when unknown attributes are rejected', () => {
    const reject = { options: { unknownAttributes: 'reject' } } as const;
    refused(
      () => patch(user, [{ op: 'replace', value: { favouriteColour: 'blue' } }], reject),
      400,
      'invalidPath',
      'Operations[0]: unknown attribute "favouriteColour" in "value"',
    );
    refused(
      () => patch(user, [{ op: 'replace', value: { [ENTERPRISE]: { favouriteColour: 'blue' } } }], reject),
      400,
      'invalidPath',
      `Operations[0]: unknown attribute "${ENTERPRISE}:favouriteColour" in "value"`,
    );
    // RFC 7644 §3.10: a URN-qualified name is looked up in that schema only; the core User schema has no employeeNumber.
    refused(
      () => patch(user, [{ op: 'replace', value: { [`${CORE_USER}:employeeNumber`]: '42' } }], reject),
      400,
      'invalidPath',
      `Operations[0]: unknown attribute "${CORE_USER}:employeeNumber" in "value"`,
    );
    refused(
      () => patch(user, [{ op: 'replace', value: { ':nickName': 'B' } }], reject),
      400,
      'invalidPath',
      /unknown attribute ":nickName"/,
    );
    assert.deepEqual(patch(user, [{ op: 'replace', value: { [`${CORE_USER}:employeeNumber`]: '42' } }]).doc, user);
  });

  it('keys such as __proto__ are skipped, even where unknown attributes are rejected', () => {
    const value = JSON.parse(
      `{"__proto__": {"nickName": "x"}, "constructor": "y", "${ENTERPRISE}": {"__proto__": 1, "department": "R&D"}}`,
    );
    const result = patch(user, [{ op: 'add', value }], { options: { unknownAttributes: 'reject' } });
    assert.deepEqual(result.doc, { userName: 'bjensen', [ENTERPRISE]: { department: 'R&D' } });
  });

  it('the core schema URN (in any case) holds core attributes like an extension URN holds its own', () => {
    const result = patch(user, [{ op: 'add', value: { 'URN:IETF:params:scim:schemas:core:2.0:user': { nickName: 'Babs' } } }]);
    assert.deepEqual(result.doc, { userName: 'bjensen', nickName: 'Babs' });
  });

  it('a schema URN key with null changes nothing; with anything but an object it is 400 invalidValue', () => {
    const doc = { userName: 'bjensen', [ENTERPRISE]: { department: 'R&D' } };
    assert.deepEqual(patch(doc, [{ op: 'replace', value: { [ENTERPRISE]: null } }]).doc, doc);
    refused(
      () => patch(doc, [{ op: 'replace', value: { [ENTERPRISE]: 'Sales' } }]),
      400,
      'invalidValue',
      `Operations[0]: "${ENTERPRISE}": expected a JSON object`,
    );
  });
});

describe('RFC 7643 §2.2 mutability in PATCH', () => {
  it('a readOnly path is 400 mutability naming the path', () => {
    refused(() => patch(user, [{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability', 'Operations[0]: "id" is readOnly');
  });

  it('removing a required attribute is 400 mutability; removing one that is unassigned changes nothing', () => {
    refused(
      () => patch(user, [{ op: 'remove', path: 'userName' }]),
      400,
      'mutability',
      'Operations[0]: "userName": required attribute "userName" cannot be removed',
    );
    const result = patch(user, [{ op: 'remove', path: `${ACME}:costCode` }], { registry: acme });
    assert.deepEqual(result.doc, user);
    assert.deepEqual(result.changedAttributes, []);
  });

  it('a required sub-attribute cannot be removed, with or without a filter', () => {
    const doc = { userName: 'bjensen', [TEST]: { badge: { number: '7', colour: 'red' }, keys: [{ id: 'k1', label: 'a' }] } };
    refused(
      () => patch(doc, [{ op: 'remove', path: `${TEST}:badge.number` }], { registry: test }),
      400,
      'mutability',
      `Operations[0]: "${TEST}:badge.number": required sub-attribute "number" cannot be removed`,
    );
    refused(
      () => patch(doc, [{ op: 'remove', path: `${TEST}:keys[id eq "k1"].id` }], { registry: test }),
      400,
      'mutability',
      `Operations[0]: "${TEST}:keys[id eq "k1"].id": required sub-attribute "id" cannot be removed`,
    );
    const result = patch(doc, [{ op: 'remove', path: `${TEST}:badge.colour` }], { registry: test });
    assert.deepEqual(result.doc, { userName: 'bjensen', [TEST]: { badge: { number: '7' }, keys: [{ id: 'k1', label: 'a' }] } });
  });

  it('an immutable extension attribute or sub-attribute, once set, is 400 mutability naming it by its URN', () => {
    const doc = { userName: 'bjensen', [ACME]: { costCode: 'C1', badgeId: 'B1', site: { code: 'S1', label: 'HQ' } } };
    refused(
      () => patch(doc, [{ op: 'replace', path: `${ACME}:badgeId`, value: 'B2' }], { registry: acme }),
      400,
      'mutability',
      `Operations[0]: attribute "${ACME}:badgeId" is immutable: it may be set once, never changed or removed`,
    );
    refused(
      () => patch(doc, [{ op: 'replace', path: `${ACME}:site.code`, value: 'S2' }], { registry: acme }),
      400,
      'mutability',
      `Operations[0]: attribute "${ACME}:site.code" is immutable: it may be set once, never changed or removed`,
    );
  });

  it('User.password can be replaced but not removed, and only with a non-empty string', () => {
    refused(
      () => patch(user, [{ op: 'remove', path: 'password' }]),
      400,
      'mutability',
      'Operations[0]: "password": the password can be replaced but not removed',
    );
    refused(
      () => patch(user, [{ op: 'replace', path: 'password', value: '' }]),
      400,
      'invalidValue',
      'Operations[0]: "password": expected a non-empty string',
    );
  });

  it('only User.password and Group.members are kept out of the document: same-named extension attributes are ordinary', () => {
    const result = patch(
      user,
      [
        { op: 'add', path: `${TEST}:password`, value: 'not a credential' },
        { op: 'add', path: `${TEST}:members`, value: ['m1'] },
      ],
      { registry: test },
    );
    assert.deepEqual(result.doc, { userName: 'bjensen', [TEST]: { password: 'not a credential', members: ['m1'] } });
    assert.equal(result.password, undefined);
    assert.deepEqual(result.memberOps, []);
  });
});

describe('RFC 7644 §3.5.2.1 add', () => {
  it('add of null to a multi-valued attribute changes nothing', () => {
    const doc = { userName: 'bjensen', emails: [{ value: 'b@example.com' }] };
    assert.deepEqual(patch(doc, [{ op: 'add', path: 'emails', value: null }]).doc, doc);
  });

  it('a value filter that names sub-attributes twice, or not only by eq, selects a value but describes none: noTarget', () => {
    for (const path of [
      'emails[type eq "work" and value co "@"].value',
      'emails[value co "@" and type eq "work"].value',
      'emails[type eq "work" and type eq "home"].value',
      'emails[type eq "work" or type eq "home"].value',
      'emails[not (type eq "work")].value',
      'emails[type pr].value',
    ]) {
      refused(
        () => patch(user, [{ op: 'replace', path, value: 'b@example.com' }]),
        400,
        'noTarget',
        `Operations[0]: "${path}": no value matches the filter`,
      );
    }
  });

  it('a value filter on the single-valued manager: created when unset, noTarget when another manager is set', () => {
    const path = `${ENTERPRISE}:manager[value eq "m1"]`;
    assert.deepEqual(patch(user, [{ op: 'replace', path, value: { value: 'm1' } }]).doc, {
      userName: 'bjensen',
      [ENTERPRISE]: { manager: { value: 'm1' } },
    });
    const managed = { userName: 'bjensen', [ENTERPRISE]: { manager: { value: 'm2' } } };
    refused(
      () => patch(managed, [{ op: 'replace', path, value: { value: 'm1' } }]),
      400,
      'noTarget',
      `Operations[0]: "${path}": no value matches the filter`,
    );
  });

  it('a filtered value written with every sub-attribute null is removed, and not created when absent', () => {
    const doc = { userName: 'bjensen', emails: [{ value: 'a@example.com' }, { value: 'b@example.com', type: 'work' }] };
    assert.deepEqual(patch(doc, [{ op: 'replace', path: 'emails[value eq "a@example.com"]', value: { value: null } }]).doc, {
      userName: 'bjensen',
      emails: [{ value: 'b@example.com', type: 'work' }],
    });
    assert.deepEqual(patch(user, [{ op: 'add', path: 'emails[type eq "home"]', value: { type: null } }]).doc, user);
  });

  it('RFC 7643 §2.4: two values made primary through one filter is 400 invalidValue', () => {
    const doc = {
      userName: 'bjensen',
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'work' },
      ],
    };
    refused(
      () => patch(doc, [{ op: 'replace', path: 'emails[type eq "work"].primary', value: true }]),
      400,
      'invalidValue',
      'Operations[0]: attribute "emails[type eq "work"].primary": at most one value may have primary true',
    );
  });

  it('RFC 7643 §2.4: two values made primary at once is 400 invalidValue', () => {
    refused(
      () =>
        patch(user, [
          {
            op: 'add',
            path: 'emails',
            value: [
              { value: 'a@example.com', primary: true },
              { value: 'b@example.com', primary: true },
            ],
          },
        ]),
      400,
      'invalidValue',
      'Operations[0]: attribute "emails": at most one value may have primary true',
    );
  });
});

describe('RFC 7644 §3.5.2.3 replace of a complex value', () => {
  it('a null sub-attribute unassigns it; the others stay', () => {
    const doc = { userName: 'bjensen', name: { givenName: 'Barbara', familyName: 'Jensen' } };
    assert.deepEqual(patch(doc, [{ op: 'replace', path: 'name', value: { givenName: null } }]).doc, {
      userName: 'bjensen',
      name: { familyName: 'Jensen' },
    });
  });

  it('sub-attributes the schema does not have are dropped; one named twice (any case) is 400 invalidSyntax', () => {
    const value = JSON.parse('{"givenName": "Barbara", "favouriteColour": "blue", "constructor": "x"}');
    assert.deepEqual(patch(user, [{ op: 'replace', path: 'name', value }]).doc, { userName: 'bjensen', name: { givenName: 'Barbara' } });
    refused(
      () => patch(user, [{ op: 'replace', path: 'name', value: { givenName: 'a', GivenName: 'b' } }]),
      400,
      'invalidSyntax',
      'Operations[0]: attribute "name.givenName" is given more than once',
    );
  });
});

describe('RFC 7644 §3.5.2.2 remove', () => {
  it('a sub-attribute is removed even when the operation carries a value', () => {
    const doc = { userName: 'bjensen', name: { givenName: 'Barbara', familyName: 'Jensen' } };
    assert.deepEqual(patch(doc, [{ op: 'remove', path: 'name.givenName', value: 'Barbara' }]).doc, {
      userName: 'bjensen',
      name: { familyName: 'Jensen' },
    });
  });

  it('a sub-attribute of an unassigned attribute: nothing to remove, nothing changes', () => {
    assert.deepEqual(patch(user, [{ op: 'remove', path: 'name.givenName' }]).doc, user);
    assert.deepEqual(patch(user, [{ op: 'remove', path: 'emails.type' }]).doc, user);
  });

  it('with a value list (Entra), only the listed values go, each matched by the sub-attributes it names', () => {
    const doc = {
      userName: 'bjensen',
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'b@example.com', type: 'home' },
        { value: 'c@example.com', type: 'other' },
      ],
    };
    const result = patch(doc, [
      { op: 'remove', path: 'emails', value: [{ value: 'a@example.com' }, { value: 'c@example.com', type: 'other' }] },
    ]);
    assert.deepEqual(result.doc, { userName: 'bjensen', emails: [{ value: 'b@example.com', type: 'home' }] });
    const none = patch(doc, [{ op: 'remove', path: 'emails', value: [{ value: 'b@example.com', type: 'work' }] }]);
    assert.deepEqual(none.doc, doc);
    const all = patch(doc, [{ op: 'remove', path: 'emails', value: doc.emails }]);
    assert.deepEqual(all.doc, user);
    assert.deepEqual(patch(doc, [{ op: 'remove', path: 'emails', value: null }]).doc, user, 'value null: remove all, as without a value');
    assert.deepEqual(patch(user, [{ op: 'remove', path: 'emails', value: [{ value: 'a@example.com' }] }]).doc, user);
  });

  it('with a value list on a multi-valued simple attribute, only equal values go', () => {
    const doc = { userName: 'bjensen', [ACME]: { costCode: 'C1', tags: ['ab', 'a', 'b'] } };
    assert.deepEqual(patch(doc, [{ op: 'remove', path: `${ACME}:tags`, value: ['a'] }], { registry: acme }).doc, {
      userName: 'bjensen',
      [ACME]: { costCode: 'C1', tags: ['ab', 'b'] },
    });
  });

  it('replace with null through a filter that matches nothing is noTarget, as remove is (RFC 7644 §3.12 Table 9)', () => {
    const doc = { userName: 'bjensen', emails: [{ value: 'a@example.com', type: 'work' }] };
    refused(
      () => patch(doc, [{ op: 'replace', path: 'emails[type eq "home"]', value: null }]),
      400,
      'noTarget',
      'Operations[0]: "emails[type eq "home"]": no value matches the filter',
    );
  });

  it('removing the only sub-attribute a value has removes the value', () => {
    const doc = { userName: 'bjensen', emails: [{ value: 'a@example.com' }, { value: 'b@example.com', type: 'work' }] };
    assert.deepEqual(patch(doc, [{ op: 'remove', path: 'emails[value eq "a@example.com"].value' }]).doc, {
      userName: 'bjensen',
      emails: [{ value: 'b@example.com', type: 'work' }],
    });
  });
});

describe('RFC 7644 §3.5.2 Group.members', () => {
  const group = { displayName: 'Admins' };
  const onGroup = { resourceType: 'Group' } as const;

  it('a member without type is sent without type; one listed twice is sent once, as first listed', () => {
    const result = patch(
      group,
      [
        {
          op: 'add',
          path: 'members',
          value: [{ value: 'u1' }, { value: 'u2', type: 'User' }, { value: 'u2', type: 'Group' }],
        },
      ],
      onGroup,
    );
    assert.deepEqual(result.memberOps, [
      {
        kind: 'add',
        members: [{ value: 'u1' }, { value: 'u2', type: 'User' }],
      },
    ]);
  });

  it('null items of a member list are skipped; a member that is not an object, or has an empty value, is 400 invalidValue', () => {
    assert.deepEqual(patch(group, [{ op: 'add', path: 'members', value: [null, { value: 'u1' }] }], onGroup).memberOps, [
      { kind: 'add', members: [{ value: 'u1' }] },
    ]);
    refused(
      () => patch(group, [{ op: 'add', path: 'members', value: ['u1'] }], onGroup),
      400,
      'invalidValue',
      /^Operations\[0\]: .*members.*JSON object/,
    );
    refused(
      () => patch(group, [{ op: 'add', path: 'members', value: [{ value: '' }] }], onGroup),
      400,
      'invalidValue',
      /^Operations\[0\]: .*members.*non-empty/,
    );
  });

  it('remove with value null removes all; with an empty list, none', () => {
    assert.deepEqual(patch(group, [{ op: 'remove', path: 'members', value: null }], onGroup).memberOps, [{ kind: 'removeAll' }]);
    assert.deepEqual(patch(group, [{ op: 'remove', path: 'members', value: [] }], onGroup).memberOps, []);
  });

  it('members are selected only by value eq "id" joined by or: ne, null, and an or with another test are invalidPath', () => {
    for (const path of [
      'members[value ne "u1"]',
      'members[value eq null]',
      'members[value eq "u1" or display eq "x"]',
      'members[display eq "x" or value eq "u1"]',
      'members[not (value eq "u1")]',
      'members[value pr]',
    ]) {
      refused(
        () => patch(group, [{ op: 'remove', path }], onGroup),
        400,
        'invalidPath',
        `Operations[0]: "${path}": members can be selected only by value, e.g. members[value eq "id"] (several joined by "or")`,
      );
    }
  });

  it('a members filter with add is invalidPath; so is a sub-attribute of members, with or without a filter', () => {
    refused(
      () => patch(group, [{ op: 'add', path: 'members[value eq "u1"]', value: [{ value: 'u1' }] }], onGroup),
      400,
      'invalidPath',
      'Operations[0]: "members[value eq "u1"]": a members filter is supported with "remove" only; add members with path "members"',
    );
    for (const [op, path] of [
      ['add', 'members.value'],
      ['remove', 'members[value eq "u1"].display'],
    ] as const) {
      refused(
        () => patch(group, [{ op, path, value: 'u1' }], onGroup),
        400,
        'invalidPath',
        `Operations[0]: "${path}": members are changed whole or selected by members[value eq "id"], not by sub-attribute`,
      );
    }
  });
});
