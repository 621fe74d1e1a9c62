/**
 * The longest values of the attributes that the stores index (docs/limits.md, "Indexed
 * attributes"), in characters (Unicode code points). Both stores refuse a longer value with
 * `400 invalidValue` before it reaches the database, so they accept the same resources.
 *
 * Why these numbers: a PostgreSQL B-tree entry holds at most 2704 bytes (btree version 4), and a
 * character takes up to 4 bytes of UTF-8, folded (lower-cased) or not. userName, displayName and
 * externalId each sit in an index of their own with the tenant id and resource type beside them:
 * 512 characters are at most 2048 + 4 bytes, plus about 60 for the rest of the entry. The values
 * index (src/store/sql/values-index.ts) keeps an element's `value` and its `type` in one entry:
 * (512 + 64) × 4 + 8 bytes, plus about 70. Entry compression never has to help.
 *
 * Identity providers stay far below: Entra ID's userPrincipalName has at most 113 characters,
 * its displayName and mail 256, an email address 254 (RFC 5321); types are words like "work".
 */
export const MAX_NAME_LENGTH = 512;
/** `value` of the multi-valued attributes in the values index (emails, phoneNumbers, ims, photos, entitlements, roles). */
export const MAX_VALUE_LENGTH = 512;
/** `type` of the same attributes. */
export const MAX_TYPE_LENGTH = 64;

/** Code points of `text`: a surrogate pair is one character, as in UTF-8. */
export function characterCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one: the pair counts once.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
