import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, importJWK, importSPKI, type JWK } from 'jose';
import { ASYMMETRIC_ALGORITHMS } from '../auth/jwt.ts';
import { hashSecret, mintSecret, newTokenId } from '../auth/secrets.ts';
import { badRequest, notFound } from '../errors/scim-error.ts';
import type { OAuthClientRecord, OAuthClientSecretRecord, OAuthClientSettings, OAuthClientStore } from '../store/ports/oauth-clients.ts';
import type { TenantStore } from '../store/ports/tenants.ts';
import { MAX_TOKEN_LIFETIME_SECONDS } from './oauth-signing-keys.ts';

/** Access tokens live at least an hour and at most six (Entra ID's gallery requirements); a lifetime outside is clamped. */
const MIN_TOKEN_LIFETIME_SECONDS = 3600;
const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
const DEFAULT_SECRET_DAYS = 180;
const MAX_SECRET_DAYS = 730;
/** Unexpired secrets one client may have at once: enough to rotate, few enough to keep track of. */
const MAX_ACTIVE_SECRETS = 5;
const SECRET_PREFIX = 'scimd_cs_';
/** The secret's prefix and 4 more characters: enough for a person to tell two secrets apart. */
const HINT_LENGTH = SECRET_PREFIX.length + 4;
const DAY_MS = 86_400_000;

const SETTINGS_FIELDS = ['name', 'tokenLifetimeSeconds', 'jwks', 'federatedSubject', 'federatedAudience'];
const CREATE_FIELDS = [...SETTINGS_FIELDS, 'secret', 'secretExpiresInDays'];

type Body = Record<string, unknown>;

function objectBody(input: unknown, fields: readonly string[]): Body {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw badRequest('OAuth client: expected a JSON object');
  const unknown = Object.keys(input).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw badRequest(`OAuth client: unknown field(s) ${unknown.join(', ')}; known: ${fields.join(', ')}`);
  return input as Body;
}

/** Printable, bounded text, or undefined for null / absent. */
function optionalText(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 1024 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw badRequest(`OAuth client: "${field}" must be a non-empty string of at most 1024 printable characters`);
  }
  return value.trim();
}

function wholeNumber(body: Body, field: string): number | undefined {
  const raw = body[field];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw badRequest(`OAuth client: "${field}" must be a whole number`);
  return value;
}

/** RFC 7523 §2.2 client keys: a public JWK Set, one public JWK, or a PEM public key (SPKI); stored as a JWK Set with kid and alg. */
async function clientKeys(raw: unknown): Promise<string | undefined> {
  if (raw === undefined || raw === null) return undefined;
  let value = raw;
  if (typeof value === 'string' && value.trim().startsWith('-----BEGIN PUBLIC KEY-----')) {
    value = await pemKey(value.trim());
  } else if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw badRequest('OAuth client: "jwks" must be a JWK Set {"keys":[…]}, a JWK or a PEM public key');
    }
  }
  const list = (value as { keys?: unknown })?.keys ?? [value];
  if (!Array.isArray(list) || list.length === 0 || list.length > 10) throw badRequest('OAuth client: "jwks" must hold 1 to 10 keys');
  const keys: JWK[] = [];
  for (const [index, item] of list.entries()) {
    const jwk = item as JWK;
    const where = `OAuth client: "jwks" key ${index}`;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw badRequest(`${where} is not a JWK`);
    if ('d' in jwk || 'k' in jwk) throw badRequest(`${where} is a private or secret key: register the public key only`);
    const alg = jwk.alg ?? defaultAlgorithm(jwk);
    if (!alg || !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw badRequest(`${where}: use an RSA, EC (P-256/384/521) or Ed25519 public key (${ASYMMETRIC_ALGORITHMS.join(', ')})`);
    }
    try {
      await importJWK({ ...jwk, alg }, alg);
    } catch (error) {
      throw badRequest(`${where} cannot verify ${alg} signatures: ${(error as Error).message}`);
    }
    keys.push({ ...jwk, alg, kid: jwk.kid ?? (await calculateJwkThumbprint(jwk)) });
  }
  return JSON.stringify({ keys });
}

