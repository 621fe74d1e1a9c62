/**
 * An unpaired UTF-16 surrogate is what a `\ud800` escape in JSON (RFC 8259 §8.2) or in a filter
 * string literal (RFC 7644 §3.4.2.2 uses JSON's string syntax) can produce, and what no UTF-8
 * text (RFC 7644 §3.1) can carry. PostgreSQL refuses it inside json (a 500 had it got that far)
 * and SQLite would store U+FFFD in its place, so scimd refuses it where it enters: request
 * bodies and string literals of filters and PATCH paths.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Whether any string or key of a parsed JSON value holds an unpaired surrogate. */
export function loneSurrogateIn(value: unknown): boolean {
  if (typeof value === 'string') return hasLoneSurrogate(value);
  if (Array.isArray(value)) return value.some(loneSurrogateIn);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => hasLoneSurrogate(key) || loneSurrogateIn(item));
  }
  return false;
}
