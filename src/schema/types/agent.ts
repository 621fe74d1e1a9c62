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

const assignments = (name: string, type: 'Role' | 'Entitlement', description: string) =>
  attr(name, 'complex', {
    multiValued: true,
    description,
    subAttributes: [
      attr('value', 'string', { maxLength: MAX_VALUE_LENGTH, description: `The value of the ${type}.` }),
      attr('display', 'string', { description: `A human-readable name of the ${type}.` }),
      attr('type', 'string', { maxLength: MAX_TYPE_LENGTH, description: `A label indicating the ${type}'s function.` }),
      attr('primary', 'boolean', { description: `Whether this is the agent's primary ${type}.` }),
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
        attr('$ref', 'reference', { referenceTypes: ['User', 'Group'], description: 'The URI of the owning user or group.' }),
        attr('display', 'string', { mutability: 'readOnly', description: "The owner's displayName." }),
        attr('type', 'string', { canonicalValues: ['User', 'Group'], description: 'The resource type of the owner.' }),
      ],
    }),
    attr('oAuthClientIdentifiers', 'complex', {
      multiValued: true,
      description: 'The OAuth clients the agent authenticates as.',
      subAttributes: [
        attr('clientId', 'string', { caseExact: true, description: 'The client identifier (RFC 6749 §2.2).' }),
        attr('issuer', 'string', { caseExact: true, description: 'The issuer the client identifier belongs to.' }),
        attr('subject', 'string', { caseExact: true, description: 'The subject the client is known by at its issuer.' }),
        attr('name', 'string', { description: 'A human-readable name of the client.' }),
        attr('description', 'string', { description: 'What the client is for.' }),
      ],
    }),
    assignments('roles', 'Role', 'Roles of the agent, by the value of a Role.'),
    assignments('entitlements', 'Entitlement', 'Entitlements of the agent, by the value of an Entitlement.'),
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
