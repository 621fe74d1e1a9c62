import { randomUUID } from 'node:crypto';

// The ids made in one millisecond (a group commit's creates and their events) share the text of
// their time: half the cost of an id.
let prefixTime = Number.NaN;
let prefix = '';

/**
 * The id scimd gives what it creates, a resource (RFC 7643 §3.1: an id is the service provider's
 * to choose) or an event: a UUID of version 7 (RFC 9562 §5.7), the time in milliseconds in its
 * first 48 bits and 74 random bits after, so unique as a version 4 one is. The indexes of ids
 * (resources_id, outbox_event_id) then grow at their end: the creates of one SQLite group commit
 * share the index's last page instead of each dirtying a random one, a WAL frame fewer a create
 * (docs/performance.md, "Resource ids in time order"). The time a resource's id shows is its
 * meta.created, which its representation shows anyway.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now !== prefixTime) {
    const time = now.toString(16).padStart(12, '0');
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixTime = now;
  }
  return prefix + randomUUID().slice(15);
}
