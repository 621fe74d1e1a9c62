import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttributeDefinition, SchemaDefinition } from '../attribute.ts';
import { AGENT_SCHEMA_ID, AGENT_TYPE } from './agent.ts';
import { DEVICE_TYPE } from './device.ts';
import { GROUP_MEMBER_SCHEMA_ID, GROUP_MEMBER_TYPE, GROUP_MEMBERS_EXTENSION_ID, membershipId, membershipIdParts } from './group-member.ts';
import { ENTITLEMENT_SCHEMA_ID, ENTITLEMENT_TYPE, ROLE_SCHEMA_ID, ROLE_TYPE } from './roles-entitlements.ts';
import type { ResourceTypeSpec } from './spec.ts';

/**
 * The optional resource types' schemas as their documents define them (docs/resource-types.md,
 * docs/group-members.md, RFC 9944, draft-ietf-scim-roles-entitlements-01,
 * draft-zollner-scim-group-members-01). Each attribute is written as one line: its name, type,
 * and every characteristic that differs from RFC 7643 §2.2's defaults (single-valued, optional,
 * not caseExact, readWrite, returned by default, no uniqueness), then canonical values, reference
 * types and scimd's length bound (docs/limits.md). Descriptions are prose of scimd's own and not
 * compared.
 */
function lines(attributes: readonly AttributeDefinition[], prefix = ''): string[] {
  return attributes.flatMap((a) => {
    const traits = [
      a.type,
      a.multiValued ? 'multiValued' : undefined,
      a.required ? 'required' : undefined,
      a.caseExact ? 'caseExact' : undefined,
      a.mutability === 'readWrite' ? undefined : a.mutability,
      a.returned === 'default' ? undefined : `returned ${a.returned}`,
      a.uniqueness === 'none' ? undefined : `uniqueness ${a.uniqueness}`,
      a.canonicalValues && a.canonicalValues.length > 0 ? `canonical ${a.canonicalValues.join('|')}` : undefined,
      a.referenceTypes ? `to ${a.referenceTypes.join('|')}` : undefined,
      a.maxLength === undefined ? undefined : `max ${a.maxLength}`,
    ].filter((t) => t !== undefined);
    return [`${prefix}${a.name}: ${traits.join(', ')}`, ...lines(a.subAttributes ?? [], `${prefix}${a.name}.`)];
  });
}

function schemaOf(schemas: readonly SchemaDefinition[], id: string): SchemaDefinition {
  const schema = schemas.find((s) => s.id === id);
  assert.ok(schema, id);
  return schema;
}

describe('draft-ietf-scim-roles-entitlements-01 §3: Role and Entitlement (docs/resource-types.md)', () => {
  for (const [type, noun, id, plural] of [
    [ROLE_TYPE, 'role', 'urn:ietf:params:scim:schemas:core:2.0:Role', 'Roles'],
    [ENTITLEMENT_TYPE, 'entitlement', 'urn:ietf:params:scim:schemas:core:2.0:Entitlement', 'Entitlements'],
  ] as const) {
    const name = plural.slice(0, -1);
    it(`${name} at /${plural}: the draft's attributes, readWrite but totalAssignmentsUsed, value required and unique`, () => {
      assert.equal(type === ROLE_TYPE ? ROLE_SCHEMA_ID : ENTITLEMENT_SCHEMA_ID, id);
      assert.deepEqual(type.resourceType, { id: name, name, endpoint: `/${plural}`, description: name, schema: id, schemaExtensions: [] });
      assert.equal(type.schemas.length, 1);
      const schema = schemaOf(type.schemas, id);
      assert.equal(schema.name, name);
      assert.equal(schema.description, name);
      assert.deepEqual(lines(schema.attributes), [
        'value: string, required, uniqueness server, max 512',
        'display: string, max 512',
        'type: string, max 64',
        'primary: boolean',
        'supported: boolean',
        'limitedAssignmentsPermitted: boolean',
        'totalAssignmentsPermitted: integer',
        // §3.2, counted on read (a value a client sends is ignored).
        'totalAssignmentsUsed: integer, readOnly',
        'containedBy: string, multiValued',
        'contains: string, multiValued',
      ]);
      // Each description names its type's noun (every attribute has one: the last describe below).
      assert.ok(schema.attributes.find((a) => a.name === 'value')?.description.includes(noun));
      // containedBy and contains hold the values of other roles (entitlements), and say so.
      for (const name of ['containedBy', 'contains'])
        assert.ok(schema.attributes.find((a) => a.name === name)?.description.includes(plural.toLowerCase()), name);
    });
    it(`${name}: generic storage, optional, indexed and named by value, events scim.${noun}.*, totalAssignmentsUsed counted from the users' ${plural.toLowerCase()}`, () => {
      assert.equal(type.optional, true);
      assert.equal(type.storage, 'generic');
      assert.equal(type.noun, noun);
      assert.equal(type.indexed, 'value');
      assert.deepEqual(type.names, ['value', 'display']);
      assert.deepEqual(type.counts, [
        {
          attribute: 'totalAssignmentsUsed',
          holders: { resourceType: 'User', attribute: plural.toLowerCase() },
          when: 'limitedAssignmentsPermitted',
        },
      ]);
      assert.equal(type.references, undefined);
      assert.equal(type.extends, undefined);
    });
  }
});

