/**
 * The offset at which `text` first nests JSON objects and arrays deeper than `maxDepth`, or -1.
 * One pass without recursion, skipping string contents. V8's JSON.parse copes with deep input,
 * but every later pass (validation, PATCH, equality, structuredClone, serialisation) recurses, so
 * the depth is bounded before the body is parsed at all: deep input is a 400, never a stack
 * overflow. Malformed text may be miscounted; JSON.parse refuses it right after.
 */
export function jsonDepthExceededAt(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped, even a quote
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}
