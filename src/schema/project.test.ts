import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { ENTERPRISE_USER_SCHEMA_ID as ENT } from './core/enterprise-user.ts';
import { GROUP_SCHEMA_ID } from './core/group.ts';
import { USER_SCHEMA_ID } from './core/user.ts';
import { type AttributeSelection, needsAttribute, parseAttributeList, projectResource } from './project.ts';
import { ACME_SCHEMA_ID as ACME, createAcmeRegistry } from './testing/acme-extension.ts';

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
