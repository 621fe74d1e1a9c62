import { invalidValue } from '../errors/scim-error.ts';
import type { AttributeDefinition } from './attribute.ts';
import { coerceAttribute } from './coerce.ts';
import { isJsonObject } from './json.ts';
import type { SchemaRegistry } from './registry.ts';
import type { MemberInput } from './resource.ts';

/**
 * Group.members values (POST, PUT, and a PATCH of members) → MemberInput[], RFC 7643 §4.2: `value`
 * required, `type` kept for the store to check, `display` (readOnly) and `$ref` dropped, a value
 * given twice kept once. null or absent is no members; one object counts as a list of one; a null
 * item is skipped. A bare id is not read as {value} (coercion would, for Entra's manager), and the
 * other sub-attributes follow the rules of every complex value (types, U+0000).
 */
export function memberInputs(registry: SchemaRegistry, def: AttributeDefinition, raw: unknown, path: string): MemberInput[] {
  if (raw === null || raw === undefined) return [];
  const isArray = Array.isArray(raw);
  const items: readonly unknown[] = isArray ? raw : [raw];
  const element = { ...def, multiValued: false };
  const ctx = { registry, enforceCanonical: false };
  const out = new Map<string, MemberInput>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const itemPath = isArray ? `${path}[${i}]` : path;
    if (item === null) continue;
    if (!isJsonObject(item)) throw invalidValue(`attribute "${itemPath}": expected a JSON object`);
    let value: unknown;
    let type: unknown;
    for (const key of Object.keys(item)) {
      const sub = registry.subAttribute(def, key);
      if (sub?.name === 'value') value = item[key];
      else if (sub?.name === 'type') type = item[key];
    }
    if (typeof value !== 'string' || value === '') throw invalidValue(`attribute "${itemPath}.value": expected a non-empty string`);
    if (type !== undefined && type !== null && typeof type !== 'string')
      throw invalidValue(`attribute "${itemPath}.type": expected a string`);
    coerceAttribute(ctx, element, item, itemPath);
    if (!out.has(value)) out.set(value, typeof type === 'string' ? { value, type } : { value });
  }
  return [...out.values()];
}
