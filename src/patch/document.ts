import { mutability, noTarget } from '../errors/scim-error.ts';
import type { ResolvedFilter } from '../filter/ast.ts';
import { matchesElement } from '../filter/evaluate.ts';
import type { ResolvedPatchPath } from '../filter/resolve.ts';
import type { AttributeDefinition } from '../schema/attribute.ts';
import { isJsonObject } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import { containsAll, isSameValue, seedOf, settlePrimary } from './elements.ts';
import type { PatchOpName } from './operation.ts';
import { coerce, elementOf, mergeComplex, type ValueContext, type ValueRules } from './values.ts';

type Json = Record<string, unknown>;

/** One operation on an attribute stored in the resource document. */
export interface DocumentEdit {
  readonly op: PatchOpName;
  readonly target: ResolvedPatchPath;
  /** undefined when the operation has no value (remove). */
  readonly value: unknown;
  /** The path or value key as the client wrote it, for error details. */
  readonly label: string;
}

/** The object holding the attribute: the document, or its extension's object (created on demand). */
function holderOf(doc: Json, schema: string | undefined, isExtension: boolean): Json {
  if (!isExtension || schema === undefined) return doc;
  const existing = doc[schema];
  if (isJsonObject(existing)) return existing;
  const created: Json = {};
  doc[schema] = created;
  return created;
}

function unassign(ctx: ValueContext, holder: Json, def: AttributeDefinition): void {
  if (holder[def.name] === undefined) return;
  if (def.required) throw mutability(`"${ctx.label}": required attribute "${def.name}" cannot be removed`);
  delete holder[def.name];
}

function store(ctx: ValueContext, holder: Json, def: AttributeDefinition, value: unknown): void {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) unassign(ctx, holder, def);
  else holder[def.name] = value;
}

/** RFC 7644 §3.5.2.1–3 with an attrPath naming a whole attribute (`emails`, `name`, `urn:…:manager`). */
function editAttribute(ctx: ValueContext, holder: Json, def: AttributeDefinition, op: PatchOpName, raw: unknown): void {
  const current = holder[def.name];
  if (op === 'remove') {
    if (raw === undefined || raw === null || !def.multiValued) return unassign(ctx, holder, def);
    // Entra removes members (and could remove any value) by listing them in `value`.
    const items = (coerce(ctx, def, raw) as unknown[] | undefined) ?? [];
    const list = Array.isArray(current) ? current : [];
    return store(
      ctx,
      holder,
      def,
      list.filter((e) => !items.some((item) => containsAll(e, item))),
    );
  }
  if (!def.multiValued) {
    const merge = def.type === 'complex' && (op === 'add' || ctx.complexReplace !== 'whole');
    return store(ctx, holder, def, merge ? mergeComplex(ctx, def, current, raw) : coerce(ctx, def, raw));
  }
  const items = coerce(ctx, def, raw) as unknown[] | undefined;
  if (op === 'replace') return store(ctx, holder, def, items);
  if (items === undefined) return;
  const list = Array.isArray(current) ? [...current] : [];
  const written = new Set<unknown>();
  for (const item of items) {
    const at = list.findIndex((e) => isSameValue(ctx.registry, def, e, item));
    if (at < 0) {
      list.push(item);
      written.add(item);
      continue;
    }
    // A value already there is not added again; only a primary the client sent may change it.
    const same = list[at] as Json;
    const primary = isJsonObject(item) ? item['primary'] : undefined;
    if (typeof primary === 'boolean' && primary !== (same['primary'] === true)) list[at] = { ...same, primary };
    written.add(list[at]);
  }
  settlePrimary(list, written, ctx.label);
  store(ctx, holder, def, list);
}

/** `name.givenName`: one sub-attribute of a single-valued complex attribute. */
function editSubAttribute(
  ctx: ValueContext,
  holder: Json,
  def: AttributeDefinition,
  sub: AttributeDefinition,
  op: PatchOpName,
  raw: unknown,
): void {
  const current = isJsonObject(holder[def.name]) ? (holder[def.name] as Json) : undefined;
  const value = op === 'remove' ? undefined : coerce(ctx, sub, raw);
  if (value !== undefined) {
    holder[def.name] = { ...current, [sub.name]: value };
    return;
  }
  if (current?.[sub.name] === undefined) return;
  if (sub.required) throw mutability(`"${ctx.label}": required sub-attribute "${sub.name}" cannot be removed`);
  const { [sub.name]: _removed, ...rest } = current;
  store(ctx, holder, def, Object.keys(rest).length > 0 ? rest : undefined);
}

