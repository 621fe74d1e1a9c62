import type { TenantExtension } from '../../schema/custom.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';

/** Tenant extension schemas (docs/custom-attributes.md). */

/** One definition change of a tenant, applied in one transaction (see SchemaStore.saveExtensions). */
export interface ExtensionChange {
  /** The tenant's schema version this change was computed from; another one wins the race. */
  readonly expectedVersion: number;
  /** Inserts or replaces this extension (keyed by schema id, case-insensitively). */
  readonly put?: TenantExtension;
  /** Deletes the extension with this schema id. */
  readonly remove?: string;
  /** JSON paths (e.g. [schemaUrn, attrName]) deleted from every document of `resourceType`. */
  readonly purge: readonly (readonly string[])[];
  readonly resourceType: ResourceTypeName;
  /** Unique keys rebuilt from scratch for an attribute (newly unique, or its comparison changed). */
  readonly uniqueRebuild: readonly { readonly attr: string; readonly values: readonly { readonly id: string; readonly key: string }[] }[];
  /** Attributes no longer unique: their keys are dropped. */
  readonly uniqueDrop: readonly string[];
}

export interface SchemaStore {
  /** A counter bumped by every definition change of the tenant; 0 when it never had one. One indexed read. */
  extensionsVersion(tenantId: string): Promise<number>;
  loadExtensions(tenantId: string): Promise<{ readonly version: number; readonly extensions: readonly TenantExtension[] }>;
  /** Each resource of the type whose document holds a value at `path`, with that value. */
  valuesAt(
    tenantId: string,
    resourceType: ResourceTypeName,
    path: readonly string[],
  ): Promise<readonly { readonly id: string; readonly value: unknown }[]>;
  /**
   * Applies the change and bumps the version, or nothing: VersionConflictError when the version
   * is no longer `expectedVersion`, uniqueness (409) when a rebuilt attribute has duplicates.
   * Documents are purged in place: no version bump and no events (a definition is not a resource).
   */
  saveExtensions(tenantId: string, change: ExtensionChange): Promise<number>;
}
