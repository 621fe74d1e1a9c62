import { quoteInput } from '../errors/quote.ts';
import { invalidFilter, type ScimError } from '../errors/scim-error.ts';
import { hasLoneSurrogate } from '../schema/unicode.ts';
import type { Token, TokenKind } from './token.ts';

/** Builds the error a syntax problem raises: invalidFilter for filters, invalidPath for PATCH paths. */
export type ErrorFactory = (detail: string) => ScimError;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const isDigit = (c: number) => c >= ZERO && c <= NINE;

/**
 * A word runs until whitespace, a control character, a quote or a bracket. Words are deliberately
 * wide (`1=1`, `'x'`, `urn:…:2.0:User:manager.value` are single words) so that garbage surfaces
 * as one clearly named token, and attribute paths are checked by the parser.
 */
export const isWordChar = (c: number): boolean =>
  c > SPACE && c !== QUOTE && c !== 0x28 && c !== 0x29 && c !== 0x5b && c !== 0x5d && c !== 0x7f;

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Streaming lexer for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths. It holds one current
 * token in mutable fields instead of allocating token objects: the parser runs on every list
 * request, and `userName eq "…"` should cost three scans and one slice per token.
 */
export class Lexer {
  readonly source: string;
  /** Swappable so that a PATCH path can report its bracketed filter as invalidFilter. */
  fail: ErrorFactory;
  kind: TokenKind = 'end';
  /** Offset of the current token's first character. */
  start = 0;
  /** Offset just past the current token. */
  end = 0;
  /** Decoded value of the current `string` or `number` token. */
  value: string | number = '';
  /**
   * Whether a token that starts like a number but is not one (`2015-10-10T14:38:21Z`,
   * `1a2b-…`) is a word, for a parser that reads unquoted values (FilterSyntax); otherwise it is
   * an invalid number.
   */
  readonly numberLikeWords: boolean;

  constructor(source: string, fail: ErrorFactory = invalidFilter, numberLikeWords = false) {
    this.source = source;
    this.fail = fail;
    this.numberLikeWords = numberLikeWords;
  }

  /** The source text of the current token. */
  tokenText(): string {
    return this.source.slice(this.start, this.end);
  }

  /** Whether the current token is the word `lower` (ASCII letters, given in lower case), in any case. */
  isWord(lower: string): boolean {
    if (this.kind !== 'word' || this.end - this.start !== lower.length) return false;
    for (let k = 0; k < lower.length; k++) {
      if ((this.source.charCodeAt(this.start + k) | 0x20) !== lower.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Advances to the next token and returns its kind. */
  next(): TokenKind {
    const text = this.source;
    const n = text.length;
    let i = this.end;
    let c = 0;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c !== SPACE && c !== TAB && c !== LF && c !== CR) break;
      i++;
    }
    this.start = i;
    if (i >= n) {
      this.kind = 'end';
      this.end = n;
      return this.kind;
    }
    switch (c) {
      case 0x28:
        this.#punct('(', i);
        return this.kind;
      case 0x29:
        this.#punct(')', i);
        return this.kind;
      case 0x5b:
        this.#punct('[', i);
        return this.kind;
      case 0x5d:
        this.#punct(']', i);
        return this.kind;
      case QUOTE:
        this.#string(i);
        return this.kind;
    }
    if (c === MINUS || isDigit(c)) this.#number(i);
    else if (isWordChar(c)) this.#word(i);
    else {
      throw this.fail(`unexpected character U+${c.toString(16).toUpperCase().padStart(4, '0')} at offset ${i}`);
    }
    return this.kind;
  }

  #punct(kind: TokenKind, i: number): void {
    this.kind = kind;
    this.end = i + 1;
  }

  #word(i: number): void {
    const text = this.source;
    const n = text.length;
    let j = i + 1;
    while (j < n && isWordChar(text.charCodeAt(j))) j++;
    this.kind = 'word';
    this.end = j;
  }

  /** RFC 8259 §6 number grammar. */
  #number(start: number): void {
    const text = this.source;
    const n = text.length;
    let i = start;
    let ok = true;
    if (text.charCodeAt(i) === MINUS) i++;
    if (i < n && text.charCodeAt(i) === ZERO) i++;
    else if (i < n && isDigit(text.charCodeAt(i))) while (i < n && isDigit(text.charCodeAt(i))) i++;
    else ok = false;
    if (ok && i < n && text.charCodeAt(i) === DOT) {
      i++;
      if (i < n && isDigit(text.charCodeAt(i))) while (i < n && isDigit(text.charCodeAt(i))) i++;
      else ok = false;
    }
    if (ok && i < n && (text.charCodeAt(i) | 0x20) === 0x65) {
      i++;
      if (i < n && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i++;
      if (i < n && isDigit(text.charCodeAt(i))) while (i < n && isDigit(text.charCodeAt(i))) i++;
      else ok = false;
    }
    if (!ok || (i < n && isWordChar(text.charCodeAt(i)))) {
      if (this.numberLikeWords) return this.#word(start);
      let j = i;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      throw this.fail(`invalid number ${quoteInput(text.slice(start, Math.max(j, start + 1)))} at offset ${start}`);
    }
    const value = Number(text.slice(start, i));
    if (!Number.isFinite(value)) throw this.fail(`number out of range at offset ${start}`);
    this.kind = 'number';
    this.value = value;
    this.end = i;
  }

  /** RFC 8259 §7 string grammar; the common escape-free string is a single slice. */
  #string(open: number): void {
    const text = this.source;
    const n = text.length;
    let i = open + 1;
    let chunk = i;
    let decoded: string | undefined;
    for (;;) {
      if (i >= n) throw this.fail(`unterminated string at offset ${open}`);
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c < SPACE) throw this.fail(`unescaped control character in string at offset ${i}`);
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      decoded = (decoded ?? '') + text.slice(chunk, i);
      const e = text.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        decoded += simple;
        i += 2;
      } else if (e === 'u') {
        let code = 0;
        for (let k = 2; k < 6; k++) {
          const h = i + k < n ? hexValue(text.charCodeAt(i + k)) : -1;
          if (h < 0) throw this.fail(`invalid \\u escape in string at offset ${i}`);
          code = code * 16 + h;
        }
        decoded += String.fromCharCode(code);
        i += 6;
      } else {
        throw this.fail(`invalid escape in string at offset ${i}`);
      }
      chunk = i;
    }
    this.kind = 'string';
    if (decoded === undefined) {
      this.value = text.slice(open + 1, i);
    } else {
      this.value = decoded + text.slice(chunk, i);
      if (hasLoneSurrogate(this.value))
        throw this.fail(`string at offset ${open} escapes an unpaired UTF-16 surrogate, which is not valid Unicode`);
    }
    this.end = i + 1;
  }
}

/** All tokens of `source`, ending with `end` (for tests and tooling; the parser streams). */
export function tokenize(source: string, fail: ErrorFactory = invalidFilter): Token[] {
  const lexer = new Lexer(source, fail);
  const tokens: Token[] = [];
  do {
    lexer.next();
    tokens.push({
      kind: lexer.kind,
      offset: lexer.start,
      end: lexer.end,
      text: lexer.tokenText(),
      value: lexer.kind === 'string' || lexer.kind === 'number' ? lexer.value : undefined,
    });
  } while (lexer.kind !== 'end');
  return tokens;
}
