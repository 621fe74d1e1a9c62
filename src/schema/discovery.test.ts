import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attr } from './attribute.ts';
import { ENTERPRISE_USER_SCHEMA } from './core/enterprise-user.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './core/resource-types.ts';
import { USER_SCHEMA } from './core/user.ts';
import { RESOURCE_TYPE_SCHEMA_ID, renderResourceType, renderSchema, SCHEMA_SCHEMA_ID } from './discovery.ts';

function containsNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value).some(containsNull);
}

describe('RFC 7643 §7 Schema representation', () => {
  const location = 'https://example.com/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User';
  const rendered = renderSchema(USER_SCHEMA, location);

  it('carries the Schema schema, id, name, description and meta', () => {
    assert.deepEqual(rendered.schemas, ['urn:ietf:params:scim:schemas:core:2.0:Schema']);
    assert.equal(SCHEMA_SCHEMA_ID, 'urn:ietf:params:scim:schemas:core:2.0:Schema');
    assert.equal(rendered.id, USER_SCHEMA.id);
    assert.equal(rendered.name, 'User');
    assert.equal(rendered.description, 'User Account');
    assert.deepEqual(rendered.meta, { resourceType: 'Schema', location });
  });
  it('lists every characteristic of an attribute', () => {
    assert.deepEqual(
      rendered.attributes.find((a) => a.name === 'userName'),
      {
        name: 'userName',
        type: 'string',
        multiValued: false,
        // §8.7.1's description, then the longest userName (docs/limits.md), which no RFC 7643
        // characteristic can carry.
        description:
          "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED. At most 512 characters.",
        required: true,
        caseExact: false,
        mutability: 'readWrite',
        returned: 'default',
        uniqueness: 'server',
      },
    );
  });
  it('includes canonicalValues, referenceTypes and subAttributes when present', () => {
    const emails = rendered.attributes.find((a) => a.name === 'emails');
    assert.deepEqual(emails?.subAttributes?.find((a) => a.name === 'type')?.canonicalValues, ['work', 'home', 'other']);
    const profileUrl = rendered.attributes.find((a) => a.name === 'profileUrl');
    assert.deepEqual(profileUrl?.referenceTypes, ['external']);
  });
  it('entra: omits empty canonicalValues and never sends null', () => {
    const roles = rendered.attributes.find((a) => a.name === 'roles');
    assert.equal(Object.hasOwn(roles?.subAttributes?.find((a) => a.name === 'type') ?? {}, 'canonicalValues'), false);
    assert.equal(Object.hasOwn(rendered.attributes.find((a) => a.name === 'userName') ?? {}, 'subAttributes'), false);
    assert.equal(containsNull(rendered), false);
    assert.equal(containsNull(renderSchema(ENTERPRISE_USER_SCHEMA, 'x')), false);
  });
  it("states scimd's longest value in the description, after the attribute's own (docs/limits.md)", () => {
    const schema = {
      id: 'urn:example:lengths',
      name: 'Lengths',
      description: 'd',
      attributes: [
        attr('code', 'string', { description: 'A code.', maxLength: 8 }),
        attr('plain', 'string', { description: 'Plain.' }),
        attr('bare', 'string', { maxLength: 3 }),
        attr('none', 'string'),
      ],
    };
    assert.deepEqual(
      renderSchema(schema, 'x').attributes.map((a) => a.description),
      ['A code. At most 8 characters.', 'Plain.', 'At most 3 characters.', ''],
    );
  });
  it('does not share arrays with the definitions', () => {
    const emails = rendered.attributes.find((a) => a.name === 'emails');
    const type = emails?.subAttributes?.find((a) => a.name === 'type');
    const source = USER_SCHEMA.attributes.find((a) => a.name === 'emails')?.subAttributes?.find((a) => a.name === 'type');
    assert.notEqual(type?.canonicalValues, source?.canonicalValues);
  });
});

describe('RFC 7643 §6 ResourceType representation', () => {
  it('renders User with its extension', () => {
    assert.deepEqual(renderResourceType(USER_RESOURCE_TYPE, 'https://example.com/v2/ResourceTypes/User'), {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
      schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }],
      meta: { resourceType: 'ResourceType', location: 'https://example.com/v2/ResourceTypes/User' },
    });
  });
  it('RFC 7643 §8.7.2: the ResourceType schema URN', () => {
    assert.equal(RESOURCE_TYPE_SCHEMA_ID, 'urn:ietf:params:scim:schemas:core:2.0:ResourceType');
  });
  it('renders Group with an empty schemaExtensions list', () => {
    const rendered = renderResourceType(GROUP_RESOURCE_TYPE, 'https://example.com/v2/ResourceTypes/Group');
    assert.deepEqual(rendered.schemaExtensions, []);
    assert.deepEqual(rendered.meta, { resourceType: 'ResourceType', location: 'https://example.com/v2/ResourceTypes/Group' });
  });
});
