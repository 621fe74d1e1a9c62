import { readFile } from 'node:fs/promises';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { ConfigError } from '../../config/load.ts';
import type { SetPollStore } from '../../store/ports/set-poll.ts';
import type { SetClaims } from './claims.ts';
import { SET_JWS_TYPE } from './uris.ts';

/** Signs SETs with the first key of the key set; publishes the public half of every key. */
export interface SetSigner {
  /** The JWK Set served at /.well-known/scim-set-jwks.json: public keys only. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** The compact JWS of the claims (RFC 7515), header `{alg, kid, typ: "secevent+jwt"}`. */
  sign(claims: SetClaims): Promise<string>;
}

/** The JWS algorithm a key signs with when its JWK does not name one. */
function algorithmOf(jwk: JWK): string | undefined {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? ''];
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext']);

/** The JWKs of a key set document, each with its `kid` (the RFC 7638 thumbprint when absent) and `alg`. */
async function parseKeySet(text: string, origin: string): Promise<JWK[]> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ConfigError(`${origin} is not JSON: expected a JWK Set {"keys":[…]}`);
  }
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`${origin} must be a JWK Set with at least one key: {"keys":[…]}`);
  const out: JWK[] = [];
  for (const [index, key] of keys.entries()) {
    const jwk = key as JWK;
    const where = `${origin}: key ${index}${jwk?.kid ? ` (kid ${jwk.kid})` : ''}`;
    if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string')
      throw new ConfigError(`${where} is not a private key (it has no "d")`);
    const alg = algorithmOf(jwk);
    if (!alg || alg.startsWith('HS')) throw new ConfigError(`${where}: use an RSA, EC (P-256/384/521) or Ed25519 signing key`);
    const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
    try {
      await importJWK({ ...jwk, alg }, alg);
    } catch (error) {
      throw new ConfigError(`${where} cannot sign with ${alg}: ${(error as Error).message}`);
    }
    out.push({ ...jwk, kid, alg });
  }
  const kids = out.map((k) => k.kid);
  if (new Set(kids).size !== kids.length) throw new ConfigError(`${origin}: two keys share a kid`);
  return out;
}

function publicHalf(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk, use: 'sig' };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return copy as JWK;
}

/** A fresh ES256 key set, as the JSON text stored when no key file is configured. */
async function generatedKeySet(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256' }] });
}

export async function createSigner(keys: readonly JWK[]): Promise<SetSigner> {
  const [signing] = keys;
  const key = await importJWK(signing!, signing!.alg);
  const header = { alg: signing!.alg!, kid: signing!.kid!, typ: SET_JWS_TYPE };
  return {
    jwks: { keys: keys.map(publicHalf) },
    sign: (claims) => new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key),
  };
}

/**
 * The SET signer: the keys of SCIMD_SET_SIGNING_KEYS (a JWK Set file; the first key signs, every
 * key is published, for rotation), or else an ES256 key generated once and kept in the database,
 * so that every instance signs with it and receivers' cached JWKS stay valid across restarts.
 */
export async function loadSetSigner(
  keyFile: string | undefined,
  store: SetPollStore,
  now: () => Date = () => new Date(),
): Promise<SetSigner> {
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = await readFile(keyFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `SCIMD_SET_SIGNING_KEYS: cannot read ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    return createSigner(await parseKeySet(text, `SCIMD_SET_SIGNING_KEYS (${keyFile})`));
  }
  const stored = await store.setSigningKeys(await generatedKeySet(), now().toISOString());
  return createSigner(await parseKeySet(stored, 'the generated SET signing key'));
}
