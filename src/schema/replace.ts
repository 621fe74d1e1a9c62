import { mutability } from '../errors/scim-error.ts';
import type { AttributeDefinition } from './attribute.ts';
import { cloneJson, isJsonObject, jsonEqual, UNSAFE_KEYS } from './json.ts';

/**
 * PUT (RFC 7644 §3.5.1) against the stored doc. An immutable attribute may be set when it has no
 * value yet, may not change once set, and may be omitted: §3.5.1 lets the client leave out
 * immutable attributes, and the stored value is kept. Top-level readOnly attributes are the
 * server's, so a PUT never clears them either. readOnly sub-attributes are not carried: they are
 * derived from their siblings (manager.displayName from manager.value).
 */
export function carryOver(
  defs: readonly AttributeDefinition[],
  next: Record<string, unknown>,
  prev: Readonly<Record<string, unknown>>,
  label: (name: string) => string,
): void {
  for (const def of defs) {
    if (UNSAFE_KEYS.has(def.name)) continue;
    const before = prev[def.name];
    if (before === undefined || before === null || !Object.hasOwn(prev, def.name)) continue;
    const after = next[def.name];
    if (def.mutability === 'readOnly') {
      next[def.name] = cloneJson(before);
    } else if (def.mutability === 'immutable') {
      if (after === undefined) next[def.name] = cloneJson(before);
      else if (!jsonEqual(before, after)) throw mutability(`attribute "${label(def.name)}" is immutable`);
    } else if (
      def.type === 'complex' &&
      !def.multiValued &&
      isJsonObject(before) &&
      def.subAttributes?.some((s) => s.mutability === 'immutable')
    ) {
      const sub = isJsonObject(after) ? { ...after } : {};
      const immutables = def.subAttributes.filter((s) => s.mutability === 'immutable');
      carryOver(immutables, sub, before, (n) => `${label(def.name)}.${n}`);
      if (Object.keys(sub).length > 0) next[def.name] = sub;
    }
  }
}
