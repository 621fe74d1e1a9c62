import { invalidSyntax, invalidValue } from '../errors/scim-error.ts';
import type { AttributeDefinition, SchemaDefinition } from './attribute.ts';
import { coerceAttribute, duplicateAttribute, enforcesCanonicalValues, type UnknownAttributes, unknownAttribute } from './coerce.ts';
import { COMMON_ATTRIBUTES } from './core/common.ts';
import { GROUP_SCHEMA_ID } from './core/group.ts';
import { USER_SCHEMA_ID } from './core/user.ts';
import { isJsonObject, UNSAFE_KEYS } from './json.ts';
import { memberInputs } from './members.ts';
import type { SchemaRegistry } from './registry.ts';
import { carryOver } from './replace.ts';
import { checkRequired } from './required.ts';
import type { MemberInput } from './resource.ts';

/** What a POST/PUT body becomes: the stored document, plus the parts stored outside it. */
export interface ValidatedResource {
  /**
   * Canonical attribute names, extension attributes under `doc[<extension schema id>]`; never
   * id, schemas, meta, password, Group.members or User.groups (see schema/resource.ts StoredResource).
   * Keys follow schema order, so equal resources serialise identically.
   */
  readonly doc: Record<string, unknown>;
  /** User.password as sent (writeOnly, RFC 7643 §4.1.1); undefined when absent or null. */
  readonly password: string | undefined;
  /**
   * Group.members: undefined when the body has no `members` key; [] when it is null or []
   * (so a PUT can tell "clear members" from "not mentioned"; the service decides what the
   * latter means). Deduplicated by value, in input order.
   */
  readonly members: MemberInput[] | undefined;
}

export interface ValidateOptions {
  readonly mode: 'create' | 'replace';
  /** The stored doc, for 'replace': immutable and readOnly attributes are checked/kept against it. */
  readonly existing?: Readonly<Record<string, unknown>>;
  /** Attributes and schema URIs the registry does not define: dropped ('ignore', when absent) or 400 invalidSyntax. */
  readonly unknownAttributes?: UnknownAttributes;
}

type Route = 'doc' | 'members' | 'password' | 'ignore';

/** Attributes the store keeps outside `doc` (resource.ts StoredResource), by core schema. */
function isOutsideDoc(coreId: string, def: AttributeDefinition): boolean {
  if (coreId === GROUP_SCHEMA_ID) return def.name === 'members';
  if (coreId === USER_SCHEMA_ID) return def.name === 'password' || def.name === 'groups';
  return false;
}

function routeOf(coreId: string, def: AttributeDefinition): Route {
  if (coreId === GROUP_SCHEMA_ID && def.name === 'members') return 'members';
  if (coreId === USER_SCHEMA_ID && def.name === 'password') return 'password';
  return def.mutability === 'readOnly' || isOutsideDoc(coreId, def) ? 'ignore' : 'doc';
}

interface Entry {
  readonly raw: unknown;
  readonly path: string;
}

/** Raw input per attribute, per schema: `null` key for the core schema and common attributes. */
type Gathered = Map<string | null, Map<AttributeDefinition, Entry>>;

/**
 * Validates and coerces a POST (create) or PUT (replace) body: RFC 7643 §2 characteristics,
 * §3 schemas/extensions, §7 definitions; RFC 7644 §3.3 and §3.5.1.
 *
 * Unknown attributes are dropped (400 invalidSyntax with `unknownAttributes: 'reject'`), readOnly
 * ones ignored, wrong types are 400 invalidValue naming the attribute path, a changed immutable
 * attribute is 400 mutability.
 */
export function validateResource(
  registry: SchemaRegistry,
  resourceType: string,
  body: unknown,
  options: ValidateOptions,
): ValidatedResource {
  const read = readResource(registry, resourceType, body, options.unknownAttributes);
  return settleResource(registry, resourceType, read, options.mode === 'replace' ? options.existing : undefined);
}

