/**
 * The descriptions RFC 7643 §8.7.1 gives word for word to the sub-attributes of several
 * multi-valued attributes (§2.4's display, type and primary), kept once here. Descriptions that
 * belong to one attribute stay beside its definition.
 */

/** display of phoneNumbers, ims, photos, groups, entitlements, roles and x509Certificates. */
export const DISPLAY = 'A human-readable name, primarily used for display purposes.  READ-ONLY.';

/** type of entitlements, roles and x509Certificates, which have no canonical values. */
export const TYPE = "A label indicating the attribute's function.";

/** primary of entitlements, roles and x509Certificates. */
export const PRIMARY =
  "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.";
