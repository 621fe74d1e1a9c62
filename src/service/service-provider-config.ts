import { SET_EVENT_URIS } from '../events/set/uris.ts';
import type { OAuthIssuerRecord } from '../store/ports/oauth-issuers.ts';
import type { BulkLimits } from './bulk.ts';
import type { ListLimits } from './resource-list.ts';

export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/** What the server can do today; each flag is switched on by the change that implements it. */
export interface Features {
  readonly patch: boolean;
  readonly bulk: boolean;
  /** RFC 9967 Security Event Tokens (push sinks and the RFC 8936 poll endpoint). */
  readonly securityEvents: boolean;
  /** draft-sehgal-scim-delta-query-02: /.deltaToken and /.delta (docs/delta-query.md). */
  readonly deltaQuery: boolean;
}

/** RFC 7643 §5 authenticationSchemes entry. */
export interface AuthenticationScheme {
  readonly type: 'oauthbearertoken';
  readonly name: string;
  readonly description: string;
  readonly specUri: string;
  readonly primary: boolean;
}

const STATIC_TOKEN_SCHEME: AuthenticationScheme = {
  type: 'oauthbearertoken',
  name: 'OAuth Bearer Token',
  description: 'Authentication with a bearer token issued by the scimd administrator (RFC 6750)',
  specUri: 'https://www.rfc-editor.org/info/rfc6750',
  primary: true,
};

const CLIENT_CREDENTIALS_SCHEME: AuthenticationScheme = {
  type: 'oauthbearertoken',
  name: 'OAuth 2.0 client credentials',
  description:
    "An access token from scimd's token endpoint, POST /oauth/token on this service's origin (RFC 6749 §4.4 client credentials " +
    'grant; client_secret_basic, client_secret_post or an RFC 7523 JWT assertion), sent as a bearer token',
  specUri: 'https://www.rfc-editor.org/info/rfc6749',
  primary: false,
};

/**
 * What a tenant can authenticate with: static tokens always, JWTs of its issuer when it has one,
 * and access tokens of scimd's own token endpoint when it has OAuth clients.
 */
export function authenticationSchemes(issuer: OAuthIssuerRecord | undefined, hasOAuthClients = false): readonly AuthenticationScheme[] {
  const schemes: AuthenticationScheme[] = [STATIC_TOKEN_SCHEME];
  if (issuer) {
    schemes.push({
      type: 'oauthbearertoken',
      name: 'OAuth 2.0 JWT access token',
      description:
        `A JWT access token (RFC 6750 bearer, RFC 9068 profile) issued by ${issuer.issuer} for audience ${issuer.audience}, ` +
        `signed with ${issuer.algorithms.join(' or ')}; its "${issuer.tenantClaim}" claim names this tenant and its "sub" ` +
        `is the ${issuer.subjectAttribute} of the user /Me acts on`,
      specUri: 'https://www.rfc-editor.org/info/rfc9068',
      primary: false,
    });
  }
  if (hasOAuthClients) schemes.push(CLIENT_CREDENTIALS_SCHEME);
  return schemes;
}

/**
 * RFC 7643 §5, plus RFC 9865 §4 `pagination`, RFC 9967 §4 `securityEvents` and the delta query draft's `deltaQuery`. It must tell the truth: clients such as Entra read
 * it to decide what to send.
 */
export function serviceProviderConfig(
  features: Features,
  limits: ListLimits,
  bulk: BulkLimits,
  location: string,
  schemes: readonly AuthenticationScheme[] = authenticationSchemes(undefined),
  deltaTokenExpirySeconds = 0,
  interopProfileConformant = false,
  rolesAndEntitlements?: { readonly roles: boolean; readonly entitlements: boolean },
) {
  return {
    schemas: [SPC_SCHEMA],
    // draft-zollner-scim-interop-profile-02 §3: true only where the tenant's profile conforms (docs/profiles.md).
    interopProfileConformant,
    patch: { supported: features.patch },
    bulk: features.bulk
      ? { supported: true, maxOperations: bulk.maxOperations, maxPayloadSize: bulk.maxPayloadSize }
      : { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: limits.defaultPageSize,
      maxPageSize: limits.maxResults,
      cursorTimeout: limits.cursorTimeoutSeconds,
    },
    // RFC 9967 §4: SETs, no asynchronous requests (`Prefer: respond-async` is answered synchronously).
    ...(features.securityEvents ? { securityEvents: { asyncRequest: 'none', eventUris: [...SET_EVENT_URIS] } } : {}),
    // draft-sehgal-scim-delta-query-02 §4.4: a token reaches back as far as the outbox keeps events.
    deltaQuery: features.deltaQuery
      ? { supported: true, deltaTokenExpiry: deltaTokenExpirySeconds, supportedResources: ['ServerRoot', 'User', 'Group'] }
      : { supported: false },
    // draft-ietf-scim-roles-entitlements-01 §3.1: where the tenant serves /Roles or /Entitlements.
    // A user's roles and entitlements are multi-valued, with primary and type (RFC 7643 §4.1.2).
    ...(rolesAndEntitlements && (rolesAndEntitlements.roles || rolesAndEntitlements.entitlements)
      ? {
          RolesAndEntitlements: {
            roles: { supported: rolesAndEntitlements.roles, multipleRolesSupported: true, primarySupported: true, typeSupported: true },
            entitlements: {
              supported: rolesAndEntitlements.entitlements,
              multipleEntitlementsSupported: true,
              primarySupported: true,
              typeSupported: true,
            },
          },
        }
      : {}),
    authenticationSchemes: schemes,
    meta: { resourceType: 'ServiceProviderConfig', location },
  };
}
