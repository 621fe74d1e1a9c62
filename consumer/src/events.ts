/**
 * An event as scimd publishes it (CloudEvents 1.0 structured JSON, docs/events.md), either
 * contract: `sequence` is a zero-padded string (urn:scimd:events:2) or a number (…:1).
 */
export interface ScimEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly tenant: string;
  readonly sequence: string | number;
  readonly data: Readonly<Record<string, unknown>>;
}

export const sequenceOf = (event: Pick<ScimEvent, 'sequence'>): number => Number(event.sequence);

/** Parses a message body (JSON text or bytes) into an event; throws on anything else. */
export function parseEvent(body: string | Uint8Array): ScimEvent {
  const event = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as ScimEvent;
  if (typeof event?.type !== 'string' || typeof event.subject !== 'string' || !Number.isSafeInteger(sequenceOf(event))) {
    throw new Error('not a scimd event');
  }
  return event;
}
