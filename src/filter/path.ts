import { invalidFilter, invalidPath } from '../errors/scim-error.ts';
import type { AttrPath, Filter } from './ast.ts';
import { isAttrName, parseAttrPath } from './attr-path.ts';
import { Lexer } from './lexer.ts';
import { DEFAULT_FILTER_LIMITS, type FilterLimits, FilterParser } from './parser.ts';
import { describeToken } from './token.ts';

/**
 * An RFC 7644 §3.5.2 PATCH path: `attrPath` or `valuePath [ "." subAttr ]`.
 * `attr.subAttr` is the dotted sub-attribute of a plain attrPath (`name.givenName`); `subAttr` is
 * the one after a value filter (`emails[type eq "work"].value`).
 */
export interface PatchPath {
  readonly attr: AttrPath;
  readonly filter: Filter | undefined;
  readonly subAttr: string | undefined;
}

/**
 * Parses an RFC 7644 §3.5.2 PATCH `path`. Errors in the path's structure are 400 invalidPath;
 * errors inside the bracketed value filter are 400 invalidFilter, as RFC 7644 §3.12 Table 9 lists
 * invalidFilter for "PATCH (Path Filter)". Details carry the 0-based character offset.
 */
export function parsePatchPath(text: string, limits: Partial<FilterLimits> = DEFAULT_FILTER_LIMITS): PatchPath {
  const maxLength = limits.maxLength ?? DEFAULT_FILTER_LIMITS.maxLength;
  if (text.length > maxLength) throw invalidPath(`path longer than ${maxLength} characters at offset ${maxLength}`);
  const lx = new Lexer(text, invalidPath);
  lx.next();
  if (lx.kind === 'end') throw invalidPath(`empty path at offset ${lx.start}`);
  if (lx.kind !== 'word') throw unexpected(lx, 'an attribute path');
  const attr = parseAttrPath(lx.tokenText(), lx.start, invalidPath);
  const after = lx.next();
  if (after === 'end') return { attr, filter: undefined, subAttr: undefined };
  if (after !== '[') throw unexpected(lx, '"[" or end of path');

  lx.fail = invalidFilter;
  const filter = new FilterParser(lx, limits.maxDepth ?? DEFAULT_FILTER_LIMITS.maxDepth).valueFilter(0);
  lx.fail = invalidPath;
  if (lx.next() === 'end') return { attr, filter, subAttr: undefined };

  // The lexer keeps `.value` as one word because `.` is a word character.
  if (lx.kind === 'word' && text.charCodeAt(lx.start) === 0x2e && isAttrName(text, lx.start + 1, lx.end)) {
    const subAttr = text.slice(lx.start + 1, lx.end);
    if (lx.next() === 'end') return { attr, filter, subAttr };
  }
  throw unexpected(lx, '"." and a sub-attribute name, or end of path');
}

function unexpected(lx: Lexer, what: string) {
  return lx.fail(`expected ${what}, found ${describeToken(lx.kind, lx.tokenText())} at offset ${lx.start}`);
}
