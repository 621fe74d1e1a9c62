import { randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { OAuthClientStore, OAuthSigningKeyRecord } from '../store/ports/oauth-clients.ts';

/** The algorithm of scimd's own access tokens. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/** The longest an access token may live (docs/oauth.md): a retired key is kept this long, plus a margin. */
export const MAX_TOKEN_LIFETIME_SECONDS = 6 * 3600;
const RETIRED_KEY_MARGIN_MS = 5 * 60_000;

/** The keys are read again after this long, so that a rotation by another instance is seen. */
const RELOAD_MS = 60_000;
/** A token naming a kid not in the cache reloads the keys at most this often. */
const UNKNOWN_KID_RELOAD_MS = 1000;

interface LoadedKey {
  readonly kid: string;
  readonly createdAt: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext'];

async function load(record: OAuthSigningKeyRecord): Promise<LoadedKey> {
  const jwk = JSON.parse(record.privateJwk) as JWK;
  const publicJwk: Record<string, unknown> = { ...jwk, kid: record.kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
  for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
  return {
    kid: record.kid,
    createdAt: record.createdAt,
    privateKey: (await importJWK(jwk, ACCESS_TOKEN_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk as JWK, ACCESS_TOKEN_ALGORITHM)) as CryptoKey,
    publicJwk: publicJwk as JWK,
  };
}

export interface SigningKeysOptions {
  readonly store: OAuthClientStore;
  /** After this many seconds the signing key is replaced (SCIMD_OAUTH_KEY_ROTATION). */
  readonly rotationSeconds: number;
  readonly clock?: () => Date;
}

/**
 * The keys that sign scimd's access tokens, kept in the database so that every instance signs
 * and verifies with the same ones. The newest key signs; when it is older than the rotation
 * period a new one is generated and signs from then on. Every key is published (GET
 * /oauth/jwks.json) until the last token it can have signed has expired, then deleted (at the
 * next read of the keys, within a minute).
 */
export function createSigningKeys(options: SigningKeysOptions) {
  const { store, rotationSeconds } = options;
  const clock = options.clock ?? (() => new Date());
  let keys: readonly LoadedKey[] = [];
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<readonly LoadedKey[]> | undefined;
  let rotating: Promise<string> | undefined;
  let missReloadAt = Number.NEGATIVE_INFINITY;

  async function reload(): Promise<readonly LoadedKey[]> {
    loading ??= (async () => {
      try {
        const records = await store.listOAuthSigningKeys();
        const retired = retiredOf(records);
        for (const record of retired) await store.deleteOAuthSigningKey(record.kid);
        keys = await Promise.all(records.filter((r) => !retired.includes(r)).map(load));
        loadedAt = clock().getTime();
        return keys;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  }

  async function generate(): Promise<void> {
    const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(privateKey);
    const at = clock().toISOString();
    await store.addOAuthSigningKey({
      kid: `scimd-${at.slice(0, 10)}-${randomBytes(4).toString('hex')}`,
      privateJwk: JSON.stringify(jwk),
      createdAt: at,
    });
  }

  /** The keys whose successor has signed for longer than any token lives: no valid token names them. */
  function retiredOf(records: readonly OAuthSigningKeyRecord[]): OAuthSigningKeyRecord[] {
    const now = clock().getTime();
    return records.filter((_, i) => {
      const successor = records[i + 1];
      return successor !== undefined && Date.parse(successor.createdAt) + MAX_TOKEN_LIFETIME_SECONDS * 1000 + RETIRED_KEY_MARGIN_MS < now;
    });
  }

  async function fresh(): Promise<readonly LoadedKey[]> {
    return clock().getTime() - loadedAt < RELOAD_MS ? keys : reload();
  }

  /** A new signing key now; the old ones stay published until their tokens have expired. */
  async function rotate(): Promise<string> {
    await generate();
    const current = await reload();
    return current[current.length - 1]!.kid;
  }

  /** The key that signs now, rotated first when it is due. */
  async function signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    let current = await fresh();
    const newest = current[current.length - 1];
    if (!newest || Date.parse(newest.createdAt) + rotationSeconds * 1000 <= clock().getTime()) {
      // One rotation at a time in this process; two instances rotating at once leave two keys, both published.
      rotating ??= rotate().finally(() => {
        rotating = undefined;
      });
      await rotating;
      current = keys;
    }
    const signing = current[current.length - 1]!;
    return { kid: signing.kid, key: signing.privateKey };
  }

  /** The public key with this kid; the keys are read again (at most once a second) when it is unknown. */
  async function verificationKey(kid: string): Promise<CryptoKey | undefined> {
    const find = () => keys.find((k) => k.kid === kid)?.publicKey;
    await fresh();
    const known = find();
    const now = clock().getTime();
    if (known || now - missReloadAt < UNKNOWN_KID_RELOAD_MS) return known;
    missReloadAt = now;
    await reload();
    return find();
  }

  /** The JWK Set of every key still published: public halves only. */
  async function jwks(): Promise<{ keys: JWK[] }> {
    await signingKey();
    return { keys: keys.map((k) => k.publicJwk) };
  }

  return { signingKey, verificationKey, jwks, rotate };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
