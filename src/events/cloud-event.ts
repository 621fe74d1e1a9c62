import type { OutboxRecord } from '../store/ports/outbox.ts';

/**
 * The versions of the event contract (docs/events.md), as CloudEvents `dataschema`. Version 2
 * sends `sequence` as the string the CloudEvents sequence extension defines; version 1 sent an
 * integer, and is still published for consumers that parse it so (SCIMD_EVENT_CONTRACT=1).
 */
export const EVENT_SCHEMA_URIS = { 1: 'urn:scimd:events:1', 2: 'urn:scimd:events:2' } as const;

export type EventContract = keyof typeof EVENT_SCHEMA_URIS;

/** What scimd publishes unless configured otherwise. */
export const CURRENT_EVENT_CONTRACT: EventContract = 2;

export const EVENT_TYPES = [
  'scim.user.created',
  'scim.user.updated',
  'scim.user.deleted',
  'scim.group.created',
  'scim.group.updated',
  'scim.group.deleted',
  'scim.group.members.added',
  'scim.group.members.removed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Digits of a version 2 `sequence`: the sequence extension orders by plain string comparison, so
 * the number is zero-padded to a width every PostgreSQL bigint fits in.
 */
export const SEQUENCE_DIGITS = 20;

/** A CloudEvents 1.0 event in structured JSON mode, as every sink and the feed carry it. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataschema: (typeof EVENT_SCHEMA_URIS)[EventContract];
  /** Extension: the tenant's name. */
  readonly tenant: string;
  /**
   * Extension: per tenant, strictly increasing, without gaps. Contract 2: the CloudEvents sequence
   * extension's string (zero-padded decimal); contract 1: an integer.
   */
  readonly sequence: string | number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A sequence as the contract writes it. */
export function formatSequence(sequence: number, contract: EventContract): string | number {
  return contract === 1 ? sequence : String(sequence).padStart(SEQUENCE_DIGITS, '0');
}

/** The number an event's `sequence` stands for, whichever contract wrote it. */
export function sequenceOf(event: Pick<CloudEvent, 'sequence'>): number {
  return Number(event.sequence);
}

/** The envelope of a stored outbox row (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). */
export function toCloudEvent(record: OutboxRecord, contract: EventContract = CURRENT_EVENT_CONTRACT): CloudEvent {
  return {
    specversion: '1.0',
    id: record.id,
    source: record.source,
    type: record.type,
    subject: record.subject,
    time: record.time,
    datacontenttype: 'application/json',
    dataschema: EVENT_SCHEMA_URIS[contract],
    tenant: record.tenantName,
    sequence: formatSequence(record.sequence, contract),
    data: record.data,
  };
}
