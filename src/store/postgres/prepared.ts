import type { QueryConfig } from 'pg';

/**
 * Statement texts → names of server-side prepared statements. A named statement is parsed and
 * planned once per connection instead of on every request; texts here are the fixed statements
 * and the compiled filter queries, whose values are always parameters, so a workload repeats a
 * handful of texts. The map is bounded: beyond it (a client inventing new filter shapes without
 * end) statements run unnamed, as before, rather than growing every connection's cache.
 */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `scimd_${names.size}`;
    names.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}
