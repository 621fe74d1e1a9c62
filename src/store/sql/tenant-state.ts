import type { StoredProfile, TenantState } from '../ports/tenants.ts';

/**
 * The tenant's state that a credential's lookup joins (`JOIN tenants t`): whether it is disabled
 * and its profile, so that authenticating a request is one query.
 */
export const TENANT_STATE_COLUMNS =
  't.disabled_at AS tenant_disabled_at, t.profile AS tenant_profile, t.profile_overrides AS tenant_profile_overrides';

export interface TenantStateRow {
  readonly tenant_disabled_at: string | null;
  readonly tenant_profile: string;
  readonly tenant_profile_overrides: string;
}

/** The profile columns (migration 45): a name and a JSON object of overridden behaviours. */
export function toStoredProfile(name: string, overrides: string): StoredProfile {
  return { name, overrides: JSON.parse(overrides) as Record<string, unknown> };
}

export function toTenantState(row: TenantStateRow): TenantState {
  return {
    ...(row.tenant_disabled_at !== null ? { tenantDisabledAt: row.tenant_disabled_at } : {}),
    tenantProfile: toStoredProfile(row.tenant_profile, row.tenant_profile_overrides),
  };
}
