/** RFC 9967 §2.4 provisioning event URIs (the IANA "SCIM Event URIs" registry, RFC 9967 §7.4). */
export const SET_EVENT = {
  createFull: 'urn:ietf:params:scim:event:prov:create:full',
  patchFull: 'urn:ietf:params:scim:event:prov:patch:full',
  patchNotice: 'urn:ietf:params:scim:event:prov:patch:notice',
  putFull: 'urn:ietf:params:scim:event:prov:put:full',
  putNotice: 'urn:ietf:params:scim:event:prov:put:notice',
  delete: 'urn:ietf:params:scim:event:prov:delete',
  activate: 'urn:ietf:params:scim:event:prov:activate',
  deactivate: 'urn:ietf:params:scim:event:prov:deactivate',
} as const;

/** Every URI scimd issues: ServiceProviderConfig `securityEvents.eventUris` publishes exactly these. */
export const SET_EVENT_URIS: readonly string[] = Object.values(SET_EVENT);

/** RFC 8417 §2.3 explicit typing: the JWS `typ` header of every SET. */
export const SET_JWS_TYPE = 'secevent+jwt';

/** RFC 8935 §2: the media type of a pushed SET. */
export const SET_MEDIA_TYPE = 'application/secevent+jwt';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
