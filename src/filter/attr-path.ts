import { quoteInput } from '../errors/quote.ts';
import type { AttrPath } from './ast.ts';
import type { ErrorFactory } from './lexer.ts';

const isAlpha = (c: number) => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isNameChar = (c: number) => isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;

/**
 * RFC 7644 §3.10 ATTRNAME = ALPHA *(nameChar), widened to a leading `$` for RFC 7643's `$ref`.
 */
export function isAttrName(s: string, from = 0, to = s.length): boolean {
  let i = from;
  if (i < to && s.charCodeAt(i) === 0x24) i++;
  if (i >= to || !isAlpha(s.charCodeAt(i))) return false;
  for (i++; i < to; i++) if (!isNameChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Splits one word into RFC 7644 §3.10 `[URI ":"] ATTRNAME ["." subAttr]`. The URI is everything
 * up to the LAST colon: schema URNs contain dots (`…:enterprise:2.0:User`), so only the text after
 * the last colon is split on `.`.
 */
export function parseAttrPath(word: string, offset: number, fail: ErrorFactory): AttrPath {
  const colon = word.lastIndexOf(':');
  const nameStart = colon + 1;
  const dot = word.indexOf('.', nameStart);
  const nameEnd = dot < 0 ? word.length : dot;
  const ok =
    (colon < 0 || isAlpha(word.charCodeAt(0))) &&
    isAttrName(word, nameStart, nameEnd) &&
    (dot < 0 || isAttrName(word, dot + 1, word.length));
  if (!ok) throw fail(`invalid attribute path ${quoteInput(word)} at offset ${offset}`);
  return {
    uri: colon < 0 ? undefined : word.slice(0, colon),
    name: colon < 0 && dot < 0 ? word : word.slice(nameStart, nameEnd),
    subAttr: dot < 0 ? undefined : word.slice(dot + 1),
    offset,
  };
}

/** The canonical text of an attribute path: `[uri:]name[.subAttr]`. */
export function formatAttrPath(path: {
  readonly uri: string | undefined;
  readonly name: string;
  readonly subAttr: string | undefined;
}): string {
  const qualified = path.uri === undefined ? path.name : `${path.uri}:${path.name}`;
  return path.subAttr === undefined ? qualified : `${qualified}.${path.subAttr}`;
}
