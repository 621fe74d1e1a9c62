import { fold } from '../../filter/fold.ts';
import type { AttributeDefinition } from '../../schema/attribute.ts';
import { USER_SCHEMA, USER_SCHEMA_ID } from '../../schema/core/user.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';

/**
 * The values index (`resource_values`): one row per element of the User multi-valued attributes
 * that clients look users up by (emails, phoneNumbers, ims, photos, entitlements, roles), holding
 * the element's `value` and `type`, folded when the sub-attribute is not caseExact. It exists so
 * that `emails.value eq "x"` and `emails[type eq "work" and value eq "x"]` are B-tree lookups
 * (tenant, attr, value) instead of a json_each scan of every document. It is rewritten with the
 * document on every write, in the same transaction; other sub-attributes (primary, display) and
 * element presence are read from the document.
 */
export interface IndexedAttribute {
  readonly name: string;
  /** Indexed sub-attributes: name → column of resource_values. */
  readonly columns: ReadonlyMap<string, { readonly column: 'value' | 'type'; readonly caseExact: boolean }>;
}

function indexable(def: AttributeDefinition): IndexedAttribute | undefined {
  if (!def.multiValued || def.type !== 'complex' || def.mutability === 'readOnly') return undefined;
  const value = def.subAttributes?.find((s) => s.name === 'value');
  const type = def.subAttributes?.find((s) => s.name === 'type');
  if (!value || !type || (value.type !== 'string' && value.type !== 'reference')) return undefined;
  return {
    name: def.name,
    columns: new Map([
      ['value', { column: 'value', caseExact: value.caseExact }],
      ['type', { column: 'type', caseExact: type.caseExact }],
    ]),
  };
}

const USER_INDEXED: ReadonlyMap<string, IndexedAttribute> = new Map(
  USER_SCHEMA.attributes.flatMap((def) => {
    const indexed = indexable(def);
    return indexed ? [[def.name, indexed] as const] : [];
  }),
);

export function indexedAttribute(
  resourceType: ResourceTypeName,
  schema: string | undefined,
  attribute: AttributeDefinition,
): IndexedAttribute | undefined {
  if (resourceType !== 'User' || schema !== USER_SCHEMA_ID) return undefined;
  const indexed = USER_INDEXED.get(attribute.name);
  // Guard against a registry whose definition differs from the one the rows were written with.
  if (!indexed) return undefined;
  for (const [sub, { caseExact }] of indexed.columns) {
    if (attribute.subAttributes?.find((s) => s.name === sub)?.caseExact !== caseExact) return undefined;
  }
  return indexed;
}

/** The scalar as the filter compiler reads it from JSON (json_extract: booleans are 1/0). */
function indexValue(value: unknown, caseExact: boolean): string | number | null {
  if (typeof value === 'string') return caseExact ? value : fold(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

export interface ValueRow {
  readonly attr: string;
  readonly idx: number;
  readonly value: string | number | null;
  readonly type: string | number | null;
}

/** The index rows of a document; only object elements, as the compiler only matches those. */
export function valueRows(resourceType: ResourceTypeName, doc: Readonly<Record<string, unknown>>): ValueRow[] {
  if (resourceType !== 'User') return [];
  const rows: ValueRow[] = [];
  for (const indexed of USER_INDEXED.values()) {
    const elements = doc[indexed.name];
    if (!Array.isArray(elements)) continue;
    const valueCol = indexed.columns.get('value')!;
    const typeCol = indexed.columns.get('type')!;
    elements.forEach((element: unknown, idx) => {
      if (typeof element !== 'object' || element === null || Array.isArray(element)) return;
      const e = element as Record<string, unknown>;
      rows.push({
        attr: indexed.name,
        idx,
        value: indexValue(e['value'], valueCol.caseExact),
        type: indexValue(e['type'], typeCol.caseExact),
      });
    });
  }
  return rows;
}
