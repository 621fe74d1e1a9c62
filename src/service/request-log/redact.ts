import { isWordChar } from '../../filter/lexer.ts';
import type { SchemaRegistry } from '../../schema/registry.ts';

/** What replaces a secret in the request log. */
export const REDACTED = '[redacted]';

/**
 * Names whose values are secrets whatever the schema says: OAuth 2.0 client credentials and
 * tokens (RFC 6749 §2.3.1, §4.4; RFC 6750 §2.3's access_token query parameter), assertions
 * (RFC 7523), and credentials by their usual names. Compared lowercased, without "_" and "-".
 */
const ALWAYS_SECRET = [
  'password',
  'clientsecret',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'assertion',
  'clientassertion',
  'authorization',
  'apikey',
  'privatekey',
];

const normalise = (name: string) => name.toLowerCase().replace(/[_-]/g, '');

/** Lowercased attribute names that some schema of the registry marks returned: never (RFC 7643 §7). */
const neverReturned = new WeakMap<SchemaRegistry, ReadonlySet<string>>();

export function secretNamesOf(registry: SchemaRegistry): ReadonlySet<string> {
  let names = neverReturned.get(registry);
  if (!names) {
    const found = new Set(ALWAYS_SECRET);
    const visit = (attributes: readonly { name: string; returned: string; subAttributes?: readonly never[] | readonly unknown[] }[]) => {
      for (const attribute of attributes) {
        if (attribute.returned === 'never') found.add(normalise(attribute.name));
        if (attribute.subAttributes) visit(attribute.subAttributes as typeof attributes);
      }
    };
    for (const schema of registry.schemas()) visit(schema.attributes);
    names = found;
    neverReturned.set(registry, names);
  }
  return names;
}

const mentionCache = new WeakMap<ReadonlySet<string>, RegExp>();

/**
 * Whether a text could name a secret at all: lowercased, without "_" and "-", it contains one of
 * the names. False lets the common request (a lookup, a create without a password) skip the walk.
 * One regular expression per set of names, each name's letters with any "_" and "-" between
 * them, case-insensitive by Unicode case folding (which also folds the Kelvin sign, the one
 * character outside ASCII that lowercases into a name's letters): a third of the time of
 * lowercasing and stripping the text, then searching it once for every name.
 */
export function mayMentionSecret(text: string, secrets: ReadonlySet<string>): boolean {
  let mentions = mentionCache.get(secrets);
  if (!mentions) {
    // A name that contains another (accesstoken, token) needs no alternative of its own.
    const names = [...secrets].filter((name) => ![...secrets].some((other) => other !== name && name.includes(other)));
    const spelled = names.map((name) => [...name].map((c) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')).join('[-_]*'));
    mentions = new RegExp(spelled.join('|'), 'iu');
    mentionCache.set(secrets, mentions);
  }
  return mentions.test(text);
}

/**
 * Whether an attribute name, PATCH path or filter word names a secret: `password`,
 * `urn:…:User:password`, `name.password`, `x[type eq "y"].password`, in any case. Every segment
 * counts, so a secret's parent (a complex attribute holding one) is caught through its name too
 * only when it is itself secret; value filters are stripped first.
 */
export function namesSecret(path: string, secrets: ReadonlySet<string>): boolean {
  const bare = path.replace(/\[[^\]]*\]?/g, '');
  const afterUrn = bare.slice(bare.lastIndexOf(':') + 1);
  for (const segment of afterUrn.split('.')) if (secrets.has(normalise(segment))) return true;
  return secrets.has(normalise(bare));
}

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

/**
 * RFC 7644 §3.4.2.2 filters may compare a secret (`password eq "…"`, RFC 7643 §4.1.1): the value
 * after a comparison operator whose attribute names a secret is replaced, quoted or not, also
 * inside value filters (`emails[value eq "…"]` keeps its value; `x[password eq "…"]` does not).
 * Words and strings are scanned as src/filter/lexer.ts scans them, so no spelling the parser
 * accepts slips through; an unterminated string after such an operator is redacted to the end.
 */
export function redactFilter(filter: string, secrets: ReadonlySet<string>, found: string[]): string {
  let out = '';
  let previous = '';
  let redactNext = false;
  let i = 0;
  while (i < filter.length) {
    const c = filter.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (j < filter.length && filter.charCodeAt(j) !== 0x22) j += filter.charCodeAt(j) === 0x5c ? 2 : 1;
      const end = Math.min(j + 1, filter.length);
      if (redactNext) {
        found.push(filter.slice(i + 1, j));
        out += `"${REDACTED}"`;
      } else {
        out += filter.slice(i, end);
      }
      redactNext = false;
      previous = '';
      i = end;
    } else if (isWordChar(c)) {
      let j = i;
      while (j < filter.length && isWordChar(filter.charCodeAt(j))) j++;
      const word = filter.slice(i, j);
      if (redactNext) {
        found.push(word);
        out += REDACTED;
        redactNext = false;
      } else {
        out += word;
        redactNext = OPERATORS.has(word.toLowerCase()) && namesSecret(previous, secrets);
      }
      previous = word;
      i = j;
    } else {
      out += filter[i];
      i++;
    }
  }
  return out;
}

