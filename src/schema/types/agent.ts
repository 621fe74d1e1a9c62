import { attr, type SchemaDefinition } from '../attribute.ts';
import { MAX_NAME_LENGTH, MAX_TYPE_LENGTH, MAX_VALUE_LENGTH } from '../lengths.ts';
import type { ResourceTypeSpec } from './spec.ts';

/**
 * The AI agent resource (draft-wzdk-scim-agent-resource-00, June 2026). The draft's own text
 * could not be read while this was written (docs/resource-types.md says so): the schema follows
 * its predecessor by the same first author, draft-wahl-scim-agent-schema-01, as Microsoft's SCIM
 * reference code implements it (displayName, description, active, agenticApplicationId, owners,
 * oAuthClientIdentifiers, roles, entitlements). Owners refer to the tenant's users and groups;
 * roles and entitlements to its Roles and Entitlements by value.
 */

export const AGENT_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Agent';

const assignments = (name: string, description: string) =>
  attr(name, 'complex', {
    multiValued: true,
    description,
    subAttributes: [
      attr('value', 'string', { maxLength: MAX_VALUE_LENGTH }),
      attr('display', 'string'),
      attr('type', 'string', { maxLength: MAX_TYPE_LENGTH }),
      attr('primary', 'boolean'),
    ],
  });

export const AGENT_SCHEMA: SchemaDefinition = {
  id: AGENT_SCHEMA_ID,
  name: 'Agent',
  description: 'An AI agent: a non-human identity that acts for its owners',
  attributes: [
    attr('displayName', 'string', { required: true, maxLength: MAX_NAME_LENGTH, description: 'The name of the agent, for display.' }),
    attr('description', 'string', { description: 'What the agent does.' }),
    attr('active', 'boolean', { description: 'Whether the agent may act.' }),
    attr('agenticApplicationId', 'string', {
      caseExact: true,
      description: 'The id of the agentic application the agent is an instance of.',
    }),
    attr('owners', 'complex', {
      multiValued: true,
      description: 'The users and groups responsible for the agent.',
      subAttributes: [
        attr('value', 'string', { caseExact: true, description: 'The id of the owning user or group.' }),
        attr('$ref', 'reference', { referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { canonicalValues: ['User', 'Group'] }),
      ],
    }),
    attr('oAuthClientIdentifiers', 'complex', {
      multiValued: true,
      description: 'The OAuth clients the agent authenticates as.',
      subAttributes: [
        attr('clientId', 'string', { caseExact: true }),
        attr('issuer', 'string', { caseExact: true }),
        attr('subject', 'string', { caseExact: true }),
        attr('name', 'string'),
        attr('description', 'string'),
      ],
    }),
    assignments('roles', 'Roles of the agent, by the value of a Role.'),
    assignments('entitlements', 'Entitlements of the agent, by the value of an Entitlement.'),
  ],
};

export const AGENT_TYPE: ResourceTypeSpec = {
  resourceType: { id: 'Agent', name: 'Agent', endpoint: '/Agents', description: 'AI agent', schema: AGENT_SCHEMA_ID, schemaExtensions: [] },
  schemas: [AGENT_SCHEMA],
  optional: true,
  storage: 'generic',
  noun: 'agent',
  indexed: 'displayName',
  references: [
    { attribute: 'owners', resourceType: 'User' },
    { attribute: 'roles', resourceType: 'Role' },
    { attribute: 'entitlements', resourceType: 'Entitlement' },
  ],
  names: ['displayName'],
};
