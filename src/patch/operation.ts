import type { PatchPath } from '../filter/path.ts';

/** RFC 7644 §3.5.2: the message schema a PATCH body must list. */
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** RFC 7644 §3.5.2 operation names, in the lower case the RFC spells them. */
export const PATCH_OPS = ['add', 'remove', 'replace'] as const;
export type PatchOpName = (typeof PATCH_OPS)[number];

/**
 * One syntactically valid RFC 7644 §3.5.2 operation, as {@link parsePatchRequest} returns it:
 * the path is parsed but not yet resolved against a resource type.
 */
export interface PatchOperation {
  readonly op: PatchOpName;
  /** undefined for a path-less add/replace: the target is the resource itself (§3.5.2.1, §3.5.2.3). */
  readonly path: PatchPath | undefined;
  /** The path as sent, for error details. */
  readonly pathText: string | undefined;
  /** undefined when the operation has no `value` member; null when it is JSON null. */
  readonly value: unknown;
}
