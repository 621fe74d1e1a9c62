import type { SqliteDatabase } from './connection.ts';
import type { Migration } from '../sql/migration.ts';


/**
 * Append-only: a released migration is never edited, a change is a new version. Every table is
 * keyed by tenant so that no statement can reach across tenants without naming one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, tokens, resources, memberships, values index',
    sql: `
      CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );

      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        hash TEXT NOT NULL UNIQUE,
        label TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE INDEX tokens_tenant ON tokens(tenant_id);

      -- row_key aliases the rowid: the default order, the keyset paging key and the target of
      -- every foreign key (8 bytes instead of a 36-character id in each index entry).
      -- name_key is the folded userName (User) or displayName (Group): its unique index is the
      -- uniqueness rule of both, enforced by SQLite rather than by a check-then-insert.
      CREATE TABLE resources (
        row_key INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_type TEXT NOT NULL CHECK (resource_type IN ('User', 'Group')),
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        password_hash TEXT,
        version INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        modified_ms INTEGER NOT NULL,
        name_key TEXT NOT NULL,
        display_name TEXT,
        external_id TEXT
      );
      CREATE UNIQUE INDEX resources_id ON resources(tenant_id, id);
      CREATE UNIQUE INDEX resources_name ON resources(tenant_id, resource_type, name_key);
      CREATE INDEX resources_type ON resources(tenant_id, resource_type);
      CREATE INDEX resources_external_id ON resources(tenant_id, resource_type, external_id);
      CREATE INDEX resources_display_name ON resources(tenant_id, resource_type, display_name);
      CREATE INDEX resources_modified ON resources(tenant_id, resource_type, modified_ms);

      -- seq keeps insertion order, the order members are returned in.
      CREATE TABLE memberships (
        seq INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        group_row INTEGER NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        member_row INTEGER NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        member_type TEXT NOT NULL,
        UNIQUE (group_row, member_row)
      );
      CREATE INDEX memberships_member ON memberships(member_row, group_row);

      -- See src/store/sql/values-index.ts. value and type have no declared type on purpose:
      -- no column affinity, so a number stays a number exactly as json_extract returns it.
      CREATE TABLE resource_values (
        resource_row INTEGER NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        attr TEXT NOT NULL,
        idx INTEGER NOT NULL,
        tenant_id TEXT NOT NULL,
        value,
        type,
        PRIMARY KEY (resource_row, attr, idx)
      ) WITHOUT ROWID;
      CREATE INDEX resource_values_lookup ON resource_values(tenant_id, attr, value, type);
    `,
  },
  {
    version: 2,
    name: 'transactional outbox: events, per-tenant sequence counters, per-sink delivery cursors',
    sql: `
      -- The next sequence of a tenant is last_sequence + 1, taken by an UPDATE in the writing
      -- transaction: gapless, and commits of one tenant serialise on this row.
      CREATE TABLE outbox_counters (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        last_sequence INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- data is the CloudEvent's data as JSON text; the envelope is assembled on read
      -- (src/events/cloud-event.ts). time_ms serves pruning and the oldest-undelivered metric.
      CREATE TABLE outbox (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        subject TEXT NOT NULL,
        source TEXT NOT NULL,
        time TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (tenant_id, sequence)
      ) WITHOUT ROWID;

      CREATE TABLE outbox_delivery (
        sink TEXT NOT NULL,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        delivered_sequence INTEGER NOT NULL,
        PRIMARY KEY (sink, tenant_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'outbox leases: relays in several processes share delivery per (sink, tenant)',
    sql: `
      -- As on PostgreSQL: owner is the relay's id, until_ms the epoch ms at which the lease
      -- lapses (one machine, one clock). Several processes on one file (scimd serve and
      -- scimd relay) take turns per tenant instead of delivering twice.
      CREATE TABLE outbox_leases (
        sink TEXT NOT NULL,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        owner TEXT NOT NULL,
        until_ms INTEGER NOT NULL,
        PRIMARY KEY (sink, tenant_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'security event tokens (RFC 9967): RFC 8936 poll acknowledgements, the generated signing key',
    sql: `
      -- A SET's jti is its event's id: acknowledgements look events up by it.
      CREATE UNIQUE INDEX outbox_event_id ON outbox(tenant_id, id);

      -- Per tenant: every event with sequence <= acked_through is acknowledged; above it, the
      -- acknowledged ones have a row here (with the receiver's error when it sent setErrs) until
      -- the gap below them closes and the cursor moves past them.
      CREATE TABLE set_poll_cursors (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        acked_through INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE set_poll_acks (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL,
        err TEXT,
        description TEXT,
        acked_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, sequence)
      ) WITHOUT ROWID;

      -- The SET signing key set scimd generated when SCIMD_SET_SIGNING_KEYS is not set: one row,
      -- shared by every process on this database.
      CREATE TABLE set_signing_keys (
        id TEXT PRIMARY KEY,
        jwks TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * Applies the pending migrations, each in its own IMMEDIATE transaction together with its
 * schema_migrations row, so that two processes migrating at once apply each version once.
 */
export function runMigrations(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    db.transaction(() => {
      if (isApplied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    }).immediate();
  }
  return applied;
}
