import { createHash } from 'node:crypto';
import { fold } from '../filter/fold.ts';
import type { AttributeDefinition, SchemaDefinition } from '../schema/attribute.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import type { UniqueValue } from '../store/ports/resources.ts';

/**
 * `uniqueness: server` of tenant extension attributes (RFC 7643 §2.2), turned into keys that a
 * unique index holds (store/ports/resources.ts UniqueValue). Core attributes keep their own columns.
 */

/** Long values are hashed so that a key always fits a B-tree entry. */
const MAX_PLAIN_KEY = 256;

export interface UniqueAttribute {
  readonly attr: string;
  readonly schemaId: string;
  readonly definition: AttributeDefinition;
}

export const uniqueAttrName = (schemaId: string, name: string): string => `${schemaId}:${name}`;

/** The unique attributes of one extension schema. */
export function uniqueAttributesOf(schema: SchemaDefinition): UniqueAttribute[] {
  return schema.attributes
    .filter((a) => a.uniqueness === 'server')
    .map((definition) => ({ attr: uniqueAttrName(schema.id, definition.name), schemaId: schema.id, definition }));
}

const byRegistry = new WeakMap<SchemaRegistry, Map<string, readonly UniqueAttribute[]>>();

/** The unique extension attributes of a resource type, computed once per registry. */
function uniqueAttributes(registry: SchemaRegistry, type: ResourceTypeName): readonly UniqueAttribute[] {
  let perType = byRegistry.get(registry);
  if (!perType) byRegistry.set(registry, (perType = new Map()));
  let found = perType.get(type);
  if (!found) {
    const extensions = registry.resourceType(type)?.schemaExtensions ?? [];
    found = extensions.flatMap((e) => {
      const schema = registry.schema(e.schema);
      return schema ? uniqueAttributesOf(schema) : [];
    });
    perType.set(type, found);
  }
  return found;
}

/** How a value compares: folded unless caseExact (strings), its JSON text otherwise. */
export function uniqueKey(definition: AttributeDefinition, value: unknown): string {
  const text = typeof value === 'string' ? (definition.caseExact ? value : fold(value)) : JSON.stringify(value);
  return text.length <= MAX_PLAIN_KEY ? text : `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The keys of one attribute's value (each element of a multi-valued one, without repeats). */
export function keysOf(definition: AttributeDefinition, value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return [...new Set(values.filter((v) => v !== null && v !== undefined).map((v) => uniqueKey(definition, v)))];
}

/**
 * The keys a write of `doc` must hold; undefined when the type has no unique extension
 * attribute, so that such a tenant's writes touch no extra table.
 */
export function uniqueValuesOf(
  registry: SchemaRegistry,
  type: ResourceTypeName,
  doc: Readonly<Record<string, unknown>>,
): UniqueValue[] | undefined {
  const attributes = uniqueAttributes(registry, type);
  if (attributes.length === 0) return undefined;
  const out: UniqueValue[] = [];
  for (const { attr, schemaId, definition } of attributes) {
    const extension = doc[schemaId] as Record<string, unknown> | undefined;
    const value = extension?.[definition.name];
    if (value === undefined) continue;
    for (const key of keysOf(definition, value)) out.push({ attr, key });
  }
  return out;
}
