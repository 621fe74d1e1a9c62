import { uniqueness } from '../../errors/scim-error.ts';
import type { SchemaDefinition } from '../../schema/attribute.ts';
import type { ExtendedResourceType, TenantExtension } from '../../schema/custom.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import { specOf } from '../../schema/types/catalogue.ts';
import type { ExtensionChange, SchemaStore } from '../ports/schemas.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { raw, sql } from './fragment.ts';
import { type Plan, rows, type SqlRunner } from './run.ts';
import type { WriteDialect } from './writes.ts';

/** The SchemaStore both stores share: tenant extension schemas and the keys of `uniqueness: server` values. */

interface ExtensionRow {
  readonly resource_type: ExtendedResourceType;
  readonly required: boolean | number;
  /** JSON text (SQLite) or the parsed jsonb (PostgreSQL). */
  readonly definition: string | SchemaDefinition;
}

const schemaKey = (schemaId: string): string => schemaId.toLowerCase();

/** The table that holds a type's documents: typed_resources for the generic store's types (Role, Device …). */
const tableOf = (resourceType: ResourceTypeName) => raw(specOf(resourceType)?.storage === 'generic' ? 'typed_resources' : 'resources');

function toExtension(row: ExtensionRow): TenantExtension {
  const schema = typeof row.definition === 'string' ? (JSON.parse(row.definition) as SchemaDefinition) : row.definition;
  return { resourceType: row.resource_type, required: row.required === true || row.required === 1, schema };
}

/** 409 when existing resources share values of an attribute that is becoming unique. */
function uniqueRebuildConflict(resourceType: ResourceTypeName, attr: string) {
  return uniqueness(`${attr} cannot become unique: existing ${resourceType}s share a value of it; make the values distinct first`);
}

export function schemaQueries(db: SqlRunner, d: WriteDialect): SchemaStore {
  const doc = raw('doc');
  const extensionsVersion = async (tenantId: string) => {
    const [row] = await db.run<{ version: number | string }>(
      sql`SELECT version FROM tenant_extension_versions WHERE tenant_id = ${tenantId}`,
    );
    return row ? Number(row.version) : 0;
  };
  return {
    extensionsVersion,
    /**
     * The version is read first: a change committing in between pairs newer rows with an older
     * version, which the next version check sees as stale and reloads; never the reverse.
     */
    async loadExtensions(tenantId) {
      const version = await extensionsVersion(tenantId);
      const found = await db.run<ExtensionRow>(
        sql`SELECT resource_type, required, definition FROM tenant_extensions WHERE tenant_id = ${tenantId} ORDER BY schema_key`,
      );
      return { version, extensions: found.map(toExtension) };
    },
    async valuesAt(tenantId, resourceType, path) {
      const found = await db.run<{ id: string; value: string }>(
        sql`SELECT id, ${d.jsonText(doc, path)} AS value FROM ${tableOf(resourceType)}
          WHERE tenant_id = ${tenantId} AND resource_type = ${resourceType} AND ${d.jsonText(doc, path)} IS NOT NULL ORDER BY row_key`,
      );
      return found.map((r) => ({ id: r.id, value: JSON.parse(r.value) as unknown }));
    },
    saveExtensions: (tenantId, change) => db.transact(() => save(d, tenantId, change)),
  };
}

/** In one transaction; the version row is locked first (PostgreSQL), so concurrent changes of a tenant queue. */
function* save(d: WriteDialect, tenantId: string, change: ExtensionChange): Plan<number> {
  yield sql`INSERT INTO tenant_extension_versions (tenant_id, version) VALUES (${tenantId}, 0) ON CONFLICT (tenant_id) DO NOTHING`;
  const [current] = yield* rows<{ version: number | string }>(
    sql`SELECT version FROM tenant_extension_versions WHERE tenant_id = ${tenantId} ${raw(d.lockRow)}`,
  );
  if (Number(current!.version) !== change.expectedVersion) {
    throw new VersionConflictError("the tenant's schemas were changed by another request");
  }
  if (change.remove !== undefined) {
    yield sql`DELETE FROM tenant_extensions WHERE tenant_id = ${tenantId} AND schema_key = ${schemaKey(change.remove)}`;
  }
  if (change.put) {
    const { schema, resourceType, required } = change.put;
    yield sql`INSERT INTO tenant_extensions (tenant_id, schema_key, resource_type, required, definition)
      VALUES (${tenantId}, ${schemaKey(schema.id)}, ${resourceType}, ${raw(required ? 'true' : 'false')}, ${d.json(JSON.stringify(schema))})
      ON CONFLICT (tenant_id, schema_key) DO UPDATE SET resource_type = excluded.resource_type, required = excluded.required,
        definition = excluded.definition`;
  }
  const doc = raw('doc');
  for (const path of change.purge) {
    yield sql`UPDATE ${tableOf(change.resourceType)} SET doc = ${d.jsonRemove(doc, path)}
      WHERE tenant_id = ${tenantId} AND resource_type = ${change.resourceType} AND ${d.jsonText(doc, path)} IS NOT NULL`;
  }
  const drop = (attr: string) =>
    sql`DELETE FROM resource_unique_values WHERE tenant_id = ${tenantId} AND resource_type = ${change.resourceType} AND attr = ${attr}`;
  for (const attr of change.uniqueDrop) yield drop(attr);
  for (const rebuild of change.uniqueRebuild) {
    yield drop(rebuild.attr);
    if (rebuild.values.length === 0) continue;
    const given = d.table(
      'u',
      [
        { name: 'id', type: 'text' },
        { name: 'key', type: 'text' },
      ],
      rebuild.values.map((v) => [v.id, v.key]),
    );
    try {
      yield sql`INSERT INTO resource_unique_values (tenant_id, resource_type, attr, key, resource_row)
        SELECT r.tenant_id, r.resource_type, ${rebuild.attr}, u.key, r.row_key FROM ${given}
        JOIN resources r ON r.tenant_id = ${tenantId} AND r.resource_type = ${change.resourceType} AND r.id = u.id`;
    } catch (error) {
      if (d.constraintOf(error) === 'unique') throw uniqueRebuildConflict(change.resourceType, rebuild.attr);
      throw error;
    }
  }
  const [next] = yield* rows<{ version: number | string }>(
    sql`UPDATE tenant_extension_versions SET version = version + 1 WHERE tenant_id = ${tenantId} RETURNING version`,
  );
  return Number(next!.version);
}