describe('RFC 9944: Device and its six extensions (docs/resource-types.md)', () => {
  const DEVICE = 'urn:ietf:params:scim:schemas:core:2.0:Device';
  const EXTENSIONS = {
    ble: 'urn:ietf:params:scim:schemas:extension:ble:2.0:Device',
    dpp: 'urn:ietf:params:scim:schemas:extension:dpp:2.0:Device',
    mab: 'urn:ietf:params:scim:schemas:extension:ethernet-mab:2.0:Device',
    fdo: 'urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device',
    zigbee: 'urn:ietf:params:scim:schemas:extension:zigbee:2.0:Device',
    apps: 'urn:ietf:params:scim:schemas:extension:endpointAppsExt:2.0:Device',
  };
  const schemas = DEVICE_TYPE.schemas;

  it('Device at /Devices lists the six extensions, none required; generic storage, indexed and named by displayName', () => {
    assert.deepEqual(DEVICE_TYPE.resourceType, {
      id: 'Device',
      name: 'Device',
      endpoint: '/Devices',
      description: 'Device',
      schema: DEVICE,
      schemaExtensions: Object.values(EXTENSIONS).map((schema) => ({ schema, required: false })),
    });
    assert.deepEqual(
      schemas.map((s) => s.id),
      [DEVICE, ...Object.values(EXTENSIONS)],
    );
    assert.equal(DEVICE_TYPE.optional, true);
    assert.equal(DEVICE_TYPE.storage, 'generic');
    assert.equal(DEVICE_TYPE.noun, 'device');
    assert.equal(DEVICE_TYPE.indexed, 'displayName');
    assert.deepEqual(DEVICE_TYPE.names, ['displayName']);
  });

  it('the core Device schema: displayName, active (required), mudUrl', () => {
    const device = schemaOf(schemas, DEVICE);
    assert.equal(device.name, 'Device');
    assert.deepEqual(lines(device.attributes), [
      'displayName: string, max 512',
      'active: boolean, required',
      'mudUrl: reference, caseExact, to uri',
    ]);
  });

  it('the extensions: secrets (irk, bootstrapKey, fdoVoucher) writeOnly and never returned; the pairing methods listed without their objects', () => {
    const secret = 'string, caseExact, writeOnly, returned never';
    assert.deepEqual(lines(schemaOf(schemas, EXTENSIONS.ble).attributes), [
      'versionSupport: string, multiValued, required',
      'deviceMacAddress: string, required',
      'isRandom: boolean, required',
      'separateBroadcastAddress: string, multiValued',
      `irk: ${secret}`,
      'mobility: boolean',
      'pairingMethods: string, multiValued',
    ]);
    assert.deepEqual(lines(schemaOf(schemas, EXTENSIONS.dpp).attributes), [
      'dppVersion: integer, required',
      'bootstrappingMethod: string, multiValued',
      `bootstrapKey: ${secret}`,
      'deviceMacAddress: string',
      'classChannel: string, multiValued',
      'serialNumber: string',
    ]);
    assert.deepEqual(lines(schemaOf(schemas, EXTENSIONS.mab).attributes), ['deviceMacAddress: string, required']);
    assert.deepEqual(lines(schemaOf(schemas, EXTENSIONS.fdo).attributes), [`fdoVoucher: ${secret}`]);
    assert.deepEqual(lines(schemaOf(schemas, EXTENSIONS.zigbee).attributes), [
      'versionSupport: string, multiValued, required',
      'deviceEui64Address: string, required',
    ]);
    assert.deepEqual(lines(schemaOf(schemas, EXTENSIONS.apps).attributes), [
      'deviceControlEnterpriseEndpoint: reference, caseExact, to uri',
      'telemetryEnterpriseEndpoint: reference, caseExact, to uri',
      'applications: complex, multiValued',
      'applications.value: string, caseExact',
      'applications.$ref: reference, caseExact, to EndpointApp',
    ]);
  });

  it('every schema has a name and a description of its own (RFC 7643 §7)', () => {
    const names = schemas.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
    for (const s of schemas) {
      assert.match(s.name, /\S/);
      assert.match(s.description, /\S/, s.id);
    }
  });
});

