/** What a failed SCIM request means, and what usually causes it in Entra ID or Okta (RFC 7644 §3.12). */
export interface Explanation {
  readonly meaning: string;
  readonly entra: string;
  readonly okta: string;
}

const BY_SCIM_TYPE: Readonly<Record<string, Explanation>> = {
  uniqueness: {
    meaning: 'A userName (or a group displayName, or a unique custom attribute) already belongs to another resource of this tenant.',
    entra:
      'Entra matched no existing user (its matching attribute, usually userName or externalId, differs from what scimd stores) and tried to create a duplicate. Check the attribute mappings and the matching precedence, or remove the stale user.',
    okta: 'The user exists in scimd but Okta does not know it is linked: import users in Okta to link them, or delete the stale user in scimd.',
  },
  invalidFilter: {
    meaning: 'The filter is not valid SCIM filter syntax, or names an attribute the schema does not have.',
    entra: 'Usually a custom matching attribute that scimd does not know: add it as a custom attribute, or change the matching attribute.',
    okta: 'Okta only sends userName eq "…"; a custom integration with another filter needs it to name known attributes.',
  },
  invalidValue: {
    meaning: 'A value has the wrong type, is not one of the canonical values, or a required attribute is missing.',
    entra:
      'An attribute mapping sends an empty or wrongly typed value (for example a string for a boolean, or no userName); fix the mapping or its source attribute.',
    okta: 'A profile attribute mapped to SCIM is empty or of another type; check the attribute mappings of the app.',
  },
  invalidSyntax: {
    meaning: 'The body is not valid JSON, not a JSON object, nests too deeply, or lacks a schema the request needs.',
    entra: 'Rare with Entra itself; seen with custom expressions in mappings that produce invalid JSON.',
    okta: 'Rare with Okta itself; check any custom integration code.',
  },
  invalidPath: {
    meaning: 'A PATCH path is not valid, or names an attribute the schema does not have.',
    entra: 'Entra writes extension attributes by their URN: add the extension attribute in Custom attributes, with the same URN and name.',
    okta: 'A custom attribute mapped in Okta is unknown to scimd: add it in Custom attributes.',
  },
  noTarget: {
    meaning: 'The PATCH path matched nothing to change.',
    entra: 'Entra removed a value (for example a manager or a group member) that is already gone; usually harmless.',
    okta: 'Okta removed a group member that is not a member; usually harmless.',
  },
  mutability: {
    meaning: 'The request tried to change an attribute that is read-only or immutable, or to remove the password.',
    entra: 'A mapping targets a read-only attribute (id, meta, groups): remove that mapping.',
    okta: 'Okta sent a value for a read-only attribute; remove it from the mappings.',
  },
  tooMany: {
    meaning: 'The filter would match more resources than the server returns at once.',
    entra: 'Not expected from Entra.',
    okta: 'Not expected from Okta.',
  },
  invalidVers: {
    meaning: 'The If-Match version is not the resource’s current version: someone changed it in between.',
    entra: 'Entra does not send If-Match; another client does.',
    okta: 'Okta does not send If-Match; another client does.',
  },
  invalidCursor: { meaning: 'The cursor is not one this server handed out.', entra: 'Not used by Entra.', okta: 'Not used by Okta.' },
  expiredCursor: {
    meaning: 'The cursor is older than SCIMD_CURSOR_TIMEOUT.',
    entra: 'Not used by Entra.',
    okta: 'Not used by Okta.',
  },
  invalidCount: {
    meaning: 'The count parameter is not a valid number.',
    entra: 'Not expected from Entra.',
    okta: 'Not expected from Okta.',
  },
  sensitive: {
    meaning: 'The request put sensitive data where it must not be (for example in the URL).',
    entra: 'Not expected from Entra.',
    okta: 'Not expected from Okta.',
  },
};

const BY_STATUS: Readonly<Record<number, Explanation>> = {
  401: {
    meaning: 'The bearer token is missing, unknown, revoked or expired.',
    entra: 'The Secret Token in the provisioning settings is wrong or was revoked: mint a new token and paste it, then Test Connection.',
    okta: 'The API token in the app’s Provisioning → Integration settings is wrong or was revoked.',
  },
  403: {
    meaning: 'The tenant is disabled.',
    entra: 'Enable the tenant; Entra retries.',
    okta: 'Enable the tenant; Okta retries.',
  },
  404: {
    meaning: 'The resource does not exist in this tenant (any more).',
    entra:
      'Entra still holds a user scimd no longer has (deleted here, or created in another tenant). Restart provisioning to resynchronise.',
    okta: 'Okta still links a user that is gone; unassign and assign the user again, or import.',
  },
  412: {
    meaning: 'The If-Match version is stale.',
    entra: 'Not sent by Entra.',
    okta: 'Not sent by Okta.',
  },
  413: {
    meaning: 'The body is larger than SCIMD_MAX_BODY_BYTES (or the Bulk limit).',
    entra: 'A group PATCH with very many members; Entra splits them when told the limit.',
    okta: 'Okta sends at most a few hundred members per PATCH; raise the limit.',
  },
  429: {
    meaning: 'The tenant or token went over its rate limit; the client should retry after Retry-After.',
    entra: 'Entra retries by itself; raise SCIMD_RATE_LIMIT_TENANT if it happens often.',
    okta: 'Okta retries by itself.',
  },
  500: {
    meaning: 'scimd failed unexpectedly; its log has the cause under the request id.',
    entra: 'Entra retries; look up the request id in scimd’s logs.',
    okta: 'Okta retries; look up the request id in scimd’s logs.',
  },
  503: {
    meaning: 'The database did not answer; the client should retry.',
    entra: 'Entra retries; check the database.',
    okta: 'Okta retries; check the database.',
  },
};

export function explain(status: number, scimType: string | null | undefined): Explanation | undefined {
  return (
    (scimType ? BY_SCIM_TYPE[scimType] : undefined) ?? BY_STATUS[status] ?? (status === 400 ? BY_SCIM_TYPE['invalidValue'] : undefined)
  );
}
