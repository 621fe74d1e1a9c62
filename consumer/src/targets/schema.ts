/**
 * The tables a SQL target keeps, the same in SQLite and PostgreSQL but for the JSON and boolean
 * types (`prefix` defaults to `scim_`). Applied with IF NOT EXISTS on every start.
 *
 * - `<p>users`, `<p>groups`: one row per resource, with the columns most queries want and the
 *   whole resource as scimd's GET returns it (without `groups` / `members`);
 * - `<p>members`: the direct edges (group_id has member_id, a User or a Group);
 * - `<p>user_groups` (a view): every group of every user, `direct` or through nested groups;
 * - `<p>positions`: per tenant, the sequence of the last event applied, written in the same
 *   transaction as the change.
 */
export function targetSchema(prefix: string, dialect: 'sqlite' | 'postgres'): string[] {
  const json = dialect === 'postgres' ? 'jsonb' : 'TEXT';
  const bool = dialect === 'postgres' ? 'boolean' : 'INTEGER';
  const p = prefix;
  return [
    `CREATE TABLE IF NOT EXISTS ${p}users (
      tenant TEXT NOT NULL, id TEXT NOT NULL, user_name TEXT NOT NULL, display_name TEXT, active ${bool},
      version INTEGER NOT NULL, resource ${json} NOT NULL, PRIMARY KEY (tenant, id))`,
    `CREATE TABLE IF NOT EXISTS ${p}groups (
      tenant TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT, version INTEGER NOT NULL, resource ${json} NOT NULL,
      PRIMARY KEY (tenant, id))`,
    `CREATE TABLE IF NOT EXISTS ${p}members (
      tenant TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL, member_type TEXT NOT NULL,
      PRIMARY KEY (tenant, group_id, member_id))`,
    `CREATE INDEX IF NOT EXISTS ${p}members_member ON ${p}members (tenant, member_id)`,
    `CREATE TABLE IF NOT EXISTS ${p}positions (tenant TEXT PRIMARY KEY, sequence BIGINT NOT NULL, updated_at TEXT NOT NULL)`,
    // scimd refuses nesting deeper than 10 levels, so the walk stops there.
    `CREATE VIEW IF NOT EXISTS ${p}user_groups AS
      WITH RECURSIVE up (tenant, user_id, group_id, depth) AS (
        SELECT tenant, member_id, group_id, 1 FROM ${p}members WHERE member_type = 'User'
        UNION
        SELECT up.tenant, up.user_id, m.group_id, up.depth + 1 FROM up
          JOIN ${p}members m ON m.tenant = up.tenant AND m.member_id = up.group_id AND m.member_type = 'Group'
        WHERE up.depth < 11
      )
      SELECT tenant, user_id, group_id, CASE WHEN min(depth) = 1 THEN 'direct' ELSE 'indirect' END AS type
      FROM up GROUP BY tenant, user_id, group_id`.replace(
      'CREATE VIEW IF NOT EXISTS',
      dialect === 'postgres' ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW IF NOT EXISTS',
    ),
  ];
}

/** Table prefixes are SQL identifiers chosen by the operator: letters, digits and underscores only. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new Error(`table prefix ${JSON.stringify(prefix)}: letters, digits and _ only`);
  return prefix;
}

/** The columns besides the JSON that a row of users / groups carries. */
export function userColumns(resource: Readonly<Record<string, unknown>>) {
  return {
    userName: String(resource['userName'] ?? ''),
    displayName: typeof resource['displayName'] === 'string' ? resource['displayName'] : null,
    active: typeof resource['active'] === 'boolean' ? resource['active'] : null,
  };
}
