import type { CloudEvent } from './cloud-event.ts';

/**
 * The publisher port: one adapter per broker (src/events/sinks/). The relay hands `publish` the
 * next events of ONE tenant, in sequence order; it resolves only once the broker has taken
 * responsibility for every one of them (publisher confirm, JetStream ack, XADD reply, PUBACK,
 * 2xx). If it rejects, none of them counts as delivered and the relay retries them all later, so
 * a consumer may see an event twice (with the same id), never out of order within a first
 * delivery, and never miss one.
 */
export interface Publisher {
  /** Stable key of the sink's delivery state: the URL without credentials or secrets. */
  readonly name: string;
  publish(events: readonly CloudEvent[]): Promise<void>;
  /** Releases the connection; the relay calls it on shutdown and after a failure (then reconnects lazily). */
  close(): Promise<void>;
}

/**
 * The sink refused some events while its connection is sound (RabbitMQ returned them: no queue is
 * bound for their routing key). They are not delivered and are retried; the relay goes on with the
 * other tenants' events meanwhile, which the same sink may still take.
 */
export class RefusedEventsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedEventsError';
  }
}

/** The URL a sink is named by in logs, metrics and delivery state: no password, no secret, no fragment. */
export function sinkName(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '';
  copy.hash = '';
  for (const key of ['secret', 'password']) copy.searchParams.delete(key);
  return copy.href;
}

/** A routing segment for the tenant and type: "acme.scim.user.created". */
export function routingKey(event: CloudEvent): string {
  return `${event.tenant}.${event.type}`;
}

export function encode(event: CloudEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

export const CONTENT_TYPE = 'application/cloudevents+json';
