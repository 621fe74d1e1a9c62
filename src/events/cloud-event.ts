import type { OutboxRecord } from '../store/ports/outbox.ts';

/** The version of the event contract (docs/events.md); a breaking change gets a new one. */
export const EVENT_SCHEMA_URI = 'urn:scimd:events:1';

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

/** A CloudEvents 1.0 event in structured JSON mode, as every sink and the feed carry it. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataschema: typeof EVENT_SCHEMA_URI;
  /** Extension: the tenant's name. */
  readonly tenant: string;
  /** Extension: per tenant, strictly increasing, without gaps. */
  readonly sequence: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The envelope of a stored outbox row (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). */
export function toCloudEvent(record: OutboxRecord): CloudEvent {
  return {
    specversion: '1.0',
    id: record.id,
    source: record.source,
    type: record.type,
    subject: record.subject,
    time: record.time,
    datacontenttype: 'application/json',
    dataschema: EVENT_SCHEMA_URI,
    tenant: record.tenantName,
    sequence: record.sequence,
    data: record.data,
  };
}
