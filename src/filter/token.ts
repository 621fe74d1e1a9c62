/**
 * Token kinds of the RFC 7644 §3.4.2.2 filter language (also used by the §3.5.2 PATCH path).
 * Keywords (`and`, `or`, `not`, operators, `true`/`false`/`null`) are `word` tokens: which one a
 * word is depends on where it stands, so the parser decides, not the lexer.
 */
export type TokenKind = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | 'end';

/** A token with its 0-based offsets in the source text (`end` exclusive). */
export interface Token {
  readonly kind: TokenKind;
  readonly offset: number;
  readonly end: number;
  /** The source text of the token. */
  readonly text: string;
  /** The decoded value of a `string` or `number` token. */
  readonly value: string | number | undefined;
}

/** How a token is named in an error detail: `"eqq"`, `")"`, `end of input`. */
export function describeToken(kind: TokenKind, text: string): string {
  if (kind === 'end') return 'end of input';
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
