import { buildBatch, snapshotBatch } from './apply.ts';
import { type ScimEvent, sequenceOf } from './events.ts';
import { PositionConflictError, type Target } from './model.ts';
import { type ScimClient, type ScimConnection, scimClient } from './scim.ts';
import { createSource, type SourceSettings } from './sources/index.ts';
import type { Source } from './sources/source.ts';

export interface ConsumerLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface ConsumerOptions {
  /** scimd's SCIM base URL and a bearer token of the tenant: for the snapshot, the position and the feed. */
  readonly scim: ScimConnection;
  /** The tenant's name: the `tenant` of its events. */
  readonly tenant: string;
  readonly target: Target;
  /** A sink URL of SCIMD_EVENT_SINKS (amqp://, nats://, redis://, mqtt://, http(s)://…#secret=), `feed` (default), or a Source. */
  readonly source?: string | Source;
  /** Durable subscription name (queue, consumer, group, client id); default `scimd-consumer.<tenant>`. */
  readonly subscription?: string;
  /** Events per batch, and per target transaction (default 500). */
  readonly batchSize?: number;
  /** When nothing arrived for this long, ask scimd whether events were missed at the tail (default 5000 ms). */
  readonly checkEveryMs?: number;
  /** Webhook sources: where to listen, when not the sink URL's host and port. */
  readonly listen?: SourceSettings['listen'];
  readonly logger?: ConsumerLogger;
  /** Called after each committed batch. */
  readonly onCommit?: (info: { readonly from: number | undefined; readonly to: number; readonly events: number }) => void;
}

const QUIET: ConsumerLogger = { info() {}, warn() {} };

/**
 * Keeps a copy of one tenant's users, groups and memberships in a target (docs/consumer.md):
 * a snapshot at a known position the first time, then the events after it, each applied once,
 * in sequence order, the position committed with the change it belongs to.
 */
export class Consumer {
  readonly #options: ConsumerOptions;
  readonly #client: ScimClient;
  readonly #batchSize: number;
  readonly #log: ConsumerLogger;
  #source: Source | undefined;
  #position = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #lastActivity = Date.now();

  constructor(options: ConsumerOptions) {
    this.#options = options;
    this.#client = scimClient(options.scim);
    this.#batchSize = options.batchSize ?? 500;
    this.#log = options.logger ?? QUIET;
  }

  /** The sequence of the last event applied (the snapshot's position before any). */
  get position(): number {
    return this.#position;
  }

