import type { ClientBase } from 'pg';
import { type Migration, MigrationError } from '../sql/migration.ts';

/**
 * Append-only, like the SQLite list (src/store/sqlite/migrations.ts) and with the same tables and
 * promoted columns, so that src/store/sql/* compiles one query for both. Differences:
 * - every text column that is compared or sorted is COLLATE "C": code point order (UTF-8 byte
 *   order) whatever the database's default collation, and plain memcmp B-trees;
 * - name_key, display_name and the values index are folded in JavaScript (src/store/sql/promote.ts,
 *   values-index.ts), so the unique index on (tenant_id, resource_type, name_key) IS the
 *   case-insensitive uniqueness rule, exact to fold(), and independent of ICU versions;
 * - multi-valued lookups use the same resource_values table as SQLite rather than a GIN index:
 *   a GIN (jsonb_path_ops) index answers only exact, unfolded containment, while the table holds
 *   folded values in a B-tree that also serves `sw` ranges;
 * - scim_fold / scim_instant / scim_present are the three functions the dialect calls.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, tokens, resources, memberships, values index, filter functions',
    sql: `
      CREATE TABLE tenants (
        id text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL UNIQUE,
        created_at text NOT NULL
      );

      CREATE TABLE tokens (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        hash text COLLATE "C" NOT NULL UNIQUE,
        label text,
        created_at text NOT NULL,
        expires_at text,
        revoked_at text,
        last_used_at text
      );
      CREATE INDEX tokens_tenant ON tokens(tenant_id);

      -- row_key: the default order, the keyset paging key and the target of every foreign key.
      CREATE TABLE resources (
        row_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_type text COLLATE "C" NOT NULL CHECK (resource_type IN ('User', 'Group')),
        id text COLLATE "C" NOT NULL,
        doc jsonb NOT NULL,
        password_hash text,
        version integer NOT NULL,
        created_ms bigint NOT NULL,
        modified_ms bigint NOT NULL,
        name_key text COLLATE "C" NOT NULL,
        display_name text COLLATE "C",
        external_id text COLLATE "C"
      );
      CREATE UNIQUE INDEX resources_id ON resources(tenant_id, id);
      CREATE UNIQUE INDEX resources_name ON resources(tenant_id, resource_type, name_key);
      CREATE INDEX resources_type ON resources(tenant_id, resource_type, row_key);
      CREATE INDEX resources_external_id ON resources(tenant_id, resource_type, external_id);
      CREATE INDEX resources_display_name ON resources(tenant_id, resource_type, display_name);
      CREATE INDEX resources_modified ON resources(tenant_id, resource_type, modified_ms);

      -- seq keeps insertion order, the order members are returned in. The unique pair is what
      -- makes concurrent adds of one member idempotent (ON CONFLICT DO NOTHING).
      CREATE TABLE memberships (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        group_row bigint NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        member_row bigint NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        member_type text COLLATE "C" NOT NULL,
        UNIQUE (group_row, member_row)
      );
      CREATE INDEX memberships_member ON memberships(member_row, group_row);

      -- See src/store/sql/values-index.ts. Only string values are indexed (a number in a string
      -- attribute counts as absent, docs/filtering.md), so the columns are text.
      CREATE TABLE resource_values (
        resource_row bigint NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        attr text COLLATE "C" NOT NULL,
        idx integer NOT NULL,
        tenant_id text COLLATE "C" NOT NULL,
        value text COLLATE "C",
        type text COLLATE "C",
        PRIMARY KEY (resource_row, attr, idx)
      );
      CREATE INDEX resource_values_lookup ON resource_values(tenant_id, attr, value, type);

      -- fold() of src/filter/fold.ts is JavaScript toLowerCase (full Unicode lower-case mapping,
      -- final sigma included). ICU's root-locale lower() is the same mapping; it differs only for
      -- characters newer than the server's ICU (docs/filtering.md "PostgreSQL"). Only filters on
      -- attributes read from the document use it: promoted columns are folded in JavaScript.
      CREATE FUNCTION scim_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN lower($1 COLLATE "und-x-icu") COLLATE "C";

      -- parseDateTime of src/schema/datetime.ts, to the millisecond: the xsd:dateTime form only,
      -- no time zone = UTC, 24:00:00 = end of day, fraction digits beyond the third ignored;
      -- anything else (or a non-string) is NULL, which the compiler reads as absent.
      CREATE FUNCTION scim_instant(text) RETURNS float8
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
      AS $fn$
      DECLARE
        m text[];
        y int; mo int; d int; h int; mi int; s int;
        frac text; zone text;
        off int := 0;
        yy int; era int; yoe int; doy int; doe int; days bigint;
      BEGIN
        m := regexp_match($1, '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?$');
        IF m IS NULL THEN RETURN NULL; END IF;
        y := m[1]::int; mo := m[2]::int; d := m[3]::int; h := m[4]::int; mi := m[5]::int; s := m[6]::int;
        frac := coalesce(m[7], ''); zone := coalesce(m[8], 'Z');
        IF mo < 1 OR mo > 12 OR d < 1 THEN RETURN NULL; END IF;
        IF d > (CASE WHEN mo = 2 AND ((y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0) THEN 29
                     ELSE (ARRAY[31,28,31,30,31,30,31,31,30,31,30,31])[mo] END) THEN RETURN NULL; END IF;
        IF mi > 59 OR s > 59 THEN RETURN NULL; END IF;
        IF h > 24 OR (h = 24 AND (mi <> 0 OR s <> 0 OR frac ~ '[1-9]')) THEN RETURN NULL; END IF;
        IF zone <> 'Z' THEN
          IF substr(zone, 5, 2)::int > 59 OR substr(zone, 2, 2)::int > 14
             OR (substr(zone, 2, 2)::int = 14 AND substr(zone, 5, 2)::int <> 0) THEN RETURN NULL; END IF;
          off := (CASE WHEN left(zone, 1) = '-' THEN -1 ELSE 1 END) * (substr(zone, 2, 2)::int * 60 + substr(zone, 5, 2)::int);
        END IF;
        -- H. Hinnant's days_from_civil, with floor division as in the JavaScript.
        yy := CASE WHEN mo <= 2 THEN y - 1 ELSE y END;
        era := floor(yy / 400.0)::int;
        yoe := yy - era * 400;
        doy := (153 * (mo + CASE WHEN mo > 2 THEN -3 ELSE 9 END) + 2) / 5 + d - 1;
        doe := yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days := era::bigint * 146097 + doe - 719468;
        RETURN (((days * 24 + h) * 60 + mi - off) * 60000 + s * 1000
                + CASE WHEN frac = '' THEN 0 ELSE rpad(left(frac, 3), 3, '0')::int END)::float8;
      END
      $fn$;

      -- docs/filtering.md "Present": not null, not "", and for arrays and objects some leaf inside
      -- that is neither null nor "".
      CREATE FUNCTION scim_present(jsonb) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN coalesce(CASE jsonb_typeof($1)
          WHEN 'string' THEN $1 <> '""'::jsonb
          WHEN 'number' THEN true
          WHEN 'boolean' THEN true
          WHEN 'null' THEN false
          ELSE jsonb_path_exists($1, 'strict $.** ? ((@.type() == "string" && @ != "") || @.type() == "number" || @.type() == "boolean")')
        END, false);
    `,
  },
  {
    version: 2,
    name: 'transactional outbox: events, per-tenant sequence counters, per-sink delivery cursors',
    sql: `
      -- The next sequence of a tenant is last_sequence + 1, taken by an UPSERT in the writing
      -- transaction. The row lock it takes is held until COMMIT, so writers of one tenant
      -- serialise here and commit in sequence order, without gaps (a rolled-back write rolls its
      -- increment back too), on one instance or many.
      CREATE TABLE outbox_counters (
        tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        last_sequence bigint NOT NULL
      );

      -- data is the CloudEvent's data as JSON text, byte for byte what the service built.
      CREATE TABLE outbox (
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sequence bigint NOT NULL,
        id text NOT NULL,
        type text NOT NULL,
        subject text NOT NULL,
        source text NOT NULL,
        time text NOT NULL,
        time_ms bigint NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (tenant_id, sequence)
      );

      CREATE TABLE outbox_delivery (
        sink text COLLATE "C" NOT NULL,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        delivered_sequence bigint NOT NULL,
        PRIMARY KEY (sink, tenant_id)
      );
    `,
  },
  {
    version: 3,
    name: 'outbox leases: relays on several instances share delivery per (sink, tenant)',
    sql: `
      -- One row per (sink, tenant) some relay has claimed: owner is the relay's id, until_ms the
      -- database clock's epoch ms at which the lease lapses. Taken and renewed by an UPSERT whose
      -- WHERE lets only a free, expired or own lease change hands (docs/events.md).
      CREATE TABLE outbox_leases (
        sink text COLLATE "C" NOT NULL,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        owner text COLLATE "C" NOT NULL,
        until_ms bigint NOT NULL,
        PRIMARY KEY (sink, tenant_id)
      );
    `,
  },
  {
    version: 4,
    name: 'tenant extension schemas, their version counter, unique values of extension attributes',
    sql: `
      -- schema_key: the schema URN lowered (URNs compare case-insensitively); definition: the
      -- RFC 7643 §7 schema as scimd parsed it.
      CREATE TABLE tenant_extensions (
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        schema_key text COLLATE "C" NOT NULL,
        resource_type text NOT NULL CHECK (resource_type IN ('User', 'Group')),
        required boolean NOT NULL,
        definition jsonb NOT NULL,
        PRIMARY KEY (tenant_id, schema_key)
      );

      -- Bumped by every definition change: instances compare it to their cached registry.
      CREATE TABLE tenant_extension_versions (
        tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        version bigint NOT NULL
      );

      -- uniqueness "server" of extension attributes, held by the primary key: of two
      -- transactions inserting one key, one commits and the other gets 23505.
      CREATE TABLE resource_unique_values (
        tenant_id text COLLATE "C" NOT NULL,
        resource_type text NOT NULL,
        attr text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        resource_row bigint NOT NULL REFERENCES resources(row_key) ON DELETE CASCADE,
        PRIMARY KEY (tenant_id, resource_type, attr, key)
      );
      CREATE INDEX resource_unique_values_row ON resource_unique_values(resource_row);
    `,
  },
  {
    version: 5,
    name: 'administration: tenant disabling, admin tokens, audit log',
    sql: `
      ALTER TABLE tenants ADD COLUMN disabled_at text;

      -- Admin API tokens live apart from SCIM tokens: a hash in one table can never authenticate
      -- against the other, whatever the secret.
      CREATE TABLE admin_tokens (
        id text COLLATE "C" PRIMARY KEY,
        hash text COLLATE "C" NOT NULL UNIQUE,
        label text,
        created_at text NOT NULL,
        expires_at text,
        revoked_at text,
        last_used_at text
      );

      -- No foreign key to tenants: the record of a deleted tenant's writes outlives it. Ids and
      -- statuses only, never a request body. seq orders by insertion, not by commit: good enough
      -- for reading a log, not a delivery cursor.
      CREATE TABLE audit_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time text NOT NULL,
        time_ms bigint NOT NULL,
        tenant_id text COLLATE "C",
        tenant_name text COLLATE "C",
        token_id text COLLATE "C",
        operation text NOT NULL,
        resource_type text,
        resource_id text,
        status integer NOT NULL
      );
      CREATE INDEX audit_log_tenant ON audit_log(tenant_name, seq);
      CREATE INDEX audit_log_time ON audit_log(time_ms);
    `,
  },
  {
    version: 6,
    name: 'per-tenant OAuth 2.0 issuers of JWT access tokens',
    sql: `
      -- As on SQLite: one trusted issuer per tenant; the unique index makes a token's
      -- (iss, tenant claim) name at most one tenant.
      CREATE TABLE oauth_issuers (
        tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        issuer text COLLATE "C" NOT NULL,
        jwks_url text NOT NULL,
        audience text NOT NULL,
        tenant_claim text COLLATE "C" NOT NULL,
        tenant_value text COLLATE "C" NOT NULL,
        algorithms text NOT NULL,
        clock_skew_seconds integer NOT NULL,
        subject_attribute text NOT NULL CHECK (subject_attribute IN ('userName', 'id')),
        created_at text NOT NULL,
        updated_at text NOT NULL
      );
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
        tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        acked_through bigint NOT NULL
      );
      CREATE TABLE set_poll_acks (
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sequence bigint NOT NULL,
        err text,
        description text,
        acked_at text NOT NULL,
        PRIMARY KEY (tenant_id, sequence)
      );

      -- The SET signing key set scimd generated when SCIMD_SET_SIGNING_KEYS is not set: one row,
      -- shared by every instance on this database.
      CREATE TABLE set_signing_keys (
        id text PRIMARY KEY,
        jwks text NOT NULL,
        created_at text NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'outbox sequences assigned after commit: writers of one tenant no longer queue on its counter row',
    sql: `
      -- A writer inserts its events with sequence NULL; position (a global bigserial) only orders
      -- them for the sequencer, which numbers committed rows per tenant under the counter row's
      -- lock (src/store/postgres/sequencer.ts, docs/events.md). Writers then commit in parallel
      -- and share WAL flushes, instead of holding one row lock per tenant through each flush.
      ALTER TABLE outbox DROP CONSTRAINT outbox_pkey;
      ALTER TABLE outbox ADD COLUMN position bigserial PRIMARY KEY;
      ALTER TABLE outbox ALTER COLUMN sequence DROP NOT NULL;
      CREATE UNIQUE INDEX outbox_tenant_sequence ON outbox (tenant_id, sequence);
      CREATE INDEX outbox_unsequenced ON outbox (tenant_id, position) WHERE sequence IS NULL;
    `,
  },
  {
    version: 13,
    name: 'audit entries carry the request id (X-Request-Id)',
    sql: 'ALTER TABLE audit_log ADD COLUMN request_id text;',
  },
  {
    version: 14,
    name: 'the request log of the SCIM API',
    sql: `
      -- As on SQLite (see its migration 14): redacted rows written in batches, no foreign key.
      CREATE TABLE request_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        time text NOT NULL,
        time_ms bigint NOT NULL,
        method text NOT NULL,
        path text COLLATE "C" NOT NULL,
        query text NOT NULL,
        status integer NOT NULL,
        scim_type text,
        latency_ms double precision NOT NULL,
        request_id text NOT NULL,
        token_id text,
        client text NOT NULL,
        user_agent text,
        resource_id text COLLATE "C",
        request_body text,
        request_bytes integer NOT NULL,
        response_body text,
        response_bytes integer NOT NULL,
        cut integer NOT NULL,
        stored_bytes integer NOT NULL
      );
      CREATE INDEX request_log_tenant ON request_log(tenant_id, seq, stored_bytes);
      CREATE INDEX request_log_time ON request_log(time_ms);
    `,
  },
  {
    version: 70,
    name: 'the request log pruned by age along seq, its resource id filter on an index',
    sql: `
      -- As on SQLite (its migration 70).
      DROP INDEX request_log_time;
      CREATE INDEX request_log_resource ON request_log(tenant_id, resource_id, seq) WHERE resource_id IS NOT NULL;
    `,
  },
  // Applied in version order (runMigrations sorts), wherever an entry stands in this list.
  {
    version: 26,
    name: 'password verification: verify tokens, lockouts, per-tenant settings, the reason of an audit entry',
    sql: `
      -- As on SQLite (its migration 26).
      CREATE TABLE verify_tokens (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        hash text COLLATE "C" NOT NULL UNIQUE,
        label text,
        created_at text NOT NULL,
        expires_at text,
        revoked_at text,
        last_used_at text
      );
      CREATE INDEX verify_tokens_tenant ON verify_tokens(tenant_id);
      CREATE TABLE verify_lockouts (
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name_key text COLLATE "C" NOT NULL,
        user_name text NOT NULL,
        failures integer NOT NULL,
        locked_until_ms bigint NOT NULL,
        last_failure_at text NOT NULL,
        hash_tag text,
        PRIMARY KEY (tenant_id, name_key)
      );
      CREATE TABLE verify_settings (
        tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        clear_lockout_on_password_change integer NOT NULL
      );
      ALTER TABLE audit_log ADD COLUMN reason text;
    `,
  },
  {
    version: 15,
    name: 'the console: sign-in and setup links, sessions',
    sql: `
      -- As on SQLite (its migration 15): links and sessions by the hash of their secret.
      CREATE TABLE console_links (
        id text COLLATE "C" PRIMARY KEY,
        hash text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('sign-in', 'setup')),
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        label text,
        created_at text NOT NULL,
        expires_at text NOT NULL,
        used_at text,
        revoked_at text
      );
      CREATE INDEX console_links_tenant ON console_links(tenant_id);
      CREATE TABLE console_sessions (
        hash text COLLATE "C" PRIMARY KEY,
        actor text NOT NULL,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        link_id text REFERENCES console_links(id) ON DELETE CASCADE,
        csrf text NOT NULL,
        created_at text NOT NULL,
        expires_at text NOT NULL
      );
      CREATE INDEX console_sessions_link ON console_sessions(link_id);
    `,
  },
  {
    version: 20,
    name: "scimd's own OAuth 2.0 clients, their secrets, the access tokens' signing keys",
    sql: `
      -- As on SQLite (its migration 20).
      CREATE TABLE oauth_clients (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_lifetime_seconds integer NOT NULL,
        jwks text,
        federated_subject text,
        federated_audience text,
        created_at text NOT NULL,
        updated_at text NOT NULL
      );
      CREATE INDEX oauth_clients_tenant ON oauth_clients(tenant_id, created_at);
      CREATE TABLE oauth_client_secrets (
        id text COLLATE "C" PRIMARY KEY,
        client_id text COLLATE "C" NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
        hash text COLLATE "C" NOT NULL UNIQUE,
        hint text NOT NULL,
        created_at text NOT NULL,
        expires_at text NOT NULL
      );
      CREATE INDEX oauth_client_secrets_client ON oauth_client_secrets(client_id);
      CREATE TABLE oauth_signing_keys (
        kid text COLLATE "C" PRIMARY KEY,
        private_jwk text NOT NULL,
        created_at text NOT NULL
      );
      `,
  },
  {
    version: 30,
    name: 'members of a group in order, and the display of a reference, for streaming',
    sql: `
      -- As on SQLite (its migration 30): a group's members in the order they were added, by chunk.
      CREATE INDEX memberships_group ON memberships(group_row, seq) INCLUDE (member_row, member_type);
      ALTER TABLE resources ADD COLUMN ref_display text;
      UPDATE resources SET ref_display = coalesce(nullif(doc ->> 'displayName', ''), doc ->> 'userName');
    `,
  },
  {
    version: 21,
    name: 'when each OAuth client secret was last used',
    sql: 'ALTER TABLE oauth_client_secrets ADD COLUMN last_used_at text;',
  },
  {
    version: 45,
    name: "each tenant's compatibility profile and its overridden behaviours",
    sql: `
      -- src/service/profiles.ts gives the names and behaviours their meaning; the service checks both on write.
      ALTER TABLE tenants ADD COLUMN profile text NOT NULL DEFAULT 'lenient';
      ALTER TABLE tenants ADD COLUMN profile_overrides text NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 40,
    name: 'a group displayName is not unique (RFC 7643 §8.7.1), a userName still is',
    sql: `
      -- As on SQLite (its migration 40): a group's name_key becomes its id.
      UPDATE resources SET name_key = id WHERE resource_type = 'Group';
    `,
  },
  {
    version: 50,
    name: 'console sessions end when idle: when each was last used',
    sql: `
      ALTER TABLE console_sessions ADD COLUMN seen_at text;
      UPDATE console_sessions SET seen_at = created_at;
    `,
  },
  {
    version: 51,
    name: "a /Bulk request's operations in its request log entry, and the resources they touched",
    sql: `
      ALTER TABLE request_log ADD COLUMN operations text;
      -- The request log's resource id filter finds a /Bulk request by any resource one of its
      -- operations created or named; only /Bulk entries have rows here.
      CREATE TABLE request_log_resources (
        tenant_id text COLLATE "C" NOT NULL,
        resource_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL REFERENCES request_log(seq) ON DELETE CASCADE,
        PRIMARY KEY (tenant_id, resource_id, seq)
      );
      CREATE INDEX request_log_resources_seq ON request_log_resources(seq);
    `,
  },
  {
    version: 80,
    name: 'the optional resource types each tenant enabled',
    sql: `
      -- As on SQLite (its migration 80).
      CREATE TABLE tenant_resource_types (
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_type text COLLATE "C" NOT NULL,
        enabled_ms bigint NOT NULL,
        PRIMARY KEY (tenant_id, resource_type)
      );
    `,
  },
  {
    version: 81,
    name: 'the resources of the schema-defined types (Roles, Entitlements, Agents, Devices)',
    sql: `
      -- As on SQLite (its migration 81).
      CREATE TABLE typed_resources (
        row_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        resource_type text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        doc jsonb NOT NULL,
        version integer NOT NULL,
        created_ms bigint NOT NULL,
        modified_ms bigint NOT NULL,
        name_key text COLLATE "C" NOT NULL,
        display_name text COLLATE "C",
        external_id text COLLATE "C"
      );
      CREATE UNIQUE INDEX typed_resources_id ON typed_resources(tenant_id, resource_type, id);
      CREATE UNIQUE INDEX typed_resources_name ON typed_resources(tenant_id, resource_type, name_key);
      CREATE INDEX typed_resources_type ON typed_resources(tenant_id, resource_type, row_key);
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
      ALTER TABLE memberships ADD COLUMN created_ms bigint;
    `,
  },
  {
    version: 105,
    name: 'tenant extension schemas of any resource type (Roles, Devices …), not only User and Group',
    sql: `
      -- As on SQLite (its migration 105): src/service/schemas.ts says which types may be extended.
      ALTER TABLE tenant_extensions DROP CONSTRAINT tenant_extensions_resource_type_check;
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
      -- As on SQLite (its migration 111).
      DROP INDEX request_log_resource;
      CREATE INDEX request_log_resource ON request_log(tenant_id, (seq / 1024), resource_id, seq) WHERE resource_id IS NOT NULL;
    `,
  },
  {
    version: 112,
    name: 'an update that changes no indexed column writes no index entry (a HOT update)',
    sql: `
      -- A PATCH sets modified_ms; with an index on it every PATCH wrote a new entry into all six
      -- indexes of resources (an UPDATE that changes an indexed column cannot be HOT). Without it,
      -- and with room left in each page for the row's new version, a PATCH of active or title
      -- writes the row alone: 16 clients PATCHing 20,000 users, the database's CPU a PATCH
      -- 667 -> 510 us. meta.lastModified filters and sorts read the type's rows of the tenant
      -- instead (docs/postgresql.md, "HOT updates"). SQLite writes only the entries of the
      -- indexes whose columns change, and keeps the index.
      DROP INDEX resources_modified;
      ALTER TABLE resources SET (fillfactor = 85);
    `,
  },
  {
    version: 113,
    name: "the outbox without a foreign key to tenants: a write's event no longer locks its tenant's row",
    sql: `
      -- The key's check locked the tenant's row (FOR KEY SHARE) in every write transaction: a WAL
      -- record each, the tenants page locked exclusively by every writer of every tenant, and
      -- concurrent writers of one tenant sharing the lock through a multixact rewritten by each
      -- (16 clients PATCHing, the same build with and without the key, six rounds alternated: the
      -- database's CPU a PATCH 503 -> 457 us, medians; a second run on a noisier host was within
      -- its noise). A tenant's
      -- deletion deletes its events itself, once more after the tenant's row (src/store/sql/admin.ts,
      -- tenantDeletion). SQLite keeps its key: its checks lock nothing.
      ALTER TABLE outbox DROP CONSTRAINT outbox_tenant_id_fkey;
    `,
  },
  {
    version: 116,
    name: 'an event waiting for its sequence is in three of the outbox indexes, not five; the outbox analyzed from a sample of 3,000 rows',
    sql: `
      -- An event is inserted without a sequence and numbered after commit (sequencer.ts). Every
      -- reader of these two indexes compares the sequence, so until then they need no entry for
      -- it: a write's event inserts the row, the primary key, outbox_event_id (which a tenant's
      -- deletion walks, and which keeps ids unique) and outbox_unsequenced (docs/postgresql.md,
      -- "What an event writes").
      DROP INDEX outbox_tenant_sequence;
      CREATE UNIQUE INDEX outbox_tenant_sequence ON outbox(tenant_id, sequence) WHERE sequence IS NOT NULL;
      DROP INDEX outbox_subject;
      CREATE INDEX outbox_subject ON outbox(tenant_id, subject, sequence) WHERE sequence IS NOT NULL;
      -- ANALYZE samples 300 rows per unit of the largest statistics target: at the default 100 it
      -- read every page of an outbox of 30,000 events (200-350 ms each time the table doubled).
      -- The plans of the outbox need its size and its tenants, which 3,000 rows give (7 ms).
      ALTER TABLE outbox
        ALTER COLUMN tenant_id SET STATISTICS 10, ALTER COLUMN sequence SET STATISTICS 10,
        ALTER COLUMN position SET STATISTICS 10, ALTER COLUMN time_ms SET STATISTICS 10,
        ALTER COLUMN id SET STATISTICS 0, ALTER COLUMN type SET STATISTICS 0, ALTER COLUMN subject SET STATISTICS 10,
        ALTER COLUMN source SET STATISTICS 0, ALTER COLUMN time SET STATISTICS 0, ALTER COLUMN data SET STATISTICS 0;
    `,
  },
];

/**
 * Any fixed 64-bit key, the same in every process: the migrating transactions of several
 * instances starting at once queue on it, so each version is applied exactly once.
 */
const MIGRATION_LOCK_KEY = 0x5c1d_0001;

/**
 * Applies the pending migrations in one transaction under pg_advisory_xact_lock (released at
 * COMMIT or ROLLBACK, so a crashed migrator never leaves it held). DDL is transactional in
 * PostgreSQL: a failing migration leaves nothing behind.
 */
export async function runMigrations(client: ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const encoding = (await client.query<{ server_encoding: string }>('SHOW server_encoding')).rows[0]?.server_encoding;
    if (encoding !== 'UTF8') throw new Error(`scimd needs a UTF8 database; this one is ${encoding}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql).catch((error: unknown) => {
        throw new MigrationError(migration, error);
      });
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
