import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './attribute.ts';

export const SCHEMA_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

/** RFC 7643 §7 attribute representation, as /Schemas serves it. */
export interface RenderedAttribute {
  readonly name: string;
  readonly type: string;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: string;
  readonly returned: string;
  readonly uniqueness: string;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly RenderedAttribute[];
}

/** RFC 7643 §7 Schema resource. */
export interface RenderedSchema {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly RenderedAttribute[];
  readonly meta: { readonly resourceType: 'Schema'; readonly location: string };
}

/** RFC 7643 §6 ResourceType resource. */
export interface RenderedResourceType {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
  readonly meta: { readonly resourceType: 'ResourceType'; readonly location: string };
}

/**
 * RFC 7643 §7 has no characteristic for a longest value, so the description states it, in words
 * a person configuring an identity provider reads.
 */
function describe(def: AttributeDefinition): string {
  if (def.maxLength === undefined) return def.description;
  return [def.description, `At most ${def.maxLength} characters.`].filter((part) => part !== '').join(' ');
}

/**
 * Every characteristic is written out (clients must not have to know RFC 7643 §2.2 defaults);
 * empty canonicalValues/referenceTypes/subAttributes are omitted rather than sent empty or null
 * (Entra: "don't send nulls").
 */
function renderAttribute(def: AttributeDefinition): RenderedAttribute {
  return {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: describe(def),
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
    ...(def.canonicalValues?.length ? { canonicalValues: [...def.canonicalValues] } : {}),
    ...(def.referenceTypes?.length ? { referenceTypes: [...def.referenceTypes] } : {}),
    ...(def.subAttributes?.length ? { subAttributes: def.subAttributes.map(renderAttribute) } : {}),
  };
}

/** A schema as a /Schemas resource (RFC 7643 §7, §8.7). `location` is its absolute URL. */
export function renderSchema(schema: SchemaDefinition, location: string): RenderedSchema {
  return {
    schemas: [SCHEMA_SCHEMA_ID],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(renderAttribute),
    meta: { resourceType: 'Schema', location },
  };
}

/** A resource type as a /ResourceTypes resource (RFC 7643 §6, §8.6). `location` is its absolute URL. */
export function renderResourceType(rt: ResourceTypeDefinition, location: string): RenderedResourceType {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA_ID],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions.map((ext) => ({ schema: ext.schema, required: ext.required })),
    meta: { resourceType: 'ResourceType', location },
  };
}
