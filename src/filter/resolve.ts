import { quoteInput } from '../errors/quote.ts';
import { invalidFilter, invalidPath } from '../errors/scim-error.ts';
import type { AttributeDefinition } from '../schema/attribute.ts';
import { parseDateTime } from '../schema/datetime.ts';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/registry.ts';
import {
  type AttrPath,
  assertNever,
  type CompareOp,
  type Filter,
  type FilterLiteral,
  type ResolvedFilter,
  type TypedValue,
} from './ast.ts';
import { formatAttrPath } from './attr-path.ts';
import type { PatchPath } from './path.ts';

interface Scope {
  readonly registry: SchemaRegistry;
  readonly resourceType: string;
  /** The attribute of the enclosing valuePath, whose sub-attributes the inner names are. */
  readonly parent: AttrPath | undefined;
}

const at = (path: AttrPath) => `${quoteInput(formatAttrPath(path))} at offset ${path.offset}`;

function lookup(path: AttrPath, scope: Scope): ResolvedAttribute {
  const { registry, resourceType, parent } = scope;
  if (parent === undefined) {
    const resolved = registry.resolve(resourceType, path);
    if (resolved === undefined) throw invalidFilter(`unknown attribute ${at(path)}`);
    return resolved;
  }
  const resolved =
    path.uri === undefined && path.subAttr === undefined
      ? registry.resolve(resourceType, { uri: parent.uri, name: parent.name, subAttr: path.name })
      : undefined;
  if (resolved === undefined) {
    throw invalidFilter(`unknown sub-attribute of ${quoteInput(formatAttrPath(parent))}: ${at(path)}`);
  }
  return resolved;
}

/** A comparison on a complex attribute compares its `value` sub-attribute (docs/filtering.md). */
function comparable(attr: ResolvedAttribute, path: AttrPath, registry: SchemaRegistry): ResolvedAttribute {
  if (attr.leaf.type !== 'complex') return attr;
  const value = attr.subAttribute === undefined ? registry.subAttribute(attr.attribute, 'value') : undefined;
  if (value === undefined) throw invalidFilter(`complex attribute without a "value" sub-attribute cannot be compared: ${at(path)}`);
  return { ...attr, subAttribute: value, leaf: value, jsonPath: [...attr.jsonPath, value.name] } satisfies ResolvedAttribute;
}

const ORDERING: ReadonlySet<CompareOp> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const EQUALITY: ReadonlySet<CompareOp> = new Set(['eq', 'ne']);

function allowedOps(leaf: AttributeDefinition): ReadonlySet<CompareOp> | undefined {
  switch (leaf.type) {
    case 'string':
    case 'reference':
      return undefined;
    case 'boolean':
    case 'binary':
      return EQUALITY;
    case 'integer':
    case 'decimal':
    case 'dateTime':
      return ORDERING;
    case 'complex':
      return EQUALITY;
    default:
      return assertNever(leaf.type);
  }
}

function typed(leaf: AttributeDefinition, op: CompareOp, value: FilterLiteral, path: AttrPath, numberText: string | undefined): TypedValue {
  const ops = allowedOps(leaf);
  if (ops !== undefined && !ops.has(op)) {
    throw invalidFilter(`operator "${op}" is not allowed on ${leaf.type} attribute ${at(path)}`);
  }
  if (value === null) {
    if (!EQUALITY.has(op)) throw invalidFilter(`operator "${op}" cannot compare with null: ${at(path)}`);
    return { type: 'null' };
  }
  const wrong = () => invalidFilter(`${leaf.type} attribute cannot be compared with ${quoteInput(value)}: ${at(path)}`);
  switch (leaf.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value === 'string') return { type: 'string', value };
      // An unquoted number read leniently (FilterSyntax): Entra's `externalId eq 12345`.
      if (numberText !== undefined) return { type: 'string', value: numberText };
      throw wrong();
    case 'boolean':
      if (typeof value === 'boolean') return { type: 'boolean', value };
      // Entra ID sends `active eq "True"`.
      if (typeof value === 'string') {
        const lower = value.toLowerCase();
        if (lower === 'true' || lower === 'false') return { type: 'boolean', value: lower === 'true' };
      }
      throw wrong();
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number') throw wrong();
      return { type: 'number', value };
    case 'dateTime': {
      const epochMs = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (epochMs === undefined) throw invalidFilter(`${quoteInput(value)} is not an xsd:dateTime, for ${at(path)}`);
      return { type: 'dateTime', value: value as string, epochMs };
    }
    case 'complex':
      throw wrong();
    default:
      return assertNever(leaf.type);
  }
}

