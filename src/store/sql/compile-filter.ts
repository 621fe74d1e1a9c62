import { invalidFilter } from '../../errors/scim-error.ts';
import { assertNever, type CompareOp, type ResolvedFilter, type TypedValue } from '../../filter/ast.ts';
import { fold } from '../../filter/fold.ts';
import type { AttributeDefinition } from '../../schema/attribute.ts';
import type { ResolvedAttribute } from '../../schema/registry.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import type { ScalarKind, SqlDialect } from './dialect.ts';
import { raw, type Sql, sql } from './fragment.ts';
import { type ElementView, type Loc, type LocateScope, type Location, locate, type Needs } from './locate.ts';

/**
 * ResolvedFilter → a boolean SQL expression over the resource row `r`, to the rules of
 * docs/filtering.md. Every predicate it emits is two-valued (NULL is folded to false before any
 * NOT can see it), so `not` is plain negation, exactly as in the in-memory evaluator.
 */
export interface FilterScope {
  readonly dialect: SqlDialect;
  readonly tenantId: string;
  readonly resourceType: ResourceTypeName;
  /**
   * Where the attributes live, for rows that are not resources (a GroupMember is a row of the
   * membership table, src/store/sql/group-members.ts); absent: a resource row's (locate.ts).
   */
  readonly locate?: (scope: LocateScope, attr: ResolvedAttribute) => Location;
}

export function compileFilter(filter: ResolvedFilter, scope: FilterScope): Sql {
  return new FilterCompiler(scope).top(filter);
}

const SQL_OP: Readonly<Record<'gt' | 'ge' | 'lt' | 'le', string>> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

