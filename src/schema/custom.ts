import { invalidValue } from '../errors/scim-error.ts';
import {
  ATTRIBUTE_TYPES,
  type AttributeDefinition,
  type AttributeType,
  MUTABILITIES,
  RETURNED,
  type ResourceTypeDefinition,
  type SchemaDefinition,
  UNIQUENESS,
} from './attribute.ts';
import { isJsonObject, UNSAFE_KEYS } from './json.ts';
import type { SchemaRegistry } from './registry.ts';
import { RESOURCE_TYPES } from './types/catalogue.ts';
import type { ResourceTypeSpec } from './types/spec.ts';

/**
 * Tenant-defined extension schemas (RFC 7643 §3.3, §7), as data: parsing and checking a
 * definition, and building a tenant's registry from its extensions. Pure; storage and caching
 * live in the service layer (src/service/schemas.ts, schema-registries.ts).
 */

/**
 * The name of a type a tenant may extend: User, Group, and the catalogue's generic types (Role,
 * Device …), which their schema serves entirely; not GroupMember, whose representation is built
 * by code of its own from the membership table.
 */
export type ExtendedResourceType = string;
export const EXTENDED_RESOURCE_TYPES: readonly ExtendedResourceType[] = RESOURCE_TYPES.filter((t) => t.storage !== 'custom').map(
  (t) => t.resourceType.name,
);

/** One extension schema of a tenant, bound to the resource type it extends. */
export interface TenantExtension {
  readonly resourceType: ExtendedResourceType;
  /** ResourceType.schemaExtensions[].required: whether every resource must carry it. */
  readonly required: boolean;
  readonly schema: SchemaDefinition;
}

/**
 * Limits that keep a definition small enough to publish, index and validate quickly. A schema
 * URN never contains `"` or whitespace: both stores put it in JSON path labels.
 */
export const LIMITS = { schemasPerTenant: 20, attributesPerSchema: 100, subAttributes: 20, canonicalValues: 100, textLength: 256 } as const;

