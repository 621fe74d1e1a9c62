/**
 * Case folding for attributes whose `caseExact` is false (RFC 7643 §2.2). The one definition
 * shared by the in-memory evaluator and the stores (SQLite registers it as `scim_fold`), so that
 * every store folds exactly alike.
 */
export const fold = (s: string): string => s.toLowerCase();

/**
 * Orders two strings by Unicode code point, as SQLite's BINARY collation and PostgreSQL's "C"
 * collation order UTF-8 text. JavaScript's `<` orders UTF-16 code units, which puts U+E000–U+FFFF
 * after astral characters; this swaps the two ranges at the first difference.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