/** A body read against the schemas ({@link readResource}), before the stored resource is known. */
export interface ResourceRead extends ValidatedResource {
  /** The extensions the client used (RFC 7643 §3.3): holding a value, or listed in `schemas`. */
  readonly used: ReadonlySet<string>;
}

/**
 * The part of {@link validateResource} that needs the body alone: `schemas` checked, attributes
 * gathered and coerced. A PUT reads its body (and hashes its password) before its transaction
 * and settles it against the stored resource inside.
 */
export function readResource(
  registry: SchemaRegistry,
  resourceType: string,
  body: unknown,
  unknownAttributes?: UnknownAttributes,
): ResourceRead {
  if (!isJsonObject(body)) throw invalidSyntax('request body must be a JSON object');
  const rt = registry.resourceType(resourceType);
  if (!rt) throw new Error(`unknown resource type ${resourceType}`);
  const core = registry.coreSchema(resourceType);
  const listed = checkSchemas(body, core.id);
  if (unknownAttributes === 'reject') checkListedSchemas(registry, resourceType, listed);
  const gathered = gather(registry, resourceType, body, unknownAttributes);

  const coerced = coerceGathered(registry, resourceType, gathered, unknownAttributes);
  // Whether an extension is "used" is the client's choice (RFC 7643 §3.3), so it is decided before
  // kept immutable/readOnly values may bring an omitted extension object back.
  const used = usedExtensions(registry, resourceType, (ext) => coerced.doc[ext.id] !== undefined || listed.has(ext.id.toLowerCase()));
  return { ...coerced, used };
}

/**
 * A PATCHed document (RFC 7644 §3.5.2), already in stored form, validated whole as a PUT of it
 * would be, without turning it into a request body first: each attribute coerced again in schema
 * order (a value set piecewise, `name.givenName`, is checked whole), the stored immutable and
 * readOnly values kept, required attributes checked. Returns the document to store.
 */
export function validateDocument(
  registry: SchemaRegistry,
  resourceType: string,
  doc: Readonly<Record<string, unknown>>,
  existing: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const gathered: Gathered = new Map();
  const gatherFrom = (schemaId: string | null, values: Readonly<Record<string, unknown>>, defs: readonly AttributeDefinition[]) => {
    const entries = new Map<AttributeDefinition, Entry>();
    for (const def of defs) {
      const raw = values[def.name];
      if (raw !== undefined) entries.set(def, { raw, path: schemaId === null ? def.name : `${schemaId}:${def.name}` });
    }
    gathered.set(schemaId, entries);
  };
  gatherFrom(null, doc, COMMON_ATTRIBUTES.concat(registry.coreSchema(resourceType).attributes));
  for (const ext of extensionSchemas(registry, registry.resourceType(resourceType)?.schemaExtensions ?? [])) {
    const values = doc[ext.id];
    if (isJsonObject(values)) gatherFrom(ext.id, values, ext.attributes);
  }
  // The stored attributes are not the client's to answer for: what the request named that this
  // tenant does not define was refused by applyPatch.
  const coerced = coerceGathered(registry, resourceType, gathered, undefined);
  const used = usedExtensions(registry, resourceType, (ext) => coerced.doc[ext.id] !== undefined || isJsonObject(doc[ext.id]));
  return settleResource(registry, resourceType, { ...coerced, used }, existing).doc;
}

