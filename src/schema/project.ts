import { badRequest } from '../errors/scim-error.ts';
import type { AttributeDefinition } from './attribute.ts';
import { isJsonObject, UNSAFE_KEYS } from './json.ts';
import type { SchemaRegistry } from './registry.ts';

/** The `attributes` / `excludedAttributes` parameters of RFC 7644 §3.4.2.5, already split. */
export interface AttributeSelection {
  readonly attributes?: readonly string[] | undefined;
  readonly excludedAttributes?: readonly string[] | undefined;
}

/** Bounds on one `attributes`/`excludedAttributes` list (SCIMD_MAX_ATTRIBUTE_LIST_LENGTH, SCIMD_MAX_ATTRIBUTE_NAMES). */
export interface AttributeListLimits {
  /** Characters of the comma-separated list. */
  readonly maxLength: number;
  /** Attribute names in the list. */
  readonly maxNames: number;
}

export const DEFAULT_ATTRIBUTE_LIST_LIMITS: AttributeListLimits = Object.freeze({ maxLength: 4096, maxNames: 100 });

/**
 * Splits the comma-separated query form of `attributes` / `excludedAttributes` (RFC 7644
 * §3.4.2.5): trimmed, empties dropped; undefined when nothing is left. Over the limits it is a
 * plain 400 without scimType: RFC 7644 Table 9 has no type for an oversized parameter, and
 * `invalidValue` would claim a resource attribute value was wrong.
 */
export function parseAttributeList(
  text: string | undefined,
  limits: AttributeListLimits = DEFAULT_ATTRIBUTE_LIST_LIMITS,
): string[] | undefined {
  if (text === undefined) return undefined;
  if (text.length > limits.maxLength) {
    throw badRequest(`attribute list is longer than ${limits.maxLength} characters`);
  }
  const names: string[] = [];
  for (const part of text.split(',')) {
    const name = part.trim();
    if (name !== '') names.push(name);
  }
  if (names.length > limits.maxNames) {
    throw badRequest(`attribute list names more than ${limits.maxNames} attributes`);
  }
  return names.length > 0 ? names : undefined;
}

interface Named {
  whole: boolean;
  readonly subs: Set<AttributeDefinition>;
}

interface CompiledSelection {
  readonly mode: 'default' | 'attributes' | 'excluded';
  readonly named: ReadonlyMap<AttributeDefinition, Named>;
  /** Lower-cased URNs of extensions named as a whole (`attributes=urn:…:enterprise:2.0:User`). */
  readonly wholeExtensions: ReadonlySet<string>;
}

/** How one attribute is shown: not at all, with every returnable sub-attribute, or some. */
type Plan =
  | { readonly kind: 'drop' }
  | { readonly kind: 'all'; readonly withRequest: boolean }
  | { readonly kind: 'only'; readonly subs: ReadonlySet<AttributeDefinition> }
  | { readonly kind: 'except'; readonly subs: ReadonlySet<AttributeDefinition> };

const DROP: Plan = { kind: 'drop' };
const ALL_DEFAULT: Plan = { kind: 'all', withRequest: false };
const ALL_NAMED: Plan = { kind: 'all', withRequest: true };

// Compiling is cheap but a list response projects up to a page of resources with one selection.
const compiled = new WeakMap<AttributeSelection, { registry: SchemaRegistry; resourceType: string; selection: CompiledSelection }>();

/** Neither parameter: what most requests send, the same for every registry and resource type. */
const DEFAULT_SELECTION: CompiledSelection = Object.freeze({ mode: 'default', named: new Map(), wholeExtensions: new Set<string>() });

function compile(registry: SchemaRegistry, resourceType: string, selection: AttributeSelection): CompiledSelection {
  if (!selection.attributes?.length && !selection.excludedAttributes?.length) return DEFAULT_SELECTION;
  const cached = compiled.get(selection);
  if (cached && cached.registry === registry && cached.resourceType === resourceType) return cached.selection;
  // RFC 7644 §3.4.2.5 makes the two parameters exclusive; when a client sends both, `attributes`
  // wins, as it is the narrower request and never shows something the client excluded by default.
  const attributes = selection.attributes?.length ? selection.attributes : undefined;
  const excluded = attributes ? undefined : selection.excludedAttributes?.length ? selection.excludedAttributes : undefined;
  const named = new Map<AttributeDefinition, Named>();
  const wholeExtensions = new Set<string>();
  for (const name of attributes ?? excluded ?? []) {
    const ref = parseName(registry, resourceType, name);
    if (ref === undefined) continue;
    if ('wholeExtension' in ref) {
      wholeExtensions.add(ref.wholeExtension);
      continue;
    }
    let entry = named.get(ref.attribute);
    if (!entry) {
      entry = { whole: false, subs: new Set() };
      named.set(ref.attribute, entry);
    }
    if (ref.subAttribute) entry.subs.add(ref.subAttribute);
    else entry.whole = true;
  }
  const result: CompiledSelection = {
    mode: attributes ? 'attributes' : excluded ? 'excluded' : 'default',
    named,
    wholeExtensions,
  };
  compiled.set(selection, { registry, resourceType, selection: result });
  return result;
}

