import type { TenantExtension } from '../../schema/custom.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import type { UniqueValue } from '../ports/resources.ts';
import type { ExtensionChange } from '../ports/schemas.ts';
import { type ExtensionRow, schemaKey, toExtension, uniqueRebuildConflict, uniqueValueTaken } from '../sql/extensions.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { sqlState } from './errors.ts';
import type { Run } from './run.ts';

/** A statement that may hit a primary key: 23505 becomes `conflict` (the transaction is then rolled back). */
async function guarded(run: Run, text: string, values: readonly unknown[], conflict: () => Error): Promise<void> {
  try {
    await run(text, values);
  } catch (error) {
    if (sqlState(error) === '23505') throw conflict();
    throw error;
  }
}

/**
 * The unique keys of one resource, inside the caller's write transaction. Of two transactions
 * inserting one key, the second waits for the first and fails if it commits: two instances
 * cannot both win.
 */
export async function writeUniqueValues(
  run: Run,
  tenantId: string,
  resourceType: ResourceTypeName,
  rowKey: number,
  values: readonly UniqueValue[] | undefined,
  replace: boolean,
): Promise<void> {
  if (values === undefined) return;
  if (replace) await run('DELETE FROM resource_unique_values WHERE resource_row = $1', [rowKey]);
  for (const v of values) {
    await guarded(
      run,
      'INSERT INTO resource_unique_values (tenant_id, resource_type, attr, key, resource_row) VALUES ($1, $2, $3, $4, $5)',
      [tenantId, resourceType, v.attr, v.key, rowKey],
      () => uniqueValueTaken(v.attr),
    );
  }
}

export async function extensionsVersion(run: Run, tenantId: string): Promise<number> {
  const [row] = await run<{ version: string }>('SELECT version FROM tenant_extension_versions WHERE tenant_id = $1', [tenantId]);
  return row ? Number(row.version) : 0;
}

/** The version is read first (see the SQLite store): a race can only make the cache reload once more. */
export async function loadExtensions(run: Run, tenantId: string): Promise<{ version: number; extensions: readonly TenantExtension[] }> {
  const version = await extensionsVersion(run, tenantId);
  const rows = await run<ExtensionRow & Record<string, unknown>>(
    'SELECT resource_type, required, definition FROM tenant_extensions WHERE tenant_id = $1 ORDER BY schema_key',
    [tenantId],
  );
  return { version, extensions: rows.map(toExtension) };
}

export async function valuesAt(run: Run, tenantId: string, resourceType: ResourceTypeName, path: readonly string[]) {
  const rows = await run<{ id: string; value: unknown }>(
    `SELECT id, doc #> $3::text[] AS value FROM resources
     WHERE tenant_id = $1 AND resource_type = $2 AND doc #> $3::text[] IS NOT NULL ORDER BY row_key`,
    [tenantId, resourceType, path],
  );
  return rows.map((r) => ({ id: r.id, value: r.value }));
}

/** Inside one transaction; the version row is locked first, so concurrent changes of a tenant queue. */
export async function saveExtensions(run: Run, tenantId: string, change: ExtensionChange): Promise<number> {
  await run('INSERT INTO tenant_extension_versions (tenant_id, version) VALUES ($1, 0) ON CONFLICT (tenant_id) DO NOTHING', [tenantId]);
  const [current] = await run<{ version: string }>('SELECT version FROM tenant_extension_versions WHERE tenant_id = $1 FOR UPDATE', [
    tenantId,
  ]);
  if (Number(current!.version) !== change.expectedVersion)
    throw new VersionConflictError("the tenant's schemas were changed by another request");
  if (change.remove !== undefined) {
    await run('DELETE FROM tenant_extensions WHERE tenant_id = $1 AND schema_key = $2', [tenantId, schemaKey(change.remove)]);
  }
  if (change.put) {
    await run(
      `INSERT INTO tenant_extensions (tenant_id, schema_key, resource_type, required, definition) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (tenant_id, schema_key) DO UPDATE SET resource_type = excluded.resource_type, required = excluded.required, definition = excluded.definition`,
      [tenantId, schemaKey(change.put.schema.id), change.put.resourceType, change.put.required, JSON.stringify(change.put.schema)],
    );
  }
  for (const path of change.purge) {
    await run(
      'UPDATE resources SET doc = doc #- $3::text[] WHERE tenant_id = $1 AND resource_type = $2 AND doc #> $3::text[] IS NOT NULL',
      [tenantId, change.resourceType, path],
    );
  }
  const drop = 'DELETE FROM resource_unique_values WHERE tenant_id = $1 AND resource_type = $2 AND attr = $3';
  for (const attr of change.uniqueDrop) await run(drop, [tenantId, change.resourceType, attr]);
  for (const rebuild of change.uniqueRebuild) {
    await run(drop, [tenantId, change.resourceType, rebuild.attr]);
    if (rebuild.values.length === 0) continue;
    await guarded(
      run,
      `INSERT INTO resource_unique_values (tenant_id, resource_type, attr, key, resource_row)
       SELECT r.tenant_id, r.resource_type, $3, u.key, r.row_key FROM unnest($4::text[], $5::text[]) AS u(id, key)
       JOIN resources r ON r.tenant_id = $1 AND r.resource_type = $2 AND r.id = u.id`,
      [tenantId, change.resourceType, rebuild.attr, rebuild.values.map((v) => v.id), rebuild.values.map((v) => v.key)],
      () => uniqueRebuildConflict(change.resourceType, rebuild.attr),
    );
  }
  const [next] = await run<{ version: string }>(
    'UPDATE tenant_extension_versions SET version = version + 1 WHERE tenant_id = $1 RETURNING version',
    [tenantId],
  );
  return Number(next!.version);
}
