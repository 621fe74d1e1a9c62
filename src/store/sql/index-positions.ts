import type { CursorKey } from '../ports/resources.ts';

/**
 * Rows between two checkpoints of a list: a jump to any startIndex skips at most this many rows
 * (an OFFSET from the checkpoint before it) instead of every row before it.
 */
export const CHECKPOINT_STRIDE = 500;

export interface PositionLimits {
  /** Lists remembered at once, over all tenants; the least recently used goes first. */
  readonly maxLists: number;
  /** Page ends remembered per list (the walks in progress); the oldest goes first. */
  readonly maxPageEnds: number;
  /**
   * How long what was counted stays trusted, in milliseconds: the bound on how stale a page can
   * be after writes this process does not see (another scimd instance on the same database).
   */
  readonly maxAgeMs: number;
}

export const DEFAULT_POSITION_LIMITS: PositionLimits = { maxLists: 64, maxPageEnds: 256, maxAgeMs: 30_000 };

/** A row at a known position of a list's order: `position` rows lie at or before `key`. */
export interface Position {
  readonly position: number;
  readonly key?: CursorKey;
}

/**
 * What is known of one list (a tenant, filter and sort order) as it stood at one generation of
 * the tenant: its total, the last rows of the index pages served from it, and, once a page far
 * from every known row was asked for, a checkpoint every CHECKPOINT_STRIDE rows.
 */
export class ListPositions {
  readonly #pageEnds = new Map<number, CursorKey>();
  #checkpoints: readonly CursorKey[] | undefined;

  constructor(
    readonly total: number,
    readonly generation: number,
    readonly takenAt: number,
    readonly maxPageEnds: number,
  ) {}

  get checkpointed(): boolean {
    return this.#checkpoints !== undefined;
  }

  /** The keys of rows CHECKPOINT_STRIDE, 2 × CHECKPOINT_STRIDE, … of the order. */
  setCheckpoints(keys: readonly CursorKey[]): void {
    this.#checkpoints = keys;
  }

  rememberPageEnd(position: number, key: CursorKey): void {
    this.#pageEnds.delete(position);
    this.#pageEnds.set(position, key);
    if (this.#pageEnds.size > this.maxPageEnds) this.#pageEnds.delete(this.#pageEnds.keys().next().value!);
  }

  /** The known row closest before `offset` rows (position 0, the start, when none is). */
  nearest(offset: number): Position {
    let best: Position = { position: 0 };
    const exact = this.#pageEnds.get(offset);
    if (exact) return { position: offset, key: exact };
    for (const [position, key] of this.#pageEnds) if (position <= offset && position > best.position) best = { position, key };
    const checkpoint = this.#checkpoints && Math.min(Math.floor(offset / CHECKPOINT_STRIDE), this.#checkpoints.length);
    if (checkpoint && checkpoint * CHECKPOINT_STRIDE > best.position) {
      best = { position: checkpoint * CHECKPOINT_STRIDE, key: this.#checkpoints![checkpoint - 1]! };
    }
    return best;
  }
}

/**
 * Positions of recently served index pages (RFC 7644 §3.4.2.4), per tenant and list, so that
 * the next page of a walk by startIndex seeks from the previous page's last row as a cursor page
 * does (RFC 9865) instead of an OFFSET over every row before it: a walk through a million users
 * costs linear time, not quadratic.
 *
 * A page answered from here is the page OFFSET gives, because what is remembered belongs to one
 * generation of the tenant: every write of the tenant's resources through this store starts the
 * next generation once it has committed (`written`), and a read keeps only what it took at the
 * generation it started in. Writes by another process (several instances on one PostgreSQL) are
 * not seen: their effect on totals and positions shows for at most `maxAgeMs`
 * (docs/filtering.md, Paging).
 */
export class IndexPositions {
  readonly #generations = new Map<string, number>();
  readonly #lists = new Map<string, ListPositions>();

  constructor(
    readonly limits: PositionLimits = DEFAULT_POSITION_LIMITS,
    readonly now: () => number = Date.now,
  ) {}

  generation(tenantId: string): number {
    return this.#generations.get(tenantId) ?? 0;
  }

  /** A write of the tenant's resources committed (or may have): nothing remembered of the tenant holds any more. */
  written(tenantId: string): void {
    this.#generations.set(tenantId, this.generation(tenantId) + 1);
  }

  /**
   * `write`'s outcome, once it is over: committed, or failed, which on a lost connection may
   * still mean committed; either way the tenant's lists start a new generation (`written`).
   */
  async after<T>(tenantId: string, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.written(tenantId);
    }
  }

  /** What is known of the list, if it was taken at the tenant's current generation and is recent enough. */
  find(tenantId: string, list: string, generation: number): ListPositions | undefined {
    const key = `${tenantId}\u0000${list}`;
    const known = this.#lists.get(key);
    if (!known) return undefined;
    if (known.generation !== this.generation(tenantId) || this.now() - known.takenAt > this.limits.maxAgeMs) {
      this.#lists.delete(key);
      return undefined;
    }
    if (known.generation !== generation) return undefined;
    this.#lists.delete(key);
    this.#lists.set(key, known);
    return known;
  }

  /**
   * Starts remembering the list with the total counted at `generation`, or returns what is
   * already known of it at that generation. A read that started before a write committed gets a
   * record nobody else sees (it would be stale).
   */
  start(tenantId: string, list: string, generation: number, total: number): ListPositions {
    const known = this.find(tenantId, list, generation);
    if (known) return known;
    const fresh = new ListPositions(total, generation, this.now(), this.limits.maxPageEnds);
    if (generation !== this.generation(tenantId)) return fresh;
    this.#lists.set(`${tenantId}\u0000${list}`, fresh);
    if (this.#lists.size > this.limits.maxLists) this.#lists.delete(this.#lists.keys().next().value!);
    return fresh;
  }
}
