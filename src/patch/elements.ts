import { invalidValue } from '../errors/scim-error.ts';
import { assertNever, type ResolvedFilter, type TypedValue } from '../filter/ast.ts';
import { fold } from '../filter/fold.ts';
import type { AttributeDefinition } from '../schema/attribute.ts';
import { isJsonObject, jsonEqual } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';

type Json = Record<string, unknown>;

function literal(value: TypedValue): unknown {
  switch (value.type) {
    case 'string':
    case 'boolean':
    case 'number':
    case 'dateTime':
      return value.value;
    case 'null':
      return undefined;
    default:
      return assertNever(value);
  }
}

/**
 * The element a value filter describes, when it is `eq` comparisons joined by `and`
 * (`type eq "work"` → {type: "work"}); undefined for any other filter. Entra patches
 * `emails[type eq "work"].value` when the user has no work email yet and expects one to be
 * created (docs interop.md Entra 6), which RFC 7644 §3.5.2.3 would answer with noTarget.
 */
export function seedOf(filter: ResolvedFilter): Json | undefined {
  switch (filter.kind) {
    case 'compare': {
      const value = filter.op === 'eq' ? literal(filter.value) : undefined;
      const sub = filter.attr.subAttribute;
      return value === undefined || sub === undefined ? undefined : { [sub.name]: value };
    }
    case 'and': {
      const left = seedOf(filter.left);
      const right = seedOf(filter.right);
      if (left === undefined || right === undefined) return undefined;
      for (const key of Object.keys(right)) if (Object.hasOwn(left, key) && !jsonEqual(left[key], right[key])) return undefined;
      return { ...left, ...right };
    }
    case 'or':
    case 'not':
    case 'present':
    case 'valuePath':
      return undefined;
    default:
      return assertNever(filter);
  }
}

/** Whether `element` has every sub-attribute value `item` has (Entra's remove-with-value). */
export function containsAll(element: unknown, item: unknown): boolean {
  if (!isJsonObject(element) || !isJsonObject(item)) return jsonEqual(element, item);
  return Object.keys(item).every((key) => jsonEqual(element[key], item[key]));
}

/** Two values of `def` equal as its `caseExact` says: strings folded when it is false. */
function equalValues(def: AttributeDefinition | undefined, a: unknown, b: unknown): boolean {
  if (def !== undefined && !def.caseExact && typeof a === 'string' && typeof b === 'string') return fold(a) === fold(b);
  return jsonEqual(a, b);
}

/**
 * Whether `element` of the multi-valued `def` already is the value `item` adds (RFC 7644
 * §3.5.2.1: "if the target location already contains the value specified, no changes SHOULD be
 * made"). A complex value is the same when every sub-attribute the client sent, `primary` aside,
 * is equal (as its caseExact says): an email with the same `value` and `type` is the same email,
 * whatever `primary` says (docs/protocol.md). A value of `primary` alone names no element.
 */
export function isSameValue(registry: SchemaRegistry, def: AttributeDefinition, element: unknown, item: unknown): boolean {
  if (!isJsonObject(element) || !isJsonObject(item)) return equalValues(def, element, item);
  const keys = Object.keys(item).filter((key) => key !== 'primary');
  return keys.length > 0 && keys.every((key) => equalValues(registry.subAttribute(def, key), element[key], item[key]));
}

/**
 * RFC 7643 §2.4: "primary" true appears at most once. The elements this operation wrote win: a
 * new primary clears the old one rather than failing the request, as clients expect when they
 * switch a user's primary email. Two written primaries at once are the client's contradiction.
 */
export function settlePrimary(list: readonly unknown[], written: ReadonlySet<unknown>, label: string): void {
  const winners = list.filter((e) => written.has(e) && isJsonObject(e) && e.primary === true);
  if (winners.length === 0) return;
  if (winners.length > 1) throw invalidValue(`attribute "${label}": at most one value may have primary true`);
  for (const element of list) if (element !== winners[0] && isJsonObject(element) && element.primary === true) element.primary = false;
}
