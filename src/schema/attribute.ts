/**
 * RFC 7643 §2.2 / §7 attribute characteristics, as data. Schema definitions are plain objects of
 * these types (see core/), published verbatim by /Schemas.
 */
export const ATTRIBUTE_TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const MUTABILITIES = ['readOnly', 'readWrite', 'immutable', 'writeOnly'] as const;
export type Mutability = (typeof MUTABILITIES)[number];

export const RETURNED = ['always', 'never', 'default', 'request'] as const;
export type Returned = (typeof RETURNED)[number];

export const UNIQUENESS = ['none', 'server', 'global'] as const;
export type Uniqueness = (typeof UNIQUENESS)[number];

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
  /**
   * Most characters (code points) a string or reference value may have: scimd's own
   * characteristic, not one of RFC 7643 §2.2, set on the attributes the stores index
   * (lengths.ts). /Schemas states it in the attribute's description.
   */
  readonly maxLength?: number;
}

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

export interface SchemaExtensionRef {
  readonly schema: string;
  readonly required: boolean;
}

export interface ResourceTypeDefinition {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly SchemaExtensionRef[];
}

/** Defaults of RFC 7643 §2.2 so that definitions in core/ list only what differs. */
export function attr(
  name: string,
  type: AttributeType,
  options: Partial<Omit<AttributeDefinition, 'name' | 'type'>> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}