const SCHEMA_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(:[A-Za-z0-9()+,\-.=@;$_!*']+)+$/;
/** RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); `$ref` is reserved for the core schemas. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Types a `uniqueness: server` attribute may have: the value must compare as text. */
const UNIQUE_TYPES: ReadonlySet<AttributeType> = new Set(['string', 'integer', 'decimal', 'reference', 'dateTime', 'binary']);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The schema URN, checked: a URN, no `"`, not too long. */
export function checkSchemaId(id: unknown): string {
  if (typeof id !== 'string' || id.length > LIMITS.textLength || !SCHEMA_URN.test(id)) {
    throw invalidValue(`a schema id must be a URN such as urn:ietf:params:scim:schemas:extension:acme:2.0:User, got ${JSON.stringify(id)}`);
  }
  return id;
}

/** The resource type a schema URN names by its last segment (`…:2.0:User`, `…:2.0:Role`), if it names one. */
export function resourceTypeOfUrn(id: string): ExtendedResourceType | undefined {
  const last = id.slice(id.lastIndexOf(':') + 1).toLowerCase();
  return EXTENDED_RESOURCE_TYPES.find((t) => t.toLowerCase() === last);
}

/** A readable schema name from its URN: the segment before the version (`…:extension:acme:2.0:User` → acme). */
export function schemaNameOfUrn(id: string): string {
  const parts = id.split(':');
  const version = parts.findIndex((p, i) => i > 0 && /^\d+(\.\d+)*$/.test(p));
  return (version > 0 ? parts[version - 1] : parts[parts.length - 1]) ?? id;
}

function oneOf<T extends string>(values: readonly T[], raw: unknown, label: string, fallback: T): T {
  if (raw === undefined) return fallback;
  const found = values.find((v) => typeof raw === 'string' && v.toLowerCase() === raw.toLowerCase());
  if (!found) throw invalidValue(`${label} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return found;
}

function bool(raw: unknown, label: string): boolean {
  if (raw === undefined) return false;
  if (typeof raw !== 'boolean') throw invalidValue(`${label} must be true or false, got ${JSON.stringify(raw)}`);
  return raw;
}

function textList(raw: unknown, label: string, max: number): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > max || raw.some((v) => typeof v !== 'string' || v === '' || v.length > LIMITS.textLength)) {
    throw invalidValue(`${label} must be a list of at most ${max} non-empty strings`);
  }
  return raw.length > 0 ? [...new Set(raw as string[])] : undefined;
}

function checkNames(attributes: readonly AttributeDefinition[], where: string): void {
  const seen = new Set<string>();
  for (const a of attributes) {
    const key = a.name.toLowerCase();
    if (seen.has(key)) throw invalidValue(`${where} defines "${a.name}" twice (names are case-insensitive)`);
    seen.add(key);
  }
}

/**
 * One attribute in RFC 7643 §7 form (characteristics omitted take the §2.2 defaults), checked
 * for what scimd can store, index and validate. `parent` is set for sub-attributes.
 */
export function parseAttribute(raw: unknown, parent?: string): AttributeDefinition {
  const where = parent === undefined ? 'attribute' : `sub-attribute of ${parent}`;
  if (!isJsonObject(raw)) throw invalidValue(`${where} must be an object`);
  const name = str(raw['name']);
  if (name === undefined || !ATTRIBUTE_NAME.test(name) || UNSAFE_KEYS.has(name)) {
    throw invalidValue(
      `${where} name must start with a letter and hold only letters, digits, "-" and "_" (RFC 7643 §2.1), got ${JSON.stringify(raw['name'])}`,
    );
  }
  const label = parent === undefined ? name : `${parent}.${name}`;
  const type = oneOf(ATTRIBUTE_TYPES, raw['type'], `${label}: type`, 'string');
  const description = raw['description'] === undefined ? '' : str(raw['description']);
  if (description === undefined) throw invalidValue(`${label}: description must be a string`);
  const uniqueness = oneOf(UNIQUENESS, raw['uniqueness'], `${label}: uniqueness`, 'none');
  const multiValued = bool(raw['multiValued'], `${label}: multiValued`);
  const canonicalValues = textList(raw['canonicalValues'], `${label}: canonicalValues`, LIMITS.canonicalValues);
  const referenceTypes = textList(raw['referenceTypes'], `${label}: referenceTypes`, LIMITS.canonicalValues);
  let subAttributes: AttributeDefinition[] | undefined;
  if (type === 'complex') {
    if (parent !== undefined) throw invalidValue(`${label}: a sub-attribute cannot be complex (RFC 7643 §2.3.8)`);
    const subs = raw['subAttributes'];
    if (!Array.isArray(subs) || subs.length === 0 || subs.length > LIMITS.subAttributes) {
      throw invalidValue(`${label}: a complex attribute needs 1 to ${LIMITS.subAttributes} subAttributes`);
    }
    subAttributes = subs.map((s) => parseAttribute(s, name));
    checkNames(subAttributes, label);
  } else if (raw['subAttributes'] !== undefined && !(Array.isArray(raw['subAttributes']) && raw['subAttributes'].length === 0)) {
    throw invalidValue(`${label}: only a complex attribute has subAttributes`);
  }
  if (uniqueness === 'global') {
    throw invalidValue(`${label}: uniqueness "global" is not offered (tenants are isolated); use "server" (unique within the tenant)`);
  }
  if (uniqueness === 'server' && (parent !== undefined || !UNIQUE_TYPES.has(type))) {
    throw invalidValue(`${label}: uniqueness "server" applies to a top-level attribute of a simple, non-boolean type`);
  }
  if (referenceTypes && type !== 'reference') throw invalidValue(`${label}: only a reference attribute has referenceTypes`);
  if (canonicalValues && type !== 'string' && type !== 'reference') {
    throw invalidValue(`${label}: canonicalValues apply to string attributes`);
  }
  return {
    name,
    type,
    multiValued,
    description,
    required: bool(raw['required'], `${label}: required`),
    caseExact: bool(raw['caseExact'], `${label}: caseExact`),
    mutability: oneOf(MUTABILITIES, raw['mutability'], `${label}: mutability`, 'readWrite'),
    returned: oneOf(RETURNED, raw['returned'], `${label}: returned`, 'default'),
    uniqueness,
    ...(canonicalValues ? { canonicalValues } : {}),
    ...(type === 'reference' ? { referenceTypes: referenceTypes ?? ['external'] } : {}),
    ...(subAttributes ? { subAttributes } : {}),
  };
}

/** A whole schema in RFC 7643 §7 form (what GET /Schemas/{id} returns; `schemas` and `meta` are ignored). */
export function parseSchema(raw: unknown): SchemaDefinition {
  if (!isJsonObject(raw)) throw invalidValue('a schema must be a JSON object in RFC 7643 §7 form');
  const id = checkSchemaId(raw['id']);
  const attributes = raw['attributes'];
  if (!Array.isArray(attributes) || attributes.length > LIMITS.attributesPerSchema) {
    throw invalidValue(`schema ${id}: attributes must be a list of at most ${LIMITS.attributesPerSchema}`);
  }
  const parsed = attributes.map((a) => parseAttribute(a));
  checkNames(parsed, `schema ${id}`);
  const name = raw['name'] === undefined ? schemaNameOfUrn(id) : str(raw['name']);
  const description = raw['description'] === undefined ? '' : str(raw['description']);
  if (name === undefined || description === undefined) throw invalidValue(`schema ${id}: name and description must be strings`);
  return { id, name, description, attributes: parsed };
}

/**
 * The registry of one tenant: the server's schemas plus the optional resource types it enabled
 * (src/schema/types/catalogue.ts, with their schemas) and its extensions, each listed in its
 * resource type's schemaExtensions. A tenant with neither shares the base registry.
 */
export function tenantRegistry(
  base: SchemaRegistry,
  extensions: readonly TenantExtension[],
  enabledTypes: readonly ResourceTypeSpec[] = [],
): SchemaRegistry {
  if (extensions.length === 0 && enabledTypes.length === 0) return base;
  const added = enabledTypes.flatMap((t) => t.extends ?? []);
  const types = [...base.resourceTypes(), ...enabledTypes.map((t) => t.resourceType)];
  // An extension of an optional type the tenant has not enabled is kept, but shown nowhere.
  const present = new Set(types.map((rt) => rt.name));
  const shown = extensions.filter((e) => present.has(e.resourceType));
  const resourceTypes: ResourceTypeDefinition[] = types.map((rt) => ({
    ...rt,
    schemaExtensions: [
      ...rt.schemaExtensions,
      ...added.filter((a) => a.resourceType === rt.name).map((a) => ({ schema: a.schema.id, required: false })),
      ...shown.filter((e) => e.resourceType === rt.name).map((e) => ({ schema: e.schema.id, required: e.required })),
    ],
  }));
  return base.withSchemas(
    [...enabledTypes.flatMap((t) => t.schemas), ...added.map((a) => a.schema), ...shown.map((e) => e.schema)],
    resourceTypes,
  );
}
