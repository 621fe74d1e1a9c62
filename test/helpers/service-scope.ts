import { PROFILES } from '../../src/service/profiles.ts';
import type { RequestScope } from '../../src/service/resource-view.ts';

/** The SCIM base URL the service unit tests give their requests (meta.location starts with it). */
export const SCIM_BASE = 'https://scim.example.com/scim/v2';

/** A request of the tenant under the lenient profile (the default: no profile behaviour on). */
export function lenientScope(tenantId: string): RequestScope {
  return { tenantId, baseUrl: SCIM_BASE, profile: PROFILES.lenient };
}
