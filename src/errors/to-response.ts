import type { ScimError } from './scim-error.ts';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  readonly schemas: readonly [typeof ERROR_SCHEMA];
  readonly status: string;
  readonly scimType?: string;
  readonly detail: string;
}

/** RFC 7644 §3.12 error body. `status` is a string, as the RFC's examples and Okta's tests expect. */
export function toErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}