  /** Snapshot if the target has no copy yet, catch up from the feed, then follow the source. */
  async start(): Promise<void> {
    const { target, tenant } = this.#options;
    const held = await target.position(tenant);
    if (held === undefined) await this.#snapshot();
    else this.#position = held;
    await this.#serial(() => this.#catchUp());
    const subscription = this.#options.subscription ?? `scimd-consumer.${tenant}`;
    const settings: SourceSettings = {
      batchSize: this.#batchSize,
      subscription,
      log: (message, error) => this.#log.warn(message, { error: error instanceof Error ? error.message : error }),
      ...(this.#options.listen ? { listen: this.#options.listen } : {}),
    };
    const spec = this.#options.source ?? 'feed';
    this.#source = typeof spec === 'string' ? await createSource(spec, this.#client, settings) : spec;
    await this.#source.start(
      tenant,
      (events) => this.#serial(() => this.#deliver(events)),
      () => this.#position,
    );
    const every = this.#options.checkEveryMs ?? 5000;
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastActivity < every) return;
      void this.#serial(() => this.#catchUp()).catch((error: unknown) => this.#log.warn('tail check failed', { error: String(error) }));
    }, every);
    this.#timer.unref();
    this.#log.info('consumer following', { tenant, source: this.#source.name, position: this.#position });
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#source?.stop();
    await this.#chain.catch(() => undefined);
  }

  /** Applies everything scimd has committed up to now (repair from the feed), then resolves. */
  async sync(): Promise<number> {
    await this.#serial(() => this.#catchUp());
    return this.#position;
  }

  /** One thing at a time: batches from the source, catch-ups and tail checks never interleave. */
  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** The snapshot: the position first, then every user and group; events after it come next. */
  async #snapshot(): Promise<void> {
    const position = await this.#client.position();
    const users = await this.#client.all('Users');
    const groups = await this.#client.all('Groups');
    await this.#options.target.commit(this.#options.tenant, snapshotBatch(position, users, groups));
    this.#position = position;
    this.#options.onCommit?.({ from: undefined, to: position, events: 0 });
    this.#log.info('snapshot taken', { users: users.length, groups: groups.length, position });
  }

  /**
   * Reads the feed after the position until it is exhausted, applying page by page; the next
   * page is read while the current one commits.
   */
  async #catchUp(): Promise<void> {
    let next: Promise<ScimEvent[]> | undefined = this.#client.events(this.#position, this.#batchSize);
    while (next) {
      const events: ScimEvent[] = await next;
      if (events.length === 0) return;
      next = events.length < this.#batchSize ? undefined : this.#client.events(sequenceOf(events[events.length - 1]!), this.#batchSize);
      // If the commit fails, the page read ahead is dropped (and its failure, if any, with it).
      next?.catch(() => undefined);
      await this.#apply(events);
    }
  }

  /**
   * A batch from the source: other tenants', already applied and repeated events are dropped; a
   * gap before or inside the rest (an event lost, or arriving late) is filled from the feed.
   */
  async #deliver(events: readonly ScimEvent[]): Promise<void> {
    this.#lastActivity = Date.now();
    const mine = new Map<number, ScimEvent>();
    for (const e of events) if (e.tenant === this.#options.tenant && sequenceOf(e) > this.#position) mine.set(sequenceOf(e), e);
    if (mine.size === 0) return;
    const sorted = [...mine.keys()].sort((a, b) => a - b);
    const last = sorted[sorted.length - 1]!;
    if (sorted[0] === this.#position + 1 && last - sorted[0]! + 1 === sorted.length) {
      await this.#apply(sorted.map((s) => mine.get(s)!));
      return;
    }
    this.#log.warn('gap in the event stream; repairing from the feed', { position: this.#position, received: sorted[0], upTo: last });
    while (this.#position < last) {
      const page = await this.#client.events(this.#position, Math.min(this.#batchSize, last - this.#position));
      if (page.length === 0)
        throw new Error(`the feed has no events after ${this.#position}: they were pruned; start again from a snapshot`);
      await this.#apply(page);
    }
  }

  /** Consecutive events after the position, committed in batches with the position. */
  async #apply(events: readonly ScimEvent[]): Promise<void> {
    const { target, tenant } = this.#options;
    for (let i = 0; i < events.length; i += this.#batchSize) {
      const chunk = events.slice(i, i + this.#batchSize).filter((e) => sequenceOf(e) > this.#position);
      if (chunk.length === 0) continue;
      if (sequenceOf(chunk[0]!) !== this.#position + 1) throw new Error(`event ${sequenceOf(chunk[0]!)} does not follow ${this.#position}`);
      const to = sequenceOf(chunk[chunk.length - 1]!);
      try {
        await target.commit(tenant, await buildBatch(target, tenant, this.#position, chunk, to));
      } catch (error) {
        if (!(error instanceof PositionConflictError)) throw error;
        // Another consumer of the same target moved on: continue from where it is (the events
        // after it come again from the source or the feed).
        const held = (await target.position(tenant)) ?? 0;
        this.#log.warn('the target moved under this consumer; continuing from its position', { held });
        this.#position = held;
        return;
      }
      const from = this.#position;
      this.#position = to;
      this.#lastActivity = Date.now();
      this.#options.onCommit?.({ from, to, events: chunk.length });
    }
  }
}
