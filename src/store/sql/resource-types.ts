import type { ResourceTypeStore } from '../ports/resource-types.ts';
import { raw, sql } from './fragment.ts';
import type { IndexPositions } from './index-positions.ts';
import { type Plan, rows, type SqlRunner } from './run.ts';
import { typedResourceStore } from './typed.ts';
import type { WriteDialect } from './writes.ts';

/** The ResourceTypeStore both stores share: a tenant's enabled optional types, its schema version, the generic types' resources. */
export function resourceTypeQueries(db: SqlRunner, d: WriteDialect, positions: IndexPositions): ResourceTypeStore {
  const enabledResourceTypes = async (tenantId: string) =>
    (
      await db.run<{ resource_type: string }>(
        sql`SELECT resource_type FROM tenant_resource_types WHERE tenant_id = ${tenantId} ORDER BY resource_type`,
      )
    ).map((r) => r.resource_type);
  return {
    enabledResourceTypes,
    setResourceTypes: (tenantId, names, enabled) => db.transact(() => set(d, tenantId, names, enabled)),
    typedResources: typedResourceStore(db, d, positions),
  };
}

/**
 * The version row is taken first, as a change of the tenant's extension schemas takes it
 * (extensions.ts save), so that the two kinds of change of a tenant's registry queue on one row.
 */
function* set(d: WriteDialect, tenantId: string, names: readonly string[], enabled: boolean): Plan<string[]> {
  yield sql`INSERT INTO tenant_extension_versions (tenant_id, version) VALUES (${tenantId}, 0) ON CONFLICT (tenant_id) DO NOTHING`;
  yield sql`SELECT version FROM tenant_extension_versions WHERE tenant_id = ${tenantId} ${raw(d.lockRow)}`;
  let changed = 0;
  for (const name of names) {
    const done = yield* rows<{ resource_type: string }>(
      enabled
        ? sql`INSERT INTO tenant_resource_types (tenant_id, resource_type, enabled_ms) VALUES (${tenantId}, ${name}, ${Date.now()})
            ON CONFLICT (tenant_id, resource_type) DO NOTHING RETURNING resource_type`
        : sql`DELETE FROM tenant_resource_types WHERE tenant_id = ${tenantId} AND resource_type = ${name} RETURNING resource_type`,
    );
    changed += done.length;
  }
  if (changed > 0) yield sql`UPDATE tenant_extension_versions SET version = version + 1 WHERE tenant_id = ${tenantId}`;
  const after = yield* rows<{ resource_type: string }>(
    sql`SELECT resource_type FROM tenant_resource_types WHERE tenant_id = ${tenantId} ORDER BY resource_type`,
  );
  return after.map((r) => r.resource_type);
}
