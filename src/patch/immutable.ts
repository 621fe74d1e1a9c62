import { mutability } from '../errors/scim-error.ts';
import type { AttributeDefinition } from '../schema/attribute.ts';
import { isJsonObject, jsonEqual } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';

type Json = Readonly<Record<string, unknown>>;

function check(defs: readonly AttributeDefinition[], before: Json, after: Json, label: (name: string) => string): void {
  for (const def of defs) {
    const was = before[def.name];
    if (was === undefined) continue;
    const now = after[def.name];
    if (def.mutability === 'immutable') {
      if (!jsonEqual(was, now))
        throw mutability(`attribute "${label(def.name)}" is immutable: it may be set once, never changed or removed`);
    } else if (def.type === 'complex' && !def.multiValued && def.subAttributes && isJsonObject(was)) {
      check(def.subAttributes, was, isJsonObject(now) ? now : {}, (n) => `${label(def.name)}.${n}`);
    }
  }
}

/**
 * RFC 7643 §2.2 "immutable": an attribute may be added while it has no value, and is never
 * changed afterwards. Checked on the whole document against the stored one, so every path that
 * reaches the attribute (dotted, filtered, path-less) is covered by one rule. Elements of
 * multi-valued attributes have no identity to compare by, so their immutable sub-attributes are
 * covered only through their parent's own mutability.
 */
export function checkImmutable(registry: SchemaRegistry, resourceType: string, before: Json, after: Json): void {
  check(registry.coreSchema(resourceType).attributes, before, after, (n) => n);
  for (const ref of registry.resourceType(resourceType)?.schemaExtensions ?? []) {
    const schema = registry.schema(ref.schema);
    const was = schema && before[schema.id];
    if (!schema || !isJsonObject(was)) continue;
    const now = after[schema.id];
    check(schema.attributes, was, isJsonObject(now) ? now : {}, (n) => `${schema.id}:${n}`);
  }
}