function resolveNode(node: Filter, scope: Scope): ResolvedFilter {
  switch (node.kind) {
    case 'compare': {
      const attr = comparable(lookup(node.path, scope), node.path, scope.registry);
      return { kind: 'compare', attr, op: node.op, value: typed(attr.leaf, node.op, node.value, node.path, node.numberText) };
    }
    case 'present':
      return { kind: 'present', attr: lookup(node.path, scope) };
    case 'and':
    case 'or':
      return { kind: node.kind, left: resolveNode(node.left, scope), right: resolveNode(node.right, scope) };
    case 'not':
      return { kind: 'not', filter: resolveNode(node.filter, scope) };
    case 'valuePath': {
      if (scope.parent !== undefined) throw invalidFilter(`nested value filter at offset ${node.path.offset}`);
      const attr = lookup(node.path, scope);
      if (attr.subAttribute !== undefined || attr.attribute.type !== 'complex') {
        throw invalidFilter(`value filter on an attribute that is not complex: ${at(node.path)}`);
      }
      return { kind: 'valuePath', attr, filter: resolveNode(node.filter, { ...scope, parent: node.path }) };
    }
    default:
      return assertNever(node);
  }
}

/**
 * Resolves a parsed RFC 7644 §3.4.2.2 filter against a resource type's schemas: names to
 * definitions, literals to typed values, operators checked against attribute types, following
 * docs/filtering.md. Every error is ScimError 400 invalidFilter naming the attribute and offset.
 */
export function resolveFilter(filter: Filter, registry: SchemaRegistry, resourceType: string): ResolvedFilter {
  return resolveNode(filter, { registry, resourceType, parent: undefined });
}

/** An RFC 7644 §3.5.2 PATCH path resolved against a resource type. */
export interface ResolvedPatchPath {
  /** The attribute named, with its sub-attribute for a plain `name.givenName`. */
  readonly attr: ResolvedAttribute;
  /** The value filter selecting elements of `attr` (match them with matchesElement). */
  readonly filter: ResolvedFilter | undefined;
  /** The sub-attribute after a value filter: `.value` in `emails[type eq "work"].value`. */
  readonly subAttribute: AttributeDefinition | undefined;
}

/**
 * Resolves a parsed RFC 7644 §3.5.2 PATCH path. Unknown attributes and filters on attributes that
 * are not complex are 400 invalidPath; problems inside the value filter are 400 invalidFilter.
 */
export function resolvePatchPath(path: PatchPath, registry: SchemaRegistry, resourceType: string): ResolvedPatchPath {
  const attr = registry.resolve(resourceType, path.attr);
  if (attr === undefined) throw invalidPath(`unknown attribute ${at(path.attr)}`);
  if (path.filter === undefined) return { attr, filter: undefined, subAttribute: undefined };
  if (attr.subAttribute !== undefined || attr.attribute.type !== 'complex') {
    throw invalidPath(`value filter on an attribute that is not complex: ${at(path.attr)}`);
  }
  const filter = resolveNode(path.filter, { registry, resourceType, parent: path.attr });
  if (path.subAttr === undefined) return { attr, filter, subAttribute: undefined };
  const subAttribute = registry.subAttribute(attr.attribute, path.subAttr);
  if (subAttribute === undefined) {
    throw invalidPath(`unknown sub-attribute ${quoteInput(path.subAttr)} of ${at(path.attr)}`);
  }
  return { attr, filter, subAttribute };
}
