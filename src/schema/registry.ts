import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './attribute.ts';
import { COMMON_ATTRIBUTES, SCHEMAS_ATTRIBUTE } from './core/common.ts';
import { RESOURCE_TYPES } from './types/catalogue.ts';

/** An attribute reference as written by a client: `urn:…:User:manager.value` → uri, name, subAttr. */
export interface AttributeRef {
  readonly uri?: string;
  readonly name: string;
  readonly subAttr?: string;
}

/**
 * An attribute reference resolved against a resource type: the definitions it names, and where
 * it lives in the resource's JSON representation (canonical names, extension URN first).
 */
export interface ResolvedAttribute {
  /** URN of the defining schema; undefined for the common attributes (id, externalId, meta, schemas). */
  readonly schema: string | undefined;
  readonly isExtension: boolean;
  readonly attribute: AttributeDefinition;
  readonly subAttribute: AttributeDefinition | undefined;
  /** subAttribute ?? attribute: what a comparison on this path compares. */
  readonly leaf: AttributeDefinition;
  /** Canonical JSON path, e.g. ['name','familyName'] or ['urn:…:enterprise:2.0:User','manager','value']. */
  readonly jsonPath: readonly string[];
}

interface SchemaIndex {
  readonly schema: SchemaDefinition | undefined;
  readonly isExtension: boolean;
  readonly byName: ReadonlyMap<string, AttributeDefinition>;
}

const lower = (s: string) => s.toLowerCase();

function indexAttributes(attributes: readonly AttributeDefinition[]): Map<string, AttributeDefinition> {
  return new Map(attributes.map((a) => [lower(a.name), a]));
}

/**
 * RFC 7643 schemas and resource types, looked up case-insensitively. One instance is built at
 * start-up for the core schemas; tenants with custom extensions get their own (see withSchemas).
 */
export class SchemaRegistry {
  readonly #schemas: ReadonlyMap<string, SchemaDefinition>;
  readonly #resourceTypes: ReadonlyMap<string, ResourceTypeDefinition>;
  readonly #byResourceType: ReadonlyMap<string, { core: SchemaIndex; extensions: ReadonlyMap<string, SchemaIndex> }>;
  readonly #subAttributeIndex = new WeakMap<AttributeDefinition, Map<string, AttributeDefinition>>();
  readonly #common = indexAttributes([...COMMON_ATTRIBUTES, SCHEMAS_ATTRIBUTE]);

  constructor(schemas: readonly SchemaDefinition[], resourceTypes: readonly ResourceTypeDefinition[]) {
    this.#schemas = new Map(schemas.map((s) => [lower(s.id), s]));
    this.#resourceTypes = new Map(resourceTypes.map((r) => [lower(r.name), r]));
    const byResourceType = new Map<string, { core: SchemaIndex; extensions: Map<string, SchemaIndex> }>();
    for (const rt of resourceTypes) {
      const core = this.#schemas.get(lower(rt.schema));
      if (!core) throw new Error(`resource type ${rt.name} names unknown schema ${rt.schema}`);
      const extensions = new Map<string, SchemaIndex>();
      for (const ext of rt.schemaExtensions) {
        const schema = this.#schemas.get(lower(ext.schema));
        if (!schema) throw new Error(`resource type ${rt.name} names unknown extension ${ext.schema}`);
        extensions.set(lower(schema.id), { schema, isExtension: true, byName: indexAttributes(schema.attributes) });
      }
      byResourceType.set(lower(rt.name), {
        core: { schema: core, isExtension: false, byName: indexAttributes(core.attributes) },
        extensions,
      });
    }
    this.#byResourceType = byResourceType;
  }

