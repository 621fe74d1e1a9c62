import { randomUUID } from 'node:crypto';

/**
 * The id scimd gives what it creates, a resource (RFC 7643 §3.1: an id is the service provider's
 * to choose) or an event: a UUID of version 7 (RFC 9562 §5.7), the time in milliseconds in its
 * first 48 bits and 74 random bits after, so unique as a version 4 one is, while the indexes of
 * ids (resources_id, outbox_event_id) grow at their end instead of taking a write at a random page
 * for every insert: on SQLite a create's share of its group commit's WAL frames (docs/
 * performance.md, "Resource ids in time order"). The time it shows is the resource's
 * meta.created, which its representation shows anyway.
 */
export function timeOrderedId(now = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
