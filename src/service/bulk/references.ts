import { isJsonObject } from '../../schema/json.ts';

/**
 * RFC 7644 §3.7.2: inside one bulk request, `"bulkId:qwerty"` stands for the id of the resource
 * that the POST with bulkId "qwerty" creates. A reference may sit anywhere a value can hold an id:
 * group members, the enterprise manager (object or Entra's bare string), a PATCH value, and the
 * quoted comparison value of a PATCH path filter (`members[value eq "bulkId:qwerty"]`).
 */
export const BULK_ID_PREFIX = 'bulkId:';

/** A quoted reference inside a PATCH path; only `path` strings are searched for it. */
const QUOTED_REFERENCE = /"bulkId:([^"]+)"/g;

type Replace = (bulkId: string) => string;

/**
 * Copies a JSON value, replacing each reference by what `replace` returns for its bulkId. Whole
 * strings are references only when they are exactly `bulkId:<id>`, so that a display name merely
 * mentioning a bulkId stays as written.
 */
function mapReferences(value: unknown, replace: Replace, key?: string): unknown {
  if (typeof value === 'string') {
    if (value.startsWith(BULK_ID_PREFIX) && value.length > BULK_ID_PREFIX.length) return replace(value.slice(BULK_ID_PREFIX.length));
    if (key?.toLowerCase() === 'path') return value.replace(QUOTED_REFERENCE, (_match, bulkId: string) => `"${replace(bulkId)}"`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => mapReferences(item, replace));
  // Object.fromEntries defines own properties: a "__proto__" key from the client stays a plain key.
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapReferences(v, replace, k)]));
  return value;
}

/** The bulkIds a request value refers to. */
export function referencesIn(value: unknown): Set<string> {
  const found = new Set<string>();
  mapReferences(value, (bulkId) => {
    found.add(bulkId);
    return bulkId;
  });
  return found;
}

/** The value with every reference replaced by the id its bulkId resolved to. */
export function resolveReferences(value: unknown, idOf: (bulkId: string) => string): unknown {
  return mapReferences(value, idOf);
}
