import { assertNever, type Filter, type FilterLiteral } from './ast.ts';
import { formatAttrPath } from './attr-path.ts';

function literal(value: FilterLiteral): string {
  // JSON.stringify(-0) is "0", which would parse back as a different number.
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

/** Parenthesises only where the left-associative, and-before-or parse would otherwise differ. */
function operand(node: Filter, parenthesise: boolean): string {
  const text = stringifyFilter(node);
  return parenthesise ? `(${text})` : text;
}

/**
 * Canonical RFC 7644 §3.4.2.2 text of a filter: lower-case operators and keywords, JSON literals,
 * single spaces, the fewest parentheses. parseFilter(stringifyFilter(f)) equals f up to offsets.
 */
export function stringifyFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${formatAttrPath(filter.path)} ${filter.op} ${literal(filter.value)}`;
    case 'present':
      return `${formatAttrPath(filter.path)} pr`;
    case 'and':
      return `${operand(filter.left, filter.left.kind === 'or')} and ${operand(
        filter.right,
        filter.right.kind === 'or' || filter.right.kind === 'and',
      )}`;
    case 'or':
      return `${operand(filter.left, false)} or ${operand(filter.right, filter.right.kind === 'or')}`;
    case 'not':
      return `not (${stringifyFilter(filter.filter)})`;
    case 'valuePath':
      return `${formatAttrPath(filter.path)}[${stringifyFilter(filter.filter)}]`;
    default:
      return assertNever(filter);
  }
}
