import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { attr } from './attribute.ts';
import { ENTERPRISE_USER_SCHEMA_ID as ENT } from './core/enterprise-user.ts';
import { GROUP_SCHEMA_ID } from './core/group.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './core/resource-types.ts';
import { USER_SCHEMA_ID } from './core/user.ts';
import { tenantRegistry } from './custom.ts';
import { type AttributeSelection, needsAttribute, parseAttributeList, projectResource } from './project.ts';
import { createCoreRegistry } from './registry.ts';
import { ACME_SCHEMA_ID as ACME, createAcmeRegistry } from './testing/acme-extension.ts';
import { GROUP_MEMBERS_EXTENSION_ID as GM, GROUP_MEMBER_TYPE } from './types/group-member.ts';

const registry = createAcmeRegistry();

const meta = {
  resourceType: 'User',
  created: '2010-01-23T04:56:22Z',
  lastModified: '2011-05-13T04:42:34Z',
  location: 'https://x/Users/1',
  version: 'W/"3"',
};
const bjensen: Readonly<Record<string, unknown>> = {
  schemas: [USER_SCHEMA_ID, ENT, ACME],
  id: '2819c223',
  externalId: 'bjensen',
  userName: 'bjensen',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  password: 'should never show',
  groups: [{ value: 'g1', display: 'Tour Guides', type: 'direct' }],
  meta,
  [ENT]: { department: 'Tour Operations', manager: { value: 'm1', displayName: 'John Smith' } },
  [ACME]: { costCode: 'CC1', note: 'on request', acmeId: 'A-1' },
};

const group: Readonly<Record<string, unknown>> = {
  schemas: [GROUP_SCHEMA_ID],
  id: 'e9e30dba',
  displayName: 'Tour Guides',
  members: [{ value: '2819c223', display: 'Babs Jensen', type: 'User', $ref: 'https://x/Users/2819c223' }],
  meta: { ...meta, resourceType: 'Group' },
};

const project = (selection: AttributeSelection, resource = bjensen, resourceType = 'User') =>
  projectResource(registry, resourceType, resource, selection);

const { password: _password, ...withoutPassword } = bjensen;
const defaultView: Record<string, unknown> = { ...withoutPassword, [ACME]: { costCode: 'CC1', acmeId: 'A-1' } };

describe('RFC 7643 §2.2 returned', () => {
  it('without a selection: default and always attributes; never (password) and request ones are not shown', () => {
    assert.deepEqual(project({}), defaultView);
  });
  it('returned=never is not shown even when named', () => {
    assert.equal(project({ attributes: ['password'] }).password, undefined);
  });
  it('returned=request is shown only when named in attributes', () => {
    assert.deepEqual(project({ attributes: [`${ACME}:note`] }), {
      schemas: bjensen.schemas,
      id: '2819c223',
      [ACME]: { note: 'on request', acmeId: 'A-1' },
    });
    assert.equal((project({ excludedAttributes: ['userName'] })[ACME] as Record<string, unknown>).note, undefined);
  });
  it('returned=always (id, schemas, extension acmeId) survives excludedAttributes', () => {
    const result = project({ excludedAttributes: ['id', 'schemas', `${ACME}:acmeId`, 'userName'] });
    assert.equal(result.id, '2819c223');
    assert.deepEqual(result.schemas, bjensen.schemas);
    assert.equal((result[ACME] as Record<string, unknown>).acmeId, 'A-1');
    assert.equal(result.userName, undefined);
  });
});

describe('RFC 7644 §3.4.2.5 attributes', () => {
  const table: readonly [string, readonly string[], Record<string, unknown>][] = [
    ['attributes=userName returns schemas, id, userName (meta is default, not always)', ['userName'], { userName: 'bjensen' }],
    ['names are case-insensitive', ['USERNAME'], { userName: 'bjensen' }],
    ['a sub-attribute of a complex attribute', ['name.givenName'], { name: { givenName: 'Barbara' } }],
    [
      'a sub-attribute of a multi-valued attribute',
      ['emails.value'],
      { emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] },
    ],
    ['meta.lastModified', ['meta.lastModified'], { meta: { lastModified: meta.lastModified } }],
    ['a URN-qualified extension attribute', [`${ENT}:department`], { [ENT]: { department: 'Tour Operations' } }],
    ['a URN-qualified extension sub-attribute', [`${ENT.toLowerCase()}:MANAGER.value`], { [ENT]: { manager: { value: 'm1' } } }],
    ['an extension URN alone is the whole extension', [ENT], { [ENT]: bjensen[ENT] as Record<string, unknown> }],
    ['a URN-qualified core attribute', [`${USER_SCHEMA_ID}:userName`], { userName: 'bjensen' }],
    ['an unknown name is ignored', ['shoeSize', 'name.nick', 'urn:x:y:shoeSize'], {}],
    ['entra postman: emails[type eq "work"] reads as emails', ['emails[type eq "work"]'], { emails: bjensen.emails as unknown[] }],
    ['a whole attribute and its sub-attribute', ['name', 'name.givenName'], { name: bjensen.name as Record<string, unknown> }],
  ];
  for (const [label, attributes, expected] of table) {
    it(label, () => {
      assert.deepEqual(project({ attributes }), {
        schemas: bjensen.schemas,
        id: '2819c223',
        ...expected,
        [ACME]: { acmeId: 'A-1' },
      });
    });
  }
  it('when both are given, attributes wins', () => {
    assert.deepEqual(project({ attributes: ['userName'], excludedAttributes: ['userName'] }), {
      schemas: bjensen.schemas,
      id: '2819c223',
      userName: 'bjensen',
      [ACME]: { acmeId: 'A-1' },
    });
  });
  it('an empty attributes list is no selection', () => {
    assert.deepEqual(project({ attributes: [] }), defaultView);
  });
});

