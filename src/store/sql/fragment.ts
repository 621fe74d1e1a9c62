/**
 * A piece of SQL text with its positional parameters. Built only through `sql` and `raw`, so that a
 * value can reach the database solely as a bound parameter: interpolating anything that is not a
 * fragment binds it, never splices it.
 */
export interface Sql {
  readonly sql: string;
  readonly params: readonly unknown[];
  /**
   * Built from a memoized shape (bind): one of a bounded set of texts, which a driver may keep
   * prepared for good instead of in its bounded cache of texts that vary with the request.
   */
  readonly shaped: boolean;
  /**
   * Every parameter is assigned to a column (an INSERT's VALUES), which types it: PostgreSQL's
   * placeholders are numbered plainly, whichever values are null, so that a batch with a null
   * where the previous one had a string is not a statement text (and a prepared statement) of its
   * own (placeholders.ts).
   */
  readonly columnTyped?: boolean;
  /**
   * Its plan reads nothing of its answer (an outbox INSERT): inside a PostgreSQL transaction it is
   * written without waiting for that answer, and COMMIT goes out behind it in the same round trip
   * (connection.ts tx). Its failure still fails the transaction.
   */
  readonly unanswered?: boolean;
}

const isSql = (value: unknown): value is Sql => typeof value === 'object' && value !== null && SQL_BRAND in value;

const SQL_BRAND = Symbol('sql');

function make(text: string, params: readonly unknown[], shaped = false, columnTyped = false): Sql {
  return { sql: text, params, shaped, ...(columnTyped ? { columnTyped } : {}), [SQL_BRAND]: true } as Sql;
}

/** Tagged template: fragments are inlined, every other value becomes a `?` parameter. */
export function sql(strings: TemplateStringsArray, ...values: readonly unknown[]): Sql {
  // A plain loop: every statement of every request is built here.
  let text = strings[0] ?? '';
  const params: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (isSql(value)) {
      text += value.sql;
      for (const param of value.params) params.push(param);
    } else {
      text += '?';
      params.push(checked(value));
    }
    text += strings[i + 1] ?? '';
  }
  return make(text, params);
}

/**
 * A statement built once with `sql` (its shape) with other values for its parameters, in order:
 * a hot statement then keeps one text, which the drivers' statement caches look up cheaply.
 */
export function bind(shape: Sql, values: readonly unknown[]): Sql {
  if (values.length !== shape.params.length) throw new Error(`${shape.params.length} parameters expected, got ${values.length}`);
  return make(shape.sql, values.map(checked), true, shape.columnTyped);
}

/** `query`, its parameters typed by the columns they are assigned to (Sql.columnTyped). */
export const columnTyped = (query: Sql): Sql => make(query.sql, query.params, query.shaped, true);

/** `query`, whose answer its plan does not read (Sql.unanswered). */
export const unanswered = (query: Sql): Sql => ({ ...query, unanswered: true });

/** `(?, …), (?, …)`: rows for a VALUES list, every value bound. */
export function valuesList(rows: readonly (readonly unknown[])[]): Sql {
  let text = '';
  const params: unknown[] = [];
  for (const row of rows) {
    text += text === '' ? '(' : ', (';
    row.forEach((value, i) => {
      text += i === 0 ? '?' : ', ?';
      params.push(checked(value));
    });
    text += ')';
  }
  return make(text, params);
}

/**
 * A memo of statement shapes for `bind`, built once per owner (a dialect) and key: a hot statement
 * then keeps one text, which the drivers' statement caches find by a string whose hash V8 keeps,
 * instead of a text concatenated and hashed anew on every call.
 */
export function shapeMemo<O extends object>(): (owner: O, key: string, build: () => Sql) => Sql {
  const byOwner = new WeakMap<O, Map<string, Sql>>();
  return (owner, key, build) => {
    let shapes = byOwner.get(owner);
    if (!shapes) byOwner.set(owner, (shapes = new Map()));
    let shape = shapes.get(key);
    if (!shape) shapes.set(key, (shape = build()));
    return shape;
  };
}

/** better-sqlite3 refuses booleans; undefined is always a bug upstream. */
function checked(value: unknown): unknown {
  if (typeof value === 'boolean' || value === undefined) throw new Error(`cannot bind ${String(value)} as an SQL parameter`);
  return value;
}

/** Trusted SQL text: only for identifiers and literals the code itself chose. */
export const raw = (text: string): Sql => make(text, []);

export function join(parts: readonly Sql[], separator: string): Sql {
  return make(
    parts.map((p) => p.sql).join(separator),
    parts.flatMap((p) => p.params),
  );
}

/** A single-quoted SQL string literal, for JSON paths and other registry-derived names. */
export function quoteLiteral(text: string): Sql {
  return raw(`'${text.replaceAll("'", "''")}'`);
}
