import { parseDateTime } from '../schema/datetime.ts';
import type { ResolvedAttribute } from '../schema/registry.ts';
import { assertNever, type CompareOp, type ResolvedFilter, type TypedValue } from './ast.ts';
import { compareCodePoints, fold } from './fold.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether some value reached by `path[i..]` from `node` passes `test`. Arrays met on the way, or
 * at the end, are walked element by element: that is the existential rule for multi-valued
 * attributes. null and undefined are absent and never tested.
 */
function some(node: unknown, path: readonly string[], i: number, test: (v: unknown) => boolean): boolean {
  if (Array.isArray(node)) {
    for (const element of node) if (some(element, path, i, test)) return true;
    return false;
  }
  if (node === null || node === undefined) return false;
  if (i === path.length) return test(node);
  return isObject(node) && some(node[path[i]!], path, i + 1, test);
}

/** docs/filtering.md "Present": not null, not "", not [], and a complex value with a present member. */
export function isPresent(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (typeof v === 'object') {
    for (const key in v) if (isPresent((v as Json)[key])) return true;
    return false;
  }
  return true;
}

function ordered(c: number, op: CompareOp): boolean {
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'co':
    case 'sw':
    case 'ew':
      return false;
    default:
      return assertNever(op);
  }
}

function stringMatches(actual: string, op: CompareOp, expected: string): boolean {
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'co':
      return actual.includes(expected);
    case 'sw':
      return actual.startsWith(expected);
    case 'ew':
      return actual.endsWith(expected);
    default:
      return ordered(compareCodePoints(actual, expected), op);
  }
}

/**
 * A test for one stored value, or undefined when the value has the wrong JSON type (absent, as far
 * as the comparison is concerned).
 */
function comparator(attr: ResolvedAttribute, op: CompareOp, value: TypedValue): (v: unknown) => boolean | undefined {
  switch (value.type) {
    case 'string': {
      const exact = attr.leaf.caseExact || attr.leaf.type === 'binary';
      const expected = exact ? value.value : fold(value.value);
      return (v) => (typeof v === 'string' ? stringMatches(exact ? v : fold(v), op, expected) : undefined);
    }
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? (op === 'eq') === (v === value.value) : undefined);
    case 'number':
      return (v) => (typeof v === 'number' ? ordered(v === value.value ? 0 : v < value.value ? -1 : 1, op) : undefined);
    case 'dateTime':
      return (v) => {
        const ms = typeof v === 'string' ? parseDateTime(v) : undefined;
        return ms === undefined ? undefined : ordered(ms - value.epochMs, op);
      };
    case 'null':
      return () => undefined;
    default:
      return assertNever(value);
  }
}

function compare(node: Extract<ResolvedFilter, { kind: 'compare' }>, target: Json, start: number, inElement: boolean): boolean {
  const { attr, op, value } = node;
  if (value.type === 'null') {
    const present = some(target, attr.jsonPath, start, isPresent);
    return op === 'eq' ? !present : present;
  }
  const test = comparator(attr, op, value);
  let seen = false;
  const hit = some(target, attr.jsonPath, start, (v) => {
    const result = test(v);
    if (result === undefined) return false;
    seen = true;
    return result;
  });
  if (hit || op !== 'ne' || seen) return hit;
  // Absent single-valued attribute: `ne` is true; a multi-valued one needs an element to differ.
  const multiValued = inElement ? attr.leaf.multiValued : attr.attribute.multiValued || attr.leaf.multiValued;
  return !multiValued;
}

function evaluate(node: ResolvedFilter, target: Json, inElement: boolean): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, target, inElement) && evaluate(node.right, target, inElement);
    case 'or':
      return evaluate(node.left, target, inElement) || evaluate(node.right, target, inElement);
    case 'not':
      return !evaluate(node.filter, target, inElement);
    case 'present':
      return some(target, node.attr.jsonPath, inElement ? node.attr.jsonPath.length - 1 : 0, isPresent);
    case 'compare':
      return compare(node, target, inElement ? node.attr.jsonPath.length - 1 : 0, inElement);
    case 'valuePath': {
      const inner = node.filter;
      const start = inElement ? node.attr.jsonPath.length - 1 : 0;
      return some(target, node.attr.jsonPath, start, (element) => isObject(element) && evaluate(inner, element, true));
    }
    default:
      return assertNever(node);
  }
}

/**
 * Whether a SCIM resource, in the JSON representation GET returns (canonical attribute names,
 * extension attributes under their schema URN), matches a resolved RFC 7644 §3.4.2.2 filter.
 * The reference implementation of docs/filtering.md: every store must agree with it.
 */
export function evaluateFilter(filter: ResolvedFilter, resource: Record<string, unknown>): boolean {
  return evaluate(filter, resource, false);
}

/**
 * Whether one element of a multi-valued complex attribute matches the inner filter of a valuePath
 * (`type eq "work"` of `emails[type eq "work"]`): how RFC 7644 §3.5.2 PATCH selects its targets.
 * `filter` is `valuePath.filter` of a resolved filter, or `filter` of a resolved PATCH path.
 */
export function matchesElement(filter: ResolvedFilter, element: unknown): boolean {
  return isObject(element) && evaluate(filter, element, true);
}
