import type { TenantState } from './tenants.ts';
/** How a JWT's `sub` names the user /Me acts on (RFC 7644 §3.11). */
export type SubjectAttribute = 'userName' | 'id';

/**
 * A tenant's trusted OAuth 2.0 issuer of JWT access tokens (docs/oauth.md).
 * A token belongs to the tenant whose issuer equals its `iss` and whose `tenantValue` is the
 * value of its `tenantClaim`.
 */
export interface OAuthIssuerSettings {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  readonly tenantClaim: string;
  readonly tenantValue: string;
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
  readonly subjectAttribute: SubjectAttribute;
}

/** TenantState: a disabled tenant's JWTs are refused (403) as its static tokens are. */
export interface OAuthIssuerRecord extends OAuthIssuerSettings, TenantState {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OAuthIssuerStore {
  /**
   * Creates or replaces the tenant's issuer (createdAt is kept on replace). Throws notFound for an
   * unknown tenant, uniqueness (409) when another tenant has the same (issuer, tenantClaim, tenantValue).
   */
  putOAuthIssuer(tenantId: string, settings: OAuthIssuerSettings, at: string): Promise<OAuthIssuerRecord>;
  findOAuthIssuer(tenantId: string): Promise<OAuthIssuerRecord | undefined>;
  /** Every tenant's issuer configuration whose `issuer` is exactly this one. */
  findOAuthIssuersByIssuer(issuer: string): Promise<readonly OAuthIssuerRecord[]>;
  listOAuthIssuers(): Promise<readonly OAuthIssuerRecord[]>;
  /** False when the tenant had none. */
  deleteOAuthIssuer(tenantId: string): Promise<boolean>;
}
