import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { OutboxRecord, OutboxStore } from '../store/ports/outbox.ts';
import { CURRENT_EVENT_CONTRACT, type EventContract, toCloudEvent } from './cloud-event.ts';
import { type Publisher, RefusedEventsError } from './publisher.ts';

export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RelayOptions {
  readonly store: OutboxStore;
  readonly sinks: readonly Publisher[];
  /** Events read per round. */
  readonly batchSize?: number;
  /** How often an idle sink looks for new events when nothing wakes it (another process wrote). */
  readonly pollMs?: number;
  /** How long a wake() waits for more commits to batch them (default 5 ms). */
  readonly wakeDelayMs?: number;
  /** First retry delay and the cap of the exponential backoff. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Delivered events older than this are pruned (the feed can replay up to this far back). */
  readonly retentionMs?: number;
  readonly pruneEveryMs?: number;
  readonly logger?: RelayLogger;
  readonly clock?: () => Date;
  /**
   * How long a (sink, tenant) lease lasts without renewal (default 5 s): the longest a tenant's
   * events wait when the relay holding them dies. Renewed every third of it while delivering.
   */
  readonly leaseMs?: number;
  /** This relay's id in the lease table (default host:pid:uuid): unique per running relay. */
  readonly owner?: string;
  /** The event contract version published (SCIMD_EVENT_CONTRACT; default the current one). */
  readonly contract?: EventContract;
  /**
   * How long one publish may wait for the sink's confirmation (SCIMD_EVENT_PUBLISH_TIMEOUT_MS,
   * default 10 s) before it counts as failed: a frozen connection answers nothing, not even an
   * error. Closing the sink after a failure is bounded by it as well.
   */
  readonly publishTimeoutMs?: number;
}

/** Per sink, in memory: what /metrics reports. The durable part (cursors) lives in the store. */
export interface SinkState {
  readonly name: string;
  delivered: number;
  failures: number;
  /** Consecutive failures; 0 when healthy. */
  consecutiveFailures: number;
  lastError: string | undefined;
  nextAttemptAt: number;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;

const SILENT: RelayLogger = { info() {}, warn() {}, error() {} };

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a random delay in [base·2^(n−1)/2, base·2^(n−1)], capped, so that many relays recovering
 * together do not retry in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The outbox relay: one independent loop per sink, each following its own per-tenant cursors in
 * the store, so that a sink that is down retries with backoff while the API and the other sinks
 * carry on, and catches up from its cursor when it returns. At least once, in order per tenant.
 * Relays of several instances share the outbox through (sink, tenant) leases (OutboxStore
 * claimEvents / renewLeases / releaseLeases; docs/events.md "Several relays").
 */
export class Relay {
  readonly #store: OutboxStore;
  readonly #sinks: readonly Publisher[];
  readonly #batch: number;
  readonly #pollMs: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #retentionMs: number;
  readonly #pruneEveryMs: number;
  #log: RelayLogger;
  readonly #clock: () => Date;
  readonly #states: SinkState[];
  readonly #wakers = new Set<() => void>();
  #running = false;
  #loops: Promise<void>[] = [];
  #pruneTimer: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  readonly #wakeDelayMs: number;
  readonly #leaseMs: number;
  readonly #owner: string;
  readonly #contract: EventContract;
  readonly #publishTimeoutMs: number;