/**
 * RFC 7644 §3.5.2.2–3 with a value filter (`emails[type eq "work"]`, optionally `.value`), or a
 * sub-attribute of a multi-valued attribute without one (`emails.type`: every element). A
 * single-valued complex attribute is treated as a list of zero or one (Entra's
 * `manager[value eq "x"]`).
 */
function editElements(
  ctx: ValueContext,
  holder: Json,
  def: AttributeDefinition,
  filter: ResolvedFilter | undefined,
  sub: AttributeDefinition | undefined,
  op: PatchOpName,
  raw: unknown,
): void {
  const current = holder[def.name];
  const list: unknown[] = def.multiValued ? (Array.isArray(current) ? [...current] : []) : current === undefined ? [] : [current];
  const selected = new Set(list.filter((e) => isJsonObject(e) && (filter === undefined || matchesElement(filter, e))));
  const write = (next: unknown[]) => store(ctx, holder, def, def.multiValued ? next : next[0]);

  if (op === 'remove' || raw === null) {
    // RFC 7644 §3.12 Table 9: noTarget when "path" contains a filter that yields no match.
    if (selected.size === 0 && filter !== undefined) throw noTarget(`"${ctx.label}": no value matches the filter`);
    if (sub === undefined) return write(list.filter((e) => !selected.has(e)));
    if (sub.required) throw mutability(`"${ctx.label}": required sub-attribute "${sub.name}" cannot be removed`);
    const next = list.flatMap((e) => {
      if (!selected.has(e)) return [e];
      const { [sub.name]: _removed, ...rest } = e as Json;
      return Object.keys(rest).length > 0 ? [rest] : [];
    });
    return write(next);
  }

  const elementDef = def.multiValued ? elementOf(def) : def;
  const change = (existing: unknown) => mergeComplex(ctx, elementDef, existing, sub === undefined ? raw : { [sub.name]: raw });
  const written = new Set<unknown>();
  let next: unknown[];
  if (selected.size > 0) {
    next = list.flatMap((e) => {
      if (!selected.has(e)) return [e];
      const changed = change(e);
      if (changed !== undefined) written.add(changed);
      return changed === undefined ? [] : [changed];
    });
  } else {
    // RFC 7644 §3.5.2.3 says noTarget; a filter that spells out the element is created instead.
    const seed = filter === undefined ? {} : seedOf(filter);
    if (seed === undefined || (!def.multiValued && list.length > 0)) {
      throw noTarget(`"${ctx.label}": no value matches the filter`);
    }
    const created = change(seed);
    if (created !== undefined) written.add(created);
    next = created === undefined ? list : [...list, created];
  }
  if (def.multiValued) settlePrimary(next, written, ctx.label);
  write(next);
}

/**
 * Applies one RFC 7644 §3.5.2 add/remove/replace to a document in canonical form, in place: the
 * caller passes its own copy. Values are coerced as POST/PUT coerce them.
 */
export function editDocument(registry: SchemaRegistry, doc: Json, edit: DocumentEdit, rules: ValueRules = {}): void {
  const { attr, filter, subAttribute } = edit.target;
  const ctx: ValueContext = { ...rules, registry, schema: attr.schema, label: edit.label };
  const holder = holderOf(doc, attr.schema, attr.isExtension);
  const def = attr.attribute;
  if (filter === undefined && attr.subAttribute === undefined) editAttribute(ctx, holder, def, edit.op, edit.value);
  else if (filter === undefined && !def.multiValued && attr.subAttribute !== undefined) {
    editSubAttribute(ctx, holder, def, attr.subAttribute, edit.op, edit.value);
  } else editElements(ctx, holder, def, filter, subAttribute ?? attr.subAttribute, edit.op, edit.value);
  if (holder !== doc && Object.keys(holder).length === 0 && attr.schema !== undefined) delete doc[attr.schema];
}
