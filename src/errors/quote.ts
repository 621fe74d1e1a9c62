/** Longest piece of client input an error detail quotes; the offset that follows it locates the rest. */
const MAX_QUOTED = 200;

/**
 * Client input as an error detail quotes it: JSON-quoted and cut to 200 characters (a
 * URN-qualified attribute path fits), so that a 4 KiB filter or a long value is not echoed back
 * whole, nor written whole into the logs.
 */
export function quoteInput(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return typeof value === 'string' ? JSON.stringify(cut) : cut;
}
