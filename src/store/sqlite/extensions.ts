import type { Statement } from 'better-sqlite3';
import type { TenantExtension } from '../../schema/custom.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import type { UniqueValue } from '../ports/resources.ts';
import type { ExtensionChange } from '../ports/schemas.ts';
import { type ExtensionRow, schemaKey, toExtension, uniqueRebuildConflict, uniqueValueTaken } from '../sql/extensions.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { jsonPathText } from './dialect.ts';

type Prepare = (text: string) => Statement;

function isConstraintViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The unique keys of one resource, inside the caller's write transaction. `replace` drops the
 * stored ones first (an update); the primary key refuses a key another resource holds.
 */
export function writeUniqueValues(
  s: Prepare,
  tenantId: string,
  resourceType: ResourceTypeName,
  rowKey: number,
  values: readonly UniqueValue[] | undefined,
  replace: boolean,
): void {
  if (values === undefined) return;
  if (replace) s('DELETE FROM resource_unique_values WHERE resource_row = ?').run(rowKey);
  const insert = s('INSERT INTO resource_unique_values (tenant_id, resource_type, attr, key, resource_row) VALUES (?, ?, ?, ?, ?)');
  for (const v of values) {
    try {
      insert.run(tenantId, resourceType, v.attr, v.key, rowKey);
    } catch (error) {
      if (isConstraintViolation(error)) throw uniqueValueTaken(v.attr);
      throw error;
    }
  }
}

/** SchemaStore on SQLite; `tx` runs its function in one IMMEDIATE transaction. */
export class SqliteExtensions {
  readonly #s: Prepare;
  readonly #tx: <T>(fn: () => T) => T;

  constructor(prepare: Prepare, tx: <T>(fn: () => T) => T) {
    this.#s = prepare;
    this.#tx = tx;
  }

  version(tenantId: string): number {
    return (this.#s('SELECT version FROM tenant_extension_versions WHERE tenant_id = ?').pluck().get(tenantId) as number | undefined) ?? 0;
  }

  /**
   * The version is read first: a change committing in between pairs newer rows with an older
   * version, which the next version check sees as stale and reloads; never the reverse.
   */
  load(tenantId: string): { version: number; extensions: readonly TenantExtension[] } {
    const version = this.version(tenantId);
    const rows = this.#s('SELECT resource_type, required, definition FROM tenant_extensions WHERE tenant_id = ? ORDER BY schema_key').all(
      tenantId,
    ) as ExtensionRow[];
    return { version, extensions: rows.map(toExtension) };
  }

  valuesAt(tenantId: string, resourceType: ResourceTypeName, path: readonly string[]): { id: string; value: unknown }[] {
    const text = jsonPathText(path);
    const rows = this.#s(
      `SELECT id, doc -> ? AS value FROM resources WHERE tenant_id = ? AND resource_type = ? AND json_type(doc, ?) IS NOT NULL ORDER BY row_key`,
    ).all(text, tenantId, resourceType, text) as { id: string; value: string }[];
    return rows.map((r) => ({ id: r.id, value: JSON.parse(r.value) as unknown }));
  }

  save(tenantId: string, change: ExtensionChange): number {
    return this.#tx(() => {
      if (this.version(tenantId) !== change.expectedVersion)
        throw new VersionConflictError("the tenant's schemas were changed by another request");
      if (change.remove !== undefined) {
        this.#s('DELETE FROM tenant_extensions WHERE tenant_id = ? AND schema_key = ?').run(tenantId, schemaKey(change.remove));
      }
      if (change.put) {
        this.#s(
          `INSERT INTO tenant_extensions (tenant_id, schema_key, resource_type, required, definition) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, schema_key) DO UPDATE SET resource_type = excluded.resource_type, required = excluded.required, definition = excluded.definition`,
        ).run(
          tenantId,
          schemaKey(change.put.schema.id),
          change.put.resourceType,
          change.put.required ? 1 : 0,
          JSON.stringify(change.put.schema),
        );
      }
      for (const path of change.purge) {
        const text = jsonPathText(path);
        this.#s(
          'UPDATE resources SET doc = json_remove(doc, ?) WHERE tenant_id = ? AND resource_type = ? AND json_type(doc, ?) IS NOT NULL',
        ).run(text, tenantId, change.resourceType, text);
      }
      const drop = this.#s('DELETE FROM resource_unique_values WHERE tenant_id = ? AND resource_type = ? AND attr = ?');
      for (const attr of change.uniqueDrop) drop.run(tenantId, change.resourceType, attr);
      const insert = this.#s(
        `INSERT INTO resource_unique_values (tenant_id, resource_type, attr, key, resource_row)
         SELECT tenant_id, resource_type, ?, ?, row_key FROM resources WHERE tenant_id = ? AND resource_type = ? AND id = ?`,
      );
      for (const rebuild of change.uniqueRebuild) {
        drop.run(tenantId, change.resourceType, rebuild.attr);
        for (const v of rebuild.values) {
          try {
            insert.run(rebuild.attr, v.key, tenantId, change.resourceType, v.id);
          } catch (error) {
            if (isConstraintViolation(error)) throw uniqueRebuildConflict(change.resourceType, rebuild.attr);
            throw error;
          }
        }
      }
      return this.#s(
        `INSERT INTO tenant_extension_versions (tenant_id, version) VALUES (?, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1 RETURNING version`,
      )
        .pluck()
        .get(tenantId) as number;
    });
  }
}
