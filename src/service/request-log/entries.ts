import type { RequestLogEntry } from '../../store/ports/request-log.ts';
import { bulkOperationsOf } from './bulk.ts';
import type { CapturedText } from './capture.ts';
import { guessClient } from './client.ts';
import { maskUnparsedBody, mayMentionSecret, redactBody, redactQuery, scrubber } from './redact.ts';

/** A /Bulk operation's path is kept to this many characters (a resource's is far shorter). */
const MAX_OPERATION_PATH = 300;

const SCIM_TYPE = /"scimType"\s*:\s*"([A-Za-z]{1,40})"/;

function cut(text: string | undefined, max: number): { body: string | undefined; bytes: number; cut: boolean } {
  if (text === undefined) return { body: undefined, bytes: 0, cut: false };
  const bytes = Buffer.byteLength(text);
  if (bytes <= max) return { body: text, bytes, cut: false };
  // Cut on a byte boundary, then drop a character the cut split in two.
  const body = Buffer.from(text)
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { body, bytes, cut: true };
}

/** The operations of an answered POST /Bulk (RFC 7644 §3.7), read from its BulkResponse. */
const bulkOperations = (c: CapturedText) =>
  c.method === 'POST' && /^\/Bulk\/?$/.test(c.path) && c.status === 200 && c.response !== undefined
    ? bulkOperationsOf(c.body === undefined ? undefined : JSON.parse(c.body), c.response)
    : undefined;

/**
 * A captured request as the log stores it: secrets out (redact.ts; `secrets` are the tenant's
 * secret attribute names), then each body cut to `maxBodyBytes`, the error's scimType, the client
 * guessed, a /Bulk request's operations listed.
 */
export function toEntry(c: CapturedText, secrets: ReadonlySet<string>, maxBodyBytes: number): RequestLogEntry {
  const found: string[] = c.bearer === undefined ? [] : [c.bearer];
  let request: string | undefined;
  if (c.body !== undefined) {
    request = c.body;
    if (mayMentionSecret(request, secrets)) request = JSON.stringify(redactBody(JSON.parse(request), secrets, found));
  } else if (c.unparsedBody !== undefined) request = maskUnparsedBody(c.unparsedBody, found);
  const redactedQuery = redactQuery(c.query, secrets, found);
  // Every secret is found by now: the texts below are scrubbed of each.
  const scrub = scrubber(found);
  const query = scrub(redactedQuery);
  if (request !== undefined) request = scrub(request);
  const response = c.response === undefined ? undefined : scrub(c.response);
  const requestBody = cut(request, maxBodyBytes);
  const responseBody = cut(response, maxBodyBytes);
  const userAgent = c.userAgent === undefined ? undefined : scrub(c.userAgent.slice(0, 300));
  return {
    tenantId: c.tenantId,
    time: new Date(c.arrivedMs).toISOString(),
    method: c.method,
    path: scrub(c.path),
    query,
    status: c.status,
    scimType: c.status >= 400 && response !== undefined ? SCIM_TYPE.exec(response)?.[1] : undefined,
    latencyMs: Math.round(c.latencyMs * 1000) / 1000,
    requestId: c.requestId,
    tokenId: c.tokenId,
    client: guessClient(userAgent, query, request),
    userAgent,
    resourceId: c.resourceId,
    requestBody: requestBody.body,
    requestBytes: requestBody.bytes,
    requestCut: requestBody.cut,
    responseBody: responseBody.body,
    responseBytes: responseBody.bytes,
    responseCut: responseBody.cut,
    operations: bulkOperations(c)?.map((o) => ({
      method: o.method?.slice(0, 20),
      path: o.path === undefined ? undefined : scrub(o.path.slice(0, MAX_OPERATION_PATH)),
      status: o.status,
      resourceId: o.resourceId === undefined ? undefined : scrub(o.resourceId),
    })),
  };
}
