import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  /** Claims to add or override (undefined removes a default claim). */
  readonly claims?: Record<string, unknown>;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  readonly kid?: string;
}

export interface TestIssuer {
  /** The `iss` of its tokens: its own origin. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** The current signing key's public JWK (what an attacker knows). */
  publicJwk(): JWK;
  /** A new signing key, published beside the old one, used from now on (RFC 7517 key rotation). */
  rotate(): Promise<void>;
  /** A signed access token for `sub` with aud "scimd" and tenant "acme" unless claims say otherwise. */
  sign(sub: string, options?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

async function newKey(n: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid: `key-${n}`, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: `key-${n}`, alg: 'RS256', use: 'sig' } };
}

/** A local OAuth 2.0 issuer: an RSA key pair and its JWKS served by node:http on port 0. */
export async function startIssuer(): Promise<TestIssuer> {
  const keys: SigningKey[] = [await newKey(1)];
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const current = () => keys[keys.length - 1]!;

  return {
    issuer: origin,
    jwksUrl: `${origin}/jwks.json`,
    fetches: () => fetches,
    publicJwk: () => current().publicJwk,
    rotate: async () => {
      keys.push(await newKey(keys.length + 1));
    },
    async sign(sub, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: JWTPayload = {
        iss: origin,
        aud: 'scimd',
        sub,
        tenant: 'acme',
        iat: now,
        exp: now + (options.expiresIn ?? 300),
        ...options.claims,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      const key = current();
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'at+jwt' }).sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
