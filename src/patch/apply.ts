import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberOp } from '../schema/resource.ts';
import { changedAttributes } from './diff.ts';
import { editDocument } from './document.ts';
import { checkImmutable } from './immutable.ts';
import { atOperation } from './locate.ts';
import { memberOps } from './members.ts';
import type { PatchOperation } from './operation.ts';
import { passwordOf } from './password.ts';
import { editsOf, type TargetOptions } from './targets.ts';
import type { ValueRules } from './values.ts';

/** What a PATCH produced; nothing is persisted yet. */
export interface PatchResult {
  /** The new document, in the stored canonical form (never id, schemas, meta, password, members, groups). */
  readonly doc: Record<string, unknown>;
  /** The new clear-text password when an operation set one; the service hashes it. */
  readonly password: string | undefined;
  /** Group.members changes, in request order (the store applies them: schema/resource.ts MemberOp). */
  readonly memberOps: MemberOp[];
  /**
   * Canonical top-level attribute paths that changed: `name`, `emails`,
   * `urn:…:enterprise:2.0:User:manager`, plus `members` when there are member operations and
   * `password` when one was set (whether the store's membership really changed is its to say).
   */
  readonly changedAttributes: string[];
}

export type ApplyOptions = TargetOptions & ValueRules;

/**
 * Applies RFC 7644 §3.5.2 operations (from {@link parsePatchRequest}) in order to a copy of a
 * stored document; the input is never mutated, and an error (a ScimError, its detail prefixed with
 * `Operations[i]`) leaves nothing applied. Mutability is enforced here (readOnly targets, required
 * removal, immutable changes); whole-resource rules (required attributes, uniqueness) remain the
 * validator's and the store's, run on the result.
 */
export function applyPatch(
  registry: SchemaRegistry,
  resourceType: string,
  doc: Readonly<Record<string, unknown>>,
  operations: readonly PatchOperation[],
  options: ApplyOptions = {},
): PatchResult {
  const next = structuredClone(doc) as Record<string, unknown>;
  const ops: MemberOp[] = [];
  let password: string | undefined;
  operations.forEach((operation, index) =>
    atOperation(index, () => {
      for (const edit of editsOf(registry, resourceType, operation, options)) {
        if (edit.kind === 'document') editDocument(registry, next, edit, options);
        else if (edit.kind === 'members') ops.push(...memberOps(registry, edit));
        else password = passwordOf(edit.op, edit.value, edit.label);
      }
      checkImmutable(registry, resourceType, doc, next);
    }),
  );
  const extensionIds = new Set(
    (registry.resourceType(resourceType)?.schemaExtensions ?? []).map((e) => registry.schema(e.schema)?.id ?? e.schema),
  );
  const changed = changedAttributes(doc, next, extensionIds);
  if (ops.length > 0) changed.push('members');
  if (password !== undefined) changed.push('password');
  return { doc: next, password, memberOps: ops, changedAttributes: changed };
}
