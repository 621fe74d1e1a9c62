import type { CompareOp, FilterLiteral, ResolvedFilter, TypedValue } from '../../src/filter/ast.ts';
import type { AttributeDefinition } from '../../src/schema/attribute.ts';
import { createCoreRegistry, type ResolvedAttribute, type SchemaRegistry } from '../../src/schema/registry.ts';
import type { ResourceTypeName } from '../../src/schema/resource.ts';

/**
 * ResolvedFilter builders for store tests, straight from the registry: the store contract must
 * not depend on the filter parser, so filters are written as trees.
 */
export function filterBuilders(registry: SchemaRegistry = createCoreRegistry()) {
  const attr = (rt: ResourceTypeName, path: string): ResolvedAttribute => {
    let uri: string | undefined;
    let rest = path;
    if (path.toLowerCase().startsWith('urn:')) {
      const cut = path.lastIndexOf(':');
      uri = path.slice(0, cut);
      rest = path.slice(cut + 1);
    }
    const [name, subAttr] = rest.split('.') as [string, string | undefined];
    const resolved = registry.resolve(rt, { ...(uri ? { uri } : {}), name, ...(subAttr ? { subAttr } : {}) });
    if (!resolved) throw new Error(`test filter names unknown attribute ${path}`);
    return resolved;
  };
  const typed = (leaf: AttributeDefinition, value: FilterLiteral): TypedValue => {
    if (value === null) return { type: 'null' };
    if (typeof value === 'boolean') return { type: 'boolean', value };
    if (typeof value === 'number') return { type: 'number', value };
    if (leaf.type === 'dateTime') return { type: 'dateTime', value, epochMs: Date.parse(value) };
    if (leaf.type === 'boolean') return { type: 'boolean', value: value.toLowerCase() === 'true' };
    return { type: 'string', value };
  };
  const cmp = (rt: ResourceTypeName, path: string, op: CompareOp, value: FilterLiteral): ResolvedFilter => {
    const a = attr(rt, path);
    return { kind: 'compare', attr: a, op, value: typed(a.leaf, value) };
  };
  return {
    attr,
    cmp,
    pr: (rt: ResourceTypeName, path: string): ResolvedFilter => ({ kind: 'present', attr: attr(rt, path) }),
    and: (left: ResolvedFilter, right: ResolvedFilter): ResolvedFilter => ({ kind: 'and', left, right }),
    or: (left: ResolvedFilter, right: ResolvedFilter): ResolvedFilter => ({ kind: 'or', left, right }),
    not: (filter: ResolvedFilter): ResolvedFilter => ({ kind: 'not', filter }),
    /** `path[inner]`: inner paths are written relative to `path` (`type`, `value`). */
    valuePath: (
      rt: ResourceTypeName,
      path: string,
      inner: (
        sub: (p: string, op: CompareOp, v: FilterLiteral) => ResolvedFilter,
        present: (p: string) => ResolvedFilter,
      ) => ResolvedFilter,
    ): ResolvedFilter => ({
      kind: 'valuePath',
      attr: attr(rt, path),
      filter: inner(
        (p, op, v) => cmp(rt, `${path}.${p}`, op, v),
        (p) => ({ kind: 'present', attr: attr(rt, `${path}.${p}`) }),
      ),
    }),
  };
}