type NameRef =
  | { readonly wholeExtension: string }
  | {
      readonly attribute: AttributeDefinition;
      readonly subAttribute: AttributeDefinition | undefined;
      /** Lower-cased URN of the extension defining it; undefined for core and common attributes. */
      readonly extension: string | undefined;
    };

/** `[urn:…:]attr[.sub]`, or an extension URN alone; undefined when it names nothing known. */
function parseName(registry: SchemaRegistry, resourceType: string, text: string): NameRef | undefined {
  let name = text;
  // Microsoft's Postman collection sends `attributes=emails[type eq "work"]`, which is not RFC
  // syntax; it is read as the attribute it filters (no value filtering).
  const open = name.indexOf('[');
  if (open >= 0) {
    const close = name.lastIndexOf(']');
    name = name.slice(0, open) + (close > open ? name.slice(close + 1) : '');
  }
  let uri: string | undefined;
  if (name.toLowerCase().startsWith('urn:')) {
    const ext = registry.extensionSchema(resourceType, name);
    if (ext) return { wholeExtension: ext.id.toLowerCase() };
    const colon = name.lastIndexOf(':');
    uri = name.slice(0, colon);
    name = name.slice(colon + 1);
  }
  const dot = name.indexOf('.');
  const resolved = registry.resolve(resourceType, {
    ...(uri !== undefined ? { uri } : {}),
    name: dot >= 0 ? name.slice(0, dot) : name,
    ...(dot >= 0 ? { subAttr: name.slice(dot + 1) } : {}),
  });
  if (!resolved) return undefined;
  return {
    attribute: resolved.attribute,
    subAttribute: resolved.subAttribute,
    extension: resolved.isExtension ? resolved.schema?.toLowerCase() : undefined,
  };
}

/** RFC 7643 §2.2 `returned` × RFC 7644 §3.4.2.5 for one top-level attribute. */
function planFor(selection: CompiledSelection, def: AttributeDefinition, extension: string | undefined): Plan {
  if (def.returned === 'never') return DROP;
  if (def.returned === 'always') return ALL_DEFAULT;
  const named = selection.named.get(def);
  const wholeExtension = extension !== undefined && selection.wholeExtensions.has(extension);
  switch (selection.mode) {
    case 'attributes':
      if (named?.whole || wholeExtension) return ALL_NAMED;
      return named ? { kind: 'only', subs: named.subs } : DROP;
    case 'excluded':
      if (def.returned === 'request' || named?.whole || wholeExtension) return DROP;
      return named ? { kind: 'except', subs: named.subs } : ALL_DEFAULT;
    case 'default':
      return def.returned === 'request' ? DROP : ALL_DEFAULT;
    default: {
      const never: never = selection.mode;
      throw new Error(`unhandled selection mode ${String(never)}`);
    }
  }
}

function keepsSub(plan: Exclude<Plan, { kind: 'drop' }>, sub: AttributeDefinition | undefined): boolean {
  // Sub-attribute keys the schema does not know are treated as returned=default.
  const returned = sub?.returned ?? 'default';
  if (returned === 'never') return false;
  if (returned === 'always') return true;
  switch (plan.kind) {
    case 'all':
      return plan.withRequest || returned !== 'request';
    case 'only':
      return sub !== undefined && plan.subs.has(sub);
    case 'except':
      return returned !== 'request' && (sub === undefined || !plan.subs.has(sub));
    default: {
      const never: never = plan;
      throw new Error(`unhandled plan ${String(never)}`);
    }
  }
}

/** Which `returned` values occur among a complex attribute's sub-attributes (computed once). */
const hiddenSubs = new WeakMap<AttributeDefinition, { readonly never: boolean; readonly request: boolean }>();

function hidesSubAttributes(def: AttributeDefinition, withRequest: boolean): boolean {
  let hidden = hiddenSubs.get(def);
  if (!hidden) {
    const subs = def.subAttributes ?? [];
    hidden = { never: subs.some((s) => s.returned === 'never'), request: subs.some((s) => s.returned === 'request') };
    hiddenSubs.set(def, hidden);
  }
  return hidden.never || (!withRequest && hidden.request);
}

function applyPlan(registry: SchemaRegistry, def: AttributeDefinition, plan: Plan, value: unknown): unknown {
  if (plan.kind === 'drop' || value === undefined || value === null) return undefined;
  if (def.type !== 'complex' || !def.subAttributes) return value;
  // The common case: the whole value is shown. Stored values hold only known, non-empty
  // sub-attributes (the validator saw to it), so there is nothing to copy or filter.
  if (plan.kind === 'all' && !hidesSubAttributes(def, plan.withRequest)) return value;
  const one = (item: unknown): unknown => {
    if (!isJsonObject(item)) return item;
    const out: Record<string, unknown> = {};
    let empty = true;
    for (const key of Object.keys(item)) {
      if (UNSAFE_KEYS.has(key) || item[key] === undefined) continue;
      if (!keepsSub(plan, registry.subAttribute(def, key))) continue;
      out[key] = item[key];
      empty = false;
    }
    return empty ? undefined : out;
  };
  if (!Array.isArray(value)) return one(value);
  const items = value.map(one).filter((item) => item !== undefined);
  return items.length > 0 ? items : undefined;
}

