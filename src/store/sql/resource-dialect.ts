import type { SqlDialect } from './dialect.ts';
import type { Sql } from './fragment.ts';

/** What differs between the databases in the resource statements, besides the filter dialect. */
export interface ResourceDialect {
  readonly sql: SqlDialect;
  /**
   * A user's direct groups as a JSON text column `groups_json` of its own row (directGroupsFromJson
   * in rows.ts), each with whether it is itself in a group: the lookup identity providers make
   * before every write is then one statement; only a user reached through nested groups needs
   * the recursive walk (groupsOfUsers) for its indirect groups. Row keys are unique across
   * tenants, so `member_row` alone selects the user's memberships.
   */
  readonly groupsColumn: string;
  /** A member's display, its displayName else its userName, read from its row `o`. */
  readonly memberDisplay: string;
  /** The condition `= key`, or membership in a list of row keys. */
  keyIn(keys: readonly number[]): Sql;
}