function defaultAlgorithm(jwk: JWK): string | undefined {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? ''];
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

async function pemKey(pem: string): Promise<JWK> {
  for (const alg of ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
    try {
      return await exportJWK(await importSPKI(pem, alg, { extractable: true }));
    } catch {
      // Not a key of this algorithm: try the next.
    }
  }
  throw badRequest('OAuth client: "jwks" holds a PEM public key that is not RSA, EC or Ed25519');
}

const clampLifetime = (seconds: number) => Math.min(MAX_TOKEN_LIFETIME_SECONDS, Math.max(MIN_TOKEN_LIFETIME_SECONDS, seconds));

/**
 * A client's settings from an admin API body or CLI flags: `base` (the stored settings on update)
 * gives what the input leaves out; `null` clears an optional field.
 */
async function parseSettings(body: Body, base: OAuthClientSettings | undefined): Promise<OAuthClientSettings> {
  const has = (field: string) => field in body;
  const lifetime = wholeNumber(body, 'tokenLifetimeSeconds');
  return {
    name: optionalText(body, 'name') ?? base?.name ?? 'OAuth client',
    tokenLifetimeSeconds: lifetime === undefined ? (base?.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS) : clampLifetime(lifetime),
    jwks: has('jwks') ? await clientKeys(body['jwks']) : base?.jwks,
    federatedSubject: has('federatedSubject') ? optionalText(body, 'federatedSubject') : base?.federatedSubject,
    federatedAudience: has('federatedAudience') ? optionalText(body, 'federatedAudience') : base?.federatedAudience,
  };
}

function secretDays(body: Body, field: string): number {
  const days = wholeNumber(body, field) ?? DEFAULT_SECRET_DAYS;
  if (days > MAX_SECRET_DAYS) throw badRequest(`OAuth client: "${field}" must be from 1 to ${MAX_SECRET_DAYS} days`);
  return days;
}

/** A secret as it is shown once, at its creation. */
export interface IssuedSecret {
  readonly id: string;
  readonly secret: string;
  readonly hint: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ClientWithSecrets {
  readonly client: OAuthClientRecord;
  readonly secrets: readonly OAuthClientSecretRecord[];
}

/** A client as the admin API, the CLI and the console show it: never a secret, only its hint. */
export function oauthClientView({ client, secrets }: ClientWithSecrets, now: Date) {
  return {
    clientId: client.id,
    tenant: client.tenantName,
    name: client.name,
    tokenLifetimeSeconds: client.tokenLifetimeSeconds,
    ...(client.jwks ? { jwks: JSON.parse(client.jwks) as { keys: JWK[] } } : {}),
    ...(client.federatedSubject ? { federatedSubject: client.federatedSubject } : {}),
    ...(client.federatedAudience ? { federatedAudience: client.federatedAudience } : {}),
    secrets: secrets.map((s) => ({
      id: s.id,
      hint: s.hint,
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
      expired: Date.parse(s.expiresAt) <= now.getTime(),
      lastUsedAt: s.lastUsedAt ?? null,
    })),
    createdAt: client.createdAt,
    updatedAt: client.updatedAt,
  };
}

export type OAuthClientView = ReturnType<typeof oauthClientView>;

export interface OAuthClientServiceDeps {
  readonly store: TenantStore & OAuthClientStore;
  readonly clock?: () => Date;
  /** Called after a client changes or goes, so that caches of it forget it. */
  readonly onChange?: (clientId: string) => void;
}

/**
 * scimd's own OAuth 2.0 clients (docs/oauth.md): the one service behind the CLI, the admin API
 * and the console. A client belongs to one tenant; its secrets are shown once and stored hashed.
 */
export function createOAuthClientService(deps: OAuthClientServiceDeps) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const changed = deps.onChange ?? (() => undefined);

  async function tenantNamed(name: string) {
    const tenant = await store.findTenantByName(name);
    if (!tenant) throw notFound(`no tenant named "${name}"`);
    return tenant;
  }

  /** The tenant's client with this id; 404 when it has none (a client of another tenant included). */
  async function clientOf(tenantName: string, clientId: string): Promise<OAuthClientRecord> {
    const tenant = await tenantNamed(tenantName);
    const client = await store.findOAuthClient(clientId);
    if (!client || client.tenantId !== tenant.id) throw notFound(`tenant "${tenantName}" has no OAuth client "${clientId}"`);
    return client;
  }