describe('draft-zollner-scim-group-members-01: GroupMember and membersMetadata (docs/group-members.md)', () => {
  it('GroupMember at /GroupMembers (§4.3): its own storage, named by group and member, no events of its own', () => {
    assert.equal(GROUP_MEMBER_SCHEMA_ID, 'urn:ietf:params:scim:schemas:core:2.0:GroupMember');
    const rt = GROUP_MEMBER_TYPE.resourceType;
    assert.equal(rt.id, 'GroupMember');
    assert.equal(rt.name, 'GroupMember');
    assert.equal(rt.endpoint, '/GroupMembers');
    assert.equal(rt.schema, GROUP_MEMBER_SCHEMA_ID);
    assert.deepEqual(rt.schemaExtensions, []);
    assert.match(rt.description, /draft-zollner-scim-group-members-01/);
    assert.equal(GROUP_MEMBER_TYPE.optional, true);
    assert.equal(GROUP_MEMBER_TYPE.storage, 'custom');
    assert.equal(GROUP_MEMBER_TYPE.indexed, undefined);
    assert.deepEqual(GROUP_MEMBER_TYPE.names, ['group', 'member']);
    assert.deepEqual(
      GROUP_MEMBER_TYPE.schemas.map((s) => s.id),
      [GROUP_MEMBER_SCHEMA_ID],
    );
  });

  it('§8.1: group and member are required and immutable; their values (ids) caseExact; $ref, type and display filled in by the server', () => {
    const schema = schemaOf(GROUP_MEMBER_TYPE.schemas, GROUP_MEMBER_SCHEMA_ID);
    assert.match(schema.description, /\S/);
    assert.match(schema.name, /Group ?Member/);
    assert.deepEqual(lines(schema.attributes), [
      'group: complex, required, immutable',
      'group.value: string, required, caseExact, immutable',
      'group.$ref: reference, readOnly, to Group',
      'group.display: string, readOnly',
      'member: complex, required, immutable',
      'member.value: string, required, caseExact, immutable',
      'member.$ref: reference, readOnly, to User|Group',
      'member.type: string, readOnly, canonical User|Group',
      'member.display: string, readOnly',
    ]);
  });

  it('§5, §8.2: enabled, it extends Group with membersMetadata, read-only, memberCount only on request', () => {
    assert.equal(GROUP_MEMBER_TYPE.extends?.length, 1);
    const [extension] = GROUP_MEMBER_TYPE.extends ?? [];
    assert.equal(extension?.resourceType, 'Group');
    assert.equal(extension?.schema.id, 'urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group');
    assert.equal(GROUP_MEMBERS_EXTENSION_ID, extension?.schema.id);
    assert.match(extension?.schema.name ?? '', /\S/);
    assert.deepEqual(lines(extension?.schema.attributes ?? []), [
      'membersMetadata: complex, readOnly',
      'membersMetadata.policy: string, required, readOnly, canonical inline|external|hybrid',
      'membersMetadata.ref: reference, required, readOnly, to uri',
      'membersMetadata.memberCount: integer, readOnly, returned request',
      'membersMetadata.allowedMemberTypes: string, multiValued, caseExact, readOnly',
    ]);
  });

  it("§4.1: a GroupMember's id is the group's id and the member's joined by ~, and nothing else parses as one", () => {
    const group = 'e9e30dba-f08f-4139-944c-2e6949b80b05';
    const member = '2819c223-7f76-453a-919d-413861904646';
    assert.equal(membershipId(group, member), `${group}~${member}`);
    assert.deepEqual(membershipIdParts(`${group}~${member}`), { groupId: group, memberId: member });
    for (const text of [group, `${group}~`, `~${member}`, `${group}~${member}~x`, '~', ''])
      assert.equal(membershipIdParts(text), undefined, text);
  });
});

