/** One versioned schema change; each store keeps an append-only list of them in its dialect. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
