import type { ListParams } from '../../src/service/list-params.ts';
import { PROFILES } from '../../src/service/profiles.ts';
import type { RequestScope } from '../../src/service/resource-view.ts';

/** The SCIM base URL the service unit tests give their requests (meta.location starts with it). */
export const SCIM_BASE = 'https://scim.example.com/scim/v2';

/** A request of the tenant under the lenient profile (the default: no profile behaviour on). */
export function lenientScope(tenantId: string): RequestScope {
  return { tenantId, baseUrl: SCIM_BASE, profile: PROFILES.lenient };
}

/** The list parameters of a request that gives none (RFC 7644 §3.4.2), with `given` on top. */
export const listParams = (given: Partial<ListParams> = {}): ListParams => ({
  filter: undefined,
  sortBy: undefined,
  descending: false,
  startIndex: undefined,
  count: undefined,
  cursor: undefined,
  attributes: undefined,
  excludedAttributes: undefined,
  ...given,
});