describe('the Agent (draft-wzdk-scim-agent-resource-00 as docs/resource-types.md describes it)', () => {
  it('at /Agents, generic storage, indexed and named by displayName; owners refer to users, roles and entitlements to their types', () => {
    assert.equal(AGENT_SCHEMA_ID, 'urn:ietf:params:scim:schemas:core:2.0:Agent');
    const rt = AGENT_TYPE.resourceType;
    assert.deepEqual([rt.id, rt.name, rt.endpoint, rt.schema, rt.schemaExtensions], ['Agent', 'Agent', '/Agents', AGENT_SCHEMA_ID, []]);
    assert.match(rt.description, /\S/);
    assert.equal(AGENT_TYPE.optional, true);
    assert.equal(AGENT_TYPE.storage, 'generic');
    assert.equal(AGENT_TYPE.noun, 'agent');
    assert.equal(AGENT_TYPE.indexed, 'displayName');
    assert.deepEqual(AGENT_TYPE.names, ['displayName']);
    assert.deepEqual(AGENT_TYPE.references, [
      { attribute: 'owners', resourceType: 'User' },
      { attribute: 'roles', resourceType: 'Role' },
      { attribute: 'entitlements', resourceType: 'Entitlement' },
    ]);
  });

  it('the attributes docs/resource-types.md lists: displayName required, owners by id (users or groups), OAuth client identifiers, roles and entitlements by value', () => {
    const schema = schemaOf(AGENT_TYPE.schemas, AGENT_SCHEMA_ID);
    assert.equal(schema.name, 'Agent');
    assert.match(schema.description, /\S/);
    assert.deepEqual(lines(schema.attributes), [
      'displayName: string, required, max 512',
      'description: string',
      'active: boolean',
      'agenticApplicationId: string, caseExact',
      'owners: complex, multiValued',
      'owners.value: string, caseExact',
      'owners.$ref: reference, to User|Group',
      'owners.display: string, readOnly',
      'owners.type: string, canonical User|Group',
      // The sub-attributes follow RFC 7643's references (§4.1.2 groups, §4.2 members): ids caseExact, display readOnly.
      'oAuthClientIdentifiers: complex, multiValued',
      'oAuthClientIdentifiers.clientId: string, caseExact',
      'oAuthClientIdentifiers.issuer: string, caseExact',
      'oAuthClientIdentifiers.subject: string, caseExact',
      'oAuthClientIdentifiers.name: string',
      'oAuthClientIdentifiers.description: string',
      // As a user's roles and entitlements (RFC 7643 §4.1.2), with the values index's bounds.
      'roles: complex, multiValued',
      'roles.value: string, max 512',
      'roles.display: string',
      'roles.type: string, max 64',
      'roles.primary: boolean',
      'entitlements: complex, multiValued',
      'entitlements.value: string, max 512',
      'entitlements.display: string',
      'entitlements.type: string, max 64',
      'entitlements.primary: boolean',
    ]);
    // Each sub-attribute of roles and entitlements says which resource its value is of.
    for (const [name, type] of [
      ['roles', 'Role'],
      ['entitlements', 'Entitlement'],
    ] as const)
      for (const sub of schema.attributes.find((a) => a.name === name)?.subAttributes ?? [])
        assert.ok(sub.description.includes(type), `${name}.${sub.name}`);
  });
});

/**
 * RFC 7643 §7, the attributes of a Schema resource: "description  The attribute's human-readable
 * description. When applicable, service providers MUST specify the description", and
 * "subAttributes ... has the same schema sub-attributes as 'attributes'"; the schema's own
 * description likewise, and §6 the resource type's. /Schemas publishes these definitions as they
 * are (src/schema/discovery.ts), so an attribute without one reaches clients without one. The
 * optional types here; the core schemas' attributes carry RFC 7643 §8.7.1's, pinned word for word
 * by core/rfc7643-8.7.1.test.ts.
 */
describe('RFC 7643 §7: every attribute and sub-attribute of an optional type has a description', () => {
  function undescribed(attributes: readonly AttributeDefinition[], prefix = ''): string[] {
    return attributes.flatMap((a) => [
      ...(/\S/.test(a.description) ? [] : [`${prefix}${a.name}`]),
      ...undescribed(a.subAttributes ?? [], `${prefix}${a.name}.`),
    ]);
  }
  const types: [string, ResourceTypeSpec][] = [
    ['Role', ROLE_TYPE],
    ['Entitlement', ENTITLEMENT_TYPE],
    ['GroupMember', GROUP_MEMBER_TYPE],
    ['Agent', AGENT_TYPE],
    ['Device', DEVICE_TYPE],
  ];
  for (const [name, type] of types)
    it(`${name}: its resource type, every schema (extensions and what it adds to other types included) and every attribute`, () => {
      assert.match(type.resourceType.description, /\S/);
      const schemas = [...type.schemas, ...(type.extends ?? []).map((e) => e.schema)];
      for (const schema of schemas) {
        assert.match(schema.description, /\S/, schema.id);
        assert.deepEqual(undescribed(schema.attributes), [], schema.id);
      }
    });
});
