import { invalidSyntax, invalidValue, type ScimError } from '../errors/scim-error.ts';
import type { AttributeDefinition } from './attribute.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from './core/enterprise-user.ts';
import { GROUP_SCHEMA_ID } from './core/group.ts';
import { USER_SCHEMA_ID } from './core/user.ts';
import { parseDateTime } from './datetime.ts';
import { isJsonObject, UNSAFE_KEYS } from './json.ts';
import { characterCount } from './lengths.ts';
import type { SchemaRegistry } from './registry.ts';

/**
 * RFC 7643 §2.4 lets a service provider accept values other than the canonical ones, and real
 * clients do send them for the core schemas (Entra: `"type": "untyped"`; Okta: custom email
 * types). So canonicalValues are advisory for the RFC schemas and binding for every other schema
 * (tenant extensions), whose authors list them precisely to restrict input. This is the one place
 * that decides it.
 */
const ADVISORY_CANONICAL_SCHEMAS: ReadonlySet<string> = new Set(
  [USER_SCHEMA_ID, GROUP_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID].map((id) => id.toLowerCase()),
);

/** Whether canonicalValues of attributes of this schema reject other values. Common attributes: undefined. */
export function enforcesCanonicalValues(schemaId: string | undefined): boolean {
  return schemaId !== undefined && !ADVISORY_CANONICAL_SCHEMAS.has(schemaId.toLowerCase());
}

/** What becomes of an attribute no schema defines: dropped (RFC 7644 leaves it open), or 400 invalidSyntax. */
export type UnknownAttributes = 'ignore' | 'reject';

/** Where a value is being coerced: the registry (sub-attribute index) and the owning schema's rule. */
export interface CoerceContext {
  readonly registry: SchemaRegistry;
  readonly enforceCanonical: boolean;
  /** Unknown sub-attributes; 'ignore' when absent. */
  readonly unknownAttributes?: UnknownAttributes;
}

/**
 * draft-zollner-scim-interop-profile-02 §4.3: a request naming an attribute or schema the
 * server does not define is refused, 400 invalidSyntax.
 */
export function unknownAttribute(path: string): ScimError {
  return invalidSyntax(`attribute "${path}" is not defined by this tenant's schemas`);
}

// xsd:dateTime (XML Schema Part 2 §3.2.7) with an optional zone; compiled once, never per call.
// RFC 4648 §4 base64 with padding; groups of four keep the match linear.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const canonicalIndex = new WeakMap<AttributeDefinition, ReadonlySet<string>>();

function canonicalSet(def: AttributeDefinition): ReadonlySet<string> {
  let set = canonicalIndex.get(def);
  if (!set) {
    set = new Set((def.canonicalValues ?? []).map((v) => v.toLowerCase()));
    canonicalIndex.set(def, set);
  }
  return set;
}

function expected(path: string, what: string): ScimError {
  return invalidValue(`attribute "${path}": expected ${what}`);
}

/** Two input keys naming one attribute (`userName` and `USERNAME`): which one is meant is unknowable. */
export function duplicateAttribute(path: string): ScimError {
  return invalidSyntax(`attribute "${path}" is given more than once`);
}

/**
 * Coerces one attribute value from request JSON to its stored form (RFC 7643 §2.3 data types,
 * §2.5 null/[] = unassigned). Returns undefined for "no value". `path` names the attribute in
 * error details, e.g. `emails[1].primary`.
 */
export function coerceAttribute(ctx: CoerceContext, def: AttributeDefinition, raw: unknown, path: string): unknown {
  if (raw === null || raw === undefined) return undefined;
  if (!def.multiValued) return coerceSingle(ctx, def, raw, path);
  // A single value where an array is expected is read as a one-element array (lenient clients).
  const isArray = Array.isArray(raw);
  const items: readonly unknown[] = isArray ? raw : [raw];
  const out: unknown[] = [];
  let primaries = 0;
  for (let i = 0; i < items.length; i++) {
    const value = coerceSingle(ctx, def, items[i], isArray ? `${path}[${i}]` : path);
    if (value === undefined) continue;
    if (isJsonObject(value) && value.primary === true) primaries++;
    out.push(value);
  }
  // RFC 7643 §2.4: the primary attribute value "true" MUST appear no more than once.
  if (primaries > 1) throw invalidValue(`attribute "${path}": at most one value may have primary true`);
  return out.length > 0 ? out : undefined;
}

