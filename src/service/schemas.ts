import { invalidValue, notFound, ScimError } from '../errors/scim-error.ts';
import type { AttributeDefinition, SchemaDefinition } from '../schema/attribute.ts';
import { coerceAttribute } from '../schema/coerce.ts';
import {
  checkSchemaId,
  EXTENDED_RESOURCE_TYPES,
  type ExtendedResourceType,
  LIMITS,
  parseAttribute,
  parseSchema,
  resourceTypeOfUrn,
  schemaNameOfUrn,
  type TenantExtension,
  tenantRegistry,
} from '../schema/custom.ts';
import { jsonEqual } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import { OPTIONAL_TYPES, RESOURCE_TYPES, specOf } from '../schema/types/catalogue.ts';
import type { ExtensionChange, SchemaStore } from '../store/ports/schemas.ts';
import type { TenantStore } from '../store/ports/tenants.ts';
import { VersionConflictError } from '../store/version-conflict.ts';
import { keysOf, uniqueAttrName } from './unique-values.ts';

/** What adding an attribute names: its schema (created on first use) and its RFC 7643 §7 definition. */
export interface AttributeInput {
  readonly schemaId: string;
  /** Needed when the schema is new and its URN does not end in a type's name (`:User`, `:Role`). */
  readonly resourceType?: string;
  readonly attribute: unknown;
}

export interface SchemaImport {
  /** RFC 7643 §7 schema JSON. */
  readonly schema: unknown;
  readonly resourceType?: string;
  /** ResourceType.schemaExtensions[].required (default false). */
  readonly required?: boolean;
}

/** Concurrent changes of one tenant's schemas: the loser recomputes from what the winner saved. */
const MAX_ATTEMPTS = 5;

const EXTENDABLE = EXTENDED_RESOURCE_TYPES.join(', ');

/** The schemas of every type scimd knows (a Role's, a Device's extensions), which no tenant extension may take the id of. */
const CATALOGUE_SCHEMAS = new Set(
  RESOURCE_TYPES.flatMap((t) => [...t.schemas, ...(t.extends ?? []).map((e) => e.schema)]).map((s) => s.id.toLowerCase()),
);

/**
 * `uniqueness: server` is held by resource_unique_values, whose rows belong to rows of the users
 * and groups table: the generic store's types (docs/resource-types.md) have no such index, so an
 * extension of theirs may not ask for it rather than have it silently unenforced.
 */
function refuseUniqueOnGeneric(extension: TenantExtension): void {
  if (specOf(extension.resourceType)?.storage !== 'generic') return;
  const unique = extension.schema.attributes.find((a) => a.uniqueness === 'server');
  if (unique) {
    throw invalidValue(
      `${extension.schema.id}:${unique.name}: uniqueness "server" is kept for extensions of User and Group; a ${extension.resourceType} extension cannot have it`,
    );
  }
}

/**
 * Tenant extension schemas: the one service behind `scimd schema …` and the admin API. Every
 * change is checked against the data already stored (a type change that existing values cannot
 * satisfy is refused; an attribute becoming unique must already be unique), then saved in one
 * transaction with the purge of removed attributes' values and the rebuild of unique keys.
 */