/** The smallest string greater than every string starting with `prefix` (code point order). */
export function prefixUpperBound(prefix: string): string | undefined {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate block: those code points cannot appear in a valid string.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return chars.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** The compiler is its own LocateScope: one object per filter, no scope copied per compile. */
class FilterCompiler implements LocateScope {
  readonly dialect: SqlDialect;
  readonly tenantId: string;
  readonly resourceType: ResourceTypeName;
  readonly #locate: (scope: LocateScope, attr: ResolvedAttribute) => Location;
  #aliases = 0;

  constructor(scope: FilterScope) {
    this.dialect = scope.dialect;
    this.tenantId = scope.tenantId;
    this.resourceType = scope.resourceType;
    this.#locate = scope.locate ?? locate;
  }

  alias(prefix: string): string {
    return `${prefix}${++this.#aliases}`;
  }

  top(node: ResolvedFilter): Sql {
    switch (node.kind) {
      case 'and':
        return sql`(${this.top(node.left)} AND ${this.top(node.right)})`;
      case 'or':
        return sql`(${this.top(node.left)} OR ${this.top(node.right)})`;
      case 'not':
        return sql`(NOT ${this.top(node.filter)})`;
      case 'present':
        return this.#presentTop(node.attr);
      case 'compare':
        return this.#compareTop(node.attr, node.op, node.value);
      case 'valuePath':
        return this.#valuePath(node.attr, node.filter);
      default:
        return assertNever(node);
    }
  }

  #presentTop(attr: ResolvedAttribute): Sql {
    const location = this.#locate(this, attr);
    switch (location.kind) {
      case 'scalar':
        return location.loc.present;
      case 'complex':
        return this.dialect.jsonPresent(raw('r.doc'), location.path);
      case 'multi': {
        const sub = attr.subAttribute;
        const source = location.source({ subs: new Set(sub ? [sub.name] : []), elementPresence: !sub });
        return source.some((view) => (sub ? this.#sub(view, sub).present : this.#elementPresent(view)));
      }
      default:
        return assertNever(location);
    }
  }

  #compareTop(attr: ResolvedAttribute, op: CompareOp, value: TypedValue): Sql {
    // "eq null" / "ne null" are (not) present, for the attribute as a whole (docs/filtering.md).
    if (value.type === 'null') return this.#nullCompare(this.#presentTop(attr), op);
    const location = this.#locate(this, attr);
    switch (location.kind) {
      case 'scalar':
        return this.#compare(location.loc, attr.leaf, op, value);
      case 'complex': {
        const valueDef = this.#valueSubAttribute(attr.attribute);
        return this.#compare({ ...this.#jsonLocAt([...location.path, valueDef.name]) }, valueDef, op, value);
      }
      case 'multi': {
        const sub = attr.subAttribute ?? (attr.attribute.type === 'complex' ? this.#valueSubAttribute(attr.attribute) : undefined);
        const source = location.source({ subs: new Set(sub ? [sub.name] : []), elementPresence: false });
        return source.some((view) => {
          const loc = sub ? this.#sub(view, sub) : this.#self(view, attr);
          const compared = this.#compare(loc, sub ?? attr.leaf, op, value);
          // Outside brackets, `emails.type ne "work"` needs an element that HAS another type
          // (docs/filtering.md, multi-valued); an element without the sub-attribute is no witness.
          return op === 'ne' ? sql`(${loc.value(scalarKind(sub ?? attr.leaf))} IS NOT NULL AND ${compared})` : compared;
        });
      }
      default:
        return assertNever(location);
    }
  }

  #valuePath(attr: ResolvedAttribute, inner: ResolvedFilter): Sql {
    const location = this.#locate(this, attr);
    if (location.kind === 'scalar') throw invalidFilter(`${attr.attribute.name} has no sub-attributes to filter on`);
    if (location.kind === 'complex') {
      const view: ElementView = {
        sub: (def) => this.#jsonLocAt([...location.path, def.name]),
        self: undefined,
        present: this.dialect.jsonPresent(raw('r.doc'), location.path),
      };
      return sql`(${this.dialect.jsonIsObject(raw('r.doc'), location.path)} AND ${this.#element(inner, view)})`;
    }
    return location.source(needsOf(inner)).some((view) => this.#element(inner, view));
  }

  /** The inner filter of a value path, for one element. */
  #element(node: ResolvedFilter, view: ElementView): Sql {
    switch (node.kind) {
      case 'and':
        return sql`(${this.#element(node.left, view)} AND ${this.#element(node.right, view)})`;
      case 'or':
        return sql`(${this.#element(node.left, view)} OR ${this.#element(node.right, view)})`;
      case 'not':
        return sql`(NOT ${this.#element(node.filter, view)})`;
      case 'present':
        return node.attr.subAttribute ? this.#sub(view, node.attr.subAttribute).present : this.#elementPresent(view);
      case 'compare': {
        const sub = node.attr.subAttribute;
        const loc = sub ? this.#sub(view, sub) : this.#self(view, node.attr);
        if (node.value.type === 'null') return this.#nullCompare(loc.present, node.op);
        return this.#compare(loc, sub ?? node.attr.leaf, node.op, node.value);
      }
      case 'valuePath':
        throw invalidFilter('a value filter cannot contain another value filter');
      default:
        return assertNever(node);
    }
  }

  #nullCompare(present: Sql, op: CompareOp): Sql {
    if (op === 'eq') return sql`(NOT ${present})`;
    if (op === 'ne') return present;
    throw invalidFilter(`null can only be compared with eq or ne, not ${op}`);
  }

  #compare(loc: Loc, leaf: AttributeDefinition, op: CompareOp, value: TypedValue): Sql {
    const d = this.dialect;
    // Comparisons against a bound (never NULL) value are NULL only when the stored side is. On a
    // column, `p AND col IS NOT NULL` is two-valued and leaves `col = ?` visible to the planner,
    // which coalesce(p, 0) would hide from the index.
    const truth = (pred: Sql): Sql =>
      loc.notNull ? pred : loc.column ? sql`(${pred} AND ${loc.value('string')} IS NOT NULL)` : d.isTrue(pred);
    if (op === 'ne') return sql`(NOT ${this.#compare(loc, leaf, 'eq', value)})`;
    switch (leaf.type) {
      case 'boolean': {
        if (value.type !== 'boolean') throw mismatch(leaf, value);
        if (op !== 'eq') throw invalidFilter(`${leaf.name} is boolean: only eq, ne and pr apply`);
        return loc.isBoolean ? loc.isBoolean(value.value) : truth(sql`${loc.value('number')} = ${value.value ? 1 : 0}`);
      }
      case 'integer':
      case 'decimal': {
        if (value.type !== 'number') throw mismatch(leaf, value);
        return truth(sql`${loc.value('number')} ${raw(ordering(leaf, op))} ${value.value}`);
      }
      case 'dateTime': {
        if (value.type !== 'dateTime') throw mismatch(leaf, value);
        const instant = loc.instant ?? d.instant(loc.value('dateTime'));
        return truth(sql`${instant} ${raw(ordering(leaf, op))} ${value.epochMs}`);
      }
      case 'binary':
      case 'string':
      case 'reference': {
        if (value.type !== 'string') throw mismatch(leaf, value);
        // binary is compared exactly whatever its caseExact says (docs/filtering.md).
        const exact = leaf.caseExact || leaf.type === 'binary';
        const stored = loc.value('string');
        const lhs = exact || loc.folded ? stored : d.fold(stored);
        const rhs = exact ? value.value : fold(value.value);
        if (leaf.type === 'binary' && op !== 'eq') throw invalidFilter(`${leaf.name} is binary: only eq, ne and pr apply`);
        const nul = d.textHoldsNul === false ? rhs.indexOf('\u0000') : -1;
        if (nul >= 0) return this.#compareNul(lhs, op, rhs.slice(0, nul), truth);
        switch (op) {
          case 'eq':
            return truth(sql`${lhs} = ${rhs}`);
          case 'co':
            return truth(d.contains(lhs, rhs));
          case 'sw': {
            const test = truth(d.startsWith(lhs, rhs));
            const upper = prefixUpperBound(rhs);
            // The range is implied by the exact test; it is there so the planner can seek the index.
            return loc.rangeIndexed && upper !== undefined ? sql`(${lhs} >= ${rhs} AND ${lhs} < ${upper} AND ${test})` : test;
          }
          case 'ew':
            return truth(d.endsWith(lhs, rhs));
          case 'gt':
          case 'ge':
          case 'lt':
          case 'le':
            return truth(sql`${lhs} ${raw(SQL_OP[op])} ${rhs}`);
          default:
            return assertNever(op);
        }
      }
      case 'complex':
        throw invalidFilter(`${leaf.name} is complex: compare one of its sub-attributes`);
      default:
        return assertNever(leaf.type);
    }
  }

  /**
   * A needle holding U+0000 on an engine whose text cannot hold one, so no stored value does
   * either: equality and substring tests are false, and for a NUL-free s and needle = p + NUL + …,
   * s > needle ⟺ s ≥ needle ⟺ s > p, and s < needle ⟺ s ≤ needle ⟺ s ≤ p (code point order).
   */
  #compareNul(lhs: Sql, op: CompareOp, prefix: string, truth: (pred: Sql) => Sql): Sql {
    switch (op) {
      case 'eq':
      case 'co':
      case 'sw':
      case 'ew':
        return this.dialect.false;
      case 'gt':
      case 'ge':
        return truth(sql`${lhs} > ${prefix}`);
      case 'lt':
      case 'le':
        return truth(sql`${lhs} <= ${prefix}`);
      case 'ne':
        throw new Error('ne is compiled as not eq');
      default:
        return assertNever(op);
    }
  }

  #jsonLocAt(path: readonly string[]): Loc {
    const d = this.dialect;
    const doc = raw('r.doc');
    return {
      value: (kind) => d.jsonScalar(doc, path, kind),
      folded: false,
      present: d.jsonPresent(doc, path),
      isBoolean: (value) => d.jsonIsBoolean(doc, path, value),
    };
  }

  #valueSubAttribute(attribute: AttributeDefinition): AttributeDefinition {
    const value = attribute.subAttributes?.find((s) => s.name === 'value');
    if (!value) throw invalidFilter(`${attribute.name} is complex and has no value sub-attribute to compare`);
    return value;
  }

  #sub(view: ElementView, def: AttributeDefinition): Loc {
    const loc = view.sub(def);
    if (!loc) throw new Error(`element source cannot read ${def.name}`);
    return loc;
  }

  #self(view: ElementView, attr: ResolvedAttribute): Loc {
    if (!view.self) throw invalidFilter(`${attr.attribute.name} needs a sub-attribute here`);
    return view.self;
  }

  #elementPresent(view: ElementView): Sql {
    if (!view.present) throw new Error('element source cannot test presence');
    return view.present;
  }
}

