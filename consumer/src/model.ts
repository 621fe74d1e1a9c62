/** What a copy holds: users and groups as the SCIM API shows them, and the direct membership edges. */
export type ResourceKind = 'User' | 'Group';

/** A user or group as stored in a target: the resource as scimd's GET returns it, without `groups` / `members`. */
export interface StoredResource {
  readonly kind: ResourceKind;
  readonly id: string;
  /** The number in `meta.version` (`W/"3"` → 3): what makes an older event recognisable. */
  readonly version: number;
  readonly resource: Readonly<Record<string, unknown>>;
}

/** A direct membership: `member` (a user or a group) is a member of `group`. */
export interface Edge {
  readonly group: string;
  readonly member: string;
  readonly memberKind: ResourceKind;
}

/** One unit a target commits: every change of a batch of events and the position after it, or nothing. */
export interface Batch {
  /**
   * The position the batch starts from: the target must hold exactly this one (else it throws
   * PositionConflictError and nothing is written). `undefined` for a snapshot, which replaces the
   * tenant's whole copy.
   */
  readonly from: number | undefined;
  /** The tenant's position after the batch: the sequence of its last event (or the snapshot's position). */
  readonly to: number;
  readonly put: readonly StoredResource[];
  readonly deleted: readonly { readonly kind: ResourceKind; readonly id: string }[];
  /** Edges to add (`present`) or remove, after the deletes (a deleted resource loses every edge to or from it). */
  readonly edges: readonly (Edge & { readonly present: boolean })[];
}

/**
 * Where a copy lives: the callback interface for any store. A target keeps, per tenant, the
 * resources, the direct edges and the position (the sequence of the last event applied), and
 * commits a Batch atomically, position included: after a crash the copy and its position agree.
 */
export interface Target {
  /** The tenant's position; undefined when the tenant was never copied (a snapshot comes first). */
  position(tenant: string): Promise<number | undefined>;
  /** The stored resources among `keys` (`User/{id}`, `Group/{id}`), by key. */
  resources(tenant: string, keys: readonly string[]): Promise<ReadonlyMap<string, StoredResource>>;
  /** Writes the batch and moves the position in one transaction, if the position is still `batch.from`. */
  commit(tenant: string, batch: Batch): Promise<void>;
  /** The tenant's whole copy (tests, tools, small tenants). */
  read(tenant: string): Promise<Copy>;
  close(): Promise<void>;
}

export interface Copy {
  readonly position: number | undefined;
  readonly users: readonly StoredResource[];
  readonly groups: readonly StoredResource[];
  readonly edges: readonly Edge[];
}

/** A batch was built on a position the target no longer holds (another consumer moved it): rebuild it. */
export class PositionConflictError extends Error {
  constructor(tenant: string, expected: number | undefined, actual: number | undefined) {
    super(`tenant ${tenant}: expected position ${String(expected)}, the target holds ${String(actual)}`);
    this.name = 'PositionConflictError';
  }
}

export const keyOf = (kind: ResourceKind, id: string) => `${kind}/${id}`;

/** `W/"3"` → 3. */
export function versionOf(resource: Readonly<Record<string, unknown>>): number {
  const meta = resource['meta'] as { version?: unknown } | undefined;
  const match = /(\d+)/.exec(String(meta?.version ?? ''));
  if (!match) throw new Error(`resource ${String(resource['id'])} has no meta.version`);
  return Number(match[1]);
}
