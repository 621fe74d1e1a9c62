/** One versioned schema change; each store keeps an append-only list of them in its dialect. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** A migration that failed: which one, and the database's error as the cause (the CLI says both at start-up). */
export class MigrationError extends Error {
  readonly version: number;

  constructor(migration: Migration, cause: unknown) {
    super(`migration ${migration.version} (${migration.name}) failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
    this.version = migration.version;
  }
}
