import { attr, type ResourceTypeDefinition, type SchemaDefinition } from '../attribute.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../core/resource-types.ts';
import { createCoreRegistry, type SchemaRegistry } from '../registry.ts';

/**
 * A tenant-style User extension exercising what the core schemas lack: integer, decimal,
 * dateTime, binary, binding canonicalValues, required, immutable, readOnly, returned=request
 * and returned=always attributes.
 */
export const ACME_SCHEMA_ID = 'urn:acme:params:scim:schemas:extension:acme:2.0:User';

export const ACME_SCHEMA: SchemaDefinition = {
  id: ACME_SCHEMA_ID,
  name: 'AcmeUser',
  description: 'Acme tenant extension',
  attributes: [
    attr('costCode', 'string', { required: true }),
    attr('level', 'integer'),
    attr('score', 'decimal'),
    attr('hired', 'dateTime'),
    attr('badge', 'binary'),
    attr('tier', 'string', { canonicalValues: ['gold', 'silver'] }),
    attr('badgeId', 'string', { mutability: 'immutable' }),
    attr('site', 'complex', {
      subAttributes: [attr('code', 'string', { mutability: 'immutable' }), attr('label', 'string')],
    }),
    attr('tags', 'string', { multiValued: true }),
    attr('computed', 'string', { mutability: 'readOnly' }),
    attr('note', 'string', { returned: 'request' }),
    attr('acmeId', 'string', { returned: 'always' }),
  ],
};

/** Core registry plus the Acme extension on User; `required` makes the extension mandatory. */
export function createAcmeRegistry(required = false): SchemaRegistry {
  const user: ResourceTypeDefinition = {
    ...USER_RESOURCE_TYPE,
    schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: ACME_SCHEMA_ID, required }],
  };
  return createCoreRegistry().withSchemas([ACME_SCHEMA], [user, GROUP_RESOURCE_TYPE]);
}
