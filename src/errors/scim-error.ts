import { type ScimType, STATUS_FOR_SCIM_TYPE } from './codes.ts';

/**
 * The one error type of the protocol core. Carries the HTTP status and, where RFC 7644 §3.12
 * defines one, the scimType. Pure modules throw it; the HTTP layer maps it to a body in one place.
 */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** Extra response headers the error implies (Retry-After, WWW-Authenticate, Allow). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, scimType: ScimType | undefined, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    if (scimType !== undefined && !STATUS_FOR_SCIM_TYPE[scimType].includes(status)) {
      throw new Error(`scimType ${scimType} cannot travel with status ${status}`);
    }
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.headers = headers;
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
export const uniqueness = (detail: string) => new ScimError(409, 'uniqueness', detail);
export const invalidCursor = (detail: string) => new ScimError(400, 'invalidCursor', detail);
export const expiredCursor = (detail: string) => new ScimError(400, 'expiredCursor', detail);
export const invalidCount = (detail: string) => new ScimError(400, 'invalidCount', detail);
export const expiredDeltaToken = (detail: string) => new ScimError(400, 'expiredDeltaToken', detail);
export const badRequest = (detail: string) => new ScimError(400, undefined, detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);
export const preconditionFailed = (detail: string) => new ScimError(412, undefined, detail);
export const forbidden = (detail: string) => new ScimError(403, undefined, detail);
export const unauthorized = (detail: string) => new ScimError(401, undefined, detail, { 'www-authenticate': 'Bearer realm="scimd"' });
/**
 * RFC 6750 §3.1 invalid_token. The description also goes into WWW-Authenticate, where only
 * printable ASCII without quotes or backslashes may appear (§3: error_description syntax).
 */
export const invalidToken = (detail: string) =>
  new ScimError(401, undefined, detail, {
    'www-authenticate': `Bearer realm="scimd", error="invalid_token", error_description="${detail.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?')}"`,
  });
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new ScimError(429, undefined, detail, { 'retry-after': String(retryAfterSeconds) });
export const serviceUnavailable = (detail: string, retryAfterSeconds: number) =>
  new ScimError(503, undefined, detail, { 'retry-after': String(retryAfterSeconds) });
export const payloadTooLarge = (detail: string) => new ScimError(413, undefined, detail);
export const notImplemented = (detail: string) => new ScimError(501, undefined, detail);