describe('RFC 7644 §3.4.2.5 attributes: what is left of a value, and one selection for many resources', () => {
  it('a multi-valued attribute none of whose values has the named sub-attribute is left out, not sent as [] (RFC 7643 §2.5)', () => {
    const untyped = { ...bjensen, emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] };
    assert.deepEqual(project({ attributes: ['emails.type'] }, untyped), {
      schemas: bjensen.schemas,
      id: '2819c223',
      [ACME]: { acmeId: 'A-1' },
    });
  });
  it('a name qualified by a URN that is not the schema defining it names nothing', () => {
    assert.deepEqual(project({ attributes: ['urn:example:params:scim:schemas:core:2.0:User:userName'] }), {
      schemas: bjensen.schemas,
      id: '2819c223',
      [ACME]: { acmeId: 'A-1' },
    });
  });
  it('keys no schema defines are not returned, at the top level and in an extension (RFC 7643 §7: the schemas define the attributes)', () => {
    assert.deepEqual(project({}, { ...bjensen, shoeSize: 42, [ENT]: { ...(bjensen[ENT] as object), shoeSize: 42 } }), defaultView);
  });
  it('a "__proto__" key of a value (as JSON.parse makes it) is not copied into the response', () => {
    const parsed = JSON.parse('[{"value": "bjensen@example.com", "type": "work", "__proto__": {"polluted": true}}]');
    const emails = project({ excludedAttributes: ['emails.type'] }, { ...bjensen, emails: parsed }).emails as object[];
    assert.deepEqual(emails, [{ value: 'bjensen@example.com' }]);
    assert.equal(Object.getPrototypeOf(emails[0]), Object.prototype);
  });
  it('a null value is unassigned (RFC 7643 §2.5) and left out', () => {
    assert.deepEqual(project({}, { ...bjensen, nickName: null }), defaultView);
  });
  it('entra postman: a filter followed by a sub-attribute reads as the sub-attribute; an unclosed filter as the attribute', () => {
    assert.deepEqual(project({ attributes: ['emails[type eq "work"].value'] }).emails, [
      { value: 'bjensen@example.com' },
      { value: 'babs@jensen.org' },
    ]);
    assert.deepEqual(project({ attributes: ['emails[type eq "work"'] }).emails, bjensen.emails);
  });
  it("RFC 7644 §3.4.3: one selection applied to a user and then a group (a root .search page) names each type's own displayName", () => {
    const selection = { attributes: ['displayName'] };
    assert.deepEqual(project(selection), { schemas: bjensen.schemas, id: '2819c223', [ACME]: { acmeId: 'A-1' } });
    assert.deepEqual(project(selection, group, 'Group'), { schemas: group.schemas, id: 'e9e30dba', displayName: 'Tour Guides' });
  });
  it("one selection applied under two tenants' registries: each resolves the names by its own schemas", () => {
    const selection = { attributes: [`${ACME}:note`] };
    assert.deepEqual(projectResource(createCoreRegistry(), 'User', bjensen, selection), { schemas: bjensen.schemas, id: '2819c223' });
    assert.deepEqual(project(selection)[ACME], { note: 'on request', acmeId: 'A-1' });
  });
  it('an empty attributes list with excludedAttributes: the exclusion applies; an empty excludedAttributes list is no selection', () => {
    assert.equal(project({ attributes: [], excludedAttributes: ['userName'] }).userName, undefined);
    assert.deepEqual(project({ excludedAttributes: [] }), defaultView);
  });
});

/**
 * RFC 7643 §2.2 `returned` applies to sub-attributes too (§7: "subAttributes" has the same
 * characteristics as "attributes"). No core sub-attribute has a `returned` other than default; a
 * tenant extension may (docs/custom-attributes.md: an imported schema is RFC 7643 §7 form).
 */