/** How to read a stored value of this definition (a typed dialect reads other JSON types as NULL). */
function scalarKind(leaf: AttributeDefinition): ScalarKind {
  switch (leaf.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'decimal':
      return 'number';
    case 'dateTime':
      return 'dateTime';
    default:
      return 'string';
  }
}

function ordering(leaf: AttributeDefinition, op: CompareOp): string {
  if (op === 'eq') return '=';
  if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`${op} does not apply to ${leaf.type} attribute ${leaf.name}`);
  if (op === 'ne') throw new Error('ne is compiled as not eq');
  return SQL_OP[op];
}

function mismatch(leaf: AttributeDefinition, value: TypedValue): Error {
  return invalidFilter(`${leaf.name} is ${leaf.type}; a ${value.type} value cannot be compared with it`);
}

/** The sub-attributes a value filter reads, and whether it tests elements for presence. */
function needsOf(node: ResolvedFilter): Needs {
  const subs = new Set<string>();
  let elementPresence = false;
  const walk = (n: ResolvedFilter): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        walk(n.left);
        walk(n.right);
        return;
      case 'not':
        walk(n.filter);
        return;
      case 'present':
      case 'compare':
        if (n.attr.subAttribute) subs.add(n.attr.subAttribute.name);
        else elementPresence = true;
        return;
      case 'valuePath':
        return;
      default:
        assertNever(n);
    }
  };
  walk(node);
  return { subs, elementPresence };
}