export function createSchemaService(deps: {
  readonly store: SchemaStore & Pick<TenantStore, 'findTenantByName'>;
  readonly base: SchemaRegistry;
  /** Called after a change, so this process's cached registry of the tenant is dropped at once. */
  readonly onChange?: (tenantId: string) => void;
}) {
  const { store, base } = deps;

  async function tenantIdOf(name: string): Promise<string> {
    const tenant = await store.findTenantByName(name);
    if (!tenant) throw notFound(`no tenant named "${name}"`);
    return tenant.id;
  }

  function resourceTypeFor(schemaId: string, given: string | undefined, existing: TenantExtension | undefined): ExtendedResourceType {
    const named = given === undefined ? undefined : EXTENDED_RESOURCE_TYPES.find((t) => t.toLowerCase() === given.toLowerCase());
    if (given !== undefined && !named) throw invalidValue(`resource type must be one of ${EXTENDABLE}, got "${given}"`);
    const resourceType = named ?? existing?.resourceType ?? resourceTypeOfUrn(schemaId);
    if (!resourceType) throw invalidValue(`schema ${schemaId}: say which resource type it extends (${EXTENDABLE})`);
    if (existing && existing.resourceType !== resourceType) {
      throw invalidValue(`schema ${schemaId} extends ${existing.resourceType}; remove it before using it for ${resourceType}`);
    }
    return resourceType;
  }

  async function list(tenant: string): Promise<readonly TenantExtension[]> {
    return (await store.loadExtensions(await tenantIdOf(tenant))).extensions;
  }

  async function get(tenant: string, schemaId: string): Promise<TenantExtension> {
    const found = (await list(tenant)).find((e) => e.schema.id.toLowerCase() === schemaId.toLowerCase());
    if (!found) throw notFound(`tenant "${tenant}" has no schema ${schemaId}`);
    return found;
  }

  /**
   * Load → compute the new extension (or undefined to remove it) → check → save; retried when
   * another change of the tenant committed in between.
   */
  async function change(
    tenant: string,
    schemaId: string,
    compute: (existing: TenantExtension | undefined) => TenantExtension | undefined,
  ): Promise<TenantExtension | undefined> {
    const tenantId = await tenantIdOf(tenant);
    for (let attempt = 1; ; attempt++) {
      const loaded = await store.loadExtensions(tenantId);
      const existing = loaded.extensions.find((e) => e.schema.id.toLowerCase() === schemaId.toLowerCase());
      const next = compute(existing);
      if (next && !existing && loaded.extensions.length >= LIMITS.schemasPerTenant) {
        throw invalidValue(`a tenant has at most ${LIMITS.schemasPerTenant} extension schemas`);
      }
      if (next) refuseUniqueOnGeneric(next);
      const others = loaded.extensions.filter((e) => e !== existing);
      // Every type, enabled or not: an extension of Roles is checked whether or not Roles is on.
      const registry = tenantRegistry(base, next ? [...others, next] : others, OPTIONAL_TYPES);
      try {
        const changeSet = await plan(tenantId, loaded.version, existing, next, registry);
        await store.saveExtensions(tenantId, changeSet);
      } catch (error) {
        if (error instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      deps.onChange?.(tenantId);
      return next;
    }
  }

  /** What the store must do so that stored data matches `after`, after checking that it can. */
  async function plan(
    tenantId: string,
    expectedVersion: number,
    before: TenantExtension | undefined,
    after: TenantExtension | undefined,
    registry: SchemaRegistry,
  ): Promise<ExtensionChange> {
    const resourceType = (after ?? before)!.resourceType;
    const schemaId = (after ?? before)!.schema.id;
    const oldByName = new Map((before?.schema.attributes ?? []).map((a) => [a.name.toLowerCase(), a]));
    const newByName = new Map((after?.schema.attributes ?? []).map((a) => [a.name.toLowerCase(), a]));
    const purge: string[][] = [];
    const uniqueDrop: string[] = [];
    const uniqueRebuild: { attr: string; values: { id: string; key: string }[] }[] = [];
    if (before && !after) purge.push([before.schema.id]);
    for (const [key, old] of oldByName) {
      const next = newByName.get(key);
      if (!next && after) purge.push([schemaId, old.name]);
      if (old.uniqueness === 'server' && next?.uniqueness !== 'server') uniqueDrop.push(uniqueAttrName(schemaId, old.name));
    }
    for (const [key, next] of newByName) {
      const old = oldByName.get(key);
      if (old && jsonEqual(old, next)) continue;
      const stored = await store.valuesAt(tenantId, resourceType, [schemaId, next.name]);
      checkStoredValues(registry, schemaId, next, stored, resourceType);
      if (next.uniqueness === 'server') {
        uniqueRebuild.push({
          attr: uniqueAttrName(schemaId, next.name),
          values: stored.flatMap(({ id, value }) => keysOf(next, value).map((k) => ({ id, key: k }))),
        });
      }
    }
    return {
      expectedVersion,
      resourceType,
      ...(after ? { put: after } : { remove: schemaId }),
      purge,
      uniqueDrop,
      uniqueRebuild,
    };
  }

  async function addAttribute(tenant: string, input: AttributeInput): Promise<TenantExtension> {
    const schemaId = checkSchemaId(input.schemaId);
    refuseCoreSchema(schemaId);
    const parsed = parseAttribute(input.attribute);
    const saved = await change(tenant, schemaId, (existing) => {
      const resourceType = resourceTypeFor(schemaId, input.resourceType, existing);
      const schema: SchemaDefinition = existing?.schema ?? {
        id: schemaId,
        name: schemaNameOfUrn(schemaId),
        description: '',
        attributes: [],
      };
      const index = schema.attributes.findIndex((a) => a.name.toLowerCase() === parsed.name.toLowerCase());
      // A redefinition keeps the stored spelling: documents hold values under that key.
      const attribute = index < 0 ? parsed : { ...parsed, name: schema.attributes[index]!.name };
      if (index < 0 && schema.attributes.length >= LIMITS.attributesPerSchema) {
        throw invalidValue(`schema ${schemaId} has the maximum of ${LIMITS.attributesPerSchema} attributes`);
      }
      const attributes = index < 0 ? [...schema.attributes, attribute] : schema.attributes.map((a, i) => (i === index ? attribute : a));
      return { resourceType, required: existing?.required ?? false, schema: { ...schema, attributes } };
    });
    return saved!;
  }

  async function importSchema(tenant: string, input: SchemaImport): Promise<TenantExtension> {
    const parsed = parseSchema(input.schema);
    refuseCoreSchema(parsed.id);
    const saved = await change(tenant, parsed.id, (existing) => {
      const resourceType = resourceTypeFor(parsed.id, input.resourceType, existing);
      const spelled = new Map((existing?.schema.attributes ?? []).map((a) => [a.name.toLowerCase(), a.name]));
      const attributes = parsed.attributes.map((a) => ({ ...a, name: spelled.get(a.name.toLowerCase()) ?? a.name }));
      return { resourceType, required: input.required ?? false, schema: { ...parsed, id: existing?.schema.id ?? parsed.id, attributes } };
    });
    return saved!;
  }

  async function removeAttribute(tenant: string, schemaId: string, name: string): Promise<TenantExtension> {
    const saved = await change(tenant, schemaId, (existing) => {
      if (!existing) throw notFound(`tenant "${tenant}" has no schema ${schemaId}`);
      const attributes = existing.schema.attributes.filter((a) => a.name.toLowerCase() !== name.toLowerCase());
      if (attributes.length === existing.schema.attributes.length) throw notFound(`schema ${schemaId} has no attribute "${name}"`);
      return { ...existing, schema: { ...existing.schema, attributes } };
    });
    return saved!;
  }

  async function removeSchema(tenant: string, schemaId: string): Promise<void> {
    await change(tenant, schemaId, (existing) => {
      if (!existing) throw notFound(`tenant "${tenant}" has no schema ${schemaId}`);
      return undefined;
    });
  }

  function refuseCoreSchema(schemaId: string): void {
    const lower = schemaId.toLowerCase();
    if (base.schema(schemaId) || CATALOGUE_SCHEMAS.has(lower)) {
      throw invalidValue(`${schemaId} is a schema of the server; a tenant extension needs a URN of its own`);
    }
  }

  return { list, get, addAttribute, importSchema, removeAttribute, removeSchema };
}

/**
 * Every stored value must already be what the new definition accepts, unchanged: a value that
 * would have to be converted (a string "42" for an integer, a single value for a multi-valued
 * attribute) is refused too, since filters and sorting read stored values as they are.
 */
function checkStoredValues(
  registry: SchemaRegistry,
  schemaId: string,
  definition: AttributeDefinition,
  stored: readonly { id: string; value: unknown }[],
  resourceType: string,
): void {
  const ctx = { registry, enforceCanonical: true };
  const label = `${schemaId}:${definition.name}`;
  for (const { id, value } of stored) {
    let reason: string | undefined;
    try {
      if (!jsonEqual(coerceAttribute(ctx, definition, value, label), value))
        reason = `its stored value ${JSON.stringify(value)} would have to be converted`;
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      reason = error.detail;
    }
    if (reason !== undefined) {
      throw invalidValue(
        `cannot change ${label} this way: existing data does not satisfy the new definition (${resourceType} ${id}: ${reason}); change or clear those values first`,
      );
    }
  }
}

export type SchemaService = ReturnType<typeof createSchemaService>;