/** Gathered attributes coerced into the stored document, and the parts stored outside it. */
function coerceGathered(
  registry: SchemaRegistry,
  resourceType: string,
  gathered: Gathered,
  unknownAttributes: UnknownAttributes | undefined,
): ValidatedResource {
  const core = registry.coreSchema(resourceType);
  const coreEntries = gathered.get(null);
  const doc: Record<string, unknown> = {};
  const coreCtx = { registry, enforceCanonical: enforcesCanonicalValues(core.id), unknownAttributes };
  let password: string | undefined;
  let members: MemberInput[] | undefined;
  for (const def of COMMON_ATTRIBUTES.concat(core.attributes)) {
    const entry = coreEntries?.get(def);
    if (!entry) continue;
    const route = routeOf(core.id, def);
    if (route === 'members') members = memberInputs(registry, def, entry.raw, 'members');
    else if (route === 'password') password = coercePassword(entry.raw);
    else if (route === 'doc') setIfDefined(doc, def.name, coerceAttribute(coreCtx, def, entry.raw, entry.path));
  }

  for (const ext of extensionSchemas(registry, registry.resourceType(resourceType)?.schemaExtensions ?? [])) {
    const entries = gathered.get(ext.id);
    if (!entries) continue;
    const ctx = { registry, enforceCanonical: enforcesCanonicalValues(ext.id), unknownAttributes };
    const out: Record<string, unknown> = {};
    for (const def of ext.attributes) {
      const entry = entries.get(def);
      if (entry && def.mutability !== 'readOnly') setIfDefined(out, def.name, coerceAttribute(ctx, def, entry.raw, entry.path));
    }
    if (Object.keys(out).length > 0) setIfDefined(doc, ext.id, out);
  }
  return { doc, password, members };
}

function usedExtensions(registry: SchemaRegistry, resourceType: string, used: (ext: SchemaDefinition) => boolean): ReadonlySet<string> {
  const extensions = extensionSchemas(registry, registry.resourceType(resourceType)?.schemaExtensions ?? []);
  return new Set(extensions.filter(used).map((ext) => ext.id));
}

/**
 * The part of {@link validateResource} that needs the stored resource: a PUT keeps the stored
 * immutable and readOnly values (`existing`, RFC 7644 §3.5.1), then required attributes are
 * checked. `read` is left as it was.
 */
export function settleResource(
  registry: SchemaRegistry,
  resourceType: string,
  read: ResourceRead,
  existing: Readonly<Record<string, unknown>> | undefined,
): ValidatedResource {
  const rt = registry.resourceType(resourceType);
  if (!rt) throw new Error(`unknown resource type ${resourceType}`);
  const core = registry.coreSchema(resourceType);
  const extensions = extensionSchemas(registry, rt.schemaExtensions);
  const { password, members } = read;
  // A PUT is settled again when PostgreSQL retries its transaction: carried values go into copies.
  const doc = { ...read.doc };
  if (existing) {
    const inDoc = core.attributes.filter((d) => !isOutsideDoc(core.id, d));
    carryOver(inDoc, doc, existing, (n) => n);
    for (const ext of extensions) {
      const before = existing[ext.id];
      if (!isJsonObject(before)) continue;
      const after = isJsonObject(doc[ext.id]) ? { ...(doc[ext.id] as Record<string, unknown>) } : {};
      carryOver(ext.attributes, after, before, (n) => `${ext.id}:${n}`);
      if (Object.keys(after).length > 0) setIfDefined(doc, ext.id, after);
    }
  }

  checkRequired(core, extensions, rt.schemaExtensions, doc, read.used, { members, password, routeOf: (def) => routeOf(core.id, def) });
  return { doc, password, members };
}

function setIfDefined(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && !UNSAFE_KEYS.has(key)) target[key] = value;
}

function extensionSchemas(registry: SchemaRegistry, refs: readonly { readonly schema: string }[]): readonly SchemaDefinition[] {
  const out: SchemaDefinition[] = [];
  for (const ref of refs) {
    const schema = registry.schema(ref.schema);
    if (schema) out.push(schema);
  }
  return out;
}

/**
 * RFC 7643 §3: `schemas` is required and names the core schema. Other URIs are tolerated and
 * ignored: Entra adds `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`.
 * Returns the listed URIs, lower-cased.
 */
