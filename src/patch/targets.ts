import { invalidPath, invalidValue, mutability } from '../errors/scim-error.ts';
import { type ResolvedPatchPath, resolvePatchPath } from '../filter/resolve.ts';
import type { UnknownAttributes } from '../schema/coerce.ts';
import { GROUP_SCHEMA_ID } from '../schema/core/group.ts';
import { USER_SCHEMA_ID } from '../schema/core/user.ts';
import { isJsonObject, UNSAFE_KEYS } from '../schema/json.ts';
import type { AttributeRef, SchemaRegistry } from '../schema/registry.ts';
import type { DocumentEdit } from './document.ts';
import type { MembersEdit } from './members.ts';
import type { PatchOperation, PatchOpName } from './operation.ts';

/** What one operation (or one key of a path-less value) changes, and where it is stored. */
export type Edit =
  | ({ readonly kind: 'document' } & DocumentEdit)
  | ({ readonly kind: 'members' } & MembersEdit)
  | { readonly kind: 'password'; readonly op: PatchOpName; readonly value: unknown; readonly label: string };

export interface TargetOptions {
  /**
   * Unknown attributes in a value: dropped (as POST/PUT drop them) or refused, 400 invalidPath for
   * a path-less value's key and invalidSyntax for a sub-attribute.
   */
  readonly unknownAttributes?: UnknownAttributes;
}

/**
 * Sorts a target by where it is stored; 'readOnly' for targets the client may not write
 * (RFC 7643 §2.2: id, meta, groups, manager.displayName…). Group.members and User.password live
 * outside the document (schema/resource.ts StoredResource).
 */
function classify(target: ResolvedPatchPath, op: PatchOpName, value: unknown, label: string): Edit | 'readOnly' {
  const { attr } = target;
  if (attr.schema === GROUP_SCHEMA_ID && attr.attribute.name === 'members') {
    if (attr.subAttribute !== undefined || target.subAttribute !== undefined) {
      throw invalidPath(`"${label}": members are changed whole or selected by members[value eq "id"], not by sub-attribute`);
    }
    return { kind: 'members', op, attribute: attr.attribute, filter: target.filter, value, label };
  }
  if (attr.schema === USER_SCHEMA_ID && attr.attribute.name === 'password') return { kind: 'password', op, value, label };
  if ([attr.attribute, attr.subAttribute, target.subAttribute].some((d) => d?.mutability === 'readOnly')) return 'readOnly';
  return { kind: 'document', op, target, value, label };
}

/** `[uri:]name[.subAttr]` of a path-less value key; the registry decides whether it names anything. */
function refOf(key: string): AttributeRef {
  const colon = key.lastIndexOf(':');
  const rest = key.slice(colon + 1);
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  const ref = { name, ...(dot < 0 ? {} : { subAttr: rest.slice(dot + 1) }) };
  return colon < 0 ? ref : { ...ref, uri: key.slice(0, colon) };
}

/**
 * RFC 7644 §3.5.2.1/§3.5.2.3 without a path: each key of `value` is an attribute to add or
 * replace. Keys may be dotted or URN-qualified (Entra with aadOptscim062020:
 * `"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`) or a schema URN holding an object.
 * readOnly keys are skipped silently: Okta sends the group's `id` with every rename.
 */
function pathlessEdits(
  registry: SchemaRegistry,
  resourceType: string,
  op: PatchOpName,
  value: Record<string, unknown>,
  options: TargetOptions,
): Edit[] {
  const edits: Edit[] = [];
  const add = (ref: AttributeRef, label: string, raw: unknown) => {
    const attr = registry.resolve(resourceType, ref);
    if (attr === undefined) {
      if (options.unknownAttributes === 'reject') throw invalidPath(`unknown attribute "${label}" in "value"`);
      return;
    }
    const edit = classify({ attr, filter: undefined, subAttribute: undefined }, op, raw, label);
    if (edit !== 'readOnly') edits.push(edit);
  };
  const core = registry.coreSchema(resourceType);
  for (const key of Object.keys(value)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const schema = registry.extensionSchema(resourceType, key) ?? (key.toLowerCase() === core.id.toLowerCase() ? core : undefined);
    if (schema === undefined) {
      add(refOf(key), key, value[key]);
      continue;
    }
    const inner = value[key];
    if (inner === null) continue;
    if (!isJsonObject(inner)) throw invalidValue(`"${key}": expected a JSON object`);
    for (const name of Object.keys(inner)) {
      if (!UNSAFE_KEYS.has(name)) add({ ...refOf(name), uri: schema.id }, `${schema.id}:${name}`, inner[name]);
    }
  }
  return edits;
}

/** The edits one parsed operation makes, its path resolved against the resource type. */
export function editsOf(registry: SchemaRegistry, resourceType: string, operation: PatchOperation, options: TargetOptions = {}): Edit[] {
  const { op, path, pathText, value } = operation;
  if (path === undefined) {
    if (!isJsonObject(value)) throw invalidValue(`"${op}" without a "path" needs a JSON object "value"`);
    return pathlessEdits(registry, resourceType, op, value, options);
  }
  const label = pathText ?? '';
  const edit = classify(resolvePatchPath(path, registry, resourceType), op, value, label);
  if (edit === 'readOnly') throw mutability(`"${label}" is readOnly`);
  return [edit];
}
