import type { TenantState } from './tenants.ts';
/**
 * scimd's own OAuth 2.0 clients (docs/oauth.md, "scimd's token endpoint"): each belongs to one
 * tenant and gets access tokens for that tenant's SCIM API only (RFC 6749 §4.4).
 */
export interface OAuthClientSettings {
  /** A label for people; not used to authenticate. */
  readonly name: string;
  /** The lifetime of the access tokens it gets, in seconds (3600..21600). */
  readonly tokenLifetimeSeconds: number;
  /** A public JWK Set (JSON text): the keys its RFC 7523 private_key_jwt assertions are signed with. */
  readonly jwks: string | undefined;
  /** Workload identity federation: the `sub` of the assertions the tenant's trusted issuer signs for it. */
  readonly federatedSubject: string | undefined;
  /** The `aud` such an assertion must carry; undefined: the trusted issuer's audience. */
  readonly federatedAudience: string | undefined;
}

/** TenantState: a disabled tenant's clients get no tokens, and their tokens are refused (403). */
export interface OAuthClientRecord extends OAuthClientSettings, TenantState {
  /** The client_id. */
  readonly id: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One client secret, as stored: its SHA-256 only; the secret itself is shown once, at creation. */
export interface OAuthClientSecretRecord {
  readonly id: string;
  readonly clientId: string;
  /** The secret's first characters, so that people can tell their secrets apart. */
  readonly hint: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** When it last got a token; absent: never. */
  readonly lastUsedAt?: string;
}

export interface NewOAuthClientSecret extends Omit<OAuthClientSecretRecord, 'lastUsedAt'> {
  readonly hash: string;
}

/** A private signing key of scimd's access tokens (a JWK, JSON text). */
export interface OAuthSigningKeyRecord {
  readonly kid: string;
  readonly privateJwk: string;
  readonly createdAt: string;
}

export interface OAuthClientStore {
  /** Throws notFound for an unknown tenant. */
  createOAuthClient(
    client: OAuthClientSettings & { readonly id: string; readonly tenantId: string },
    at: string,
  ): Promise<OAuthClientRecord>;
  findOAuthClient(id: string): Promise<OAuthClientRecord | undefined>;
  /** A tenant's clients, oldest first. */
  listOAuthClients(tenantId: string): Promise<readonly OAuthClientRecord[]>;
  /** Undefined when there is no such client. */
  updateOAuthClient(id: string, settings: OAuthClientSettings, at: string): Promise<OAuthClientRecord | undefined>;
  /** Deletes the client and its secrets; false when there was none. */
  deleteOAuthClient(id: string): Promise<boolean>;
  /** Throws notFound for an unknown client. */
  addOAuthClientSecret(secret: NewOAuthClientSecret): Promise<void>;
  /** A client's secrets, expired ones included, oldest first. */
  listOAuthClientSecrets(clientId: string): Promise<readonly OAuthClientSecretRecord[]>;
  /** The client's secret with this hash, expired or not. */
  findOAuthClientSecret(clientId: string, hash: string): Promise<OAuthClientSecretRecord | undefined>;
  /** Records that the secret got a token at `at`. */
  touchOAuthClientSecret(secretId: string, at: string): Promise<void>;
  /** False when the client has no such secret. */
  deleteOAuthClientSecret(clientId: string, secretId: string): Promise<boolean>;
  /** Every signing key, oldest first. */
  listOAuthSigningKeys(): Promise<readonly OAuthSigningKeyRecord[]>;
  addOAuthSigningKey(key: OAuthSigningKeyRecord): Promise<void>;
  deleteOAuthSigningKey(kid: string): Promise<void>;
}
