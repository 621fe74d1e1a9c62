import { ScimError } from './scim-error.ts';

interface FrameworkError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

/** Framework errors whose meaning a client should see, with the SCIM status and type they map to. */
const KNOWN_CODES: Readonly<Record<string, (e: FrameworkError) => ScimError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new ScimError(413, undefined, 'the request body is larger than the server accepts'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new ScimError(415, undefined, 'the request body must be application/scim+json or application/json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ScimError(400, 'invalidSyntax', 'the request body is empty'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new ScimError(400, 'invalidSyntax', 'the Content-Length does not match the body'),
  FST_ERR_BAD_URL: () => new ScimError(400, undefined, 'the request URL is malformed'),
  FST_ERR_MAX_PARAM_LENGTH: () => new ScimError(414, undefined, 'a path segment of the request URL is too long'),
};

/**
 * Any thrown value → ScimError. Known client errors keep their meaning; everything else is a 500
 * whose detail says nothing internal (the caller logs the original with the request id).
 */
export function toScimError(error: unknown, requestId: string): { scimError: ScimError; internal: boolean } {
  if (error instanceof ScimError) return { scimError: error, internal: false };
  const framework = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  const known = typeof framework.code === 'string' ? KNOWN_CODES[framework.code] : undefined;
  if (known) return { scimError: known(framework), internal: false };
  const status = typeof framework.statusCode === 'number' ? framework.statusCode : 500;
  if (status >= 400 && status < 500 && typeof framework.message === 'string') {
    return { scimError: new ScimError(status, undefined, framework.message), internal: false };
  }
  return { scimError: new ScimError(500, undefined, `internal server error (request id ${requestId})`), internal: true };
}