/** Every string (and number) under a value, so that it can be scrubbed from the other fields too. */
function collectLeaves(value: unknown, found: string[]): void {
  if (typeof value === 'string') found.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') found.push(String(value));
  else if (Array.isArray(value)) for (const v of value) collectLeaves(v, found);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collectLeaves(v, found);
}

/**
 * A copy of a JSON request body with every secret replaced by REDACTED, what was removed pushed
 * to `found`:
 * - a member whose name names a secret (`password`, `urn:…:User:password`, `client_secret`, an
 *   extension attribute returned: never), whatever its value (a string, an array, an object);
 * - the `value` of an object whose `path` names a secret (a PATCH operation, also inside /Bulk);
 * - the compared values of secret attributes in `filter` members (POST .search) and in `path`s.
 */
export function redactBody(value: unknown, secrets: ReadonlySet<string>, found: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => redactBody(v, secrets, found));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const path = typeof object['path'] === 'string' ? object['path'] : undefined;
  const valueIsSecret = path !== undefined && namesSecret(path, secrets);
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(object)) {
    if (namesSecret(key, secrets) || (key.toLowerCase() === 'value' && valueIsSecret)) {
      collectLeaves(member, found);
      out[key] = REDACTED;
    } else if ((key.toLowerCase() === 'filter' || key.toLowerCase() === 'path') && typeof member === 'string') {
      out[key] = redactFilter(member, secrets, found);
    } else {
      out[key] = redactBody(member, secrets, found);
    }
  }
  return out;
}

/**
 * A body that is not valid JSON cannot be walked: every string in it that is not a member name
 * is replaced (an unterminated one to the end), so its shape still shows what was wrong with it.
 */
export function maskUnparsedBody(text: string, found: string[]): string {
  return text.replace(/"((?:[^"\\]|\\.)*)"(\s*:)?|"((?:[^"\\]|\\.)*)$/g, (match, content?: string, colon?: string, open?: string) => {
    if (colon !== undefined) return match;
    found.push(content ?? open ?? '');
    return `"${REDACTED}"`;
  });
}

/** The query string with secret parameters (access_token, …) and filter values redacted. */
export function redactQuery(query: string, secrets: ReadonlySet<string>, found: string[]): string {
  if (query === '') return '';
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(query.replaceAll('+', ' '));
  } catch {
    decoded = undefined;
  }
  if (decoded !== undefined && !mayMentionSecret(decoded, secrets)) return query;
  const params = new URLSearchParams(query);
  const out = new URLSearchParams();
  for (const [name, value] of params) {
    if (namesSecret(name, secrets)) {
      found.push(value);
      out.append(name, REDACTED);
    } else {
      out.append(name, name.toLowerCase() === 'filter' ? redactFilter(value, secrets, found) : value);
    }
  }
  return out.toString();
}

/**
 * Removes every occurrence of the secrets found elsewhere in the request (and the bearer token)
 * from a text: a response or an error detail that quotes one, a path that carries one. Short
 * values are left alone: scrubbing "1" or "true" would garble everything and protect nothing.
 * The forms searched for (raw, JSON-escaped, URL-encoded) are worked out once for all the texts
 * of a request.
 */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const needles: string[] = [];
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    needles.push(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) needles.push(escaped);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) needles.push(encoded);
  }
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.replaceAll(needle, REDACTED);
    return out;
  };
}

export function scrub(text: string, secrets: readonly string[]): string {
  return scrubber(secrets)(text);
}