describe('RFC 7643 §2.2 returned on sub-attributes (a tenant extension)', () => {
  const BADGE = 'urn:example:params:scim:schemas:extension:badge:2.0:User';
  const subAttributes = [
    attr('number', 'string'),
    attr('pin', 'string', { returned: 'never' }),
    attr('issued', 'dateTime', { returned: 'request' }),
    attr('kind', 'string', { returned: 'always' }),
  ];
  const badges = createCoreRegistry().withSchemas(
    [
      {
        id: BADGE,
        name: 'badge',
        description: '',
        attributes: [attr('badge', 'complex', { subAttributes }), attr('cards', 'complex', { multiValued: true, subAttributes })],
      },
    ],
    [
      { ...USER_RESOURCE_TYPE, schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: BADGE, required: false }] },
      GROUP_RESOURCE_TYPE,
    ],
  );
  const user = {
    schemas: [USER_SCHEMA_ID, BADGE],
    id: '1',
    userName: 'bjensen',
    [BADGE]: {
      badge: { number: 'N1', pin: '1234', issued: '2024-01-01T00:00:00Z', kind: 'staff' },
      cards: [
        { number: 'C1', pin: '1', issued: '2024-02-01T00:00:00Z', kind: 'visitor' },
        { number: 'C2', pin: '2' },
      ],
    },
  };
  const shown = (selection: AttributeSelection) => projectResource(badges, 'User', user, selection)[BADGE];

  it('by default: never and request sub-attributes are not shown, in a single value and in each of many', () => {
    const expected = { badge: { number: 'N1', kind: 'staff' }, cards: [{ number: 'C1', kind: 'visitor' }, { number: 'C2' }] };
    assert.deepEqual(shown({}), expected);
    assert.deepEqual(shown({ excludedAttributes: ['userName'] }), expected);
  });
  it('attributes naming the whole attribute shows its request sub-attributes, never the never ones', () => {
    assert.deepEqual(shown({ attributes: [`${BADGE}:badge`] }), { badge: { number: 'N1', issued: '2024-01-01T00:00:00Z', kind: 'staff' } });
  });
  it('attributes naming a sub-attribute: it (if ever returned) and the always ones; a value left with nothing is left out', () => {
    assert.deepEqual(shown({ attributes: [`${BADGE}:badge.issued`] }), { badge: { issued: '2024-01-01T00:00:00Z', kind: 'staff' } });
    assert.deepEqual(shown({ attributes: [`${BADGE}:badge.pin`] }), { badge: { kind: 'staff' } });
    assert.deepEqual(shown({ attributes: [`${BADGE}:cards.pin`] }), { cards: [{ kind: 'visitor' }] });
  });
  it('excludedAttributes naming a sub-attribute removes it, never an always one, and shows no request one', () => {
    assert.deepEqual(shown({ excludedAttributes: [`${BADGE}:badge.number`] }), {
      badge: { kind: 'staff' },
      cards: [{ number: 'C1', kind: 'visitor' }, { number: 'C2' }],
    });
    assert.deepEqual(shown({ excludedAttributes: [`${BADGE}:cards.kind`] }), {
      badge: { number: 'N1', kind: 'staff' },
      cards: [{ number: 'C1', kind: 'visitor' }, { number: 'C2' }],
    });
  });
});

describe('docs/group-members.md: membersMetadata.memberCount is returned on request', () => {
  const withGroupMembers = tenantRegistry(createCoreRegistry(), [], [GROUP_MEMBER_TYPE]);
  const metadata = { policy: 'hybrid', ref: 'https://x/GroupMembers?filter=group.value%20eq%20%22e9e30dba%22', memberCount: 1 };
  const counted = { ...group, schemas: [GROUP_SCHEMA_ID, GM], [GM]: { membersMetadata: metadata } };
  const { memberCount: _memberCount, ...uncounted } = metadata;
  it('a group shows it only when attributes name it', () => {
    assert.deepEqual(projectResource(withGroupMembers, 'Group', counted, {})[GM], { membersMetadata: uncounted });
    assert.deepEqual(projectResource(withGroupMembers, 'Group', counted, { attributes: [`${GM}:membersMetadata.memberCount`] })[GM], {
      membersMetadata: { memberCount: 1 },
    });
  });
});