  async function issueSecret(clientId: string, days: number): Promise<IssuedSecret> {
    const now = clock();
    const active = (await store.listOAuthClientSecrets(clientId)).filter((s) => Date.parse(s.expiresAt) > now.getTime());
    if (active.length >= MAX_ACTIVE_SECRETS) {
      throw badRequest(`OAuth client "${clientId}" already has ${MAX_ACTIVE_SECRETS} unexpired secrets: revoke one first`);
    }
    const secret = mintSecret(SECRET_PREFIX);
    const issued = {
      id: newTokenId('sec_'),
      secret,
      hint: secret.slice(0, HINT_LENGTH),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + days * DAY_MS).toISOString(),
    };
    const { secret: _shownOnce, ...stored } = issued;
    await store.addOAuthClientSecret({ ...stored, clientId, hash: hashSecret(secret) });
    return issued;
  }

  const withSecrets = async (client: OAuthClientRecord): Promise<ClientWithSecrets> => ({
    client,
    secrets: await store.listOAuthClientSecrets(client.id),
  });

  return {
    /** A new client, with a first secret unless `secret: false` (a client that signs JWT assertions needs none). */
    async create(tenantName: string, input: unknown): Promise<ClientWithSecrets & { issued?: IssuedSecret }> {
      const body = objectBody(input, CREATE_FIELDS);
      const tenant = await tenantNamed(tenantName);
      const settings = await parseSettings(body, undefined);
      if (body['secret'] !== undefined && typeof body['secret'] !== 'boolean')
        throw badRequest('OAuth client: "secret" must be true or false');
      const days = secretDays(body, 'secretExpiresInDays');
      const id = `client_${randomBytes(12).toString('hex')}`;
      const client = await store.createOAuthClient({ ...settings, id, tenantId: tenant.id }, clock().toISOString());
      const issued = body['secret'] === false ? undefined : await issueSecret(id, days);
      return { ...(await withSecrets(client)), ...(issued ? { issued } : {}) };
    },
    async list(tenantName: string): Promise<readonly ClientWithSecrets[]> {
      const tenant = await tenantNamed(tenantName);
      return Promise.all((await store.listOAuthClients(tenant.id)).map(withSecrets));
    },
    async show(tenantName: string, clientId: string): Promise<ClientWithSecrets> {
      return withSecrets(await clientOf(tenantName, clientId));
    },
    /** Changes the fields the input names (null clears jwks, federatedSubject, federatedAudience). */
    async update(tenantName: string, clientId: string, input: unknown): Promise<ClientWithSecrets> {
      const body = objectBody(input, SETTINGS_FIELDS);
      const client = await clientOf(tenantName, clientId);
      const updated = await store.updateOAuthClient(clientId, await parseSettings(body, client), clock().toISOString());
      if (!updated) throw notFound(`tenant "${tenantName}" has no OAuth client "${clientId}"`);
      changed(clientId);
      return withSecrets(updated);
    },
    /** One more secret; the others stay valid until they expire or are revoked (rotation without downtime). */
    async addSecret(tenantName: string, clientId: string, input: unknown): Promise<IssuedSecret> {
      const body = objectBody(input, ['expiresInDays']);
      await clientOf(tenantName, clientId);
      return issueSecret(clientId, secretDays(body, 'expiresInDays'));
    },
    async revokeSecret(tenantName: string, clientId: string, secretId: string): Promise<void> {
      await clientOf(tenantName, clientId);
      if (!(await store.deleteOAuthClientSecret(clientId, secretId))) {
        throw notFound(`OAuth client "${clientId}" has no secret "${secretId}"`);
      }
    },
    /** Deletes the client and its secrets; its access tokens are refused from then on. */
    async remove(tenantName: string, clientId: string): Promise<void> {
      await clientOf(tenantName, clientId);
      await store.deleteOAuthClient(clientId);
      changed(clientId);
    },
  };
}

export type OAuthClientService = ReturnType<typeof createOAuthClientService>;
