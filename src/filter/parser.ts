import { quoteInput } from '../errors/quote.ts';
import { invalidFilter } from '../errors/scim-error.ts';
import { type AttrPath, COMPARE_OPS, type CompareOp, type Filter, type FilterLiteral } from './ast.ts';
import { formatAttrPath, isAttrName, parseAttrPath } from './attr-path.ts';
import { Lexer } from './lexer.ts';
import { describeToken } from './token.ts';

/** Bounds on filter text (docs/filtering.md "Limits"); exceeding one is 400 invalidFilter. */
export interface FilterLimits {
  /** Characters (UTF-16 code units) of filter text. */
  readonly maxLength: number;
  /**
   * Levels of `(…)` and `[…]`. Every later pass recurses over the tree, so keep this small: the
   * limit is what makes deeply nested input an error instead of a stack overflow.
   */
  readonly maxDepth: number;
}

/** The defaults of docs/filtering.md: 4096 characters, 32 levels. */
export const DEFAULT_FILTER_LIMITS: FilterLimits = Object.freeze({ maxLength: 4096, maxDepth: 32 });

/** What a filter's text may hold beyond the RFC 7644 grammar (docs/filtering.md "Unquoted values"). */
export interface FilterSyntax {
  /**
   * An unquoted comparison value that is not `true`, `false`, `null` or a number is read as a
   * string (`userName sw O`, `externalId eq 1a2b-…`, `meta.created gt 2015-10-10T14:38:21Z`: what
   * Entra ID and Microsoft's test collection send), and a number compared with a string attribute
   * as the text it was written as. False: the grammar's quotes are required (400 invalidFilter).
   */
  readonly unquotedValues: boolean;
}

/** RFC 7644's grammar as written: strings are quoted. */
export const RFC_FILTER_SYNTAX: FilterSyntax = Object.freeze({ unquotedValues: false });
/** The grammar and the unquoted values that real clients send. */
export const LENIENT_FILTER_SYNTAX: FilterSyntax = Object.freeze({ unquotedValues: true });

const OPERATORS: ReadonlyMap<string, CompareOp> = new Map(COMPARE_OPS.map((op) => [op, op]));

/**
 * Recursive-descent parser over a streaming {@link Lexer}. Exported for the PATCH path parser,
 * which parses its bracketed filter with {@link FilterParser.valueFilter}; use {@link parseFilter}.
 * Errors are raised through `lexer.fail`, so the caller chooses the scimType.
 */
export class FilterParser {
  readonly #lexer: Lexer;
  readonly #maxDepth: number;
  readonly #unquotedValues: boolean;

  /** `lexer` reads number-like words when `unquotedValues` is set (Lexer.numberLikeWords). */
  constructor(lexer: Lexer, maxDepth: number) {
    this.#lexer = lexer;
    this.#maxDepth = maxDepth;
    this.#unquotedValues = lexer.numberLikeWords;
  }

  /** filter = orExpr; and binds tighter than or, both left-associative. */
  expression(depth: number, inBrackets: boolean): Filter {
    const lx = this.#lexer;
    let left = this.#conjunction(depth, inBrackets);
    while (lx.isWord('or')) {
      lx.next();
      left = { kind: 'or', left, right: this.#conjunction(depth, inBrackets) };
    }
    return left;
  }

  /**
   * `"[" valFilter "]"` with the lexer on `[`. Leaves the lexer on the closing `]`, so that a PATCH
   * path lexes what follows under its own error type.
   */
  valueFilter(depth: number): Filter {
    const lx = this.#lexer;
    const open = lx.start;
    this.#enter(depth, open);
    lx.next();
    const inner = this.expression(depth + 1, true);
    if (lx.kind !== ']') {
      if (lx.kind === 'end') throw lx.fail(`unbalanced bracket at offset ${open}`);
      if (lx.kind === ')') throw lx.fail(`unbalanced parenthesis at offset ${lx.start}`);
      throw this.#expected('"and", "or" or "]"');
    }
    return inner;
  }

  #conjunction(depth: number, inBrackets: boolean): Filter {
    const lx = this.#lexer;
    let left = this.#unary(depth, inBrackets);
    while (lx.isWord('and')) {
      lx.next();
      left = { kind: 'and', left, right: this.#unary(depth, inBrackets) };
    }
    return left;
  }

  #unary(depth: number, inBrackets: boolean): Filter {
    const lx = this.#lexer;
    if (lx.kind === '(') return this.#group(depth, inBrackets);
    if (lx.kind !== 'word') throw this.#expected('an attribute path, "(" or "not"');
    if (lx.isWord('not')) {
      if (lx.next() !== '(') throw this.#expected('"(" after "not"');
      return { kind: 'not', filter: this.#group(depth, inBrackets) };
    }
    return this.#attrExp(depth, inBrackets);
  }

  #group(depth: number, inBrackets: boolean): Filter {
    const lx = this.#lexer;
    const open = lx.start;
    this.#enter(depth, open);
    lx.next();
    const inner = this.expression(depth + 1, inBrackets);
    if (lx.kind !== ')') {
      if (lx.kind === 'end' || lx.kind === ']') throw lx.fail(`unbalanced parenthesis at offset ${open}`);
      throw this.#expected('"and", "or" or ")"');
    }
    lx.next();
    return inner;
  }

