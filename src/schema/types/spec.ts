import type { ResourceTypeDefinition, SchemaDefinition } from '../attribute.ts';

/**
 * Where a type's resources are kept: `builtin` in the resources table with its memberships and
 * values index (User, Group); `generic` in the schema-driven typed_resources table
 * (src/store/sql/typed.ts), served with no code per type; `custom` by code of its own
 * (GroupMembers: rows of the memberships table).
 */
export type ResourceStorage = 'builtin' | 'generic' | 'custom';

/** An attribute whose values name resources of another type (by their `value`, or by id). */
export interface ReferenceSpec {
  /** The attribute of the referring type, in its core schema. */
  readonly attribute: string;
  /** The resource type the values name. */
  readonly resourceType: string;
}

/**
 * An attribute the server counts rather than stores (readOnly): how many resources of
 * `holders.resourceType` hold this resource's `indexed` value in their `holders.attribute`
 * (a role's totalAssignmentsUsed: the users whose `roles` have its value,
 * draft-ietf-scim-roles-entitlements-01 §3.2). Counted on read, for the resources whose `when`
 * attribute is true.
 */
export interface CountSpec {
  readonly attribute: string;
  readonly holders: { readonly resourceType: string; readonly attribute: string };
  readonly when: string;
}

export interface ResourceTypeSpec {
  /** RFC 7643 §6: what /ResourceTypes shows; `endpoint` with its leading slash. */
  readonly resourceType: ResourceTypeDefinition;
  /** Its core schema and the schemas of the extensions it always offers, as /Schemas shows them. */
  readonly schemas: readonly SchemaDefinition[];
  /** Whether a tenant must enable it; User and Group are always there. */
  readonly optional: boolean;
  readonly storage: ResourceStorage;
  /** The noun of its event types: `scim.<noun>.created`, `.updated`, `.deleted`, in the one outbox and envelope. */
  readonly noun: string;
  /**
   * The core attribute (a single-valued string) kept folded in an indexed column, so that the
   * lookups clients make by it (`value eq "admin"`) and sorting by it use an index (generic storage).
   */
  readonly indexed?: string;
  /** Attributes whose values name resources of another type. */
  readonly references?: readonly ReferenceSpec[];
  /** Attributes counted on read (generic storage). */
  readonly counts?: readonly CountSpec[];
  /** The attributes that name a resource, carried by its deletion event (which has no resource). */
  readonly names: readonly string[];
  /**
   * Extensions this type adds to ANOTHER type while a tenant has it enabled (GroupMembers adds
   * `membersMetadata` to Group, draft-zollner-scim-group-members-01): listed in that type's
   * schemaExtensions (not required) and in /Schemas.
   */
  readonly extends?: readonly { readonly resourceType: string; readonly schema: SchemaDefinition }[];
}
