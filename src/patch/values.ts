import type { AttributeDefinition } from '../schema/attribute.ts';
import {
  coerceAttribute,
  duplicateAttribute,
  enforcesCanonicalValues,
  type UnknownAttributes,
  unknownAttribute,
} from '../schema/coerce.ts';
import { isJsonObject, UNSAFE_KEYS } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';

type Json = Record<string, unknown>;

/** The tenant's rules for PATCH values (its profile, docs/profiles.md); RFC 7644's reading when absent. */
export interface ValueRules {
  /** Unknown sub-attributes in a value: dropped ('ignore', when absent) or 400 invalidSyntax. */
  readonly unknownAttributes?: UnknownAttributes;
  /**
   * `replace` of a whole singular complex attribute (`path: "name"`): 'merge' (RFC 7644 §3.5.2.3,
   * when absent) leaves the sub-attributes not given unchanged; 'whole' (draft-zollner-scim-interop-profile-02
   * §6.5.2.1) sets exactly the ones given.
   */
  readonly complexReplace?: 'merge' | 'whole';
}

/** Where a value is coerced: the registry, the attribute's schema (canonicalValues rule), the path for errors, the rules. */
export interface ValueContext extends ValueRules {
  readonly registry: SchemaRegistry;
  readonly schema: string | undefined;
  readonly label: string;
}

/**
 * A PATCH value in stored form, by the same rules as POST/PUT (schema/coerce.ts): Entra's "True",
 * a bare manager id, a single object for a multi-valued attribute. undefined means unassigned.
 */
export function coerce(ctx: ValueContext, def: AttributeDefinition, raw: unknown): unknown {
  const { registry, unknownAttributes } = ctx;
  return coerceAttribute({ registry, enforceCanonical: enforcesCanonicalValues(ctx.schema), unknownAttributes }, def, raw, ctx.label);
}

const elementDefs = new WeakMap<AttributeDefinition, AttributeDefinition>();

/** The definition of one element of a multi-valued attribute (same sub-attributes, single-valued). */
export function elementOf(def: AttributeDefinition): AttributeDefinition {
  let element = elementDefs.get(def);
  if (!element) {
    element = { ...def, multiValued: false };
    elementDefs.set(def, element);
  }
  return element;
}

/** A client object's keys renamed to canonical sub-attribute names; unknown keys dropped (or refused). */
function canonicalKeys(ctx: ValueContext, def: AttributeDefinition, raw: Json): Json {
  const out: Json = {};
  for (const key of Object.keys(raw)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const sub = ctx.registry.subAttribute(def, key);
    if (!sub && ctx.unknownAttributes === 'reject') throw unknownAttribute(`${ctx.label}.${key}`);
    if (!sub) continue;
    if (Object.hasOwn(out, sub.name)) throw duplicateAttribute(`${ctx.label}.${sub.name}`);
    out[sub.name] = raw[key];
  }
  return out;
}

/**
 * RFC 7644 §3.5.2.1 and §3.5.2.3: a value for a complex target sets the sub-attributes it names and
 * leaves the others unchanged (a null sub-attribute unassigns it). The merged object is coerced
 * whole, so rules spanning sub-attributes (required ones) see the result, not the fragment.
 * undefined when nothing is left.
 */
export function mergeComplex(ctx: ValueContext, def: AttributeDefinition, existing: unknown, value: unknown): Json | undefined {
  const base = isJsonObject(existing) ? existing : {};
  // Entra's older manager PATCH sends `[{"$ref": …, "value": …}]` for the single-valued manager.
  const raw = Array.isArray(value) && value.length === 1 && !def.multiValued ? value[0] : value;
  if (isJsonObject(raw)) return coerce(ctx, def, { ...base, ...canonicalKeys(ctx, def, raw) }) as Json | undefined;
  // Not an object: Entra's bare manager id ("" clears it), or a type error coerce reports.
  const coerced = coerce(ctx, def, raw) as Json | undefined;
  return coerced === undefined ? undefined : { ...base, ...coerced };
}
