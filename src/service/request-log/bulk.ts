import type { BulkOperationLog } from '../../store/ports/request-log.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * What each operation of a /Bulk request did, read from the BulkResponse that was sent (RFC 7644
 * §3.7.3: in the request's order, operations never reached left out) and the request it answers:
 * the status, the resource from `location` (`…/Users/{id}`), the path from the request's
 * operation of the same bulkId (a POST, or any operation that carried one), else from the
 * location. Runs with the rest of the request log's work, after the response; undefined when the
 * response is no BulkResponse (the whole request failed).
 */
export function bulkOperationsOf(requestBody: unknown, response: string): BulkOperationLog[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response);
  } catch {
    return undefined;
  }
  const answered = isObject(parsed) && Array.isArray(parsed['Operations']) ? parsed['Operations'] : undefined;
  if (!answered) return undefined;
  const sent = isObject(requestBody) && Array.isArray(requestBody['Operations']) ? requestBody['Operations'].filter(isObject) : [];
  const pathOfBulkId = new Map<string, string>();
  for (const op of sent) {
    const bulkId = text(op['bulkId']);
    const path = text(op['path']);
    if (bulkId !== undefined && path !== undefined && !pathOfBulkId.has(bulkId)) pathOfBulkId.set(bulkId, path);
  }
  return answered.filter(isObject).map((op) => {
    const location = text(op['location']);
    const [endpoint, id] = location === undefined ? [] : location.split('/').slice(-2);
    const bulkId = text(op['bulkId']);
    return {
      method: text(op['method']),
      path: (bulkId !== undefined ? pathOfBulkId.get(bulkId) : undefined) ?? (id === undefined ? undefined : `/${endpoint}/${id}`),
      status: Number(op['status']),
      resourceId: id,
    };
  });
}
