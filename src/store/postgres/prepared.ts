import pg, { type ClientBase, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';

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

/**
 * Runs `config` (no rowMode) on `client` as pg's own Query built from its text: handed a config
 * object, client.query copies it first for every statement (cloneQueryConfig, through
 * Object.getOwnPropertyDescriptors: 1.4-2 us a call, 8 us of a PostgreSQL PATCH's event loop in a
 * CPU profile), and a Query is submitted as it is. Settles as client.query's promise would.
 */
export function ask<R extends QueryResultRow>(client: ClientBase, config: QueryConfig): Promise<QueryResult<R>> {
  return new Promise((resolve, reject) => {
    const query = new pg.Query<R>(config.text, config.values, (error, result) =>
      error ? reject(error) : resolve(result as unknown as QueryResult<R>),
    );
    // Read when the query is sent: a named statement is parsed once per connection.
    (query as unknown as { name?: string }).name = config.name;
    client.query(query);
  });
}