  constructor(options: RelayOptions) {
    this.#store = options.store;
    this.#sinks = options.sinks;
    this.#batch = options.batchSize ?? 500;
    this.#pollMs = options.pollMs ?? 250;
    this.#wakeDelayMs = options.wakeDelayMs ?? 5;
    this.#baseMs = options.backoffBaseMs ?? 250;
    this.#maxMs = options.backoffMaxMs ?? 30_000;
    this.#retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.#pruneEveryMs = options.pruneEveryMs ?? 60_000;
    this.#log = options.logger ?? SILENT;
    this.#clock = options.clock ?? (() => new Date());
    this.#leaseMs = options.leaseMs ?? 5_000;
    this.#owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
    this.#contract = options.contract ?? CURRENT_EVENT_CONTRACT;
    this.#publishTimeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    this.#states = this.#sinks.map((s) => ({
      name: s.name,
      delivered: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastError: undefined,
      nextAttemptAt: 0,
    }));
  }

  /** Replaces the logger (the server's pino logger exists only after the relay is built). */
  setLogger(logger: RelayLogger): void {
    this.#log = logger;
  }

  /** This relay's id in the lease table. */
  get owner(): string {
    return this.#owner;
  }

  get sinkNames(): readonly string[] {
    return this.#sinks.map((s) => s.name);
  }

  get states(): readonly Readonly<SinkState>[] {
    return this.#states;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = this.#sinks.map((sink, i) => this.#run(sink, this.#states[i]!));
    if (this.#sinks.length > 0) {
      this.#pruneTimer = setInterval(
        () => void this.prune().catch((err: unknown) => this.#log.warn({ err }, 'outbox pruning failed')),
        this.#pruneEveryMs,
      );
      this.#pruneTimer.unref();
    }
  }

  /**
   * New events were committed: idle sinks look soon instead of at their next poll. Wakes within
   * `wakeDelayMs` coalesce, so that a burst of writes is relayed in a few batches rather than one
   * round (one read, one confirm) per write, which would take event-loop time from the API.
   */
  wake(): void {
    if (this.#wakeTimer !== undefined) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wakeNow();
    }, this.#wakeDelayMs);
  }

  #wakeNow(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  async prune(): Promise<number> {
    const before = new Date(this.#clock().getTime() - this.#retentionMs).toISOString();
    return this.#store.pruneEvents(this.sinkNames, before);
  }

  /** Stops the loops after their current round, releases this relay's leases, then closes the sinks. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#pruneTimer);
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    this.#wakeNow();
    await Promise.all(this.#loops);
    await Promise.all(
      this.#sinks.map((s) =>
        this.#store
          .releaseLeases(s.name, this.#owner)
          .catch((err: unknown) => this.#log.warn({ err, sink: s.name }, 'could not release outbox leases')),
      ),
    );
    await Promise.all(this.#sinks.map((s) => s.close().catch(() => undefined)));
  }

  async #run(sink: Publisher, state: SinkState): Promise<void> {
    while (this.#running) {
      let sent = 0;
      try {
        sent = await this.#round(sink, state);
        if (state.consecutiveFailures > 0) this.#log.info({ sink: sink.name }, 'event sink recovered');
        state.consecutiveFailures = 0;
        state.lastError = undefined;
      } catch (error) {
        state.failures++;
        state.consecutiveFailures++;
        state.lastError = error instanceof Error ? error.message : String(error);
        const delay = backoffDelay(state.consecutiveFailures, this.#baseMs, this.#maxMs);
        state.nextAttemptAt = Date.now() + delay;
        const log = state.consecutiveFailures === 1 ? this.#log.warn : this.#log.error;
        log.call(
          this.#log,
          { sink: sink.name, err: state.lastError, attempt: state.consecutiveFailures, retryInMs: delay },
          'event delivery failed',
        );
        await this.#bounded(sink.close(), 'close').catch(() => undefined);
        await this.#sleep(delay, false);
        continue;
      }
      if (sent < this.#batch) await this.#sleep(this.#pollMs, true);
    }
  }

  /**
   * One batch: the events of the tenants this relay holds the lease of (claimEvents), per tenant
   * in sequence order, published then recorded as delivered. While it delivers, the leases are
   * renewed every third of their length; a tenant whose lease was lost (it expired and another
   * relay took it) is dropped from the rest of the batch.
   */
  async #round(sink: Publisher, state: SinkState): Promise<number> {
    const records = await this.#store.claimEvents(sink.name, this.#owner, this.#batch, this.#leaseMs);
    if (records.length === 0) return 0;
    const byTenant = new Map<string, OutboxRecord[]>();
    for (const r of records) {
      let list = byTenant.get(r.tenantId);
      if (!list) byTenant.set(r.tenantId, (list = []));
      list.push(r);
    }
    const held = new Set(byTenant.keys());
    let renewing: Promise<void> | undefined;
    const renew = setInterval(
      () => {
        if (renewing) return;
        renewing = this.#store
          .renewLeases(sink.name, this.#owner, [...held], this.#leaseMs)
          .then((still) => {
            const kept = new Set(still);
            for (const tenantId of held) {
              if (kept.has(tenantId)) continue;
              held.delete(tenantId);
              this.#log.warn({ sink: sink.name, tenantId }, 'outbox lease lost to another relay; leaving the tenant to it');
            }
          })
          // A failed renewal is not a lost lease: the next one may succeed before it expires.
          .catch((err: unknown) => this.#log.warn({ err, sink: sink.name }, 'could not renew outbox leases'))
          .finally(() => (renewing = undefined));
      },
      Math.max(10, Math.floor(this.#leaseMs / 3)),
    );
    renew.unref();
    let refused: RefusedEventsError | undefined;
    try {
      for (const [tenantId, list] of byTenant) {
        if (!held.has(tenantId)) continue;
        try {
          await this.#bounded(sink.publish(list.map((r) => toCloudEvent(r, this.#contract))), 'confirm');
        } catch (error) {
          // Refused events are their tenant's alone: the other tenants' events still go.
          if (!(error instanceof RefusedEventsError)) throw error;
          refused ??= error;
          continue;
        }
        await this.#store.markDelivered(sink.name, tenantId, list[list.length - 1]!.sequence);
        state.delivered += list.length;
      }
    } finally {
      clearInterval(renew);
      await renewing;
    }
    if (refused) throw refused;
    return records.length;
  }

  /** `step` (a sink's publish or close), failed when it has not settled within the publish timeout. */
  async #bounded(step: Promise<void>, what: 'confirm' | 'close'): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the sink did not ${what} within ${this.#publishTimeoutMs} ms (a stalled connection)`)),
        this.#publishTimeoutMs,
      );
    });
    try {
      await Promise.race([step, stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits `ms`; a wake() ends the wait early when `wakeable` (idle), never during backoff. */
  #sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const waker = () => {
        if (wakeable || !this.#running) done();
      };
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(waker);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(waker);
    });
  }
}
