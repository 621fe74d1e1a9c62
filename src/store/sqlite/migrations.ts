import { type Migration, MigrationError } from '../sql/migration.ts';
import type { SqliteDatabase } from './connection.ts';

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
    version: 4,
    name: 'tenant extension schemas, their version counter, unique values of extension attributes',
    sql: `
      CREATE TABLE tenant_extensions (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        schema_key TEXT NOT NULL,
        resource_type TEXT NOT NULL CHECK (resource_type IN ('User', 'Group')),
        required INTEGER NOT NULL,
        definition TEXT NOT NULL,
        PRIMARY KEY (tenant_id, schema_key)
      ) WITHOUT ROWID;

      CREATE TABLE tenant_extension_versions (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE resource_unique_values (
        tenant_id TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        attr TEXT NOT NULL,
        key TEXT NOT NULL,
        resource_row INTEGER NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        PRIMARY KEY (tenant_id, resource_type, attr, key)
      ) WITHOUT ROWID;
      CREATE INDEX resource_unique_values_row ON resource_unique_values(resource_row);
    `,
  },
  {
    version: 5,
    name: 'administration: tenant disabling, admin tokens, audit log',
    sql: `
      ALTER TABLE tenants ADD COLUMN disabled_at TEXT;

      -- Admin API tokens live apart from SCIM tokens: a hash in one table can never authenticate
      -- against the other, whatever the secret.
      CREATE TABLE admin_tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        label TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );

      -- No foreign key to tenants: the record of a deleted tenant's writes outlives it. Ids and
      -- statuses only, never a request body.
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        tenant_id TEXT,
        tenant_name TEXT,
        token_id TEXT,
        operation TEXT NOT NULL,
        resource_type TEXT,
        resource_id TEXT,
        status INTEGER NOT NULL
      );
      CREATE INDEX audit_log_tenant ON audit_log(tenant_name, seq);
      CREATE INDEX audit_log_time ON audit_log(time_ms);
    `,
  },
  {
    version: 6,
    name: 'per-tenant OAuth 2.0 issuers of JWT access tokens',
    sql: `
      -- One trusted issuer per tenant (docs/oauth.md). algorithms is a
      -- comma-separated list. The unique index makes a token's (iss, tenant claim) name at most
      -- one tenant, which is how a JWT finds its tenant.
      CREATE TABLE oauth_issuers (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        issuer TEXT NOT NULL,
        jwks_url TEXT NOT NULL,
        audience TEXT NOT NULL,
        tenant_claim TEXT NOT NULL,
        tenant_value TEXT NOT NULL,
        algorithms TEXT NOT NULL,
        clock_skew_seconds INTEGER NOT NULL,
        subject_attribute TEXT NOT NULL CHECK (subject_attribute IN ('userName', 'id')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX oauth_issuers_claim ON oauth_issuers(issuer, tenant_claim, tenant_value);
    `,
  },
  {
    version: 7,
    name: 'nested groups: an index over the group-in-group edges',
    sql: `
      -- Walking down nested groups (filters on a user's groups, the cycle check) follows only the
      -- members that are groups; a group of 100,000 users and 3 subgroups then costs 3 entries,
      -- not 100,000. Walking up uses memberships_member.
      CREATE INDEX memberships_nested ON memberships(group_row, member_row) WHERE member_type = 'Group';
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
  {
    version: 9,
    name: 'audit entries carry the request id (X-Request-Id)',
    sql: 'ALTER TABLE audit_log ADD COLUMN request_id TEXT;',
  },
  {
    version: 14,
    name: 'the request log of the SCIM API',
    sql: `
      -- One row per SCIM request, redacted and cut before it gets here (src/service/request-log.ts),
      -- written in batches outside any resource transaction. No foreign key to tenants: a batch
      -- racing a tenant's deletion must not fail for the other tenants' rows; deleting a tenant
      -- deletes its rows (sql/admin.ts), and age prunes any straggler. stored_bytes is what the
      -- per-tenant size cap adds up; cut has bit 1 for a cut request body, 2 for a response body.
      CREATE TABLE request_log (
        seq INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        time TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        query TEXT NOT NULL,
        status INTEGER NOT NULL,
        scim_type TEXT,
        latency_ms REAL NOT NULL,
        request_id TEXT NOT NULL,
        token_id TEXT,
        client TEXT NOT NULL,
        user_agent TEXT,
        resource_id TEXT,
        request_body TEXT,
        request_bytes INTEGER NOT NULL,
        response_body TEXT,
        response_bytes INTEGER NOT NULL,
        cut INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL
      );
      CREATE INDEX request_log_tenant ON request_log(tenant_id, seq, stored_bytes);
      CREATE INDEX request_log_time ON request_log(time_ms);
    `,
  },
  {
    version: 70,
    name: 'the request log pruned by age along seq, its resource id filter on an index',
    sql: `
      -- What a log row costs to write is mostly its index entries besides the row: the prune by
      -- age walks seq, which grows with time (src/store/sql/request-log.ts), instead of keeping
      -- an index on time_ms for it. The resource id filter reads an index of its own instead of
      -- every entry of the tenant; only entries that name a resource have an entry in it.
      DROP INDEX request_log_time;
      CREATE INDEX request_log_resource ON request_log(tenant_id, resource_id, seq) WHERE resource_id IS NOT NULL;
    `,
  },
  // Applied in version order (runMigrations sorts), wherever an entry stands in this list.
  {
    version: 26,
    name: 'password verification: verify tokens, lockouts, per-tenant settings, the reason of an audit entry',
    sql: `
      -- Tokens of POST /auth/verify (docs/password-sync.md): a table of their own, so that a
      -- SCIM or admin token is never one of them and they are never a SCIM or admin token.
      CREATE TABLE verify_tokens (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        hash TEXT NOT NULL UNIQUE,
        label TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE INDEX verify_tokens_tenant ON verify_tokens(tenant_id);
      -- Failed checks per folded userName, known or not (an unknown name locks as a known one
      -- does, so lockouts tell nothing about who exists). hash_tag: a digest of the password hash
      -- the failures were made against, to notice a password change.
      CREATE TABLE verify_lockouts (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name_key TEXT NOT NULL,
        user_name TEXT NOT NULL,
        failures INTEGER NOT NULL,
        locked_until_ms INTEGER NOT NULL,
        last_failure_at TEXT NOT NULL,
        hash_tag TEXT,
        PRIMARY KEY (tenant_id, name_key)
      ) WITHOUT ROWID;
      CREATE TABLE verify_settings (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        clear_lockout_on_password_change INTEGER NOT NULL
      ) WITHOUT ROWID;
      ALTER TABLE audit_log ADD COLUMN reason TEXT;
    `,
  },
  {
    version: 15,
    name: 'the console: sign-in and setup links, sessions',
    sql: `
      -- Links and sessions are stored by the SHA-256 of their secret, never the secret itself.
      -- A sign-in link works once (used_at); a setup link opens one tenant's customer view until
      -- it expires or is revoked, and revoking it ends the sessions it opened (link_id).
      CREATE TABLE console_links (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('sign-in', 'setup')),
        tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
        label TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX console_links_tenant ON console_links(tenant_id);
      CREATE TABLE console_sessions (
        hash TEXT PRIMARY KEY,
        actor TEXT NOT NULL,
        tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
        link_id TEXT REFERENCES console_links(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX console_sessions_link ON console_sessions(link_id);
    `,
  },
  {
    version: 20,
    name: "scimd's own OAuth 2.0 clients, their secrets, the access tokens' signing keys",
    sql: `
      -- A client belongs to one tenant; its secrets are stored as SHA-256 digests (hint: the first
      -- characters, for people). Signing keys are shared by every instance; old ones stay until the
      -- last token they signed has expired (src/service/oauth-signing-keys.ts).
      CREATE TABLE oauth_clients (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_lifetime_seconds INTEGER NOT NULL,
        jwks TEXT,
        federated_subject TEXT,
        federated_audience TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX oauth_clients_tenant ON oauth_clients(tenant_id, created_at);
      CREATE TABLE oauth_client_secrets (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
        hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX oauth_client_secrets_client ON oauth_client_secrets(client_id);
      CREATE TABLE oauth_signing_keys (
        kid TEXT PRIMARY KEY,
        private_jwk TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      `,
  },
  {
    version: 50,
    name: 'console sessions end when idle: when each was last used',
    sql: `
      ALTER TABLE console_sessions ADD COLUMN seen_at TEXT;
      UPDATE console_sessions SET seen_at = created_at;
    `,
  },
  {
    version: 51,
    name: "a /Bulk request's operations in its request log entry, and the resources they touched",
    sql: `
      ALTER TABLE request_log ADD COLUMN operations TEXT;
      -- The request log's resource id filter finds a /Bulk request by any resource one of its
      -- operations created or named; only /Bulk entries have rows here.
      CREATE TABLE request_log_resources (
        tenant_id TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES request_log(seq) ON DELETE CASCADE,
        PRIMARY KEY (tenant_id, resource_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX request_log_resources_seq ON request_log_resources(seq);
    `,
  },
  {
    version: 30,
    name: 'members of a group in order, and the display of a reference, for streaming',
    sql: `
      -- A group's members in the order they were added, without a sort and without reading the
      -- membership rows (seq is the rowid, the key every chunk of a streamed group seeks to).
      CREATE INDEX memberships_group ON memberships(group_row, seq, member_row, member_type);
      -- A reference's display (src/store/sql/promote.ts refDisplay) without parsing the document.
      ALTER TABLE resources ADD COLUMN ref_display TEXT;
      UPDATE resources SET ref_display = coalesce(nullif(json_extract(doc, '$.displayName'), ''), json_extract(doc, '$.userName'));
    `,
  },
  {
    version: 21,
    name: 'when each OAuth client secret was last used',
    sql: 'ALTER TABLE oauth_client_secrets ADD COLUMN last_used_at TEXT;',
  },
  {
    version: 45,
    name: "each tenant's compatibility profile and its overridden behaviours",
    sql: `
      -- src/service/profiles.ts gives the names and behaviours their meaning; the service checks both on write.
      ALTER TABLE tenants ADD COLUMN profile TEXT NOT NULL DEFAULT 'lenient';
      ALTER TABLE tenants ADD COLUMN profile_overrides TEXT NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 40,
    name: 'a group displayName is not unique (RFC 7643 §8.7.1), a userName still is',
    sql: `
      -- The unique name index holds users' folded userNames; a group's name_key becomes its id
      -- (src/store/sql/promote.ts), and its displayName is looked up through display_name. A
      -- tenant that wants unique group names opts in (docs/profiles.md), checked by the write
      -- (src/store/sql/writes.ts refuseTakenName).
      UPDATE resources SET name_key = id WHERE resource_type = 'Group';
    `,
  },
  {
    version: 80,
    name: 'the optional resource types each tenant enabled',
    sql: `
      -- src/schema/types/catalogue.ts names the types; enabling one bumps the tenant's
      -- tenant_extension_versions row, so that every instance reloads the tenant's registry.
      CREATE TABLE tenant_resource_types (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_type TEXT NOT NULL,
        enabled_ms INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, resource_type)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 81,
    name: 'the resources of the schema-defined types (Roles, Entitlements, Agents, Devices)',
    sql: `
      -- src/store/sql/typed.ts: the columns the filter compiler reads from a resource row, so a
      -- type of the catalogue is filtered, sorted and paged with no code of its own. display_name
      -- is the type's indexed attribute, folded; name_key the same when it is unique, else the id.
      CREATE TABLE typed_resources (
        row_key INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_type TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        modified_ms INTEGER NOT NULL,
        name_key TEXT NOT NULL,
        display_name TEXT,
        external_id TEXT
      );
      CREATE UNIQUE INDEX typed_resources_id ON typed_resources(tenant_id, resource_type, id);
      CREATE UNIQUE INDEX typed_resources_name ON typed_resources(tenant_id, resource_type, name_key);
      CREATE INDEX typed_resources_type ON typed_resources(tenant_id, resource_type);
      CREATE INDEX typed_resources_display_name ON typed_resources(tenant_id, resource_type, display_name);
      CREATE INDEX typed_resources_external_id ON typed_resources(tenant_id, resource_type, external_id);
    `,
  },
  {
    version: 90,
    name: 'when each member was added to its group (GroupMember meta.created)',
    sql: `
      -- draft-zollner-scim-group-members-01 (src/store/sql/group-members.ts): a membership is a
      -- resource with a creation time. Memberships stored before have none (NULL): their GroupMember
      -- shows no meta.created rather than an invented one. No default, so adding it rewrites nothing.
      ALTER TABLE memberships ADD COLUMN created_ms INTEGER;
    `,
  },
  {
    version: 105,
    name: 'tenant extension schemas of any resource type (Roles, Devices …), not only User and Group',
    sql: `
      -- src/service/schemas.ts says which types a tenant may extend (the catalogue's built-in and
      -- generic ones). SQLite cannot drop a CHECK: the table is rebuilt without it, same rows.
      CREATE TABLE tenant_extensions_any (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        schema_key TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        required INTEGER NOT NULL,
        definition TEXT NOT NULL,
        PRIMARY KEY (tenant_id, schema_key)
      ) WITHOUT ROWID;
      INSERT INTO tenant_extensions_any SELECT tenant_id, schema_key, resource_type, required, definition FROM tenant_extensions;
      DROP TABLE tenant_extensions;
      ALTER TABLE tenant_extensions_any RENAME TO tenant_extensions;
    `,
  },
  {
    version: 110,
    name: "each resource's events in order (a delta query returns a resource once per walk)",
    sql: `
      -- A later page of a delta walk leaves out the resources whose first change was on an earlier
      -- page (src/store/sql/change-log.ts): one probe of this index per event read, where the
      -- primary key alone would scan every event of the walk before the page.
      CREATE INDEX outbox_subject ON outbox(tenant_id, subject, sequence);
    `,
  },
  {
    version: 111,
    name: "the request log's resource index by generations of 1,024 entries",
    sql: `
      -- Resource ids are random: keyed by them alone, each entry of a batch of the log landed in a
      -- leaf of its own (a 4 KB page written to the WAL and checkpointed back for every logged
      -- create once the log is large), twice what the row itself costs. Within a generation
      -- (seq / 1024) a batch's entries share the few leaves of the newest generation; the resource
      -- id filter seeks each generation of the tenant (src/store/sql/request-log.ts).
      DROP INDEX request_log_resource;
      CREATE INDEX request_log_resource ON request_log(tenant_id, (seq / 1024), resource_id, seq) WHERE resource_id IS NOT NULL;
    `,
  },
  {
    version: 114,
    name: 'the outbox as a rowid table: its rows are appended, not balanced into a B-tree keyed by (tenant, sequence)',
    sql: `
      -- An event's row carries its data (1-2 KB). In a WITHOUT ROWID table the rows live in the
      -- primary key's B-tree, which splits a page every few inserts with a full rebalance (SQLite
      -- keeps its quick append for rowid tables) and advises against rows that large. As a rowid
      -- table the row is appended and (tenant, sequence) is a small unique index: an event's
      -- INSERT 13.3 -> 7.7 us and its share of the COMMIT 15.8 -> 12.4 us, 17% less WAL
      -- (docs/performance.md, "Writes on the next machine"). Same rows, same order.
      CREATE TABLE outbox_rows (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        subject TEXT NOT NULL,
        source TEXT NOT NULL,
        time TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      INSERT INTO outbox_rows SELECT tenant_id, sequence, id, type, subject, source, time, time_ms, data FROM outbox ORDER BY tenant_id, sequence;
      DROP TABLE outbox;
      ALTER TABLE outbox_rows RENAME TO outbox;
      CREATE UNIQUE INDEX outbox_sequence ON outbox(tenant_id, sequence);
      CREATE UNIQUE INDEX outbox_event_id ON outbox(tenant_id, id);
      CREATE INDEX outbox_subject ON outbox(tenant_id, subject, sequence);
    `,
  },
  {
    version: 115,
    name: "each event names its resource's previous event; the outbox_subject index goes",
    sql: `
      -- A delta walk asks of each event whether its resource changed earlier in the walk
      -- (src/store/sql/change-log.ts). outbox_subject answered that, but it is keyed by a random
      -- resource id: every write put its event into a leaf of its own, a 4 KB page written to
      -- the WAL and checkpointed back, and the leaves outgrow the cache as the outbox grows (a
      -- PATCH's COMMIT 553 -> 215 us without it, at 130,000 events). Now each event carries the
      -- sequence of its resource's previous event, which the write knows from the resource's
      -- row (last_event), a row it writes anyway (docs/performance.md, "The delta index").
      ALTER TABLE outbox ADD COLUMN previous INTEGER;
      ALTER TABLE resources ADD COLUMN last_event INTEGER;
      ALTER TABLE typed_resources ADD COLUMN last_event INTEGER;
      UPDATE outbox SET previous = p.previous
        FROM (SELECT rowid AS event, lag(sequence) OVER (PARTITION BY tenant_id, subject ORDER BY sequence) AS previous FROM outbox) AS p
        WHERE p.event = outbox.rowid AND p.previous IS NOT NULL;
      CREATE TEMP TABLE last_events AS
        SELECT tenant_id, substr(subject, instr(subject, '/') + 1) AS id, max(sequence) AS sequence FROM outbox GROUP BY tenant_id, subject;
      CREATE INDEX temp.last_events_id ON last_events(tenant_id, id);
      UPDATE resources SET last_event = l.sequence FROM last_events AS l WHERE l.tenant_id = resources.tenant_id AND l.id = resources.id;
      UPDATE typed_resources SET last_event = l.sequence FROM last_events AS l
        WHERE l.tenant_id = typed_resources.tenant_id AND l.id = typed_resources.id;
      DROP TABLE temp.last_events;
      DROP INDEX outbox_subject;
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
    try {
      db.transaction(() => {
        if (isApplied.get(migration.version)) return;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, new Date().toISOString());
        applied.push(migration.version);
      }).immediate();
    } catch (error) {
      throw new MigrationError(migration, error);
    }
  }
  return applied;
}