/** Core and common attributes by resource type and the key a representation uses for them, per registry. */
const topLevel = new WeakMap<SchemaRegistry, Map<string, Map<string, AttributeDefinition | null>>>();

function topLevelAttribute(registry: SchemaRegistry, resourceType: string, key: string): AttributeDefinition | undefined {
  let byType = topLevel.get(registry);
  if (!byType) topLevel.set(registry, (byType = new Map()));
  let byKey = byType.get(resourceType);
  if (!byKey) byType.set(resourceType, (byKey = new Map()));
  let found = byKey.get(key);
  if (found === undefined) {
    found = registry.resolve(resourceType, { name: key })?.attribute ?? null;
    // Representations use canonical names, so the cache stays as small as the schemas.
    if (byKey.size < 10_000) byKey.set(key, found);
  }
  return found ?? undefined;
}

/**
 * Shapes a full resource representation (schemas, id, meta, members/groups, extension objects
 * under their URN) for a response: RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes` and
 * RFC 7643 §2.2 `returned`. Names are case-insensitive, may be URN-qualified or name a
 * sub-attribute; unknown names are ignored. Keys the schemas do not know are dropped. The result
 * may share nested values with `resource`.
 */
export function projectResource(
  registry: SchemaRegistry,
  resourceType: string,
  resource: Readonly<Record<string, unknown>>,
  selection: AttributeSelection,
): Record<string, unknown> {
  const compiledSelection = compile(registry, resourceType, selection);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(resource)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const value = resource[key];
    const ext = key.toLowerCase().startsWith('urn:') ? registry.extensionSchema(resourceType, key) : undefined;
    if (ext) {
      if (!isJsonObject(value)) continue;
      const extension = ext.id.toLowerCase();
      const projected: Record<string, unknown> = {};
      let empty = true;
      for (const name of Object.keys(value)) {
        const resolved = UNSAFE_KEYS.has(name) ? undefined : registry.resolve(resourceType, { uri: ext.id, name });
        if (!resolved) continue;
        const shown = applyPlan(registry, resolved.attribute, planFor(compiledSelection, resolved.attribute, extension), value[name]);
        if (shown === undefined) continue;
        projected[name] = shown;
        empty = false;
      }
      // RFC 7643 §3.3: an extension with nothing to show is left out rather than sent as {}.
      if (!empty) out[key] = projected;
      continue;
    }
    const attribute = topLevelAttribute(registry, resourceType, key);
    if (!attribute) continue;
    const shown = applyPlan(registry, attribute, planFor(compiledSelection, attribute, undefined), value);
    if (shown !== undefined) out[key] = shown;
  }
  return out;
}

/**
 * Whether a response for this selection can contain the top-level attribute `name` (e.g.
 * `members`, or an extension URN): lets the service skip loading group members for
 * `excludedAttributes=members` or `attributes=displayName` (Entra, RFC 7644 §3.4.2.5).
 * Unknown names: false.
 */
export function needsAttribute(registry: SchemaRegistry, resourceType: string, selection: AttributeSelection, name: string): boolean {
  const compiledSelection = compile(registry, resourceType, selection);
  if (compiledSelection !== DEFAULT_SELECTION) return needs(registry, resourceType, compiledSelection, name);
  // Asked on every read (does it need members? groups?): answered once per registry for the default.
  let byName = defaultNeeds.get(registry);
  if (!byName) defaultNeeds.set(registry, (byName = new Map()));
  const key = `${resourceType}\u0000${name}`;
  let answer = byName.get(key);
  if (answer === undefined) {
    answer = needs(registry, resourceType, compiledSelection, name);
    if (byName.size < 1000) byName.set(key, answer);
  }
  return answer;
}

const defaultNeeds = new WeakMap<SchemaRegistry, Map<string, boolean>>();

function needs(registry: SchemaRegistry, resourceType: string, compiledSelection: CompiledSelection, name: string): boolean {
  if (name.toLowerCase().startsWith('urn:')) {
    const ext = registry.extensionSchema(resourceType, name);
    if (ext) {
      const extension = ext.id.toLowerCase();
      return ext.attributes.some((def) => planFor(compiledSelection, def, extension).kind !== 'drop');
    }
  }
  const ref = parseName(registry, resourceType, name);
  if (ref === undefined || 'wholeExtension' in ref) return false;
  return planFor(compiledSelection, ref.attribute, ref.extension).kind !== 'drop';
}
