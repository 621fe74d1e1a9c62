import { EventEmitter } from 'node:events';
import type { OutboxStore } from '../store/ports/outbox.ts';
import { type CloudEvent, CURRENT_EVENT_CONTRACT, type EventContract, toCloudEvent } from './cloud-event.ts';

/**
 * The built-in feed: a tenant's events straight from the outbox, by sequence, so that a consumer
 * without a broker can follow changes and resume after its last sequence (within the retention).
 */
export interface EventFeed {
  read(tenantId: string, afterSequence: number, count: number): Promise<readonly CloudEvent[]>;
  /** Calls `listener` whenever this process committed events; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Announces committed events to subscribers (the SSE streams). */
  notify(): void;
}

export function createEventFeed(store: OutboxStore, contract: EventContract = CURRENT_EVENT_CONTRACT): EventFeed {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async read(tenantId, afterSequence, count) {
      return (await store.readEvents(tenantId, afterSequence, count)).map((r) => toCloudEvent(r, contract));
    },
    subscribe(listener) {
      emitter.on('events', listener);
      return () => emitter.off('events', listener);
    },
    notify() {
      emitter.emit('events');
    },
  };
}
