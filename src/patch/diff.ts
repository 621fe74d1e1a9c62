import { isJsonObject, jsonEqual } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';

type Json = Readonly<Record<string, unknown>>;

function keysOf(a: Json, b: Json): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/**
 * The canonical top-level attribute paths whose values differ between two documents (deep
 * equality, key order ignored): `name`, `emails`, and `urn:…:enterprise:2.0:User:manager` for an
 * attribute inside an extension object. Events carry these (architecture.md "Event contract").
 */
export function changedAttributes(registry: SchemaRegistry, resourceType: string, before: Json, after: Json): string[] {
  const extensionIds = new Set(
    (registry.resourceType(resourceType)?.schemaExtensions ?? []).map((e) => registry.schema(e.schema)?.id ?? e.schema),
  );
  const changed: string[] = [];
  for (const key of keysOf(before, after)) {
    const was = before[key];
    const now = after[key];
    if (jsonEqual(was, now)) continue;
    if (!extensionIds.has(key)) {
      changed.push(key);
      continue;
    }
    const a = isJsonObject(was) ? was : {};
    const b = isJsonObject(now) ? now : {};
    for (const name of keysOf(a, b)) if (!jsonEqual(a[name], b[name])) changed.push(`${key}:${name}`);
  }
  return changed;
}