function coerceSingle(ctx: CoerceContext, def: AttributeDefinition, raw: unknown, path: string): unknown {
  if (raw === null || raw === undefined) return undefined;
  switch (def.type) {
    case 'string':
      if (typeof raw !== 'string') throw expected(path, 'a string');
      checkText(def, raw, path);
      checkCanonical(ctx, def, raw, path);
      return raw;
    case 'reference':
      if (typeof raw !== 'string') throw expected(path, 'a reference (string)');
      checkText(def, raw, path);
      checkCanonical(ctx, def, raw, path);
      return raw;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      // Entra sends "True"/"False" (AzureAD/SCIMReferenceCode issues/21); any case is accepted.
      if (typeof raw === 'string') {
        const folded = raw.toLowerCase();
        if (folded === 'true') return true;
        if (folded === 'false') return false;
      }
      throw expected(path, 'a boolean');
    case 'integer':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) throw expected(path, 'an integer');
      return raw;
    case 'decimal':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw expected(path, 'a number');
      return raw;
    case 'dateTime':
      // Kept as sent: RFC 7643 §2.3.5 values are compared as instants, not rewritten.
      // The same parser as filters use, so that every stored dateTime compares as an instant.
      if (typeof raw !== 'string' || parseDateTime(raw) === undefined) throw expected(path, 'an xsd:dateTime string');
      return raw;
    case 'binary':
      if (typeof raw !== 'string' || !BASE64.test(raw)) throw expected(path, 'a base64 string');
      return raw;
    case 'complex':
      return coerceComplex(ctx, def, raw, path);
    default: {
      const never: never = def.type;
      throw new Error(`unhandled attribute type ${String(never)}`);
    }
  }
}

/**
 * U+0000 is refused in every value: PostgreSQL text cannot hold it, and every store must accept
 * the same resources. No identity provider sends it. Indexed attributes have a longest value
 * (lengths.ts), checked here so that both stores refuse the same values, before any database does.
 */
function checkText(def: AttributeDefinition, value: string, path: string): void {
  if (value.includes('\u0000')) throw invalidValue(`attribute "${path}": the character U+0000 is not allowed`);
  // A UTF-16 length within the bound is a code point count within it too.
  if (def.maxLength !== undefined && value.length > def.maxLength) {
    const length = characterCount(value);
    if (length > def.maxLength) {
      throw invalidValue(`attribute "${path}": at most ${def.maxLength} characters, this value has ${length}`);
    }
  }
}

function checkCanonical(ctx: CoerceContext, def: AttributeDefinition, value: string, path: string): void {
  if (!ctx.enforceCanonical || !def.canonicalValues || def.canonicalValues.length === 0) return;
  if (canonicalSet(def).has(value.toLowerCase())) return;
  throw expected(path, `one of ${def.canonicalValues.map((v) => JSON.stringify(v)).join(', ')}`);
}

function coerceComplex(ctx: CoerceContext, def: AttributeDefinition, raw: unknown, path: string): unknown {
  let input = raw;
  // Entra writes single-valued references as a bare id (`"manager": "<id>"`, and "" to clear it);
  // read it as the `value` sub-attribute rather than refuse the request.
  if (typeof input === 'string' && !def.multiValued && ctx.registry.subAttribute(def, 'value')) {
    if (input === '') return undefined;
    input = { value: input };
  }
  if (!isJsonObject(input)) throw expected(path, 'a JSON object');
  const found = new Map<AttributeDefinition, unknown>();
  for (const key of Object.keys(input)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const sub = ctx.registry.subAttribute(def, key);
    if (!sub && ctx.unknownAttributes === 'reject') throw unknownAttribute(`${path}.${key}`);
    // Unknown sub-attributes are dropped; readOnly ones (members.display, manager.displayName)
    // are the server's to compute (RFC 7643 §2.2).
    if (!sub || sub.mutability === 'readOnly') continue;
    if (found.has(sub)) throw duplicateAttribute(`${path}.${sub.name}`);
    found.set(sub, coerceAttribute(ctx, sub, input[key], `${path}.${sub.name}`));
  }
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const sub of def.subAttributes ?? []) {
    const value = found.get(sub);
    if (value === undefined || UNSAFE_KEYS.has(sub.name)) continue;
    out[sub.name] = value;
    empty = false;
  }
  if (empty) return undefined;
  for (const sub of def.subAttributes ?? []) {
    if (sub.required && sub.mutability !== 'readOnly' && !Object.hasOwn(out, sub.name)) {
      throw invalidValue(`required attribute "${path}.${sub.name}" is missing`);
    }
  }
  return out;
}