  /** A registry with more schemas and resource types (tenant extensions), sharing nothing mutable. */
  withSchemas(schemas: readonly SchemaDefinition[], resourceTypes: readonly ResourceTypeDefinition[]): SchemaRegistry {
    return new SchemaRegistry([...this.#schemas.values(), ...schemas], resourceTypes);
  }

  schemas(): readonly SchemaDefinition[] {
    return [...this.#schemas.values()];
  }

  schema(id: string): SchemaDefinition | undefined {
    return this.#schemas.get(lower(id));
  }

  resourceTypes(): readonly ResourceTypeDefinition[] {
    return [...this.#resourceTypes.values()];
  }

  resourceType(name: string): ResourceTypeDefinition | undefined {
    return this.#resourceTypes.get(lower(name));
  }

  /** The extension schema of a resource type with this URN (any case), if it has one. */
  extensionSchema(resourceType: string, uri: string): SchemaDefinition | undefined {
    return this.#byResourceType.get(lower(resourceType))?.extensions.get(lower(uri))?.schema;
  }

  coreSchema(resourceType: string): SchemaDefinition {
    const index = this.#byResourceType.get(lower(resourceType));
    if (!index?.core.schema) throw new Error(`unknown resource type ${resourceType}`);
    return index.core.schema;
  }

  subAttribute(parent: AttributeDefinition, name: string): AttributeDefinition | undefined {
    if (!parent.subAttributes) return undefined;
    let index = this.#subAttributeIndex.get(parent);
    if (!index) {
      index = indexAttributes(parent.subAttributes);
      this.#subAttributeIndex.set(parent, index);
    }
    return index.get(lower(name));
  }

  /**
   * Resolves `[uri:]name[.subAttr]` for a resource type. Without a URN the core schema and the
   * common attributes are searched (RFC 7644 §3.10: unqualified names belong to the core schema).
   * Returns undefined when nothing matches; callers raise invalidFilter / invalidPath with context.
   */
  resolve(resourceType: string, ref: AttributeRef): ResolvedAttribute | undefined {
    const rt = this.#byResourceType.get(lower(resourceType));
    if (!rt) return undefined;
    let index: SchemaIndex | undefined;
    if (ref.uri === undefined) {
      const common = this.#common.get(lower(ref.name));
      if (common) return this.#finish(undefined, false, common, ref.subAttr, [common.name]);
      index = rt.core.byName.has(lower(ref.name)) ? rt.core : this.#soleExtensionDefining(rt.extensions, ref.name);
    } else if (rt.core.schema && lower(ref.uri) === lower(rt.core.schema.id)) {
      index = rt.core;
    } else {
      index = rt.extensions.get(lower(ref.uri));
    }
    const attribute = index?.byName.get(lower(ref.name));
    if (!index || !attribute) return undefined;
    const prefix = index.isExtension && index.schema ? [index.schema.id] : [];
    return this.#finish(index.schema?.id, index.isExtension, attribute, ref.subAttr, [...prefix, attribute.name]);
  }

  /**
   * Entra writes extension attributes unqualified (`manager eq "…"`, Microsoft's tutorial,
   * Example 4). RFC 7644 §3.10 reads unqualified names as core ones; when the core schema lacks
   * the name and exactly one extension defines it, that extension is meant, and nothing else is.
   */
  #soleExtensionDefining(extensions: ReadonlyMap<string, SchemaIndex>, name: string): SchemaIndex | undefined {
    let found: SchemaIndex | undefined;
    for (const extension of extensions.values()) {
      if (!extension.byName.has(lower(name))) continue;
      if (found) return undefined;
      found = extension;
    }
    return found;
  }

  #finish(
    schema: string | undefined,
    isExtension: boolean,
    attribute: AttributeDefinition,
    subAttr: string | undefined,
    path: string[],
  ): ResolvedAttribute | undefined {
    if (subAttr === undefined) {
      return { schema, isExtension, attribute, subAttribute: undefined, leaf: attribute, jsonPath: path };
    }
    const subAttribute = this.subAttribute(attribute, subAttr);
    if (!subAttribute) return undefined;
    return { schema, isExtension, attribute, subAttribute, leaf: subAttribute, jsonPath: [...path, subAttribute.name] };
  }
}

/**
 * The registry of the types every tenant has (the catalogue's non-optional ones): User (+
 * EnterpriseUser) and Group. A tenant's optional types join it in its own registry (tenantRegistry).
 */
export function createCoreRegistry(): SchemaRegistry {
  const always = RESOURCE_TYPES.filter((t) => !t.optional);
  // Core schemas first, then extensions: /Schemas lists User, Group, EnterpriseUser, as it always has.
  const cores = always.map((t) => t.schemas[0]!);
  return new SchemaRegistry(
    [...cores, ...always.flatMap((t) => t.schemas.slice(1))],
    always.map((t) => t.resourceType),
  );
}
