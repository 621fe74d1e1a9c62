import type { ScimEvent } from '../events.ts';

/**
 * Hands the consumer a batch of events (possibly of other tenants, duplicated or out of order:
 * the consumer sorts that out) and resolves once it is applied and committed; the source
 * acknowledges the batch to its broker only then. When it rejects, the source leaves the batch
 * unacknowledged (redelivered later) or relies on the consumer's repair from the feed.
 */
export type Deliver = (events: readonly ScimEvent[]) => Promise<void>;

/** Where events come from: one adapter per broker, plus webhooks and scimd's own feed. */
export interface Source {
  /** A name for logs: the URL without credentials or secrets. */
  readonly name: string;
  /** Starts delivering the tenant's events; `position()` tells where the consumer stands. */
  start(tenant: string, deliver: Deliver, position: () => number): Promise<void>;
  stop(): Promise<void>;
}

export interface SourceOptions {
  /** Events per batch handed to the consumer (default 500). */
  readonly batchSize: number;
  /** A stable name for durable subscriptions (queue, durable consumer, group, client id). */
  readonly subscription: string;
  readonly log: (message: string, error?: unknown) => void;
}

/** A URL as logs may show it. */
export function redact(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '';
  copy.hash = '';
  return copy.href;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
