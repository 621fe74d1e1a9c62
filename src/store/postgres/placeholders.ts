import type { Sql } from '../sql/fragment.ts';

/**
 * The shared fragment layer writes `?` placeholders (SQLite's); PostgreSQL numbers them. `?` is
 * rewritten outside quoted literals and identifiers only (the dialect never uses the jsonb `?`
 * operator). String parameters are typed `::text` so that a parameter PostgreSQL cannot infer a
 * type for (`$1 IS NOT NULL`, `scim_fold($1)`) still plans, and collated "C" explicitly so that a
 * comparison of two parameters (the core schema URN in `schemas le "…"`) orders by code point too,
 * whatever the database's default collation. Numbers are left to inference, so that
 * `row_key > $1` stays a bigint comparison on the index.
 */
export function toPostgres(query: Sql): { text: string; values: unknown[] } {
  const { sql: text, params } = query;
  // The store's statements repeat a few texts: each is rewritten once (per pattern of string and
  // other parameters), and the rewritten text, the same string every time, is cheap to look up
  // again as a prepared statement's name (prepared.ts).
  // A statement whose parameters its columns type has one form, whatever its values.
  let types = '';
  if (query.columnTyped) types = 'columns';
  else for (const value of params) types += typeof value === 'string' ? 's' : '-';
  let forms = rewritten.get(text);
  const known = forms?.get(types);
  if (known !== undefined) return { text: known, values: [...params] };
  const numbered = rewrite(text, params, query.columnTyped === true);
  if (!forms && rewritten.size < MAX_REWRITTEN) rewritten.set(text, (forms = new Map()));
  forms?.set(types, numbered);
  return { text: numbered, values: [...params] };
}

/** Bounded as prepared.ts bounds its names: filters a client invents without end are rewritten each time. */
const MAX_REWRITTEN = 2000;
/** Text with `?` → pattern of parameter types → text with numbered placeholders. */
const rewritten = new Map<string, Map<string, string>>();

function rewrite(text: string, params: readonly unknown[], columnTyped: boolean): string {
  // Copied in runs between placeholders, not character by character: the result is hashed as the
  // prepared statement's key on every request, and a string of 700 one-character pieces is slow
  // to flatten for it.
  let out = '';
  let from = 0;
  let n = 0;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== undefined) {
      if (c === quote.charCodeAt(0)) quote = undefined;
    } else if (c === 39 /* ' */ || c === 34 /* " */) {
      quote = c === 39 ? "'" : '"';
    } else if (c === 63 /* ? */) {
      const value = params[n++];
      out += text.slice(from, i) + (typeof value === 'string' && !columnTyped ? `$${n}::text COLLATE "C"` : `$${n}`);
      from = i + 1;
    }
  }
  out += text.slice(from);
  if (n !== params.length) throw new Error(`placeholder count ${n} does not match ${params.length} parameters`);
  return out;
}