function checkSchemas(body: Record<string, unknown>, coreId: string): ReadonlySet<string> {
  let raw: unknown;
  let seen = false;
  for (const key of Object.keys(body)) {
    if (key.toLowerCase() !== 'schemas') continue;
    if (seen) throw duplicateAttribute('schemas');
    seen = true;
    raw = body[key];
  }
  if (raw === undefined || raw === null) throw invalidValue(`attribute "schemas" is required and must contain "${coreId}"`);
  if (!Array.isArray(raw) || !raw.every((s): s is string => typeof s === 'string')) {
    throw invalidValue('attribute "schemas": expected an array of strings');
  }
  const listed = new Set(raw.map((s) => s.toLowerCase()));
  if (!listed.has(coreId.toLowerCase())) throw invalidValue(`attribute "schemas" must contain "${coreId}"`);
  return listed;
}

/** Every URI of `schemas` names the core schema or an extension of the resource type (interop profile §4.3). */
function checkListedSchemas(registry: SchemaRegistry, resourceType: string, listed: ReadonlySet<string>): void {
  const core = registry.coreSchema(resourceType).id.toLowerCase();
  for (const uri of listed) {
    if (uri !== core && !registry.extensionSchema(resourceType, uri)) {
      throw invalidSyntax(`schema "${uri}" in "schemas" is not a schema of ${resourceType} for this tenant`);
    }
  }
}

/**
 * Sorts the body's keys into attributes per schema. Names are case-insensitive; extension
 * attributes come either in the extension object (`"urn:…:User": {"department": …}`) or as
 * URN-qualified top-level keys (`"urn:…:User:department": …`, as Entra sends them).
 */
function gather(
  registry: SchemaRegistry,
  resourceType: string,
  body: Record<string, unknown>,
  unknownAttributes: UnknownAttributes | undefined,
): Gathered {
  const unknown = (path: string) => {
    if (unknownAttributes === 'reject') throw unknownAttribute(path);
  };
  const gathered: Gathered = new Map();
  const add = (schemaId: string | null, def: AttributeDefinition, raw: unknown, path: string) => {
    // readOnly input is ignored outright, so it cannot make a request fail (duplicates included).
    if (def.mutability === 'readOnly') return;
    let entries = gathered.get(schemaId);
    if (!entries) {
      entries = new Map();
      gathered.set(schemaId, entries);
    }
    if (entries.has(def)) throw duplicateAttribute(path);
    entries.set(def, { raw, path });
  };
  for (const key of Object.keys(body)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const raw = body[key];
    if (!key.toLowerCase().startsWith('urn:')) {
      if (key.toLowerCase() === 'schemas') continue;
      const resolved = registry.resolve(resourceType, { name: key });
      if (resolved) add(null, resolved.attribute, raw, resolved.attribute.name);
      else unknown(key);
      continue;
    }
    const ext = registry.extensionSchema(resourceType, key);
    if (ext) {
      if (raw === null || raw === undefined) continue;
      if (!isJsonObject(raw)) throw invalidValue(`attribute "${ext.id}": expected a JSON object`);
      for (const name of Object.keys(raw)) {
        if (UNSAFE_KEYS.has(name)) continue;
        const resolved = registry.resolve(resourceType, { uri: ext.id, name });
        if (resolved) add(ext.id, resolved.attribute, raw[name], `${ext.id}:${resolved.attribute.name}`);
        else unknown(`${ext.id}:${name}`);
      }
      continue;
    }
    const colon = key.lastIndexOf(':');
    const resolved = registry.resolve(resourceType, { uri: key.slice(0, colon), name: key.slice(colon + 1) });
    if (!resolved) {
      unknown(key);
      continue;
    }
    if (resolved.isExtension && resolved.schema !== undefined) {
      add(resolved.schema, resolved.attribute, raw, `${resolved.schema}:${resolved.attribute.name}`);
    } else {
      add(null, resolved.attribute, raw, resolved.attribute.name);
    }
  }
  return gathered;
}

function coercePassword(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalidValue('attribute "password": expected a string');
  return raw;
}
