import { type AttributeDefinition, attr } from '../attribute.ts';
import { MAX_NAME_LENGTH } from '../lengths.ts';

/**
 * RFC 7643 §3.1 common attributes. They belong to every resource but to no schema, so /Schemas
 * does not list them; filters, sorting and projection still resolve them.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attr('id', 'string', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attr('externalId', 'string', { caseExact: true, maxLength: MAX_NAME_LENGTH }),
  attr('meta', 'complex', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attr('location', 'reference', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
      attr('version', 'string', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

/** `schemas` is always returned and resolvable in filters (`schemas eq "urn:…"`). */
export const SCHEMAS_ATTRIBUTE: AttributeDefinition = attr('schemas', 'reference', {
  multiValued: true,
  caseExact: true,
  mutability: 'readOnly',
  returned: 'always',
  referenceTypes: ['uri'],
});
