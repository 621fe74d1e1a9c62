import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { createAuthenticator } from './authenticate.ts';
import { PROFILES } from './profiles.ts';
import type { Principal } from './tenants.ts';

/** A compact JWS (RFC 7515 §7.1) with these claims; its signature is never checked by the router. */
const jwt = (claims: Record<string, unknown>) => {
  const [header, payload] = [{ alg: 'ES256', typ: 'at+jwt' }, claims].map((part) =>
    Buffer.from(JSON.stringify(part)).toString('base64url'),
  );
  return `${header}.${payload}.c2ln`;
};

const principal = (tokenId: string): Principal => ({ tenantId: 't-1', tenantName: 'acme', tokenId, profile: PROFILES.lenient });

describe('RFC 6750 bearer authentication of the SCIM endpoints: which verifier a token goes to', () => {
  const calls: string[] = [];
  const connection = {};
  const authenticate = createAuthenticator(
    {
      authenticate: async (authorization, conn) => {
        calls.push(`static ${authorization} ${conn === connection}`);
        return principal('tok_static');
      },
    },
    {
      authenticate: async (token) => {
        calls.push(`issuer ${token}`);
        return principal('jwt:issuer');
      },
    },
    {
      issued: (claims) => claims.iss === 'urn:scimd',
      authenticate: async (token) => {
        calls.push(`own ${token}`);
        return principal('jwt:own');
      },
    },
  );

  it('a static token (no dots) goes to the tenant tokens, with the connection; a JWT scimd issued to its own keys; any other JWT to the issuer', async () => {
    assert.equal((await authenticate('Bearer scimd_abc', connection)).tokenId, 'tok_static');
    const own = jwt({ iss: 'urn:scimd', sub: 'client-1' });
    assert.equal((await authenticate(`Bearer ${own}`)).tokenId, 'jwt:own');
    const foreign = jwt({ iss: 'https://login.example.com/', sub: 'x' });
    assert.equal((await authenticate(`bearer ${foreign}`, connection)).tokenId, 'jwt:issuer');
    // Three dot-separated parts that are no JWT: a static token as far as the router knows.
    assert.equal((await authenticate('Bearer a.b.c')).tokenId, 'tok_static');
    assert.deepEqual(calls, ['static Bearer scimd_abc true', `own ${own}`, `issuer ${foreign}`, 'static Bearer a.b.c false']);
  });

  it('no bearer token is 401 before any verifier is asked', async () => {
    calls.length = 0;
    for (const header of [undefined, '', 'Basic abc', 'Bearer ']) {
      await assert.rejects(authenticate(header), (error: unknown) => {
        assert.ok(error instanceof ScimError, String(error));
        assert.deepEqual([error.status, error.detail], [401, 'a bearer token is required (Authorization: Bearer <token>)']);
        return true;
      });
    }
    assert.deepEqual(calls, []);
  });
});