  #attrExp(depth: number, inBrackets: boolean): Filter {
    const lx = this.#lexer;
    const path = parseAttrPath(lx.tokenText(), lx.start, lx.fail);
    lx.next();
    if (lx.kind === '[') {
      if (inBrackets) throw lx.fail(`nested value filter at offset ${lx.start}`);
      const filter = this.valueFilter(depth);
      if (lx.next() === 'word' && lx.tokenText().startsWith('.')) return this.#subAttrAfterValueFilter(path, filter);
      return { kind: 'valuePath', path, filter };
    }
    return this.#comparison(path);
  }

  /**
   * `emails[type eq "work"].value eq "x"`: not in the RFC 7644 ABNF, but what Entra sends when the
   * matching attribute is the work email (Microsoft's tutorial). Read as
   * `emails[type eq "work" and value eq "x"]`, which is what it means.
   */
  #subAttrAfterValueFilter(path: AttrPath, filter: Filter): Filter {
    const lx = this.#lexer;
    const text = lx.tokenText();
    if (!isAttrName(text, 1)) throw lx.fail(`invalid sub-attribute ${quoteInput(text)} at offset ${lx.start}`);
    const sub: AttrPath = { uri: undefined, name: text.slice(1), subAttr: undefined, offset: lx.start + 1 };
    lx.next();
    return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right: this.#comparison(sub) } };
  }

  #comparison(path: AttrPath): Filter {
    const lx = this.#lexer;
    if (lx.kind !== 'word') throw this.#expected(`an operator after ${quoteInput(formatAttrPath(path))}`);
    const written = lx.tokenText();
    const lower = written.toLowerCase();
    if (lower === 'pr') {
      lx.next();
      return { kind: 'present', path };
    }
    const op = OPERATORS.get(lower);
    if (op === undefined) throw lx.fail(`unknown operator ${quoteInput(written)} at offset ${lx.start}`);
    const numberText = lx.next() === 'number' && this.#unquotedValues ? lx.tokenText() : undefined;
    const value = this.#literal();
    return numberText === undefined ? { kind: 'compare', path, op, value } : { kind: 'compare', path, op, value, numberText };
  }

  #literal(): FilterLiteral {
    const lx = this.#lexer;
    let value: FilterLiteral;
    if (lx.kind === 'string' || lx.kind === 'number') value = lx.value;
    else if (lx.isWord('true')) value = true;
    else if (lx.isWord('false')) value = false;
    else if (lx.isWord('null')) value = null;
    else if (this.#unquotedValues && lx.kind === 'word') value = lx.tokenText();
    else throw lx.fail(`expected a quoted string, number, true, false or null at offset ${lx.start}`);
    lx.next();
    return value;
  }

  #enter(depth: number, offset: number): void {
    if (depth >= this.#maxDepth) {
      throw this.#lexer.fail(`filter nested deeper than ${this.#maxDepth} levels at offset ${offset}`);
    }
  }

  #expected(what: string) {
    const lx = this.#lexer;
    return lx.fail(`expected ${what}, found ${describeToken(lx.kind, lx.tokenText())} at offset ${lx.start}`);
  }
}

/** Completes a parse: anything left over is a stray closer or a missing `and`/`or`. */
function expectEnd(lx: Lexer): void {
  if (lx.kind === 'end') return;
  if (lx.kind === ')') throw lx.fail(`unbalanced parenthesis at offset ${lx.start}`);
  if (lx.kind === ']') throw lx.fail(`unbalanced bracket at offset ${lx.start}`);
  throw lx.fail(`expected "and", "or" or end of input, found ${describeToken(lx.kind, lx.tokenText())} at offset ${lx.start}`);
}

/**
 * Parses an RFC 7644 §3.4.2.2 filter (Figure 1 grammar, and what `syntax` allows beyond it) into a
 * {@link Filter}. Names are not resolved here (see resolveFilter). Every error is a ScimError 400
 * invalidFilter whose detail names the problem and its 0-based character offset.
 */
export function parseFilter(
  text: string,
  limits: Partial<FilterLimits> = DEFAULT_FILTER_LIMITS,
  syntax: FilterSyntax = RFC_FILTER_SYNTAX,
): Filter {
  const maxLength = limits.maxLength ?? DEFAULT_FILTER_LIMITS.maxLength;
  if (text.length > maxLength) {
    throw invalidFilter(`filter longer than ${maxLength} characters at offset ${maxLength}`);
  }
  const lx = new Lexer(text, invalidFilter, syntax.unquotedValues);
  lx.next();
  if (lx.kind === 'end') throw invalidFilter(`empty filter at offset ${lx.start}`);
  const filter = new FilterParser(lx, limits.maxDepth ?? DEFAULT_FILTER_LIMITS.maxDepth).expression(0, false);
  expectEnd(lx);
  return filter;
}