describe('RFC 7644 §3.4.2.5 excludedAttributes', () => {
  it('removes the named attributes and keeps the rest', () => {
    const { meta: _meta, emails: _emails, ...rest } = defaultView;
    assert.deepEqual(project({ excludedAttributes: ['META', 'emails'] }), rest);
  });
  it('removes a sub-attribute from each value', () => {
    const result = project({ excludedAttributes: ['emails.type', 'name.givenName'] });
    assert.deepEqual(result.emails, [{ value: 'bjensen@example.com', primary: true }, { value: 'babs@jensen.org' }]);
    assert.deepEqual(result.name, { familyName: 'Jensen' });
  });
  it('an extension URN removes the extension; an extension left empty is dropped', () => {
    assert.equal(project({ excludedAttributes: [ENT] })[ENT], undefined);
    assert.equal(project({ excludedAttributes: [`${ENT}:department`, `${ENT}:manager`] })[ENT], undefined);
  });
  it('an unknown name is ignored', () => {
    assert.deepEqual(project({ excludedAttributes: ['shoeSize'] }), defaultView);
  });
  it('entra: GET /Groups/{id}?excludedAttributes=members', () => {
    const { members: _members, ...rest } = group;
    assert.deepEqual(project({ excludedAttributes: ['members'] }, group, 'Group'), rest);
  });
});

describe('needsAttribute', () => {
  const cases: readonly [string, AttributeSelection, string, boolean][] = [
    ['no selection', {}, 'members', true],
    ['entra: excludedAttributes=members', { excludedAttributes: ['members'] }, 'members', false],
    ['attributes=displayName', { attributes: ['displayName'] }, 'members', false],
    ['attributes=members.value', { attributes: ['members.value'] }, 'members', true],
    ['excludedAttributes=members.display', { excludedAttributes: ['members.display'] }, 'MEMBERS', true],
    ['an unknown name', {}, 'shoeSize', false],
  ];
  for (const [label, selection, name, expected] of cases) {
    it(`Group ${label}: ${name} → ${expected}`, () => {
      assert.equal(needsAttribute(registry, 'Group', selection, name), expected);
    });
  }
  it('User groups, password and extensions', () => {
    assert.equal(needsAttribute(registry, 'User', { attributes: ['userName'] }, 'groups'), false);
    assert.equal(needsAttribute(registry, 'User', {}, 'groups'), true);
    assert.equal(needsAttribute(registry, 'User', {}, 'password'), false);
    assert.equal(needsAttribute(registry, 'User', { attributes: ['userName'] }, ENT), false);
    assert.equal(needsAttribute(registry, 'User', { attributes: [`${ENT}:manager.value`] }, ENT), true);
    assert.equal(needsAttribute(registry, 'User', { attributes: [`${ENT}:manager.value`] }, `${ENT}:manager`), true);
    // acmeId is returned=always, so the Acme extension is needed whatever the selection.
    assert.equal(needsAttribute(registry, 'User', { attributes: ['userName'] }, ACME), true);
    assert.equal(needsAttribute(registry, 'User', { excludedAttributes: [ENT] }, ENT), false);
    assert.equal(needsAttribute(registry, 'User', { attributes: [ENT] }, `${ENT}:department`), true, 'named by its whole extension');
    assert.equal(needsAttribute(registry, 'User', { excludedAttributes: [`${ENT}:department`] }, ENT), true);
  });
});

describe('parseAttributeList', () => {
  it('splits on commas, trims and drops empties', () => {
    assert.deepEqual(parseAttributeList(' userName , ,name.givenName,'), ['userName', 'name.givenName']);
  });
  it('undefined, empty and blank lists are undefined', () => {
    assert.equal(parseAttributeList(undefined), undefined);
    assert.equal(parseAttributeList(''), undefined);
    assert.equal(parseAttributeList(' , '), undefined);
  });
  it('100 names are accepted; 101 are 400 without scimType', () => {
    assert.equal(parseAttributeList(Array.from({ length: 100 }, (_, i) => `a${i}`).join(','))?.length, 100);
    assert.throws(
      () => parseAttributeList(Array.from({ length: 101 }, (_, i) => `a${i}`).join(',')),
      (e: unknown) =>
        e instanceof ScimError &&
        e.status === 400 &&
        e.scimType === undefined &&
        e.detail === 'attribute list names more than 100 attributes',
    );
  });
  it('4096 characters are accepted; the bounds are those given', () => {
    assert.deepEqual(parseAttributeList('a'.repeat(4096)), ['a'.repeat(4096)]);
    assert.deepEqual(parseAttributeList('a,b', { maxLength: 3, maxNames: 2 }), ['a', 'b']);
    assert.throws(() => parseAttributeList('a,b,', { maxLength: 3, maxNames: 2 }), /longer than 3 characters/);
    assert.throws(() => parseAttributeList('a,b,c', { maxLength: 10, maxNames: 2 }), /more than 2 attributes/);
  });
  it('more than 4096 characters are 400 without scimType', () => {
    assert.throws(
      () => parseAttributeList('a'.repeat(4097)),
      (e: unknown) =>
        e instanceof ScimError &&
        e.status === 400 &&
        e.scimType === undefined &&
        e.detail === 'attribute list is longer than 4096 characters',
    );
  });
});
