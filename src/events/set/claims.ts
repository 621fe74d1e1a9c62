import { createHash } from 'node:crypto';
import type { CloudEvent } from '../cloud-event.ts';
import { PATCH_OP_SCHEMA, SET_EVENT } from './uris.ts';

/** The claims of one Security Event Token (RFC 8417 §2.2, profiled by RFC 9967 §2). */
export interface SetClaims {
  readonly iss: string;
  readonly iat: number;
  readonly jti: string;
  readonly aud: string;
  readonly txn: string;
  /** RFC 8417 §2.2 time of event: when the change was committed. */
  readonly toe: number;
  readonly sub_id: SubjectId;
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The tenant's name: one deployment issues the SETs of every tenant from one issuer. */
  readonly tenant: string;
}

/** RFC 9967 §2.1: the `scim` subject identifier format. */
export interface SubjectId {
  readonly format: 'scim';
  readonly uri: string;
  readonly externalId?: string;
}

type Json = Readonly<Record<string, unknown>>;
type PatchOperation = { readonly op: 'add' | 'replace' | 'remove'; readonly path: string; readonly value?: unknown };

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7644 §3.14: the version of a resource as its ETag (meta.version). */
const etag = (version: unknown): string => `W/"${String(version)}"`;

/**
 * One transaction, one `txn` (RFC 9967 §2.2): every event a write produced shares the resource's
 * new version, and retransmissions compute the same value. A delete gets its own even though the
 * deleted resource keeps its last version.
 */
function transactionOf(event: CloudEvent, version: unknown): string {
  const kind = event.type.endsWith('.deleted') ? 'delete' : 'write';
  return createHash('sha256')
    .update(`${event.tenant}\n${event.subject}\n${String(version)}\n${kind}`)
    .digest('hex')
    .slice(0, 32);
}

function patchOp(operations: readonly PatchOperation[]) {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/** The value of a changed attribute path (`name`, `urn:…:User:manager`) in the new representation. */
function valueAt(resource: Json, path: string): unknown {
  if (path in resource) return resource[path];
  const split = path.lastIndexOf(':');
  const extension = resource[path.slice(0, split)];
  return split > 0 && isObject(extension) ? extension[path.slice(split + 1)] : undefined;
}

/**
 * The PATCH request equivalent to an update (RFC 9967 §2.2 `data`: "the equivalent SCIM command
 * processed"): a replace of each changed attribute with its new value, a remove of each one that
 * is gone. The password is never published, so it never appears.
 */
function equivalentOperations(resource: Json, changed: readonly string[]): PatchOperation[] {
  return changed
    .filter((path) => path !== 'password')
    .map((path) => {
      const value = valueAt(resource, path);
      return value === undefined ? { op: 'remove', path } : { op: 'replace', path, value };
    });
}

/** The RFC 9967 event payloads one outbox event maps to (several URIs: one state change). */
function eventsOf(event: CloudEvent): Record<string, Json> {
  const data = event.data;
  const version = etag(data['version']);
  switch (event.type) {
    case 'scim.user.created':
    case 'scim.group.created':
      return { [SET_EVENT.createFull]: { version, data: data['resource'] } };
    case 'scim.user.updated':
    case 'scim.group.updated': {
      const resource = isObject(data['resource']) ? data['resource'] : {};
      const changed = Array.isArray(data['changedAttributes']) ? (data['changedAttributes'] as string[]) : [];
      const operations = equivalentOperations(resource, changed);
      // A group's PUT is published as the equivalent PATCH: its member list never travels in an
      // event, and a replica applying a PUT without members would empty the group (RFC 9967 §5).
      const put = data['method'] === 'PUT' && event.type === 'scim.user.updated';
      const update: Record<string, Json> =
        operations.length === 0
          ? { [put ? SET_EVENT.putNotice : SET_EVENT.patchNotice]: { version, attributes: changed } }
          : put
            ? { [SET_EVENT.putFull]: { version, data: resource } }
            : { [SET_EVENT.patchFull]: { version, data: patchOp(operations) } };
      const active = resource['active'];
      const flip =
        changed.includes('active') && typeof active === 'boolean' ? { [active ? SET_EVENT.activate : SET_EVENT.deactivate]: {} } : {};
      return { ...update, ...flip };
    }
    case 'scim.group.members.added': {
      const members = (data['members'] as string[]).map((value) => ({ value }));
      return { [SET_EVENT.patchFull]: { version, data: patchOp([{ op: 'add', path: 'members', value: members }]) } };
    }
    case 'scim.group.members.removed': {
      const operations = (data['members'] as string[]).map(
        (value): PatchOperation => ({ op: 'remove', path: `members[value eq ${JSON.stringify(value)}]` }),
      );
      return { [SET_EVENT.patchFull]: { version, data: patchOp(operations) } };
    }
    case 'scim.user.deleted':
    case 'scim.group.deleted':
      // RFC 9967 §2.4.4: a delete event has no payload attributes.
      return { [SET_EVENT.delete]: {} };
    default:
      return {};
  }
}

function externalIdOf(event: CloudEvent): string | undefined {
  const data = event.data;
  const holder = isObject(data['resource']) ? data['resource'] : data;
  return typeof holder['externalId'] === 'string' ? holder['externalId'] : undefined;
}

/**
 * The SET for one outbox event, addressed to `audience`. `jti` is the event's id, so that a
 * receiver recognises a retransmission, and an RFC 8936 acknowledgement names the event.
 * Undefined for an event type RFC 9967 has no event for.
 */
export function securityEventClaims(event: CloudEvent, audience: string): SetClaims | undefined {
  const events = eventsOf(event);
  if (Object.keys(events).length === 0) return undefined;
  const seconds = Math.floor(Date.parse(event.time) / 1000);
  const externalId = externalIdOf(event);
  return {
    iss: event.source,
    iat: seconds,
    jti: event.id,
    aud: audience,
    txn: transactionOf(event, event.data['version']),
    toe: seconds,
    sub_id: { format: 'scim', uri: `/${event.subject}`, ...(externalId !== undefined ? { externalId } : {}) },
    events,
    tenant: event.tenant,
  };
}
